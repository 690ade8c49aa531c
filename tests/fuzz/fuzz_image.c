/* Fuzz target: image decoding (stb_image behind our header checks, EXIF orientation) and
 * the network input the image command makes from it (scale plan, warp, normalisation). */
#include <stb/stb_image.h>

#include "fuzz_target.h"
#include "openpose-c/image.h"

/* Images up to OPC_IMAGE_MAX_PIXELS are valid and decode, slowly: a few hundred
 * megabytes and seconds each. Such inputs are legitimate but would turn the run into
 * timeouts, so the fuzzer leaves them to the unit tests of the limits. */
#define FUZZ_MAX_PIXELS (4L << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int w, h, comp;
    if (size <= 0x7fffffff && stbi_info_from_memory(data, (int)size, &w, &h, &comp) &&
        (long)w * h > FUZZ_MAX_PIXELS)
        return 0;
    opc_image img;
    opc_error err;
    if (opc_image_decode(data, size, "fuzz", &img, &err) != OPC_OK)
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
