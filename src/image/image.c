/* Decoding images, defensively: JPEG with libjpeg-turbo (io/jpeg.c), the other formats with
 * stb_image. The dimensions in the header are checked before any pixel memory is
 * allocated, formats whose decoder would silently fill a truncated file with black
 * (uncompressed BMP, binary PNM) are length-checked, and so are PNG chunks, whose stated
 * lengths stb allocates before reading. JPEG photos are turned upright by their EXIF
 * orientation, as OpenCV's imread does. */
#include "openpose-c/image.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include "openpose-c/error.h"
#include "openpose-c/files.h"
#include "image/exif.h"
#include "image/image_decode.h"
#include "image/jpeg.h"

static unsigned rd16(const unsigned char *p) { return p[0] | (unsigned)p[1] << 8; }
static unsigned rd32(const unsigned char *p) { return rd16(p) | (unsigned)rd16(p + 2) << 16; }
static unsigned be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }
static unsigned be32(const unsigned char *p) { return be16(p) << 16 | be16(p + 2); }

/* The dimensions a PNG, JPEG or BMP header claims. stb_image's own header reader gives up
 * on huge sizes without saying which, so these are read here for a useful message. */
static int claimed_size(const unsigned char *d, size_t n, long long *w, long long *h)
{
    if (n >= 24 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0 && memcmp(d + 12, "IHDR", 4) == 0) {
        *w = be32(d + 16);
        *h = be32(d + 20);
        return 1;
    }
    if (n >= 26 && d[0] == 'B' && d[1] == 'M') {
        int core = rd32(d + 14) == 12;  /* OS/2 header: 16-bit sizes */
        *w = core ? (int)rd16(d + 18) : (int)rd32(d + 18);
        *h = core ? (int)rd16(d + 20) : (int)rd32(d + 22);
        *w = *w < 0 ? -*w : *w;
        *h = *h < 0 ? -*h : *h;
        return 1;
    }
    if (n < 4 || d[0] != 0xFF || d[1] != 0xD8)
        return 0;
    for (size_t i = 2; i + 4 <= n;) {  /* JPEG: walk the segments up to the frame header */
        if (d[i] != 0xFF)
            return 0;
        unsigned m = d[i + 1];
        if (m == 0xFF) {
            i++;
            continue;
        }
        if (m == 0xDA || m == 0xD9)
            return 0;
        int sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
        if (sof && i + 9 <= n) {
            *h = be16(d + i + 5);
            *w = be16(d + i + 7);
            return 1;
        }
        i += 2 + be16(d + i + 2);
    }
    return 0;
}

int opc_image_fail_too_large(opc_error *err, const char *name, long long w, long long h,
                             long max_pixels)
{
    return opc_fail(err, OPC_ERR_NOMEM,
                    "%s: image is %lldx%lld, larger than the limit of %d pixels per side and "
                    "%g megapixels",
                    name, w, h, OPC_IMAGE_MAX_SIDE, max_pixels / 1e6);
}

/* Bytes an uncompressed Windows BMP needs (0 when not applicable): pixel offset + rows
 * padded to 4 bytes. stb reads past the end as zeros, so a cut file would decode. */
static size_t bmp_needed(const unsigned char *d, size_t n)
{
    if (n < 34 || d[0] != 'B' || d[1] != 'M' || rd32(d + 14) < 40)
        return 0;
    unsigned compression = rd32(d + 30);
    if (compression != 0 && compression != 3)  /* RLE sizes are data-dependent */
        return 0;
    long long w = (int)rd32(d + 18), h = (int)rd32(d + 22), bpp = rd16(d + 28);
    if (h < 0)
        h = -h;
    return (size_t)(rd32(d + 10) + (w * bpp + 31) / 32 * 4 * h);
}

/* Bytes a PNG's chunks claim, up to IEND (0 when not a PNG). stb grows its buffer to a
 * chunk's stated length before reading it, so a 300-byte file could make it allocate
 * gigabytes on the way to failing. */
static size_t png_needed(const unsigned char *d, size_t n)
{
    if (n < 8 || memcmp(d, "\x89PNG\r\n\x1a\n", 8) != 0)
        return 0;
    size_t i = 8;
    while (i + 8 <= n) {
        size_t end = i + 12 + (size_t)be32(d + i);  /* length, type, data, CRC */
        if (end > n || memcmp(d + i + 4, "IEND", 4) == 0)
            return end;
        i = end;
    }
    return i;
}

