/* Skeletons drawn the way OpenPose's CPU renderer (renderKeypointsCpu) draws them: per
 * person, line and circle sizes follow the person's size relative to the image; limbs
 * are thick lines in the colour of their second part, parts are discs in their own
 * colour, limbs first. Parts at or below the render threshold are not drawn. */
#include "openpose-c/image.h"

#include <math.h>

#define RENDER_THRESHOLD 0.05f     /* OpenPose's --render_threshold default */
#define BOX_THRESHOLD 0.1f         /* parts that count for the person's size */
#define CIRCLE_RATIO (1.f / 75.f)  /* thickness relative to sqrt(image area) */
#define LINE_RATIO 0.75f           /* line thickness relative to circle thickness */

static int int_round(float v) { return (int)(v + 0.5f); }

static void put(opc_image *im, int x, int y, const unsigned char *rgb)
{
    if (x < 0 || y < 0 || x >= im->width || y >= im->height)
        return;
    unsigned char *p = im->data + ((size_t)y * im->width + x) * 3;
    p[0] = rgb[0];
    p[1] = rgb[1];
    p[2] = rgb[2];
}

/* Pixels within half the thickness of the segment (round caps, like cv::line). */
static void thick_line(opc_image *im, int x0, int y0, int x1, int y1, int thickness,
                       const unsigned char *rgb)
{
    float r = thickness / 2.f, dx = (float)(x1 - x0), dy = (float)(y1 - y0);
    float len2 = dx * dx + dy * dy;
    int xa = (int)floorf(fminf(x0, x1) - r), xb = (int)ceilf(fmaxf(x0, x1) + r);
    int ya = (int)floorf(fminf(y0, y1) - r), yb = (int)ceilf(fmaxf(y0, y1) + r);
    xa = xa < 0 ? 0 : xa;
    ya = ya < 0 ? 0 : ya;
    xb = xb >= im->width ? im->width - 1 : xb;
    yb = yb >= im->height ? im->height - 1 : yb;
    for (int y = ya; y <= yb; y++)
        for (int x = xa; x <= xb; x++) {
            float t = len2 > 0 ? ((x - x0) * dx + (y - y0) * dy) / len2 : 0;
            t = t < 0 ? 0 : t > 1 ? 1 : t;
            float ex = x - (x0 + t * dx), ey = y - (y0 + t * dy);
            if (ex * ex + ey * ey <= r * r)
                put(im, x, y, rgb);
        }
}

/* A disc of radius r_out, hollow inside r_in (r_in < 0: filled). */
static void ring(opc_image *im, int cx, int cy, float r_in, float r_out, const unsigned char *rgb)
{
    int R = (int)ceilf(r_out);
    for (int y = cy - R; y <= cy + R; y++)
        for (int x = cx - R; x <= cx + R; x++) {
            float d2 = (float)((x - cx) * (x - cx) + (y - cy) * (y - cy));
            if (d2 <= r_out * r_out && (r_in < 0 || d2 >= r_in * r_in))
                put(im, x, y, rgb);
        }
}

static void render_person(opc_image *im, const opc_keypoint_set *t, const float *kp)
{
    float x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (int k = 0; k < t->num_parts; k++)
        if (kp[3 * k + 2] > BOX_THRESHOLD) {
            x0 = fminf(x0, kp[3 * k]);
            x1 = fmaxf(x1, kp[3 * k]);
            y0 = fminf(y0, kp[3 * k + 1]);
            y1 = fmaxf(y1, kp[3 * k + 1]);
        }
    if (!(x1 > x0 && y1 > y0))
        return;  /* OpenPose skips people whose box has no area */
    float ratio = fminf(1.f, fmaxf((x1 - x0) / im->width, (y1 - y0) / im->height));
    int thick = int_round(sqrtf((float)im->width * im->height) * CIRCLE_RATIO * ratio);
    thick = thick < 2 ? 2 : thick;
    int line = int_round(thick * LINE_RATIO);
    line = line < 1 ? 1 : line;
    int radius = thick / 2;
    for (int i = 0; i < t->num_skeleton; i++) {
        int a = t->skeleton[i][0], b = t->skeleton[i][1];
        if (kp[3 * a + 2] > RENDER_THRESHOLD && kp[3 * b + 2] > RENDER_THRESHOLD)
            thick_line(im, int_round(kp[3 * a]), int_round(kp[3 * a + 1]), int_round(kp[3 * b]),
                       int_round(kp[3 * b + 1]), line, t->colors[b]);
    }
    for (int k = 0; k < t->num_parts; k++) {
        if (kp[3 * k + 2] <= RENDER_THRESHOLD)
            continue;
        int cx = int_round(kp[3 * k]), cy = int_round(kp[3 * k + 1]);
        /* Large people: a circle as thick as its radius, i.e. a disc; small: a thin ring. */
        if (ratio > 0.05f)
            ring(im, cx, cy, -1.f, radius + thick / 2.f, t->colors[k]);
        else
            ring(im, cx, cy, radius - 0.5f, radius + 0.5f, t->colors[k]);
    }
}

void opc_render_people(opc_image *img, const opc_keypoint_set *t, const opc_people *people)
{
    for (int p = 0; p < people->count; p++)
        render_person(img, t, people->keypoints + (size_t)p * people->num_parts * 3);
}
