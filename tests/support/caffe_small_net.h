/* A small Caffe net using every supported layer kind, for the damage sweeps
 * (test_convert_caffe_fuzz) and as the fixed network of the caffemodel fuzz target. */
#ifndef OPC_TEST_CAFFE_SMALL_NET_H
#define OPC_TEST_CAFFE_SMALL_NET_H

static const char CAFFE_SMALL_NET[] =
    "input: \"data\"\n"
    "input_shape { dim: 1 dim: 3 dim: 8 dim: 8 }\n"
    "layer { name: \"c1\" type: \"Convolution\" bottom: \"data\" top: \"c1\"\n"
    "  convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }\n"
    "layer { name: \"bn\" type: \"BatchNorm\" bottom: \"c1\" top: \"c1\" }\n"
    "layer { name: \"sc\" type: \"Scale\" bottom: \"c1\" top: \"c1\" scale_param { bias_term: true "
    "} }\n"
    "layer { name: \"pr\" type: \"PReLU\" bottom: \"c1\" top: \"c1\" }\n"
    "layer { name: \"sp\" type: \"Split\" bottom: \"c1\" top: \"s1\" top: \"s2\" }\n"
    "layer { name: \"sum\" type: \"Eltwise\" bottom: \"s1\" bottom: \"s2\" top: \"sum\" }\n"
    "layer { name: \"p1\" type: \"Pooling\" bottom: \"sum\" top: \"p1\"\n"
    "  pooling_param { pool: MAX kernel_size: 2 stride: 2 } }\n"
    "layer { name: \"out\" type: \"Convolution\" bottom: \"p1\" top: \"o\"\n"
    "  convolution_param { num_output: 40 kernel_size: 1 } }\n"
    "layer { name: \"cat\" type: \"Concat\" bottom: \"o\" bottom: \"p1\" top: \"out\" }\n";

#endif
