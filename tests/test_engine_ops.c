/* Fast engine vs reference engine on small graphs covering every op, activation and the
 * awkward geometries (kernels 1/3/7, strides 1/2, asymmetric and TF SAME padding at odd and
 * even sizes, dilation, groups, depthwise, Winograd tiles cut by the edges, the direct 1x1
 * kernel's partial blocks, Caffe ceil-mode
 * pooling, concat in place and copied, resize by size_ref and factor, FakeQuantize). Every
 * blob of every graph is compared.
 *
 * Tolerances: the reference sums convolutions in double, the fast engine in float32
 * (GEMM or direct), so a conv output differs by float32 rounding of a K-term dot product,
 * about sqrt(K) * 2^-24 relative for random signs: under 2e-6 for K <= 576 here, and it
 * passes through at most one more conv (the head). The Winograd kernels add the rounding
 * of their transforms: about 1.6e-6 relative per layer, measured against float64 on the
 * full OpenPose nets (kernel_tables.c), but 6e-6 to 9e-6 on the small random-weight
 * F(3x3, 7x7) cases here (9e-6 in the unoptimised sanitizer build): their margin under the
 * issue's 1e-5 bound is thin. So rel L2 <= 1e-5 and max |diff| <= 1e-4 (values are O(1))
 * hold while any indexing bug (a wrong tap, pad or channel) gives errors of order 1e-1
 * and above; the fast instance norm normalises in float (the
 * reference in double), a few float roundings of its O(1) outputs, so it is held to the
 * same bounds. Ops that do the same float arithmetic in both engines (pooling, concat,
 * activations, affine, add, resize, FakeQuantize) on inputs that are themselves exact must
 * agree bit for bit. */
#include "core/cpu.h"
#include "engine/kernel.h"
#include "engine_graphs.h"

#define CONV_REL 1e-5
#define CONV_ABS 1e-4

static const char *dir;

/* Compares every blob (except the input) of graph g between the engines; blobs named
 * "x_..." must be identical. Fast runs with `threads` threads. */
static void compare_engines(const char *name, const opc_graph *g, int w, int h, int threads)
{
    opc_model *m = tg_open(g, dir, name);
    opc_net *ref = tg_net(m, OPC_ENGINE_REFERENCE, 1), *fast = tg_net(m, OPC_ENGINE_FAST, threads);
    opc_tensor in;
    tg_input(&in, g->input_channels, h, w, 12345u + (unsigned)w * 7u + (unsigned)h);
    int n = g->n_blobs - 1;
    const char *const *names = (const char *const *)g->blob_names + 1;
    opc_tensor *r = calloc((size_t)n, sizeof *r), *f = calloc((size_t)n, sizeof *f);
    opc_error err;
    int rc1 = opc_net_forward_blobs(ref, &in, n, names, r, &err);
    CHECK(rc1 == OPC_OK, "%s: reference: %s", name, err.msg);
    int rc2 = opc_net_forward_blobs(fast, &in, n, names, f, &err);
    CHECK(rc2 == OPC_OK, "%s: fast: %s", name, err.msg);
    for (int b = 0; b < n && rc1 == OPC_OK && rc2 == OPC_OK; b++) {
        CHECK(r[b].c == f[b].c && r[b].h == f[b].h && r[b].w == f[b].w, "%s/%s: shapes differ",
              name, names[b]);
        opc_diff d = opc_compare(f[b].data, r[b].data, opc_tensor_count(&r[b]));
        if (strncmp(names[b], "x_", 2) == 0)
            CHECK(d.max_abs == 0 && d.nonfinite == 0, "%s/%s: not exact: max %g", name,
                  names[b], d.max_abs);
        else
            CHECK(d.rel_l2 <= CONV_REL && d.max_abs <= CONV_ABS && d.nonfinite == 0,
                  "%s/%s: rel %g max %g nonfinite %zu", name, names[b], d.rel_l2, d.max_abs,
                  d.nonfinite);
    }
    for (int b = 0; b < n; b++) {
        opc_tensor_free(&r[b]);
        opc_tensor_free(&f[b]);
    }
    free(r);
    free(f);
    opc_tensor_free(&in);
    opc_net_free(ref);
    opc_net_free(fast);
    opc_model_close(m);
}

typedef struct {
    const char *name;
    int c, h, w;
    tg_conv_spec s;
} conv_case;