/* Bytes a binary PGM/PPM (P5/P6) needs, header included; 0 when not one. */
static size_t pnm_needed(const unsigned char *d, size_t n)
{
    if (n < 3 || d[0] != 'P' || (d[1] != '5' && d[1] != '6'))
        return 0;
    long long v[3];
    size_t i = 2;
    for (int k = 0; k < 3; k++) {
        for (;;) {  /* whitespace and # comments */
            while (i < n && strchr(" \t\r\n\v\f", d[i]) && d[i])
                i++;
            if (i < n && d[i] == '#') {
                while (i < n && d[i] != '\n')
                    i++;
                continue;
            }
            break;
        }
        if (i >= n || d[i] < '0' || d[i] > '9')
            return 0;
        for (v[k] = 0; i < n && d[i] >= '0' && d[i] <= '9' && v[k] < 1000000; i++)
            v[k] = v[k] * 10 + (d[i] - '0');
    }
    long long bytes = v[0] * v[1] * (d[1] == '6' ? 3 : 1) * (v[2] > 255 ? 2 : 1);
    return (size_t)(i + 1 + bytes);
}

/* n pixels of c channels (grey, grey+alpha, RGBA) as RGB, as stb converts them: grey is
 * repeated, alpha dropped. NULL when out of memory. */
static unsigned char *to_rgb(const unsigned char *px, size_t n, int c)
{
    unsigned char *rgb = malloc(n * 3);
    if (!rgb)
        return NULL;
    for (size_t i = 0; i < n; i++, px += c)
        for (int k = 0; k < 3; k++)
            rgb[3 * i + k] = px[c < 3 ? 0 : k];
    return rgb;
}

/* A PNG, BMP, PPM/PGM or TGA, decoded by stb into img as RGB. */
static int decode_stb(const unsigned char *data, size_t size, const char *name, long max_pixels,
                      opc_image *img, opc_error *err)
{
    int w, h, comp;
    /* Netpbm's plain (ASCII) forms: stb reads only the binary P5 and P6. */
    if (size >= 2 && data[0] == 'P' && data[1] >= '1' && data[1] <= '4')
        return opc_fail(err, OPC_ERR_FORMAT, "%s: a plain (ASCII) or bitmap Netpbm image (P%c) "
                        "is not supported: binary PGM/PPM (P5, P6) is", name, data[1]);
    if (!stbi_info_from_memory(data, (int)size, &w, &h, &comp))
        return opc_fail(err, OPC_ERR_FORMAT,
                        "%s: not a JPEG, PNG, BMP, PPM/PGM or TGA image (%s)", name,
                        stbi_failure_reason());
    if (w <= 0 || h <= 0 || opc_image_too_large(w, h, max_pixels))
        return opc_image_fail_too_large(err, name, w, h, max_pixels);
    size_t need = bmp_needed(data, size);
    if (!need)
        need = pnm_needed(data, size);
    if (!need)
        need = png_needed(data, size);
    if (need > size)
        return opc_fail(err, OPC_ERR_FORMAT, "%s: truncated image (%zu of %zu bytes)", name,
                        size, need);
    /* The image's own channel count, not 3: stb's channel conversion of 16-bit PGM/PPM
     * sizes its buffer for 8-bit samples and overruns it (Debian's stb 2.27). */
    int dw, dh, dc;
    unsigned char *px = stbi_load_from_memory(data, (int)size, &dw, &dh, &dc, 0);
    if (!px)
        return opc_fail(err, OPC_ERR_FORMAT, "%s: corrupt or truncated image (%s)", name,
                        stbi_failure_reason());
    if (dw != w || dh != h) {
        stbi_image_free(px);
        return opc_fail(err, OPC_ERR_FORMAT, "%s: corrupt image (header says %dx%d, data %dx%d)",
                        name, w, h, dw, dh);
    }
    if (dc != 3) {
        unsigned char *rgb = to_rgb(px, (size_t)w * h, dc);
        stbi_image_free(px);
        if (!rgb)
            return opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory for %dx%d", name, w, h);
        px = rgb;
    }
    *img = (opc_image){w, h, px};
    return OPC_OK;
}

