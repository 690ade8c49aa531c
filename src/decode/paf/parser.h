/* Internal stages of the PAF parser (see openpose-c/pose.h for the public contract).
 *
 *   resize.c    bicubic upsampling as cv::resize(INTER_CUBIC); point reads of the same
 *   nms.c       heatmap peaks (OpenPose's nmsBase.cpp)
 *   heatmaps.c  the peaks from the network output, upsampling only what NMS reads
 *   paf.c       line integral and candidate connections (bodyPartConnectorBase)
 *   assemble.c  people from connections: sequential (CPU build) and global (CUDA build)
 *   people.c    filtering, scores, number_people_max, sorting, the public result
 *   params.c    defaults and validation
 *   parse.c     the pipeline
 *
 * Everything topology-specific comes from opc_paf_topology: one code path for all. */
#ifndef OPC_POSE_PARSER_H
#define OPC_POSE_PARSER_H

#include "openpose-c/paf.h"

/* The most outputs (scales) merged into one image's maps. */
#define OPC_PAF_MAX_MAPS 8

/* ---- resize.c ---- */

/* Source taps of one axis: destination pixel d reads source idx[k * dst + d], k = 0..3
 * (clamped, i.e. replicated border) with weight w[k * dst + d]. Tap-major, so that passes
 * over d vectorise. */
typedef struct {
    int src, dst;
    int *idx;
    float *w;
    float gain; /* max over d of the sum of |weights|: |output| <= gain * max |input| */
    int runs;   /* destination pixels run[u] .. run[u+1]-1 share their taps */
    int *run;   /* runs + 1 */
    int blocks; /* > 0: the vectorised rows pass applies (resize.c), with */
    int *base;  /* blocks: first source tap of each block of outputs */
    int *rel;   /* like idx, relative to the block's base */
} opc_cubic_axis;

typedef struct {
    opc_cubic_axis x, y;
} opc_cubic;

int opc_cubic_init(opc_cubic *c, int src_w, int src_h, int dst_w, int dst_h, opc_error *err);
void opc_cubic_free(opc_cubic *c);
/* Rows pass of one channel for source rows [r0, r1): tmp row r (at tmp + r * dst_w) = source
 * row r resized along x. */
void opc_cubic_rows(const opc_cubic *c, const float *src, int r0, int r1, float *tmp);
/* Columns pass for destination rows [y0, y1) and columns [x0, x1): row y at
 * dst + (y - y0) * dst_w. Reads the tmp rows those rows need. */
void opc_cubic_cols(const opc_cubic *c, const float *tmp, int y0, int y1, int x0, int x1,
                    float *dst);
/* Row y of the columns pass on the column spans [spans[2i], spans[2i+1]), i < n: dst[x]. */
void opc_cubic_cols_spans(const opc_cubic *c, const float *tmp, int y, const int *spans, int n,
                          float *dst);
/* The values the columns pass gives at destination pixels [x0, x1) x [y0, y1), from the rows
 * they read: out[(y - y0) * (x1 - x0) + x - x0]. */
void opc_cubic_block(const opc_cubic *c, const float *tmp, int x0, int x1, int y0, int y1,
                     float *out);
/* The values the two passes give at destination pixel (x, y) of two channels a and b,
 * from the sources alone; the same arithmetic in the same order, so bit-identical. */
void opc_cubic_at2(const opc_cubic *c, const float *a, const float *b, int x, int y,
                   float *va, float *vb);

/* Merging multi-scale maps (opc_maps_resize_merge) by channels, so that channels can be
 * shared out: each map resized to net_w x net_h through its cubic, the n averaged. */
typedef struct {
    const opc_tensor *const *maps;
    int n, net_w, net_h;
    opc_cubic cubic[OPC_PAF_MAX_MAPS];
    size_t tmp_floats;     /* one rows-pass temporary */
    size_t scratch_floats; /* what opc_merge_channels needs: tmp + one plane when n > 1 */
} opc_merge;

int opc_merge_init(opc_merge *m, const opc_tensor *const *maps, int n, int net_w, int net_h,
                   opc_error *err);
void opc_merge_free(opc_merge *m);
/* Channels [c0, c1) into out (C x net_h x net_w); scratch: scratch_floats of the caller's. */
void opc_merge_channels(const opc_merge *m, int c0, int c1, float *out, float *scratch);

/* ---- nms.c ---- */

typedef struct {
    float x, y, score; /* net-input pixels, including OpenPose's +0.5/scale offset */
} opc_peak;

typedef struct {
    int num_parts, max_peaks;
    int *count;      /* num_parts */
    opc_peak *peak;  /* num_parts x max_peaks */
} opc_peaks;

int opc_peaks_alloc(opc_peaks *pk, int num_parts, int max_peaks, opc_error *err);
void opc_peaks_free(opc_peaks *pk);

/* A band of one heatmap: row y of the map (w x h) is at rows + (y - y0) * w, for y in
 * [y0, y1). opc_nms_band finds the peaks in rows [ya, yb) within the column spans
 * [spans[2i], spans[2i+1]) (ascending, disjoint); the band must hold rows ya-1 .. yb and
 * the columns of each span widened by 1 (clipped to the map), for the 3x3 test. The 7x7
 * centroid window is read from the band too (which must then hold rows ya-3 .. yb+2 and
 * the spans widened by 3), or, when up is set, from the rows pass tmp of opc_cubic_rows
 * through opc_cubic_block (tmp must hold the rows it reads). The caller guarantees that
 * there are no peaks outside the spans. */