static const conv_case CONVS[] = {
    {"1x1", 5, 9, 11, {.cout = 7, .kh = 1, .kw = 1, .act = OPC_ACT_RELU}},
    {"1x1_stride2", 5, 9, 11, {.cout = 7, .kh = 1, .kw = 1, .sh = 2, .sw = 2}},
    {"1x1_pad", 5, 6, 7, {.cout = 3, .kh = 1, .kw = 1, .pad = {1, 1, 1, 1}}},
    {"1x1_groups", 6, 5, 7, {.cout = 9, .kh = 1, .kw = 1, .group = 3, .act = OPC_ACT_RELU6}},
    {"3x3_prelu", 6, 10, 12, {.cout = 8, .kh = 3, .kw = 3, .pad = {1, 1, 1, 1}, .act = OPC_ACT_PRELU}},
    {"3x3_prelu_shared", 4, 7, 5, {.cout = 8, .kh = 3, .kw = 3, .pad = {1, 1, 1, 1}, .act = OPC_ACT_PRELU, .shared_slope = 1}},
    {"3x3_stride2_odd", 4, 13, 11, {.cout = 6, .kh = 3, .kw = 3, .sh = 2, .sw = 2, .pad = {1, 1, 1, 1}, .act = OPC_ACT_RELU}},
    {"3x3_nopad", 3, 8, 9, {.cout = 5, .kh = 3, .kw = 3}},
    {"3x3_asym_pad", 3, 8, 9, {.cout = 5, .kh = 3, .kw = 3, .pad = {0, 1, 2, 0}}},
    {"3x3_asym_pad_stride2", 3, 9, 8, {.cout = 5, .kh = 3, .kw = 3, .sh = 2, .sw = 2, .pad = {1, 0, 0, 2}}},
    {"3x3_same_s2_even", 4, 16, 12, {.cout = 6, .kh = 3, .kw = 3, .sh = 2, .sw = 2, .pad_same = 1}},
    {"3x3_same_s2_odd", 4, 15, 13, {.cout = 6, .kh = 3, .kw = 3, .sh = 2, .sw = 2, .pad_same = 1}},
    /* im2col's vector gather at stride 2: two vectors, then the scalar tail */
    {"3x3_same_s2_wide", 3, 9, 75, {.cout = 6, .kh = 3, .kw = 3, .sh = 2, .sw = 2, .pad_same = 1, .act = OPC_ACT_RELU6}},
    {"3x3_same_s1", 4, 7, 10, {.cout = 6, .kh = 3, .kw = 3, .pad_same = 1, .act = OPC_ACT_RELU6}},
    {"1x1_same_s2", 4, 7, 10, {.cout = 6, .kh = 1, .kw = 1, .sh = 2, .sw = 2, .pad_same = 1}},
    {"3x3_dilation2", 4, 11, 12, {.cout = 5, .kh = 3, .kw = 3, .dh = 2, .dw = 2, .pad = {2, 2, 2, 2}}},
    {"3x3_dilation_mixed", 4, 11, 12, {.cout = 5, .kh = 3, .kw = 3, .dh = 1, .dw = 3, .pad = {1, 3, 1, 3}}},
    {"3x3_groups2", 6, 9, 8, {.cout = 4, .kh = 3, .kw = 3, .group = 2, .pad = {1, 1, 1, 1}}},
    {"5x5_stride2_same_odd", 3, 17, 15, {.cout = 4, .kh = 5, .kw = 5, .sh = 2, .sw = 2, .pad_same = 1}},
    {"7x7", 5, 12, 14, {.cout = 6, .kh = 7, .kw = 7, .pad = {3, 3, 3, 3}, .act = OPC_ACT_RELU}},
    {"7x7_small_input", 3, 4, 5, {.cout = 4, .kh = 7, .kw = 7, .pad = {3, 3, 3, 3}}},
    {"1x7", 4, 9, 12, {.cout = 5, .kh = 1, .kw = 7, .pad = {0, 3, 0, 3}}},
    {"7x1_stride_2x1", 4, 12, 9, {.cout = 5, .kh = 7, .kw = 1, .sh = 2, .sw = 1, .pad = {3, 0, 3, 0}}},
    {"no_bias", 4, 6, 6, {.cout = 5, .kh = 3, .kw = 3, .no_bias = 1}},
    {"dw_3x3_same", 6, 10, 9, {.cout = 6, .kh = 3, .kw = 3, .group = 6, .pad_same = 1, .act = OPC_ACT_RELU6}},
    {"dw_3x3_s2_same_even", 5, 12, 16, {.cout = 5, .kh = 3, .kw = 3, .sh = 2, .sw = 2, .group = 5, .pad_same = 1, .act = OPC_ACT_RELU}},
    {"dw_3x3_s2_same_odd", 5, 13, 11, {.cout = 5, .kh = 3, .kw = 3, .sh = 2, .sw = 2, .group = 5, .pad_same = 1}},
    {"dw_3x3_s2_wide_odd", 3, 9, 75, {.cout = 3, .kh = 3, .kw = 3, .sh = 2, .sw = 2, .group = 3, .pad = {1, 1, 1, 1}, .act = OPC_ACT_RELU6}},
    {"dw_3x3_s2_wide_same", 4, 7, 96, {.cout = 4, .kh = 3, .kw = 3, .sh = 2, .sw = 2, .group = 4, .pad_same = 1}},
    /* Rows of one and two vectors (the four sums in flight span rows), and planes taller
     * than one band of padded rows (stride 1 and 2). */
    {"dw_3x3_narrow", 5, 9, 7, {.cout = 5, .kh = 3, .kw = 3, .group = 5, .pad = {1, 1, 1, 1}, .act = OPC_ACT_RELU6}},
    {"dw_3x3_two_vectors", 3, 6, 20, {.cout = 3, .kh = 3, .kw = 3, .group = 3, .pad_same = 1}},
    /* straight from the plane (dw_same_3x3): rows of whole vectors at every CPU level, fewer
     * than four rows, a single row */
    {"dw_3x3_whole_vectors", 4, 3, 32, {.cout = 4, .kh = 3, .kw = 3, .group = 4, .pad = {1, 1, 1, 1}, .act = OPC_ACT_RELU}},
    {"dw_3x3_one_row", 3, 1, 16, {.cout = 3, .kh = 3, .kw = 3, .group = 3, .pad_same = 1, .act = OPC_ACT_RELU6}},
    /* ... but for an activation without an unrolled loop: padded rows */
    {"dw_3x3_same_sigmoid", 4, 9, 21, {.cout = 4, .kh = 3, .kw = 3, .group = 4, .pad_same = 1, .act = OPC_ACT_SIGMOID}},
    {"dw_3x3_bands", 2, 101, 300, {.cout = 2, .kh = 3, .kw = 3, .group = 2, .pad = {1, 1, 1, 1}, .act = OPC_ACT_RELU}},
    {"dw_3x3_s2_bands", 2, 203, 300, {.cout = 2, .kh = 3, .kw = 3, .sh = 2, .sw = 2, .group = 2, .pad = {1, 1, 1, 1}, .act = OPC_ACT_RELU6}},
    {"dw_1x1", 7, 5, 6, {.cout = 7, .kh = 1, .kw = 1, .group = 7}},
    {"dw_dilated_asym_prelu", 4, 11, 10, {.cout = 4, .kh = 3, .kw = 3, .dh = 2, .dw = 2, .group = 4, .pad = {2, 1, 0, 3}, .act = OPC_ACT_PRELU, .shared_slope = 1}},
    {"dw_5x5_stride2", 3, 14, 13, {.cout = 3, .kh = 5, .kw = 5, .sh = 2, .sw = 2, .group = 3, .pad = {2, 2, 2, 2}}},
    {"dw_multiplier2", 4, 8, 9, {.cout = 8, .kh = 3, .kw = 3, .group = 4, .pad = {1, 1, 1, 1}}},
    /* Winograd F(6x6, 3x3) (16+ input channels): tiles cut by the image edge, padding of
     * every kind, inputs smaller than a tile, several 64-tile slices of a row, several
     * blocks of tile rows (10 here: shared out whole between the 2 threads), every activation. */
    {"wino3_relu", 16, 13, 17, {.cout = 20, .kh = 3, .kw = 3, .pad = {1, 1, 1, 1}, .act = OPC_ACT_RELU}},
    {"wino3_prelu_nobias", 24, 9, 11, {.cout = 16, .kh = 3, .kw = 3, .pad = {1, 1, 1, 1}, .act = OPC_ACT_PRELU, .no_bias = 1}},
    {"wino3_prelu_shared", 16, 8, 6, {.cout = 17, .kh = 3, .kw = 3, .pad = {1, 1, 1, 1}, .act = OPC_ACT_PRELU, .shared_slope = 1}},
    {"wino3_asym_pad", 16, 10, 9, {.cout = 16, .kh = 3, .kw = 3, .pad = {0, 2, 1, 0}}},
    {"wino3_nopad", 17, 12, 15, {.cout = 16, .kh = 3, .kw = 3}},
    {"wino3_same_relu6", 16, 14, 10, {.cout = 16, .kh = 3, .kw = 3, .pad_same = 1, .act = OPC_ACT_RELU6}},
    {"wino3_big_pad", 16, 5, 7, {.cout = 16, .kh = 3, .kw = 3, .pad = {3, 2, 4, 3}, .act = OPC_ACT_RELU}},
    {"wino3_tiny", 16, 2, 3, {.cout = 16, .kh = 3, .kw = 3, .pad = {1, 1, 1, 1}}},
    {"wino3_wide", 16, 5, 401, {.cout = 16, .kh = 3, .kw = 3, .pad = {1, 1, 1, 1}, .act = OPC_ACT_RELU}},
    {"wino3_blocks", 64, 60, 100, {.cout = 64, .kh = 3, .kw = 3, .pad = {1, 1, 1, 1}, .act = OPC_ACT_RELU}},
    /* Narrow maps (tile rows of 1 to 8 tiles): several tile rows share a vector, the last
     * group of a block partly filled. */
    {"wino3_tall_narrow", 16, 100, 8, {.cout = 16, .kh = 3, .kw = 3, .pad = {1, 1, 1, 1}, .act = OPC_ACT_PRELU}},
    {"wino3_tall_narrow_cut", 16, 61, 20, {.cout = 16, .kh = 3, .kw = 3, .pad = {1, 1, 1, 1}}},
    /* Winograd F(3x3, 7x7). */
    {"wino7_relu", 16, 12, 14, {.cout = 18, .kh = 7, .kw = 7, .pad = {3, 3, 3, 3}, .act = OPC_ACT_RELU}},
    {"wino7_prelu_shared", 20, 11, 9, {.cout = 16, .kh = 7, .kw = 7, .pad = {3, 3, 3, 3}, .act = OPC_ACT_PRELU, .shared_slope = 1}},
    {"wino7_asym_pad", 16, 13, 10, {.cout = 16, .kh = 7, .kw = 7, .pad = {1, 3, 2, 0}}},
    {"wino7_small_input", 16, 4, 5, {.cout = 16, .kh = 7, .kw = 7, .pad = {3, 3, 3, 3}, .act = OPC_ACT_RELU6}},
    {"wino7_tall_narrow", 16, 40, 12, {.cout = 16, .kh = 7, .kw = 7, .pad = {3, 3, 3, 3}, .act = OPC_ACT_RELU}},
    {"wino7_blocks", 32, 46, 46, {.cout = 32, .kh = 7, .kw = 7, .pad = {3, 3, 3, 3}, .act = OPC_ACT_RELU}},
    /* 8 blocks of 3 tile rows: the schedule that transforms all filters up front, here two
     * whole 16-filter groups and a partial one. */
    {"wino7_many_blocks", 40, 72, 46, {.cout = 16, .kh = 7, .kw = 7, .pad = {3, 3, 3, 3}, .act = OPC_ACT_RELU}},
    /* The direct 1x1 kernel (8 to 384 inputs, 16 to 384 outputs): output channels not a
     * multiple of its 8-channel blocks, pixels not a multiple of its 48-pixel blocks nor of
     * a vector (tiles of one, two and three vectors), several of them per thread, every
     * activation. */
    {"pw_relu", 64, 7, 9, {.cout = 64, .kh = 1, .kw = 1, .act = OPC_ACT_RELU}},
    {"pw_odd_out_prelu", 70, 13, 11, {.cout = 67, .kh = 1, .kw = 1, .act = OPC_ACT_PRELU}},
    {"pw_wide_relu6_nobias", 112, 3, 101, {.cout = 72, .kh = 1, .kw = 1, .act = OPC_ACT_RELU6, .no_bias = 1}},
    {"pw_shared_prelu", 96, 20, 21, {.cout = 80, .kh = 1, .kw = 1, .act = OPC_ACT_PRELU, .shared_slope = 1}},
    {"pw_one_pixel", 64, 1, 1, {.cout = 65, .kh = 1, .kw = 1}},
    /* K = 64 * 9 = 576 rows by 96 * 128 columns is more than one im2col band: the GEMM
     * runs on several bands, the last one shorter. */
    {"3x3_several_bands", 64, 96, 128, {.cout = 4, .kh = 3, .kw = 3, .pad = {1, 1, 1, 1}, .act = OPC_ACT_RELU}},
    /* Few input taps (<= 64), 8+ outputs: the direct kernel over padded rows. Strides 1,
     * 2 and 2x1, dilation, asymmetric padding, a partial block of output channels, rows of
     * one and two pixel blocks (the last partial), images of several bands of rows. (A
     * case's seed is its index: new cases go last, leaving the others' weights as they
     * were.) */
    {"rows_3x3_s2_same", 3, 201, 75, {.cout = 16, .kh = 3, .kw = 3, .sh = 2, .sw = 2, .pad_same = 1, .act = OPC_ACT_RELU6}},
    {"rows_3x3_s1_partial_m", 3, 150, 50, {.cout = 12, .kh = 3, .kw = 3, .pad = {1, 1, 1, 1}, .act = OPC_ACT_RELU}},
    {"rows_5x5_dilated_prelu", 2, 23, 29, {.cout = 9, .kh = 5, .kw = 5, .dh = 2, .dw = 2, .pad = {4, 1, 2, 3}, .act = OPC_ACT_PRELU}},
    {"rows_7x1_stride_2x1", 4, 40, 33, {.cout = 8, .kh = 7, .kw = 1, .sh = 2, .sw = 1, .pad = {3, 0, 3, 0}, .no_bias = 1}},
    /* ELU, sigmoid and clamp fused into each convolution kernel (Lightweight OpenPose,
     * PoseNet and OpenVINO's Clamp). */
    {"wino3_elu", 16, 13, 17, {.cout = 20, .kh = 3, .kw = 3, .pad = {1, 1, 1, 1}, .act = OPC_ACT_ELU}},
    {"wino7_sigmoid", 16, 12, 14, {.cout = 18, .kh = 7, .kw = 7, .pad = {3, 3, 3, 3}, .act = OPC_ACT_SIGMOID}},
    {"wino3_clamp", 16, 9, 11, {.cout = 16, .kh = 3, .kw = 3, .pad = {1, 1, 1, 1}, .act = OPC_ACT_CLAMP}},
    {"pw_elu", 70, 13, 11, {.cout = 67, .kh = 1, .kw = 1, .act = OPC_ACT_ELU}},
    {"pw_sigmoid", 64, 7, 9, {.cout = 64, .kh = 1, .kw = 1, .act = OPC_ACT_SIGMOID}},
    {"pw_clamp", 96, 5, 21, {.cout = 72, .kh = 1, .kw = 1, .act = OPC_ACT_CLAMP}},
    {"1x1_elu", 5, 9, 11, {.cout = 7, .kh = 1, .kw = 1, .act = OPC_ACT_ELU}},
    {"3x3_stride2_clamp", 4, 13, 11, {.cout = 6, .kh = 3, .kw = 3, .sh = 2, .sw = 2, .pad = {1, 1, 1, 1}, .act = OPC_ACT_CLAMP}},
    {"dw_3x3_elu", 6, 10, 9, {.cout = 6, .kh = 3, .kw = 3, .group = 6, .pad_same = 1, .act = OPC_ACT_ELU}},
    {"dw_3x3_s2_clamp", 5, 13, 11, {.cout = 5, .kh = 3, .kw = 3, .sh = 2, .sw = 2, .group = 5, .pad_same = 1, .act = OPC_ACT_CLAMP}},
    {"dw_5x5_sigmoid", 3, 14, 13, {.cout = 3, .kh = 5, .kw = 5, .group = 3, .pad = {2, 2, 2, 2}, .act = OPC_ACT_SIGMOID}},
    {"rows_3x3_elu", 3, 40, 50, {.cout = 12, .kh = 3, .kw = 3, .pad = {1, 1, 1, 1}, .act = OPC_ACT_ELU}},
    {"rows_3x3_s2_sigmoid", 3, 41, 35, {.cout = 16, .kh = 3, .kw = 3, .sh = 2, .sw = 2, .pad_same = 1, .act = OPC_ACT_SIGMOID}},
    {"rows_3x3_clamp", 3, 33, 20, {.cout = 9, .kh = 3, .kw = 3, .pad = {1, 1, 1, 1}, .act = OPC_ACT_CLAMP}},
    /* 1x1 convolutions on the project's GEMM (conv_1x1_gemm): channel counts outside the
     * direct kernel's range (K below 8, M below 16, either above 384), a partial panel of output
     * channels, pixels not a multiple of a vector nor of a register block, several pixel
     * slices, each activation kind. */
    {"g1x1_wide_k_prelu", 400, 7, 23, {.cout = 70, .kh = 1, .kw = 1, .act = OPC_ACT_PRELU}},
    {"g1x1_slices_relu6_nobias", 300, 30, 31, {.cout = 400, .kh = 1, .kw = 1, .act = OPC_ACT_RELU6, .no_bias = 1}},
    {"g1x1_narrow_k_elu", 7, 9, 50, {.cout = 130, .kh = 1, .kw = 1, .act = OPC_ACT_ELU}},
    {"g1x1_one_pixel", 20, 1, 1, {.cout = 10, .kh = 1, .kw = 1, .act = OPC_ACT_RELU}},
    /* Winograd on a small map with 64+ output channels: every block shared between the
     * threads (input channels split for the input transform, output channel groups for
     * the rest), the groups split unevenly, the last one partial. */
    {"wino3_shared", 24, 20, 22, {.cout = 70, .kh = 3, .kw = 3, .pad = {1, 1, 1, 1}, .act = OPC_ACT_RELU}},
    {"wino7_shared_prelu", 20, 13, 15, {.cout = 66, .kh = 7, .kw = 7, .pad = {3, 3, 3, 3}, .act = OPC_ACT_PRELU}},
    /* Unfolded bands on the project's GEMM (conv_im2col_gemm): dilation 2 with 8-row bands,
     * the last shorter; stride 2; K = 1170 with one-row bands of 70 pixels; partial panels
     * of output channels; per-channel PReLU in the GEMM's epilogue. Grouped convolutions
     * stay on OpenBLAS (conv_im2col_sgemm). */
    {"i2c_dilated_bands", 15, 40, 57, {.cout = 40, .kh = 3, .kw = 3, .dh = 2, .dw = 2, .pad = {2, 2, 2, 2}, .act = OPC_ACT_RELU}},
    {"i2c_s2_prelu", 24, 23, 31, {.cout = 20, .kh = 3, .kw = 3, .sh = 2, .sw = 2, .pad_same = 1, .act = OPC_ACT_PRELU}},
    {"i2c_wide_k_nobias", 130, 6, 70, {.cout = 17, .kh = 3, .kw = 3, .dh = 2, .dw = 2, .pad = {1, 2, 3, 2}, .no_bias = 1}},
    {"grp_3x3_bands", 32, 40, 50, {.cout = 8, .kh = 3, .kw = 3, .group = 2, .pad = {1, 1, 1, 1}, .act = OPC_ACT_RELU}},
    /* Dilated "same" 3x3 layers as Winograd on the stacked phases
     * (conv_winograd_f6x6_3x3_phases): odd and even sizes (phases of unequal size),
     * Lightweight OpenPose's 57x32 map, dilation 3 on a map smaller than a phase's tile,
     * TF SAME padding, each activation path. */
    {"wph_d2_odd_relu", 16, 13, 17, {.cout = 20, .kh = 3, .kw = 3, .dh = 2, .dw = 2, .pad = {2, 2, 2, 2}, .act = OPC_ACT_RELU}},
    {"wph_d2_lw_prelu", 24, 32, 57, {.cout = 16, .kh = 3, .kw = 3, .dh = 2, .dw = 2, .pad = {2, 2, 2, 2}, .act = OPC_ACT_PRELU}},
    {"wph_d3_tiny_nobias", 16, 5, 4, {.cout = 17, .kh = 3, .kw = 3, .dh = 3, .dw = 3, .pad = {3, 3, 3, 3}, .no_bias = 1}},
    {"wph_d2_same_elu", 18, 20, 21, {.cout = 16, .kh = 3, .kw = 3, .dh = 2, .dw = 2, .pad_same = 1, .act = OPC_ACT_ELU}},
    /* The direct 1x1 kernel's narrowest input, MobileNetV2-small's first expansion. */
    {"pw_narrow_k_relu6", 8, 11, 13, {.cout = 48, .kh = 1, .kw = 1, .act = OPC_ACT_RELU6}},
};

