/* The parser's files with SIMD paths (resize.c, nms.c, heatmaps.c, paf.c) are compiled once
 * per CPU level (core/cpu.h, core/levelled.h); each of their functions here calls the copy
 * of the level this process runs at. */
#include "core/cpu.h"
#include "decode/paf/parser.h"

/* Each function: return type, name, parameters, arguments (V: returns nothing). */
#define OPC_PAF_LEVELLED(X, V)                                                                 \
    X(int, opc_cubic_init,                                                                     \
      (opc_cubic * c, int src_w, int src_h, int dst_w, int dst_h, opc_error *err),             \
      (c, src_w, src_h, dst_w, dst_h, err))                                                    \
    V(opc_cubic_free, (opc_cubic * c), (c))                                                    \
    V(opc_cubic_rows, (const opc_cubic *c, const float *src, int r0, int r1, float *tmp),      \
      (c, src, r0, r1, tmp))                                                                   \
    V(opc_cubic_cols,                                                                          \
      (const opc_cubic *c, const float *tmp, int y0, int y1, int x0, int x1, float *dst),      \
      (c, tmp, y0, y1, x0, x1, dst))                                                           \
    V(opc_cubic_cols_spans,                                                                    \
      (const opc_cubic *c, const float *tmp, int y, const int *spans, int n, float *dst),      \
      (c, tmp, y, spans, n, dst))                                                              \
    V(opc_cubic_block,                                                                         \
      (const opc_cubic *c, const float *tmp, int x0, int x1, int y0, int y1, float *out),      \
      (c, tmp, x0, x1, y0, y1, out))                                                           \
    V(opc_cubic_at2,                                                                           \
      (const opc_cubic *c, const float *a, const float *b, int x, int y, float *va,            \
       float *vb),                                                                             \
      (c, a, b, x, y, va, vb))                                                                 \
    X(int, opc_merge_init,                                                                     \
      (opc_merge * m, const opc_tensor *const *maps, int n, int net_w, int net_h,              \
       opc_error *err),                                                                        \
      (m, maps, n, net_w, net_h, err))                                                         \
    V(opc_merge_free, (opc_merge * m), (m))                                                    \
    V(opc_merge_channels, (const opc_merge *m, int c0, int c1, float *out, float *scratch),    \
      (m, c0, c1, out, scratch))                                                               \
    X(int, opc_maps_resize_merge,                                                              \
      (const opc_tensor *const *maps, int n, int net_w, int net_h, opc_tensor *out,            \
       opc_error *err),                                                                        \
      (maps, n, net_w, net_h, out, err))                                                       \
    X(int, opc_peaks_alloc, (opc_peaks * pk, int num_parts, int max_peaks, opc_error *err),    \
      (pk, num_parts, max_peaks, err))                                                         \
    V(opc_peaks_free, (opc_peaks * pk), (pk))                                                  \
    V(opc_nms_band,                                                                            \
      (const opc_band *b, int ya, int yb, const int *spans, int nspans, float threshold,       \
       float offset, opc_peaks *pk, int part),                                                 \
      (b, ya, yb, spans, nspans, threshold, offset, pk, part))                                 \
    X(int, opc_heatmap_peaks,                                                                  \
      (const opc_paf_topology *t, const opc_parse_params *p, const opc_tensor *m,                  \
       const opc_cubic *c, float offset, opc_peaks *pk, opc_error *err),                       \
      (t, p, m, c, offset, pk, err))                                                           \
    X(int, opc_paf_num_samples, (float dx, float dy), (dx, dy))                                \
    X(float, opc_paf_score,                                                                    \
      (const opc_paf *m, const opc_peak *a, const opc_peak *b, float inter_threshold,          \
       float inter_min_above, float nms_threshold),                                            \
      (m, a, b, inter_threshold, inter_min_above, nms_threshold))                              \
    V(opc_paf_live_cells,                                                                      \
      (const opc_cubic *c, const float *sx, const float *sy, float thr, float *scratch,        \
       unsigned char *live),                                                                   \
      (c, sx, sy, thr, scratch, live))                                                         \
    V(opc_candidates_free, (opc_candidates * c), (c))                                          \
    X(int, opc_candidates_score,                                                               \
      (const opc_paf_topology *t, const opc_peaks *pk, const opc_paf *pafs,                        \
       const opc_parse_params *p, opc_candidates *out, opc_error *err),                        \
      (t, pk, pafs, p, out, err))

#define DECLARE(ret, f, params, args) OPC_LEVEL_DECLARE(ret, f, params)
#define DECLARE_VOID(f, params, args) OPC_LEVEL_DECLARE(void, f, params)
OPC_PAF_LEVELLED(DECLARE, DECLARE_VOID)

#define CALL(ret, f, params, args)                                                             \
    ret f params                                                                               \
    {                                                                                          \
        static ret(*const level[]) params = OPC_LEVEL_VARIANTS(f);                             \
        return level[opc_cpu_level()] args;                                                    \
    }
#define CALL_VOID(f, params, args)                                                             \
    void f params                                                                              \
    {                                                                                          \
        static void(*const level[]) params = OPC_LEVEL_VARIANTS(f);                            \
        level[opc_cpu_level()] args;                                                           \
    }
OPC_PAF_LEVELLED(CALL, CALL_VOID)
