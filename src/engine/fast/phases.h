/* Rows split into phases and back: phase p of a row holds its elements p, p + m, p + 2m, ...
 * The Winograd kernel reads a tile's column j of OPC_LANES adjacent tiles (tiles m apart)
 * as one vector of phase j % m, and writes their output columns the other way round.
 * m = 3 and 6 (the kernels' output tiles) take lane shuffles, 2 to 5 per vector; other m
 * go one element at a time. */
#ifndef OPC_ENGINE_FAST_PHASES_H
#define OPC_ENGINE_FAST_PHASES_H

#include <stddef.h>

#include "engine/lanes.h"

/* Shuffle indices. L = OPC_LANES; element e = l * m + p of m vectors x0, x1, ... (lane e %
 * L of x(e / L)) goes to lane l of phase p. Two vectors at a time, then the pairs joined
 * (index 0: a lane the next step does not take). */
#define OPC_PH_E(l, m, p) ((l) * (m) + (p))
#define OPC_PH_PAIR(l, m, p, lo) \
    (OPC_PH_E(l, m, p) >= (lo) && OPC_PH_E(l, m, p) < (lo) + 2 * OPC_LANES ? OPC_PH_E(l, m, p) - (lo) : 0)
#define OPC_PH_PAIR3_0(l, p) OPC_PH_PAIR(l, 3, p, 0)
#define OPC_PH_JOIN3(l, p) (OPC_PH_E(l, 3, p) < 2 * OPC_LANES ? (l) : OPC_LANES + OPC_PH_E(l, 3, p) - 2 * OPC_LANES)
#define OPC_PH_PAIR6_0(l, p) OPC_PH_PAIR(l, 6, p, 0)
#define OPC_PH_PAIR6_2(l, p) OPC_PH_PAIR(l, 6, p, 2 * OPC_LANES)
#define OPC_PH_PAIR6_4(l, p) OPC_PH_PAIR(l, 6, p, 4 * OPC_LANES)
#define OPC_PH_JOIN6_01(l, p) (OPC_PH_E(l, 6, p) < 2 * OPC_LANES ? (l) : OPC_LANES + (l))
#define OPC_PH_JOIN6_2(l, p) (OPC_PH_E(l, 6, p) < 4 * OPC_LANES ? (l) : OPC_LANES + (l))

#define OPC_PHASE3(x, p)                                                                       \
    __builtin_shufflevector(__builtin_shufflevector(x[0], x[1], OPC_LANES_EACH(OPC_PH_PAIR3_0, p)), \
                            x[2], OPC_LANES_EACH(OPC_PH_JOIN3, p))
#define OPC_PHASE6(x, p)                                                                       \
    __builtin_shufflevector(                                                                   \
        __builtin_shufflevector(__builtin_shufflevector(x[0], x[1], OPC_LANES_EACH(OPC_PH_PAIR6_0, p)), \
                                __builtin_shufflevector(x[2], x[3], OPC_LANES_EACH(OPC_PH_PAIR6_2, p)), \
                                OPC_LANES_EACH(OPC_PH_JOIN6_01, p)),                            \
        __builtin_shufflevector(x[4], x[5], OPC_LANES_EACH(OPC_PH_PAIR6_4, p)),                 \
        OPC_LANES_EACH(OPC_PH_JOIN6_2, p))

/* The other way: lane l of output vector k is element e = k * L + l, phase e % m, entry
 * e / m of it. */
#define OPC_PH_F(l, m, k) (((k) * OPC_LANES + (l)) % (m))
#define OPC_PH_S(l, m, k) (((k) * OPC_LANES + (l)) / (m))
#define OPC_PH_TWO(l, m, k, p0)                                                                \
    (OPC_PH_F(l, m, k) == (p0) ? OPC_PH_S(l, m, k)                                             \
                               : OPC_PH_F(l, m, k) == (p0) + 1 ? OPC_LANES + OPC_PH_S(l, m, k) : 0)
#define OPC_IN_TWO3_0(l, k) OPC_PH_TWO(l, 3, k, 0)
#define OPC_IN_JOIN3(l, k) (OPC_PH_F(l, 3, k) == 2 ? OPC_LANES + OPC_PH_S(l, 3, k) : (l))
#define OPC_IN_TWO6_0(l, k) OPC_PH_TWO(l, 6, k, 0)
#define OPC_IN_TWO6_2(l, k) OPC_PH_TWO(l, 6, k, 2)
#define OPC_IN_TWO6_4(l, k) OPC_PH_TWO(l, 6, k, 4)
#define OPC_IN_JOIN6_01(l, k) (OPC_PH_F(l, 6, k) < 2 ? (l) : OPC_LANES + (l))
#define OPC_IN_JOIN6_2(l, k) (OPC_PH_F(l, 6, k) < 4 ? (l) : OPC_LANES + (l))