typedef struct {
    const char *name;
    int c, h, w, k, stride;
    int pad[4];
    int pad_same, ceil_mode;
} pool_case;

static const pool_case POOLS[] = {
    {"pool2_ceil_odd", 3, 13, 11, 2, 2, {0}, 0, 1},
    {"pool2_floor_odd", 3, 13, 11, 2, 2, {0}, 0, 0},
    {"pool2_ceil_even", 3, 12, 10, 2, 2, {0}, 0, 1},
    {"pool3_s2_pad1_ceil_7", 2, 7, 7, 3, 2, {1, 1, 1, 1}, 0, 1},
    {"pool3_s2_pad1_ceil_8", 2, 8, 8, 3, 2, {1, 1, 1, 1}, 0, 1},
    {"pool3_s1_pad1", 2, 6, 9, 3, 1, {1, 1, 1, 1}, 0, 0},
    {"pool3_s2_same_even", 2, 8, 10, 3, 2, {0}, 1, 0},
    {"pool3_s2_same_odd", 2, 9, 11, 3, 2, {0}, 1, 0},
    {"pool3_s3_ceil_asym", 2, 10, 11, 3, 3, {0, 1, 2, 0}, 0, 1},
};

/* The fast kernel the planner picks for layer `name` of g at w x h. */
static const char *kernel_of(const opc_graph *g, const char *name, int w, int h)
{
    opc_shape *s = calloc((size_t)g->n_blobs, sizeof *s);
    opc_error err;
    const char *k = "?";
    const opc_layer *l = opc_test_layer(g, name);
    if (l && opc_graph_infer_shapes(g, h, w, s, &err) == OPC_OK)
        k = opc_kernel_select(OPC_ENGINE_FAST, l, &s[l->inputs[0]], &s[l->output])->name;
    free(s);
    return k;
}

