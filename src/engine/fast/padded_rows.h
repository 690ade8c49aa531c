/* Input rows zero-padded and deinterleaved by the horizontal stride, the layout the direct
 * convolution kernels read their taps from. Phase p of a deinterleaved row holds padded
 * columns p, p + s, p + 2s, ..., so tap kx (at dilation d) of OPC_LANES consecutive outputs
 * is one contiguous vector: phase kx*d % s, from entry kx*d / s on (tap[kx] below). A
 * kernel copies the rows a band of output rows needs into a buffer sized to stay in cache. */
#ifndef OPC_ENGINE_PADDED_ROWS_H
#define OPC_ENGINE_PADDED_ROWS_H

#include <stddef.h>

#include "model/graph.h"

/* Kernels up to this size per side (dilation included) and strides up to it keep their
 * taps and row phases on the stack. */
#define OPC_ROWS_MAX_SPAN 16

typedef struct {
    int span;    /* input rows one output row's taps cover: (kh - 1) * dh + 1 */
    int band;    /* output rows per band */
    int rows;    /* padded input rows of a band: (band - 1) * sh + span */
    int phase;   /* floats per phase of a deinterleaved row, whole vectors */
    size_t row;  /* floats per deinterleaved row: stride * phase */
} opc_rows_geometry;

typedef struct {
    opc_rows_geometry geo;
    int in_h, in_w, stride; /* the input plane; the horizontal stride */
    int pad[4];
    int tap[OPC_ROWS_MAX_SPAN]; /* where tap kx of output 0 is in a deinterleaved row */
    /* Per phase p: entries [i0, i1) are inside the image, entry i being input column
     * i * stride + c0 (the same for every row and channel). */
    int c0[OPC_ROWS_MAX_SPAN], i0[OPC_ROWS_MAX_SPAN], i1[OPC_ROWS_MAX_SPAN];
} opc_rows;

/* Whether layer l's kernel and strides fit the layout. */
int opc_rows_fit(const opc_layer *l);

/* The geometry for bands of at most band_floats floats per input channel. */
opc_rows_geometry opc_rows_geometry_of(const opc_layer *l, const opc_shape *out,
                                       size_t band_floats);

void opc_rows_init(opc_rows *r, const opc_layer *l, const opc_shape *in, const opc_shape *out,
                   size_t band_floats);

/* Input row iy of plane, deinterleaved into dst: entry i of phase p is padded column
 * i*s + p, input column i*s + p - pad. Only the entries inside the image are written: the
 * others are the same for every row and channel, so a kernel zeroes its buffer once and
 * they stay zero (zeroing them per row cost a fifth of a 54-wide depthwise layer's time);
 * rows outside the image are zeroed whole, as the buffer row may hold another row. */
void opc_padded_row(const opc_rows *r, const float *plane, int iy, float *dst);

#endif