/* A JPEG, turned upright by its EXIF orientation. */
static int decode_jpeg(const unsigned char *data, size_t size, const char *name, long max_pixels,
                       opc_image *img, opc_error *err)
{
    int rc = opc_jpeg_decode(data, size, name, max_pixels, img, err);
    int o = rc == OPC_OK ? opc_exif_orientation(data, size) : 1;
    if (o == 1)
        return rc;
    int w = img->width, h = img->height;
    unsigned char *turned = opc_exif_apply(img->data, w, h, o, &w, &h);
    if (!turned) {
        opc_image_free(img);
        return opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory for %dx%d", name, w, h);
    }
    free(img->data);
    *img = (opc_image){w, h, turned};
    return OPC_OK;
}

int opc_image_decode_within(const void *data, size_t size, const char *name, long max_pixels,
                            opc_image *img, opc_error *err)
{
    memset(img, 0, sizeof *img);
    if (size == 0)
        return opc_fail(err, OPC_ERR_FORMAT, "%s: empty file", name);
    if (size > (size_t)0x7fffffff)
        return opc_fail(err, OPC_ERR_FORMAT, "%s: file too large (%zu bytes)", name, size);
    long long cw, ch;
    if (claimed_size(data, size, &cw, &ch) && opc_image_too_large(cw, ch, max_pixels))
        return opc_image_fail_too_large(err, name, cw, ch, max_pixels);
    return opc_is_jpeg(data, size) ? decode_jpeg(data, size, name, max_pixels, img, err)
                                   : decode_stb(data, size, name, max_pixels, img, err);
}

int opc_image_decode(const void *data, size_t size, const char *name, opc_image *img,
                     opc_error *err)
{
    return opc_image_decode_within(data, size, name, OPC_IMAGE_MAX_PIXELS, img, err);
}

int opc_image_load(const char *path, opc_image *img, opc_error *err)
{
    unsigned char *buf;
    size_t n;
    memset(img, 0, sizeof *img);
    int rc = opc_read_file(path, OPC_IMAGE_MAX_FILE_BYTES, &buf, &n, err);
    if (rc != OPC_OK)
        return rc;
    rc = opc_image_decode(buf, n, strcmp(path, "-") == 0 ? "(stdin)" : path, img, err);
    free(buf);
    return rc;
}

int opc_image_alloc(opc_image *img, int width, int height, opc_error *err)
{
    memset(img, 0, sizeof *img);
    if (width <= 0 || height <= 0 || width > OPC_IMAGE_MAX_SIDE || height > OPC_IMAGE_MAX_SIDE)
        return opc_fail(err, OPC_ERR_ARG, "image: bad size %dx%d", width, height);
    /* malloc, not stbi's allocator: stbi_image_free is free(). */
    img->data = calloc((size_t)width * height, 3);
    if (!img->data)
        return opc_fail(err, OPC_ERR_NOMEM, "image: out of memory for %dx%d", width, height);
    img->width = width;
    img->height = height;
    return OPC_OK;
}

void opc_image_free(opc_image *img)
{
    if (!img)
        return;
    stbi_image_free(img->data);
    memset(img, 0, sizeof *img);
}

static void write_to_file(void *ctx, void *data, int size)
{
    FILE *f = ctx;
    fwrite(data, 1, (size_t)size, f);
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

int opc_image_write(const char *path, const opc_image *img, opc_error *err)
{
    opc_atomic_file af;
    int rc = opc_atomic_open(&af, path, err);
    if (rc != OPC_OK)
        return rc;
    int ok;
    if (has_suffix(path, ".jpg") || has_suffix(path, ".jpeg"))
        ok = stbi_write_jpg_to_func(write_to_file, af.f, img->width, img->height, 3, img->data, 90);
    else
        ok = stbi_write_png_to_func(write_to_file, af.f, img->width, img->height, 3, img->data,
                                    img->width * 3);
    if (!ok) {
        opc_atomic_abort(&af);
        return opc_fail(err, OPC_ERR_IO, "%s: cannot encode the picture", path);
    }
    return opc_atomic_commit(&af, err);
}