/* The kernel each family of CONVS cases (by name prefix) is for. */
static const struct {
    const char *prefix, *kernel;
} CASE_KERNELS[] = {
    {"wino3", "conv_winograd_f6x6_3x3"},   {"wino7", "conv_winograd_f3x3_7x7"},
    {"wph_", "conv_winograd_f6x6_3x3_phases"}, {"pw_", "conv_1x1_direct"},
    {"g1x1_", "conv_1x1_gemm"},            {"rows_", "conv_direct_rows"},
    {"i2c_", "conv_im2col_gemm"},          {"grp_", "conv_im2col_sgemm"},
    {"dw_3x3", "conv_depthwise"},
};

static void conv_cases(void)
{
    for (size_t i = 0; i < sizeof CONVS / sizeof CONVS[0]; i++) {
        const conv_case *c = &CONVS[i];
        unsigned seed = 1000u + (unsigned)i;
        opc_graph *g = tg_new(c->c);
        int b = tg_conv(g, "conv", 0, c->c, c->s, &seed);
        /* Cases named for a fast kernel are there for it: make sure they get it. */
        for (size_t k = 0; k < sizeof CASE_KERNELS / sizeof CASE_KERNELS[0]; k++)
            if (!strncmp(c->name, CASE_KERNELS[k].prefix, strlen(CASE_KERNELS[k].prefix)))
                CHECK(!strcmp(kernel_of(g, "conv", c->w, c->h), CASE_KERNELS[k].kernel),
                      "%s: runs on %s", c->name, kernel_of(g, "conv", c->w, c->h));
        tg_head(g, b, c->s.cout, &seed);
        compare_engines(c->name, g, c->w, c->h, 2);
        opc_graph_free(g);
    }
}

