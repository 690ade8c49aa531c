/* OpenCV's bicubic interpolation weights (Keys, a = -0.75) of the four taps around a point at
 * fraction t in [0, 1) past tap 1, in OpenCV's float arithmetic: the network input's warp
 * (image/) and the maps' upsampling (decode/paf/) both reproduce OpenCV to the last bit. */
#ifndef OPC_CORE_CUBIC_H
#define OPC_CORE_CUBIC_H

static inline void opc_cubic_coeffs(float t, float w[4])
{
    const float A = -0.75f;
    w[0] = ((A * (t + 1) - 5 * A) * (t + 1) + 8 * A) * (t + 1) - 4 * A;
    w[1] = ((A + 2) * t - (A + 3)) * t * t + 1;
    w[2] = ((A + 2) * (1 - t) - (A + 3)) * (1 - t) * (1 - t) + 1;
    w[3] = 1.f - w[0] - w[1] - w[2];
}

#endif