typedef struct {
    const float *rows;
    int w, h, y0, y1;
    const opc_cubic *up;
    const float *tmp;
} opc_band;

/* Appends the peaks in row-major order, stopping at max_peaks. offset is added to x and y
 * (OpenPose: 0.5 / scale). */
void opc_nms_band(const opc_band *b, int ya, int yb, const int *spans, int nspans,
                  float threshold, float offset, opc_peaks *pk, int part);

/* ---- heatmaps.c ---- */

/* The peaks of every part from the network output m (1 x C x h x w, parts first), as NMS
 * finds them on the maps upsampled through c, upsampling only what NMS reads. */
int opc_heatmap_peaks(const opc_paf_topology *t, const opc_parse_params *p, const opc_tensor *m,
                      const opc_cubic *c, float offset, opc_peaks *pk, opc_error *err);

/* ---- paf.c ---- */

/* One limb's PAF channels as the line integral reads them: either at net resolution
 * (up == NULL, x and y are w x h) or at network resolution, upsampled at each read
 * through `up` (opc_cubic_at2). Several scales: `more` further outputs, each upsampled
 * through its own cubic and added in order, the sum times 1/(1 + more), the arithmetic of
 * opc_merge_channels at that pixel. */
typedef struct {
    const float *x, *y;
    const opc_cubic *up;
    int w, h; /* net-input size */
    int more;
    const float *more_x[OPC_PAF_MAX_MAPS - 1], *more_y[OPC_PAF_MAX_MAPS - 1];
    const opc_cubic *more_up[OPC_PAF_MAX_MAPS - 1];
} opc_paf;

/* OpenPose's number of line samples for a displacement (dx, dy) in net pixels. */
int opc_paf_num_samples(float dx, float dy);
/* Score of the connection a -> b: the mean PAF projection over samples above
 * inter_threshold when more than inter_min_above of them are; otherwise
 * nms_threshold + 1e-6 for pairs closer than sqrt(w*h)/150, else 0. */
float opc_paf_score(const opc_paf *m, const opc_peak *a, const opc_peak *b,
                    float inter_threshold, float inter_min_above, float nms_threshold);

/* For a field upsampled through c from channels sx, sy (sw x sh): live[r * sw + i] = 0
 * when no output pixel whose taps start at source row r, column i (idx[0] of each axis) can
 * have a projection on a unit vector above thr. scratch: 2 * sw * sh floats. */
void opc_paf_live_cells(const opc_cubic *c, const float *sx, const float *sy, float thr,
                        float *scratch, unsigned char *live);

typedef struct {
    float score; /* PAF score */
    int a, b;    /* peak indices of the limb's parts */
} opc_conn;

/* Candidate connections of every limb: all peak pairs with score > 1e-6, in (a, b) order. */
typedef struct {
    int num_pairs;
    int *count;      /* num_pairs */
    opc_conn **conn; /* num_pairs arrays */
} opc_candidates;

void opc_candidates_free(opc_candidates *c);
/* pafs[i] is limb i's map. */
int opc_candidates_score(const opc_paf_topology *t, const opc_peaks *pk, const opc_paf *pafs,
                         const opc_parse_params *p, opc_candidates *out, opc_error *err);

/* ---- parse.c ---- */

/* People from several scales' outputs (m) as opc_parse_maps finds them on their merged maps,
 * with only the part heatmaps merged: heatmaps holds the num_parts first channels of the
 * merge (1 x num_parts x net_h x net_w), the PAFs are read from the outputs at each sample
 * (opc_paf.more). scale as in opc_parse_maps. */
int opc_parse_scales(const opc_paf_topology *t, const opc_parse_params *p, const opc_merge *m,
                     const opc_tensor *heatmaps, float scale, opc_people *out, opc_error *err);

/* ---- assemble.c ---- */

/* People before filtering, in creation order. part[i * num_parts + k] is the peak index
 * of part k of person i, or -1. counter is OpenPose's part count (parts filled by
 * fill-only pairs are not counted); score is the sum of peak and connection scores. */
typedef struct {
    int num_parts, count, cap;
    int *part;
    int *counter;
    float *score;
} opc_assembly_result;

void opc_assembly_free(opc_assembly_result *r);
int opc_assemble(const opc_paf_topology *t, opc_assembly mode, const opc_peaks *pk,
                 const opc_candidates *cand, opc_assembly_result *out, opc_error *err);

/* ---- people.c ---- */

/* Indices (into r) of the people that pass the filter, in order; returns their number.
 * keep must hold r->count entries. */
int opc_people_filter(const opc_paf_topology *t, const opc_parse_params *p,
                      const opc_assembly_result *r, int *keep);
/* The public result: filtered people scaled to image pixels, top number_people_max,
 * sorted by score; candidates when asked. */
int opc_people_build(const opc_paf_topology *t, const opc_parse_params *p, const opc_peaks *pk,
                     const opc_assembly_result *r, float scale, opc_people *out,
                     opc_error *err);

#endif
