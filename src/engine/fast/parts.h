/* How the fast kernels split a layer between the threads: by output rows, part t of T
 * taking rows [h * t / T, h * (t + 1) / T) of every channel. The 1x1 convolutions, the
 * elementwise ops and the depthwise ones (on maps of 16 rows a thread or more) all cut a
 * plane of a given size at the same rows, so each core finds the lines it wrote in the
 * layer before in its own cache. On the 2-core Zen 5 development machine, a core reads or
 * overwrites a line the other core last wrote at 32-35 GB/s, against 90-200 GB/s for its
 * own lines (buffers of 64 KiB to 4 MiB). */
#ifndef OPC_ENGINE_FAST_PARTS_H
#define OPC_ENGINE_FAST_PARTS_H

#include <stddef.h>

/* Pixels [*p0, *p1) of part t of `parts` of an h x w plane. */
static inline void opc_part_pixels(int h, int w, int t, int parts, size_t *p0, size_t *p1)
{
    *p0 = (size_t)w * (size_t)(h * t / parts);
    *p1 = (size_t)w * (size_t)(h * (t + 1) / parts);
}

#endif