static void pool_cases(void)
{
    for (size_t i = 0; i < sizeof POOLS / sizeof POOLS[0]; i++) {
        const pool_case *p = &POOLS[i];
        unsigned seed = 2000u + (unsigned)i;
        opc_graph *g = tg_new(p->c);
        int b = tg_pool(g, "x_pool", 0, p->k, p->stride, p->pad, p->pad_same, p->ceil_mode);
        tg_head(g, b, p->c, &seed);
        compare_engines(p->name, g, p->w, p->h, 2);
        opc_graph_free(g);
    }
}

/* Elementwise and channelwise ops, every activation, on the input itself (exact) and on
 * conv outputs (so the inputs are not just one layer from the data); on a small plane and
 * on one of 61 rows of 70, which the fast kernels cut between the 3 threads by rows (20, 20
 * and 21: parts.h), so each part starts inside a plane. */
static void eltwise_cases(void)
{
    for (int a = 0; a < 2 * OPC_ACT_COUNT; a++) {
        unsigned seed = 3000u + (unsigned)a;
        opc_act act = (opc_act)(a % OPC_ACT_COUNT);
        int big = a >= OPC_ACT_COUNT;
        int c = 6, h = big ? 61 : 7, w = big ? 70 : 9;
        opc_graph *g = tg_new(c);
        /* Inputs scaled up so that relu6 clips some values at 6. */
        opc_layer *scale = tg_layer(g, OPC_OP_AFFINE, "x_scale", 1, (int[]){0});
        opc_error err;
        float *sw = opc_graph_new_weight(g, &scale->weight, 1, &c, &err);
        for (int i = 0; i < c; i++)
            sw[i] = 8.0f;
        int x = scale->output;
        int r = act == OPC_ACT_NONE ? tg_act(g, "x_act", x, OPC_ACT_RELU, c, &seed)
                                    : tg_act(g, "x_act", x, act, c, &seed);
        int s = tg_add(g, "x_add", 2, (int[]){x, r}, act, c, &seed);
        int s3 = tg_add(g, "x_add3", 3, (int[]){x, r, s}, act, c, &seed);
        int f = tg_channelwise(g, OPC_OP_AFFINE, "x_affine", s3, c, act, &seed);
        int n = tg_channelwise(g, OPC_OP_INSTANCE_NORM, "norm", f, c, act, &seed);
        int v = tg_conv(g, "conv", n, c, (tg_conv_spec){.cout = c, .kh = 3, .kw = 3, .pad = {1, 1, 1, 1}}, &seed);
        int n2 = tg_channelwise(g, OPC_OP_INSTANCE_NORM, "norm_of_conv", v, c, act, &seed);
        int s2 = tg_add(g, "add_of_conv", 2, (int[]){v, n2}, act, c, &seed);
        tg_head(g, s2, c, &seed);
        char name[64];
        snprintf(name, sizeof name, "eltwise_%s%s", opc_act_name(act), big ? "_70x61" : "");
        compare_engines(name, g, w, h, 3);
        opc_graph_free(g);
    }
}

