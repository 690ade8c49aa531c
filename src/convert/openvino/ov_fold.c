/* Constant folding: the layers whose inputs are all constants, evaluated in double at
 * conversion. int8 weights go Const (i8) -> Convert -> Subtract (zero point) -> Multiply
 * (scale) [-> Reshape]: the result is exactly (q - zero point) x scale, rounded to float32
 * once when it becomes a weight. Values are kept in double whatever the IR's element type
 * (a Convert to f16 does not round them: the IR's f16 arithmetic would lose 1e-3 of the
 * outputs to the weights alone). */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "convert/openvino/ov_map.h"
#include "openpose-c/error.h"

int ov_fold_const(ov_ctx *c, int layer, ov_tensor *out)
{
    const ov_layer *l = &c->ir->layers[layer];
    const char *type = ov_attr_get(l, "element_type"), *shape = ov_attr_get(l, "shape");
    int64_t dims[OV_MAX_DIMS], off, size;
    int ndim, n1, n2, is_float;
    int esize = ov_elem_size(type, &is_float);
    if (!type)
        return ov_fail(c, layer, OPC_ERR_FORMAT, "no element_type");
    if (!esize)
        return ov_fail(c, layer, OPC_ERR_UNSUPPORTED,
                       "element type %.20s (f32, f16, f64, i8, u8, i32 and i64 are supported)",
                       type);
    if (!shape || ov_parse_shape(shape, &ndim, dims))
        return ov_fail(c, layer, OPC_ERR_FORMAT, "missing or malformed shape \"%.40s\"",
                       shape ? shape : "");
    if (ov_parse_ints(ov_attr_get(l, "offset"), &off, 1, &n1) || n1 != 1 || off < 0 ||
        ov_parse_ints(ov_attr_get(l, "size"), &size, 1, &n2) || n2 != 1 || size < 0)
        return ov_fail(c, layer, OPC_ERR_FORMAT, "missing or malformed offset or size");
    if ((uint64_t)off > c->bin_size || (uint64_t)size > c->bin_size - (uint64_t)off)
        return opc_fail(c->err, OPC_ERR_FORMAT,
                        "%s: layer %s: bytes %lld..%lld are outside the file (%zu bytes)",
                        c->bin_path, l->name, (long long)off, (long long)off + size,
                        c->bin_size);
    /* size bounds the count: the tensor fits in the file */
    size_t count = 1, fits = (size_t)size / (size_t)esize;
    for (int d = 0; d < ndim && count <= fits; d++)
        count = dims[d] && count > fits / (size_t)dims[d] ? fits + 1 : count * (size_t)dims[d];
    if (count > fits)
        return ov_fail(c, layer, OPC_ERR_FORMAT, "shape %.60s does not fit its %lld bytes",
                       shape, (long long)size);
    if (count * (size_t)esize != (size_t)size)
        return ov_fail(c, layer, OPC_ERR_FORMAT, "shape %.60s of %s needs %zu bytes, size is %lld",
                       shape, type, count * (size_t)esize, (long long)size);
    int rc = ov_const_alloc(c, layer, out, ndim, dims, count);
    if (rc)
        return rc;
    ov_elem_decode(type, c->bin + off, out->count, out->v);
    return OPC_OK;
}

/* A Convert to a float type keeps the values; to an integer type they must be whole
 * numbers in its range. */
int ov_fold_convert(ov_ctx *c, int layer, ov_tensor *out)
{
    const ov_layer *l = &c->ir->layers[layer];
    const char *to = ov_attr_get(l, "destination_type");
    int is_float;
    int size = ov_elem_size(to, &is_float);
    if (!size)
        return ov_fail(c, layer, OPC_ERR_UNSUPPORTED, "destination type %.20s",
                       to ? to : "(missing)");
    const ov_tensor *x = ov_in_const(c, layer, 0);
    if (!x)
        return OPC_ERR_FORMAT;
    int rc = ov_const_alloc(c, layer, out, x->ndim, x->dims, x->count);
    if (rc)
        return rc;
    double lim = ldexp(1.0, 8 * size - (to[0] == 'i'));
    for (size_t i = 0; i < x->count; i++) {
        double v = x->v[i];
        if (!is_float && (v != floor(v) || v >= lim || v < (to[0] == 'i' ? -lim : 0))) {
            ov_tensor_free(out);
            return ov_fail(c, layer, OPC_ERR_UNSUPPORTED, "value %g does not convert to %s", v,
                           to);
        }
        out->v[i] = v;
    }
    return OPC_OK;
}

