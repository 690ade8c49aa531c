/* OPC_LANES floats as one value, with the GCC/Clang vector extension: the compiler lowers
 * its arithmetic to the SIMD of the CPU level the file is compiled for (core/cpu.h), so
 * kernels written with it stay portable C. OPC_LANES is one register of the level: 16
 * (AVX-512), 8 (AVX2) or 4 (SSE2), so a kernel's register blocks fit the register file
 * at every level. Loads and stores go through memcpy, which compiles to plain unaligned
 * vector moves; partial ones use lane masks where the level has them. */
#ifndef OPC_ENGINE_LANES_H
#define OPC_ENGINE_LANES_H

#include <string.h>

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

#if defined(__AVX512F__)
#define OPC_LANES 16
#elif defined(__AVX__)
#define OPC_LANES 8
#else
#define OPC_LANES 4
#endif

typedef float opc_vlanes __attribute__((vector_size(OPC_LANES * sizeof(float))));

static inline opc_vlanes opc_load_lanes(const float *p)
{
    opc_vlanes v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void opc_store_lanes(float *p, opc_vlanes v) { memcpy(p, &v, sizeof v); }

/* Shuffle indices for OPC_LANES lanes: E(k) spells k, k + 2, ..., k + 2 (OPC_LANES - 1)
 * and S(k) spells k, k + 1, ..., k + OPC_LANES - 1. */
#if OPC_LANES == 16
#define OPC_LANES_E(k) k, k + 2, k + 4, k + 6, k + 8, k + 10, k + 12, k + 14, k + 16, k + 18,     \
                       k + 20, k + 22, k + 24, k + 26, k + 28, k + 30
#define OPC_LANES_S(k) k, k + 1, k + 2, k + 3, k + 4, k + 5, k + 6, k + 7, k + 8, k + 9, k + 10,  \
                       k + 11, k + 12, k + 13, k + 14, k + 15
#elif OPC_LANES == 8
#define OPC_LANES_E(k) k, k + 2, k + 4, k + 6, k + 8, k + 10, k + 12, k + 14
#define OPC_LANES_S(k) k, k + 1, k + 2, k + 3, k + 4, k + 5, k + 6, k + 7
#else
#define OPC_LANES_E(k) k, k + 2, k + 4, k + 6
#define OPC_LANES_S(k) k, k + 1, k + 2, k + 3
#endif

/* F(l, ...) for every lane l, comma-separated: shuffle indices computed per lane. */
#if OPC_LANES == 16
#define OPC_LANES_EACH(F, ...)                                                                 \
    F(0, __VA_ARGS__), F(1, __VA_ARGS__), F(2, __VA_ARGS__), F(3, __VA_ARGS__),                \
        F(4, __VA_ARGS__), F(5, __VA_ARGS__), F(6, __VA_ARGS__), F(7, __VA_ARGS__),            \
        F(8, __VA_ARGS__), F(9, __VA_ARGS__), F(10, __VA_ARGS__), F(11, __VA_ARGS__),          \
        F(12, __VA_ARGS__), F(13, __VA_ARGS__), F(14, __VA_ARGS__), F(15, __VA_ARGS__)
#elif OPC_LANES == 8
#define OPC_LANES_EACH(F, ...)                                                                 \
    F(0, __VA_ARGS__), F(1, __VA_ARGS__), F(2, __VA_ARGS__), F(3, __VA_ARGS__),                \
        F(4, __VA_ARGS__), F(5, __VA_ARGS__), F(6, __VA_ARGS__), F(7, __VA_ARGS__)
#else
#define OPC_LANES_EACH(F, ...)                                                                 \
    F(0, __VA_ARGS__), F(1, __VA_ARGS__), F(2, __VA_ARGS__), F(3, __VA_ARGS__)
#endif

/* Lanes 0, 2, 4, ... of a then of b: the even entries of the 2 * OPC_LANES floats a, b;
 * and lanes 1, 3, 5, ...: the odd ones. */
static inline opc_vlanes opc_even_lanes(opc_vlanes a, opc_vlanes b)
{
    return __builtin_shufflevector(a, b, OPC_LANES_E(0));
}

static inline opc_vlanes opc_odd_lanes(opc_vlanes a, opc_vlanes b)
{
    return __builtin_shufflevector(a, b, OPC_LANES_E(1));
}

/* Lanes 1.. of a then lane 0 of b, and lanes 2.. of a then lanes 0, 1 of b: the vector
 * one and two floats on from a, where b is the vector after a. */
static inline opc_vlanes opc_shift_lanes_1(opc_vlanes a, opc_vlanes b)
{
    return __builtin_shufflevector(a, b, OPC_LANES_S(1));
}

static inline opc_vlanes opc_shift_lanes_2(opc_vlanes a, opc_vlanes b)
{
    return __builtin_shufflevector(a, b, OPC_LANES_S(2));
}

/* The last lane of a then lanes 0.. of b: the vector one float before b, where a is the
 * vector before b. */
static inline opc_vlanes opc_shift_lanes_back_1(opc_vlanes a, opc_vlanes b)
{
    return __builtin_shufflevector(a, b, OPC_LANES_S(OPC_LANES - 1));
}

/* Partial vectors: cnt < OPC_LANES lanes moved as 8 + 4 + 2 + 1 pieces of fixed size, each
 * one move (a plain loop here gets turned into a call to memcpy, slow at these sizes). */
static inline void opc_copy_short(float *dst, const float *src, int cnt)
{
    int e = 0;
    if (OPC_LANES > 8 && (cnt & 8)) {
        memcpy(dst + e, src + e, 8 * sizeof(float));
        e += 8;
    }
    if (OPC_LANES > 4 && (cnt & 4)) {
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

/* Stores the first cnt (<= OPC_LANES) lanes of v. With AVX-512 or AVX2 one masked store:
 * going through a stack copy stalls on store forwarding (about 6 % of a depthwise layer's
 * time on 54-wide rows, where a quarter of the stores are partial). */
#ifdef __AVX2__
/* The AVX2 mask of the first cnt lanes. */
static inline __m256i opc_mask8(int cnt)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(cnt), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
#endif

static inline void opc_store_lanes_n(float *p, opc_vlanes v, int cnt)
{
#if defined(__AVX512F__)
    _mm512_mask_storeu_ps(p, (__mmask16)((1u << cnt) - 1), (__m512)v);
#elif defined(__AVX2__)
    _mm256_maskstore_ps(p, opc_mask8(cnt), (__m256)v);
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
#if defined(__AVX512F__)
    return (opc_vlanes)_mm512_maskz_loadu_ps((__mmask16)((1u << cnt) - 1), p);
#elif defined(__AVX2__)
    return (opc_vlanes)_mm256_maskload_ps(p, opc_mask8(cnt));
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