/* Resize by a factor and to another blob's size (up and down, non-integer ratios), and
 * concats whose inputs are placed in place (written only for the concat) or copied (the
 * graph input, a blob read again later, a blob listed twice). */
static void resize_concat_cases(void)
{
    unsigned seed = 4000u;
    int c = 4, h = 13, w = 11;
    opc_graph *g = tg_new(c);
    int up2 = tg_resize(g, "x_up2", 0, -1, 2);
    int p = tg_pool(g, "x_pool", 0, 3, 2, (int[]){1, 1, 1, 1}, 0, 1); /* 7 x 6 */
    int back = tg_resize(g, "x_back", p, 0, 0);                        /* 7x6 -> 13x11 */
    int down = tg_resize(g, "x_down", up2, p, 0);                      /* 26x22 -> 7x6 */
    int a = tg_conv(g, "conv_a", 0, c, (tg_conv_spec){.cout = 3, .kh = 3, .kw = 3, .pad = {1, 1, 1, 1}}, &seed);
    int b = tg_conv(g, "conv_b", 0, c, (tg_conv_spec){.cout = 5, .kh = 1, .kw = 1}, &seed);
    int cat = tg_concat(g, "cat", 4, (int[]){a, 0, b, back});           /* a, b in place */
    int d = tg_conv(g, "conv_d", cat, 16, (tg_conv_spec){.cout = 6, .kh = 1, .kw = 1}, &seed);
    int cat2 = tg_concat(g, "cat2", 3, (int[]){d, cat, d});             /* d twice: copied */
    int e = tg_conv(g, "conv_e", p, c, (tg_conv_spec){.cout = 2, .kh = 1, .kw = 1}, &seed);
    int cat3 = tg_concat(g, "cat3", 3, (int[]){e, down, p});
    int up = tg_resize(g, "up_cat3", cat3, 0, 0);
    int f = tg_conv(g, "conv_f", cat2, 28, (tg_conv_spec){.cout = 4, .kh = 1, .kw = 1}, &seed);
    int cat4 = tg_concat(g, "cat4", 3, (int[]){f, up, b});              /* b read again: copy */
    tg_head(g, cat4, 4 + 10 + 5, &seed);
    compare_engines("resize_concat", g, w, h, 2);
    opc_graph_free(g);
}

