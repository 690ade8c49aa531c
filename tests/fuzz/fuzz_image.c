/* Fuzz target: image decoding (libjpeg-turbo and stb_image behind our header checks, EXIF
 * orientation) and the network input the image command makes from it (scale plan, warp,
 * normalisation). */
#include "fuzz_target.h"
#include "image/image_decode.h"

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
    static const opc_preprocess pp = {"BGR", 1.0f / 256, {-0.5f, -0.5f, -0.5f}, 0, 8, -1, 64};
    opc_scale_plan plan;
    if (opc_scale_plan_make(img.width, img.height, -1, 64, 2, 0.5, &plan, &err) == OPC_OK)
        for (int k = 0; k < plan.count; k++) {
            opc_tensor t; /* empty on failure */
            opc_image_to_input(&img, plan.scale[k], plan.net_w[k], plan.net_h[k], &pp, &t, &err);
            opc_tensor_free(&t);
        }
    opc_image_free(&img);
    return 0;
}
