/* OPC_LANES floats as one value, with the GCC/Clang vector extension: the compiler lowers
 * its arithmetic to whatever SIMD the target has (one AVX-512 register, two AVX ones, four
 * SSE ones), so kernels written with it stay portable C. Loads and stores go through
 * memcpy, which compiles to plain unaligned vector moves; partial ones use AVX-512's lane
 * masks where the target has them. */
#ifndef OPC_ENGINE_LANES_H
#define OPC_ENGINE_LANES_H

#include <string.h>

#ifdef __AVX512F__
#include <immintrin.h>
#endif

#define OPC_LANES 16

typedef float opc_vlanes __attribute__((vector_size(OPC_LANES * sizeof(float))));

static inline opc_vlanes opc_load_lanes(const float *p)
{
    opc_vlanes v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void opc_store_lanes(float *p, opc_vlanes v) { memcpy(p, &v, sizeof v); }

/* Lanes 0, 2, 4, ... of a then of b: the even entries of the 2 * OPC_LANES floats a, b
 * (the indices spell out OPC_LANES = 16). */
static inline opc_vlanes opc_even_lanes(opc_vlanes a, opc_vlanes b)
{
    return __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28,
                                   30);
}

/* Lanes 1.. of a then lane 0 of b, and lanes 2.. of a then lanes 0, 1 of b: the vector
 * one and two floats on from a, where b is the vector after a. */
static inline opc_vlanes opc_shift_lanes_1(opc_vlanes a, opc_vlanes b)
{
    return __builtin_shufflevector(a, b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
}

static inline opc_vlanes opc_shift_lanes_2(opc_vlanes a, opc_vlanes b)
{
    return __builtin_shufflevector(a, b, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17);
}

/* Partial vectors: cnt < OPC_LANES lanes moved as 8 + 4 + 2 + 1 pieces of fixed size, each
 * one move (a plain loop here gets turned into a call to memcpy, slow at these sizes). */
static inline void opc_copy_short(float *dst, const float *src, int cnt)
{
    int e = 0;
    if (cnt & 8) {
        memcpy(dst + e, src + e, 8 * sizeof(float));
        e += 8;
    }
    if (cnt & 4) {
        memcpy(dst + e, src + e, 4 * sizeof(float));
        e += 4;
    }
    if (cnt & 2) {
        memcpy(dst + e, src + e, 2 * sizeof(float));
        e += 2;
    }
    if (cnt & 1)
        dst[e] = src[e];
}

/* Stores the first cnt (<= OPC_LANES) lanes of v. With AVX-512 one masked store: going
 * through a stack copy stalls on store forwarding (about 6 % of a depthwise layer's time
 * on 54-wide rows, where a quarter of the stores are partial). */
static inline void opc_store_lanes_n(float *p, opc_vlanes v, int cnt)
{
#ifdef __AVX512F__
    _mm512_mask_storeu_ps(p, (__mmask16)((1u << cnt) - 1), (__m512)v);
#else
    if (cnt == OPC_LANES) {
        opc_store_lanes(p, v);
    } else {
        float t[OPC_LANES];
        opc_store_lanes(t, v);
        opc_copy_short(p, t, cnt);
    }
#endif
}

/* Loads cnt (<= OPC_LANES) floats; the other lanes are zero. */
static inline opc_vlanes opc_load_lanes_n(const float *p, int cnt)
{
#ifdef __AVX512F__
    return (opc_vlanes)_mm512_maskz_loadu_ps((__mmask16)((1u << cnt) - 1), p);
#else
    if (cnt == OPC_LANES)
        return opc_load_lanes(p);
    float t[OPC_LANES] = {0};
    opc_copy_short(t, p, cnt);
    return opc_load_lanes(t);
#endif
}

/* dst[i] = src[2 * i] for i < n, where src holds avail floats: whole vectors (the even
 * lanes of two loads) while both loads stay inside, then one at a time. */
static inline void opc_copy_even(float *dst, const float *src, int n, int avail)
{
    int i = 0;
    for (; i + OPC_LANES <= n && 2 * i + 2 * OPC_LANES <= avail; i += OPC_LANES)
        opc_store_lanes(dst + i, opc_even_lanes(opc_load_lanes(src + 2 * i),
                                                opc_load_lanes(src + 2 * i + OPC_LANES)));
    for (; i < n; i++)
        dst[i] = src[2 * i];
}

/* dst[0..n) = src[0..n) for short runs: whole vectors, then the tail. */
static inline void opc_copy_floats(float *dst, const float *src, int n)
{
    int i = 0;
    for (; i + OPC_LANES <= n; i += OPC_LANES)
        opc_store_lanes(dst + i, opc_load_lanes(src + i));
    opc_copy_short(dst + i, src + i, n - i);
}

#endif
