/* Bicubic resampling exactly as OpenCV's cv::resize(INTER_CUBIC) on float32, which is
 * what OpenPose's resizeAndMerge uses on the network output:
 *  - destination pixel d samples source coordinate f = (d + 0.5) * src/dst - 0.5 (computed
 *    in double, stored as float), taps floor(f) - 1 .. floor(f) + 2, clamped to the image
 *    (replicated border);
 *  - Keys' kernel with a = -0.75, the four weights computed in float as OpenCV's
 *    interpolateCubic does (the last one is 1 minus the others);
 *  - separable: rows first (4 taps along x), then columns (4 rows), each a sum taken left to
 *    right. Same-size resizes are plain copies, as in cv::resize.
 * Checked against cv2.resize (OpenCV 4.6): equal within float rounding (<= 5e-7 on maps of
 * magnitude 4), because OpenCV's SIMD kernels may associate the sums differently. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "pose/parser.h"

static void cubic_weights(float t, float *w)
{
    const float A = -0.75f;
    w[0] = ((A * (t + 1) - 5 * A) * (t + 1) + 8 * A) * (t + 1) - 4 * A;
    w[1] = ((A + 2) * t - (A + 3)) * t * t + 1;
    w[2] = ((A + 2) * (1 - t) - (A + 3)) * (1 - t) * (1 - t) + 1;
    w[3] = 1.f - w[0] - w[1] - w[2];
}

static int axis_init(opc_cubic_axis *a, int src, int dst, opc_error *err)
{
    memset(a, 0, sizeof *a);
    a->idx = malloc(4 * (size_t)dst * sizeof *a->idx);
    a->w = malloc(4 * (size_t)dst * sizeof *a->w);
    if (!a->idx || !a->w) {
        free(a->idx);
        free(a->w);
        memset(a, 0, sizeof *a);
        return opc_fail(err, OPC_ERR_NOMEM, "resize: out of memory");
    }
    a->src = src;
    a->dst = dst;
    /* OpenCV stores the inverse of dst/src, not src/dst: keep its rounding. */
    const double scale = 1.0 / ((double)dst / src);
    for (int d = 0; d < dst; d++) {
        float f = (float)((d + 0.5) * scale - 0.5);
        int s = (int)floorf(f);
        cubic_weights(f - (float)s, a->w + 4 * d);
        for (int k = 0; k < 4; k++) {
            int i = s - 1 + k;
            a->idx[4 * d + k] = i < 0 ? 0 : i >= src ? src - 1 : i;
        }
    }
    return OPC_OK;
}

int opc_cubic_init(opc_cubic *c, int src_w, int src_h, int dst_w, int dst_h, opc_error *err)
{
    memset(c, 0, sizeof *c);
    if (src_w < 1 || src_h < 1 || dst_w < 1 || dst_h < 1)
        return opc_fail(err, OPC_ERR_ARG, "resize: cannot resize %dx%d to %dx%d", src_w, src_h,
                        dst_w, dst_h);
    int rc = axis_init(&c->x, src_w, dst_w, err);
    if (rc == OPC_OK)
        rc = axis_init(&c->y, src_h, dst_h, err);
    if (rc != OPC_OK)
        opc_cubic_free(c);
    return rc;
}

void opc_cubic_free(opc_cubic *c)
{
    free(c->x.idx);
    free(c->x.w);
    free(c->y.idx);
    free(c->y.w);
    memset(c, 0, sizeof *c);
}

static int is_copy(const opc_cubic *c)
{
    return c->x.src == c->x.dst && c->y.src == c->y.dst;
}

void opc_cubic_rows(const opc_cubic *c, const float *src, float *tmp)
{
    const int sw = c->x.src, sh = c->y.src, dw = c->x.dst;
    if (is_copy(c)) {
        memcpy(tmp, src, (size_t)sw * sh * sizeof *tmp);
        return;
    }
    const int *ix = c->x.idx;
    const float *wx = c->x.w;
    for (int r = 0; r < sh; r++) {
        const float *s = src + (size_t)r * sw;
        float *o = tmp + (size_t)r * dw;
        for (int x = 0; x < dw; x++) {
            const int *i = ix + 4 * x;
            const float *w = wx + 4 * x;
            o[x] = s[i[0]] * w[0] + s[i[1]] * w[1] + s[i[2]] * w[2] + s[i[3]] * w[3];
        }
    }
}