/* numpy broadcasting of n tensors: the output shape, or -1 when they do not broadcast. */
static int broadcast_shape(const ov_tensor *const *t, int n, int *ndim, int64_t *dims)
{
    *ndim = 0;
    for (int k = 0; k < n; k++)
        if (t[k]->ndim > *ndim)
            *ndim = t[k]->ndim;
    for (int d = 0; d < *ndim; d++) {
        int64_t v = 1;
        for (int k = 0; k < n; k++) {
            int dd = d - (*ndim - t[k]->ndim);
            int64_t x = dd >= 0 ? t[k]->dims[dd] : 1;
            if (x != 1 && v != 1 && x != v)
                return -1;
            if (x != 1)
                v = x;
        }
        dims[d] = v;
    }
    return 0;
}

/* Offset into t of the element at output flat index i of a broadcast to ndim/dims. */
static size_t bcast_offset(const ov_tensor *t, int ndim, const int64_t *dims, size_t i)
{
    size_t off = 0, stride = 1;
    for (int d = ndim - 1; d >= 0; d--) {
        size_t idx = i % (size_t)dims[d];
        i /= (size_t)dims[d];
        int dd = d - (ndim - t->ndim);
        if (dd >= 0) {
            if (t->dims[dd] != 1)
                off += idx * stride;
            stride *= (size_t)t->dims[dd];
        }
    }
    return off;
}

/* Inputs 0..n-1 of layer, constants, broadcast together; out gets the shape. */
static int broadcast_inputs(ov_ctx *c, int layer, int n, const ov_tensor **in, ov_tensor *out)
{
    const ov_layer *l = &c->ir->layers[layer];
    for (int k = 0; k < n; k++)
        if (!(in[k] = ov_in_const(c, layer, k)))
            return OPC_ERR_FORMAT;
    const char *mode = ov_attr_get(l, "auto_broadcast");
    int ndim;
    int64_t dims[OV_MAX_DIMS];
    if (mode && strcmp(mode, "numpy") != 0 && strcmp(mode, "none") != 0)
        return ov_fail(c, layer, OPC_ERR_UNSUPPORTED, "auto_broadcast %.20s (numpy or none)", mode);
    if (broadcast_shape(in, n, &ndim, dims))
        return ov_fail(c, layer, OPC_ERR_FORMAT, "its inputs' shapes do not broadcast");
    if (mode && strcmp(mode, "none") == 0)
        for (int k = 0; k < n; k++)
            if (in[k]->ndim != ndim || memcmp(in[k]->dims, dims, (size_t)ndim * sizeof *dims))
                return ov_fail(c, layer, OPC_ERR_FORMAT,
                               "auto_broadcast none, but its inputs' shapes differ");
    return ov_const_alloc(c, layer, out, ndim, dims, c->max_const);
}

int ov_fold_arith(ov_ctx *c, int layer, ov_tensor *out)
{
    const char *type = c->ir->layers[layer].type;
    const ov_tensor *in[2];
    int rc = broadcast_inputs(c, layer, 2, in, out);
    if (rc)
        return rc;
    char op = type[0] == 'A' ? '+' : type[0] == 'S' ? '-' : type[0] == 'M' ? '*' : '/';
    for (size_t i = 0; i < out->count; i++) {
        double a = in[0]->v[bcast_offset(in[0], out->ndim, out->dims, i)];
        double b = in[1]->v[bcast_offset(in[1], out->ndim, out->dims, i)];
        out->v[i] = op == '+' ? a + b : op == '-' ? a - b : op == '*' ? a * b : a / b;
    }
    return OPC_OK;
}

