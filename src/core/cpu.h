/* CPU levels. The hot kernels (src/engine/fast, the engine's kernel tables, the PAF
 * parser's SIMD paths) are compiled once per level, each copy's external names suffixed
 * with the level's tag (core/levelled.h); the rest of the program is plain x86-64. One
 * level is chosen once per process, the highest this CPU and its OS run, unless the
 * environment variable OPENPOSE_C_CPU names a lower one (baseline, avx2 or avx512):
 *   baseline  x86-64 (SSE2)
 *   avx2      x86-64-v3: AVX2, FMA, F16C, BMI1/2, LZCNT, MOVBE
 *   avx512    x86-64-v4: v3 + AVX-512 F, BW, CD, DQ, VL
 * A build configured with -DOPC_NATIVE=ON compiles everything for the build machine
 * instead and has one level, "native". */
#ifndef OPC_CORE_CPU_H
#define OPC_CORE_CPU_H

#include "openpose-c/error.h"

#if OPC_NATIVE_BUILD
enum { OPC_CPU_NATIVE, OPC_CPU_LEVELS };
/* The variants of a function compiled once per level, in level order. */
#define OPC_LEVEL_VARIANTS(f) {f##_native}
#define OPC_LEVEL_DECLARE(ret, f, params) ret f##_native params;
#else
enum { OPC_CPU_BASELINE, OPC_CPU_AVX2, OPC_CPU_AVX512, OPC_CPU_LEVELS };
#define OPC_LEVEL_VARIANTS(f) {f##_baseline, f##_avx2, f##_avx512}
#define OPC_LEVEL_DECLARE(ret, f, params)                                                     \
    ret f##_baseline params;                                                                   \
    ret f##_avx2 params;                                                                       \
    ret f##_avx512 params;
#endif

/* The level this process runs at (0 .. OPC_CPU_LEVELS - 1), chosen on the first call. */
int opc_cpu_level(void);

/* The highest level this CPU runs, whatever OPENPOSE_C_CPU says. */
int opc_cpu_level_supported(void);

/* A level's name ("baseline", ...). */
const char *opc_cpu_level_name(int level);

/* OPC_OK, or why OPENPOSE_C_CPU could not be followed (an unknown name, or a level this
 * CPU does not run); the level is then the highest supported. */
int opc_cpu_check(opc_error *err);

/* Tests only: run at `level` from now on (nets planned before keep their kernels).
 * Returns OPC_OK, or OPC_ERR_UNSUPPORTED when this CPU cannot. */
int opc_cpu_force_level(int level);

#endif
