/* Timing runs: a monotonic clock and the median of repeated timings, as the command's
 * --timing and forward --repeat, the per-layer profile and the benchmark tools use them. */
#ifndef OPENPOSE_C_CLOCK_H
#define OPENPOSE_C_CLOCK_H

#ifdef __cplusplus
extern "C" {
#endif

/* Milliseconds since an arbitrary point (CLOCK_MONOTONIC). */
double opc_clock_ms(void);

/* Sorts v (n >= 1) ascending and returns its median (the mean of the middle two when n is
 * even); v[0] is then the fastest run. */
double opc_median(double *v, int n);

#ifdef __cplusplus
}
#endif
#endif