/* Nearest resize: by factors 2 and 3, to a smaller and a larger blob's size at
 * non-integer ratios, with activations; exact in both engines (a copy and one activation). */
static void resize_nearest_cases(void)
{
    unsigned seed = 5000u;
    for (int threads = 1; threads <= 3; threads += 2) {
        int c = 5, h = 13, w = 11;
        opc_graph *g = tg_new(c);
        int up2 = tg_resize_mode(g, "x_near2", 0, -1, 2, OPC_RESIZE_NEAREST, OPC_ACT_NONE, c, &seed);
        int up3 = tg_resize_mode(g, "x_near3_elu", 0, -1, 3, OPC_RESIZE_NEAREST, OPC_ACT_ELU, c, &seed);
        int p = tg_pool(g, "x_pool", 0, 3, 2, (int[]){1, 1, 1, 1}, 0, 1); /* 7 x 6 */
        int down = tg_resize_mode(g, "x_near_down", up3, p, 0, OPC_RESIZE_NEAREST, OPC_ACT_CLAMP, c, &seed);
        int back = tg_resize_mode(g, "x_near_back", down, up2, 0, OPC_RESIZE_NEAREST, OPC_ACT_SIGMOID, c, &seed);
        int cat = tg_concat(g, "x_cat", 2, (int[]){back, up2});
        tg_head(g, cat, 2 * c, &seed);
        compare_engines(threads == 1 ? "resize_nearest_1" : "resize_nearest_3", g, w, h, threads);
        CHECK(!strcmp(kernel_of(g, "x_near2", w, h), "resize_nearest"), "nearest runs on %s",
              kernel_of(g, "x_near2", w, h));
        opc_graph_free(g);
    }
}

