/* Padded, deinterleaved input rows (see padded_rows.h). */
#include "engine/fast/padded_rows.h"

#include <string.h>

#include "engine/lanes.h"

int opc_rows_fit(const opc_layer *l)
{
    return (l->kernel[0] - 1) * l->dilation[0] + 1 <= OPC_ROWS_MAX_SPAN &&
           l->kernel[1] <= OPC_ROWS_MAX_SPAN && l->stride[1] <= OPC_ROWS_MAX_SPAN;
}

opc_rows_geometry opc_rows_geometry_of(const opc_layer *l, const opc_shape *out,
                                       size_t band_floats)
{
    opc_rows_geometry g;
    int sh = l->stride[0], sw = l->stride[1], reach = (l->kernel[1] - 1) * l->dilation[1] / sw;
    g.span = (l->kernel[0] - 1) * l->dilation[0] + 1;
    g.phase = (out->w + reach + OPC_LANES - 1) / OPC_LANES * OPC_LANES + OPC_LANES;
    g.row = (size_t)sw * g.phase;
    size_t fit = band_floats / g.row; /* rows that fit */
    g.band = fit > (size_t)g.span ? (int)((fit - (size_t)g.span) / (size_t)sh) + 1 : 1;
    if (g.band > out->h)
        g.band = out->h;
    g.rows = (g.band - 1) * sh + g.span;
    return g;
}

void opc_rows_init(opc_rows *r, const opc_layer *l, const opc_shape *in, const opc_shape *out,
                   size_t band_floats)
{
    r->geo = opc_rows_geometry_of(l, out, band_floats);
    r->in_h = in->h;
    r->in_w = in->w;
    int s = r->stride = l->stride[1], q = r->geo.phase;
    opc_layer_pads(l, in->h, in->w, r->pad);
    for (int kx = 0; kx < l->kernel[1]; kx++) {
        int off = kx * l->dilation[1];
        r->tap[kx] = off % s * q + off / s;
    }
    for (int p = 0; p < s; p++) {
        int c0 = p - r->pad[1]; /* the input column of entry 0 */
        /* entries [i0, i1) are inside the image: 0 <= i*s + c0 < W */
        int i0 = c0 >= 0 ? 0 : (-c0 + s - 1) / s;
        int i1 = in->w - c0 <= 0 ? 0 : (in->w - c0 + s - 1) / s;
        if (i1 > q)
            i1 = q;
        if (i0 > i1)
            i0 = i1;
        r->c0[p] = c0;
        r->i0[p] = i0;
        r->i1[p] = i1;
    }
}

void opc_padded_row(const opc_rows *r, const float *plane, int iy, float *dst)
{
    int s = r->stride, q = r->geo.phase;
    if (iy < 0 || iy >= r->in_h) {
        memset(dst, 0, r->geo.row * sizeof(float));
        return;
    }
    const float *src = plane + (size_t)iy * r->in_w;
    for (int p = 0; p < s; p++, dst += q) {
        int c0 = r->c0[p], i0 = r->i0[p], i1 = r->i1[p];
        if (s == 1)
            opc_copy_floats(dst + i0, src + i0 + c0, i1 - i0);
        else if (s == 2)
            opc_copy_even(dst + i0, src + 2 * i0 + c0, i1 - i0, r->in_w - (2 * i0 + c0));
        else
            for (int i = i0; i < i1; i++)
                dst[i] = src[i * s + c0];
    }
}