#define OPC_MERGE3(ph, k)                                                                      \
    __builtin_shufflevector(__builtin_shufflevector(ph[0], ph[1], OPC_LANES_EACH(OPC_IN_TWO3_0, k)), \
                            ph[2], OPC_LANES_EACH(OPC_IN_JOIN3, k))
#define OPC_MERGE6(ph, k)                                                                      \
    __builtin_shufflevector(                                                                   \
        __builtin_shufflevector(__builtin_shufflevector(ph[0], ph[1], OPC_LANES_EACH(OPC_IN_TWO6_0, k)), \
                                __builtin_shufflevector(ph[2], ph[3], OPC_LANES_EACH(OPC_IN_TWO6_2, k)), \
                                OPC_LANES_EACH(OPC_IN_JOIN6_01, k)),                            \
        __builtin_shufflevector(ph[4], ph[5], OPC_LANES_EACH(OPC_IN_TWO6_4, k)),                \
        OPC_LANES_EACH(OPC_IN_JOIN6_2, k))

/* dst[p * stride + s] = src[s * m + p] for p < m, s < q rounded up to whole vectors:
 * src holds that many times m floats. */
static inline void opc_to_phases(int m, const float *src, int q, float *dst, size_t stride)
{
    int s = 0;
    if (m == 3) {
        for (; s < q; s += OPC_LANES) {
            opc_vlanes x[3];
            for (int i = 0; i < 3; i++)
                x[i] = opc_load_lanes(src + s * 3 + i * OPC_LANES);
            opc_store_lanes(dst + s, OPC_PHASE3(x, 0));
            opc_store_lanes(dst + stride + s, OPC_PHASE3(x, 1));
            opc_store_lanes(dst + 2 * stride + s, OPC_PHASE3(x, 2));
        }
    } else if (m == 6) {
        for (; s < q; s += OPC_LANES) {
            opc_vlanes x[6];
            for (int i = 0; i < 6; i++)
                x[i] = opc_load_lanes(src + s * 6 + i * OPC_LANES);
            opc_store_lanes(dst + s, OPC_PHASE6(x, 0));
            opc_store_lanes(dst + stride + s, OPC_PHASE6(x, 1));
            opc_store_lanes(dst + 2 * stride + s, OPC_PHASE6(x, 2));
            opc_store_lanes(dst + 3 * stride + s, OPC_PHASE6(x, 3));
            opc_store_lanes(dst + 4 * stride + s, OPC_PHASE6(x, 4));
            opc_store_lanes(dst + 5 * stride + s, OPC_PHASE6(x, 5));
        }
    } else {
        int qv = (q + OPC_LANES - 1) / OPC_LANES * OPC_LANES;
        for (int p = 0; p < m; p++)
            for (s = 0; s < qv; s++)
                dst[p * stride + s] = src[s * m + p];
    }
}

/* dst[s * m + p] = src[p * stride + s] for p < m, s < q rounded up to whole vectors. */
static inline void opc_from_phases(int m, const float *src, size_t stride, int q, float *dst)
{
    int s = 0;
    if (m == 3) {
        for (; s < q; s += OPC_LANES) {
            opc_vlanes ph[3];
            for (int p = 0; p < 3; p++)
                ph[p] = opc_load_lanes(src + p * stride + s);
            opc_store_lanes(dst + s * 3, OPC_MERGE3(ph, 0));
            opc_store_lanes(dst + s * 3 + OPC_LANES, OPC_MERGE3(ph, 1));
            opc_store_lanes(dst + s * 3 + 2 * OPC_LANES, OPC_MERGE3(ph, 2));
        }
    } else if (m == 6) {
        for (; s < q; s += OPC_LANES) {
            opc_vlanes ph[6];
            for (int p = 0; p < 6; p++)
                ph[p] = opc_load_lanes(src + p * stride + s);
            opc_store_lanes(dst + s * 6, OPC_MERGE6(ph, 0));
            opc_store_lanes(dst + s * 6 + OPC_LANES, OPC_MERGE6(ph, 1));
            opc_store_lanes(dst + s * 6 + 2 * OPC_LANES, OPC_MERGE6(ph, 2));
            opc_store_lanes(dst + s * 6 + 3 * OPC_LANES, OPC_MERGE6(ph, 3));
            opc_store_lanes(dst + s * 6 + 4 * OPC_LANES, OPC_MERGE6(ph, 4));
            opc_store_lanes(dst + s * 6 + 5 * OPC_LANES, OPC_MERGE6(ph, 5));
        }
    } else {
        int qv = (q + OPC_LANES - 1) / OPC_LANES * OPC_LANES;
        for (int p = 0; p < m; p++)
            for (s = 0; s < qv; s++)
                dst[s * m + p] = src[p * stride + s];
    }
}

#endif