/* A FakeQuantize of blob in with levels and limits (il, ih, ol, oh) per channel (n = c)
 * or shared (n = 1), lim[k * n + ch]. */
static int fake_quantize(opc_graph *g, const char *name, int in, int levels, int n,
                         const float *lim)
{
    opc_error err;
    opc_layer *l = tg_layer(g, OPC_OP_FAKE_QUANTIZE, name, 1, &in);
    l->levels = levels;
    float *w = opc_graph_new_weight(g, &l->weight, 2, (int[]){4, n}, &err);
    memcpy(w, lim, 4 * (size_t)n * sizeof *w);
    return l->output;
}

/* FakeQuantize: shared and per-channel limits, inverted ones, 2 and 256 levels, on exact
 * inputs, so both engines must agree bit for bit (on 1 and 3 threads); and the opset1
 * formula itself on chosen values: below, at and above the limits, ties to even. */
static void fake_quantize_cases(void)
{
    unsigned seed = 6000u;
    for (int threads = 1; threads <= 3; threads += 2) {
        int c = 3, h = 9, w = 10;
        opc_graph *g = tg_new(c);
        int a = fake_quantize(g, "x_fq_shared", 0, 256, 1, (float[]){-0.5f, 0.75f, -0.5f, 0.75f});
        int b = fake_quantize(g, "x_fq_channels", 0, 256, 3,
                              (float[]){-1, 0, 0.2f, 1, 0.5f, 0.9f, -2, 0, 0, 2, 1, 1});
        int d = fake_quantize(g, "x_fq_inverted", b, 2, 1, (float[]){0.5f, -0.5f, 1, -1});
        int s = tg_add(g, "x_sum", 3, (int[]){a, b, d}, OPC_ACT_NONE, c, &seed);
        int e = fake_quantize(g, "x_fq_of_sum", s, 7, 1, (float[]){-2, 2, -3, 3});
        tg_head(g, e, c, &seed);
        compare_engines(threads == 1 ? "fake_quantize_1" : "fake_quantize_3", g, w, h, threads);
        CHECK(!strcmp(kernel_of(g, "x_fq_shared", w, h), "fake_quantize"), "FakeQuantize runs on %s",
              kernel_of(g, "x_fq_shared", w, h));
        opc_graph_free(g);
    }
    /* levels 3 over 0..2 (steps of 1) onto -1..1 */
    static const float x[8] = {-1, 0, 0.5f, 1.5f, 1, 2, 2.5f, 0.49f};
    static const float want[8] = {-1, -1, -1, 1, 0, 1, 1, -1};
    opc_graph *g = tg_new(1);
    fake_quantize(g, "x_fq", 0, 3, 1, (float[]){0, 2, -1, 1});
    tg_head(g, 1, 1, &seed);
    opc_model *m = tg_open(g, dir, "fake_quantize_values");
    for (int e = 0; e < 2; e++) {
        opc_net *net = tg_net(m, e ? OPC_ENGINE_REFERENCE : OPC_ENGINE_FAST, 1);
        opc_tensor in = {0}, out = {0};
        opc_error err;
        opc_tensor_alloc(&in, 1, 1, 1, 8, &err);
        memcpy(in.data, x, sizeof x);
        int rc = opc_net_forward_blob(net, &in, "x_fq", &out, &err);
        CHECK(rc == OPC_OK, "%s", err.msg);
        for (int i = 0; rc == OPC_OK && i < 8; i++)
            CHECK(out.data[i] == want[i], "%s engine: FakeQuantize(%g) = %g, expected %g",
                  e ? "reference" : "fast", x[i], out.data[i], want[i]);
        opc_tensor_free(&in);
        opc_tensor_free(&out);
        opc_net_free(net);
    }
    opc_model_close(m);
    opc_graph_free(g);
}

/* Every case at every CPU level this machine runs (the kernels are compiled for each,
 * core/cpu.h), whatever OPENPOSE_C_CPU says. */
int main(void)
{
    dir = opc_test_tmpdir("engine_ops");
    for (int level = 0; level <= opc_cpu_level_supported(); level++) {
        CHECK(opc_cpu_force_level(level) == OPC_OK, "level %s", opc_cpu_level_name(level));
        int failed = opc_test_failures;
        conv_cases();
        pool_cases();
        eltwise_cases();
        resize_concat_cases();
        resize_nearest_cases();
        fake_quantize_cases();
        if (opc_test_failures > failed)
            fprintf(stderr, "(the failures above: CPU level %s)\n", opc_cpu_level_name(level));
    }
    return opc_test_result();
}
