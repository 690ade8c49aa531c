/* Fuzz target: image decoding (libjpeg-turbo and stb_image behind our header checks, EXIF
 * orientation) and the network input the image command makes from it (scale plan, warp,
 * normalisation). */
#include "fuzz_target.h"
#include "image/image_decode.h"
#include "openpose-c/image.h"

/* Images up to OPC_IMAGE_MAX_PIXELS are valid and decode, slowly: a few hundred
 * megabytes and seconds each. Such inputs are legitimate but would turn the run into
 * timeouts, so the fuzzer decodes under a smaller limit and leaves the real one to the
 * unit tests of the limits. */
#define FUZZ_MAX_PIXELS (4L << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    opc_image img;
    opc_error err;
    if (opc_image_decode_within(data, size, "fuzz", FUZZ_MAX_PIXELS, &img, &err) != OPC_OK)
        return 0;
    /* Two scales at a small net height: one downscales a photo (bilinear), the other often
     * upscales a tiny image (bicubic), and each stays cheap. */
    static const opc_preprocess pp = {.channel_order = "BGR",
                                      .scale = {1.0f / 256, 1.0f / 256, 1.0f / 256},
                                      .offset = {-0.5f, -0.5f, -0.5f},
                                      .stride = 8,
                                      .placement = "top_left",
                                      .size_rule = "multiple",
                                      .size_step = 16,
                                      .net_width = -1,
                                      .net_height = 64};
    opc_input_options o = {.net_width = -1, .net_height = 64, .scale_number = 2, .scale_gap = 0.5};
    opc_view *views;
    int n;
    if (opc_input_views(&pp, &o, img.width, img.height, &views, &n, &err) == OPC_OK) {
        for (int k = 0; k < n; k++) {
            opc_tensor t; /* empty on failure */
            opc_input_make(&img, &views[k], &pp, &t, &err);
            opc_tensor_free(&t);
        }
        free(views);
    }
    opc_image_free(&img);
    return 0;
}