/* OpenVINO opset1: x <= min(il, ih) gives ol, x > max(il, ih) gives oh, otherwise
 * round((x - il) / (ih - il) * (levels - 1)) / (levels - 1) * (oh - ol) + ol, rounding
 * half to even. */
int ov_fold_fake_quantize(ov_ctx *c, int layer, ov_tensor *out)
{
    const ov_tensor *in[5];
    double levels;
    int rc = ov_attr_double(c, layer, "levels", 1, 0, &levels);
    if (rc)
        return rc;
    if (!(levels >= 2 && levels <= 65536 && levels == floor(levels)))
        return ov_fail(c, layer, OPC_ERR_FORMAT, "levels %g (2 to 65536)", levels);
    if ((rc = broadcast_inputs(c, layer, 5, in, out)))
        return rc;
    for (size_t i = 0; i < out->count; i++) {
        double v[5];
        for (int k = 0; k < 5; k++)
            v[k] = in[k]->v[bcast_offset(in[k], out->ndim, out->dims, i)];
        double x = v[0], il = v[1], ih = v[2], ol = v[3], oh = v[4];
        if (x <= fmin(il, ih))
            out->v[i] = ol;
        else if (x > fmax(il, ih))
            out->v[i] = oh;
        else
            out->v[i] = nearbyint((x - il) / (ih - il) * (levels - 1)) / (levels - 1) *
                            (oh - ol) + ol;
    }
    return OPC_OK;
}

/* Reshape-1: the target shape's 0 copies the input's dimension (special_zero) and one -1
 * takes what is left. */
int ov_fold_reshape(ov_ctx *c, int layer, ov_tensor *out)
{
    const ov_layer *l = &c->ir->layers[layer];
    const ov_tensor *x = ov_in_const(c, layer, 0), *s = x ? ov_in_const(c, layer, 1) : NULL;
    if (!s)
        return OPC_ERR_FORMAT;
    const char *sz = ov_attr_get(l, "special_zero");
    int special_zero = sz && strcmp(sz, "true") == 0;
    if (s->ndim > 1 || s->count > OV_MAX_DIMS)
        return ov_fail(c, layer, OPC_ERR_UNSUPPORTED, "target shape of %zu dimensions (up to %d)",
                       s->count, OV_MAX_DIMS);
    int64_t dims[OV_MAX_DIMS];
    int infer = -1;
    size_t known = 1;
    for (int d = 0; d < (int)s->count; d++) {
        double v = s->v[d];
        if (v == 0 && special_zero) {
            if (d >= x->ndim)
                return ov_fail(c, layer, OPC_ERR_FORMAT, "0 at dimension %d copies nothing", d);
            v = (double)x->dims[d];
        }
        if (v == -1 && infer < 0) {
            infer = d;
            dims[d] = 1;
            continue;
        }
        if (v < 0 || v != floor(v) || v > (double)(1 << 30))
            return ov_fail(c, layer, OPC_ERR_FORMAT, "target dimension %g", v);
        dims[d] = (int64_t)v;
        if (dims[d] && known > SIZE_MAX / (size_t)dims[d])
            return ov_fail(c, layer, OPC_ERR_FORMAT, "target shape too large");
        known *= (size_t)dims[d];
    }
    if (infer >= 0) {
        if (known == 0 || x->count % known)
            return ov_fail(c, layer, OPC_ERR_FORMAT, "cannot infer the -1 dimension");
        dims[infer] = (int64_t)(x->count / known);
        known = x->count;
    }
    if (known != x->count)
        return ov_fail(c, layer, OPC_ERR_FORMAT, "reshapes %zu elements to %zu", x->count, known);
    int rc = ov_const_alloc(c, layer, out, (int)s->count, dims, x->count);
    if (rc)
        return rc;
    memcpy(out->v, x->v, x->count * sizeof *x->v);
    return OPC_OK;
}