void opc_cubic_cols(const opc_cubic *c, const float *tmp, int y0, int y1, float *dst)
{
    const int dw = c->x.dst;
    if (is_copy(c)) {
        memcpy(dst, tmp + (size_t)y0 * dw, (size_t)(y1 - y0) * dw * sizeof *dst);
        return;
    }
    for (int y = y0; y < y1; y++) {
        const int *i = c->y.idx + 4 * y;
        const float *w = c->y.w + 4 * y;
        const float *t0 = tmp + (size_t)i[0] * dw, *t1 = tmp + (size_t)i[1] * dw;
        const float *t2 = tmp + (size_t)i[2] * dw, *t3 = tmp + (size_t)i[3] * dw;
        const float w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3];
        float *o = dst + (size_t)(y - y0) * dw;
        for (int x = 0; x < dw; x++)
            o[x] = w0 * t0[x] + w1 * t1[x] + w2 * t2[x] + w3 * t3[x];
    }
}

float opc_cubic_at(const opc_cubic *c, const float *src, int x, int y)
{
    const int sw = c->x.src;
    if (is_copy(c))
        return src[(size_t)y * sw + x];
    const int *i = c->x.idx + 4 * x, *j = c->y.idx + 4 * y;
    const float *w = c->x.w + 4 * x, *v = c->y.w + 4 * y;
    float h[4];
    for (int k = 0; k < 4; k++) {
        const float *s = src + (size_t)j[k] * sw;
        h[k] = s[i[0]] * w[0] + s[i[1]] * w[1] + s[i[2]] * w[2] + s[i[3]] * w[3];
    }
    return v[0] * h[0] + v[1] * h[1] + v[2] * h[2] + v[3] * h[3];
}

int opc_maps_resize_merge(const opc_tensor *const *maps, int n, int net_w, int net_h,
                          opc_tensor *out, opc_error *err)
{
    memset(out, 0, sizeof *out);
    if (!maps || n < 1)
        return opc_fail(err, OPC_ERR_ARG, "resize: no maps to merge");
    for (int i = 0; i < n; i++) {
        const opc_tensor *m = maps[i];
        if (!m || !m->data || m->n != 1 || m->c < 1 || m->h < 1 || m->w < 1)
            return opc_fail(err, OPC_ERR_ARG, "resize: maps %d are not 1 x C x h x w", i);
        if (m->c != maps[0]->c)
            return opc_fail(err, OPC_ERR_ARG, "resize: maps %d have %d channels, maps 0 have %d",
                            i, m->c, maps[0]->c);
    }
    if (net_w < 1 || net_h < 1)
        return opc_fail(err, OPC_ERR_ARG, "resize: net size %dx%d", net_w, net_h);
    const int C = maps[0]->c;
    int rc = opc_tensor_alloc(out, 1, C, net_h, net_w, err);
    if (rc != OPC_OK)
        return rc;
    const size_t plane = (size_t)net_w * net_h;
    float *acc = NULL, *tmp = NULL;
    for (int i = 0; i < n && rc == OPC_OK; i++) {
        const opc_tensor *m = maps[i];
        opc_cubic c;
        if ((rc = opc_cubic_init(&c, m->w, m->h, net_w, net_h, err)) != OPC_OK)
            break;
        free(tmp);
        tmp = malloc((size_t)m->h * net_w * sizeof *tmp);
        if (i == 1)
            acc = malloc(plane * sizeof *acc);
        if (!tmp || (i >= 1 && !acc)) {
            rc = opc_fail(err, OPC_ERR_NOMEM, "resize: out of memory");
        } else {
            /* OpenPose resizes scale i into a temporary and adds it to the first. */
            for (int ch = 0; ch < C; ch++) {
                float *o = out->data + ch * plane;
                const float *s = m->data + (size_t)ch * m->h * m->w;
                opc_cubic_rows(&c, s, tmp);
                opc_cubic_cols(&c, tmp, 0, net_h, i == 0 ? o : acc);
                if (i > 0)
                    for (size_t k = 0; k < plane; k++)
                        o[k] += acc[k];
            }
        }
        opc_cubic_free(&c);
    }
    if (rc == OPC_OK && n > 1) {
        const float inv = (float)(1.0 / n);
        for (size_t k = 0; k < C * plane; k++)
            out->data[k] *= inv;
    }
    free(acc);
    free(tmp);
    if (rc != OPC_OK)
        opc_tensor_free(out);
    return rc;
}
