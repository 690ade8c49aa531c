/* Image decoding: every format round-trips, grey becomes RGB, JPEG EXIF orientation turns
 * the picture as the EXIF specification composes it from mirror and 90-degree turns, and
 * bad files (truncated, huge header sizes, empty, not images) are refused with a message
 * that names the file, before pixel memory is allocated. JPEG specifics: grey and CMYK
 * files, harmless junk between markers, cut data, and a progressive file of 600 scans. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

#include <stb/stb_image_write.h>

#include "openpose-c/files.h"
#include "openpose-c/image.h"
#include "testutil.h"

typedef struct {
    unsigned char *p;
    size_t n, cap;
} buf;

static void sink(void *ctx, void *data, int size)
{
    buf *b = ctx;
    if (b->n + (size_t)size > b->cap) {
        b->cap = (b->n + (size_t)size) * 2;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, data, (size_t)size);
    b->n += (size_t)size;
}

/* 10 x 6 blocks of 8 x 8 pixels in distinct colours (JPEG keeps flat blocks nearly exact). */
static void blocks(opc_image *im)
{
    opc_error err;
    CHECK(opc_image_alloc(im, 80, 48, &err) == OPC_OK, "%s", err.msg);
    for (int y = 0; y < 48; y++)
        for (int x = 0; x < 80; x++)
            for (int c = 0; c < 3; c++)
                im->data[(y * 80 + x) * 3 + c] =
                    (unsigned char)((x / 8 * 53 + y / 8 * 97 + c * 71) % 256);
}

static int same(const opc_image *a, const opc_image *b)
{
    return a->width == b->width && a->height == b->height &&
           memcmp(a->data, b->data, (size_t)a->width * a->height * 3) == 0;
}

/* Test-side primitives: mirror left-right and turn 90 degrees clockwise. */
static opc_image mirror(opc_image in)
{
    opc_image out;
    opc_error err;
    opc_image_alloc(&out, in.width, in.height, &err);
    for (int y = 0; y < in.height; y++)
        for (int x = 0; x < in.width; x++)
            memcpy(out.data + (y * in.width + x) * 3,
                   in.data + (y * in.width + (in.width - 1 - x)) * 3, 3);
    opc_image_free(&in);
    return out;
}

static opc_image turn_cw(opc_image in)
{
    opc_image out;
    opc_error err;
    opc_image_alloc(&out, in.height, in.width, &err);
    /* out(x, y) = in(y, H - 1 - x): the top row becomes the right column. */
    for (int y = 0; y < out.height; y++)
        for (int x = 0; x < out.width; x++)
            memcpy(out.data + (y * out.width + x) * 3,
                   in.data + ((in.height - 1 - x) * in.width + y) * 3, 3);
    opc_image_free(&in);
    return out;
}

/* EXIF: 2 mirror, 3 turn 180, 4 flip (= mirror + 180), 5 mirror then turn 270, 6 turn 90,
 * 7 mirror then turn 90, 8 turn 270 (all clockwise). */
static opc_image upright(const opc_image *raw, int o)
{
    static const char *const steps[9] = {"", "", "m", "rr", "mrr", "mrrr", "r", "mr", "rrr"};
    opc_image im;
    opc_error err;
    opc_image_alloc(&im, raw->width, raw->height, &err);
    memcpy(im.data, raw->data, (size_t)raw->width * raw->height * 3);
    for (const char *s = steps[o]; *s; s++)
        im = *s == 'm' ? mirror(im) : turn_cw(im);
    return im;
}

/* A JPEG with an APP1 Exif block holding only the Orientation tag. */
static buf with_exif(const buf *jpeg, int orientation, int little)
{
    unsigned char t[26];
    const unsigned char ii[] = {'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 1, 3, 0, 1, 0, 0, 0};
    const unsigned char mm[] = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 1, 0x12, 0, 3, 0, 0, 0, 1};
    memcpy(t, little ? ii : mm, 18);
    t[18] = little ? (unsigned char)orientation : 0;
    t[19] = little ? 0 : (unsigned char)orientation;
    memset(t + 20, 0, 6);
    buf out = {0};
    unsigned char head[10] = {0xFF, 0xE1, 0, sizeof t + 8, 'E', 'x', 'i', 'f', 0, 0};
    sink(&out, jpeg->p, 2);  /* SOI */
    sink(&out, head, sizeof head);
    sink(&out, t, sizeof t);
    sink(&out, jpeg->p + 2, (int)jpeg->n - 2);
    return out;
}

static void test_exif(void)
{
    opc_image src, raw;
    opc_error err;
    blocks(&src);
    buf jpeg = {0};
    CHECK(stbi_write_jpg_to_func(sink, &jpeg, 80, 48, 3, src.data, 100), "encode");
    CHECK(opc_image_decode(jpeg.p, jpeg.n, "plain.jpg", &raw, &err) == OPC_OK, "%s", err.msg);
    for (int little = 0; little < 2; little++)
        for (int o = 1; o <= 8; o++) {
            buf e = with_exif(&jpeg, o, little);
            opc_image got, want = upright(&raw, o);
            CHECK(opc_image_decode(e.p, e.n, "exif.jpg", &got, &err) == OPC_OK, "%s", err.msg);
            CHECK(same(&got, &want), "orientation %d (%s): %dx%d, not turned as EXIF says", o,
                  little ? "II" : "MM", got.width, got.height);
            opc_image_free(&got);
            opc_image_free(&want);
            free(e.p);
        }
    opc_image_free(&raw);
    opc_image_free(&src);
    free(jpeg.p);
}

/* A w x h JPEG of `comps` components (3: JCS_RGB, 4: JCS_CMYK, stored as YCCK when ycck)
 * encoded by libjpeg at quality 100, progressive when asked. */
static buf encode_jpeg(const unsigned char *px, int w, int h, int comps, int ycck,
                       int progressive)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr e;
    unsigned char *mem = NULL;
    unsigned long size = 0;
    c.err = jpeg_std_error(&e);
    jpeg_create_compress(&c);
    jpeg_mem_dest(&c, &mem, &size);
    c.image_width = (JDIMENSION)w;
    c.image_height = (JDIMENSION)h;
    c.input_components = comps;
    c.in_color_space = comps == 4 ? JCS_CMYK : JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 100, TRUE);
    if (ycck) {
        jpeg_set_colorspace(&c, JCS_YCCK);
        for (int i = 0; i < c.num_components; i++) /* no chroma subsampling: flat blocks */
            c.comp_info[i].h_samp_factor = c.comp_info[i].v_samp_factor = 1;
    }
    if (progressive)
        jpeg_simple_progression(&c);
    jpeg_start_compress(&c, TRUE);
    while (c.next_scanline < c.image_height) {
        JSAMPROW row = (JSAMPROW)px + (size_t)c.next_scanline * w * comps;
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    buf b = {0};
    sink(&b, mem, (int)size);
    free(mem);
    return b;
}

static void test_jpeg(void)
{
    opc_image src, plain, got;
    opc_error err;
    blocks(&src);
    buf jpeg = encode_jpeg(src.data, 80, 48, 3, 0, 0);
    CHECK(opc_image_decode(jpeg.p, jpeg.n, "plain.jpg", &plain, &err) == OPC_OK, "%s", err.msg);

    /* Grey: R = G = B, the grey written (flat blocks at quality 100: within 1). */
    unsigned char grey[80 * 48];
    for (int i = 0; i < 80 * 48; i++)
        grey[i] = src.data[3 * i];
    buf g = {0};
    CHECK(stbi_write_jpg_to_func(sink, &g, 80, 48, 1, grey, 100), "encode grey");
    CHECK(opc_image_decode(g.p, g.n, "grey.jpg", &got, &err) == OPC_OK, "%s", err.msg);
    int bad = 0;
    for (int i = 0; i < 80 * 48 && got.data; i++)
        bad += got.data[3 * i] != got.data[3 * i + 1] || got.data[3 * i] != got.data[3 * i + 2] ||
               abs(got.data[3 * i] - grey[i]) > 1;
    CHECK(got.data && bad == 0, "grey JPEG: %d pixels not the grey repeated", bad);
    opc_image_free(&got);
    free(g.p);

    /* CMYK (Adobe, stored inverted as libjpeg writes it), as such and as YCCK: imread's
     * conversion, each of R, G, B = k - (255 - v) * k / 256 for v = c, m, y. Flat blocks
     * come back within 1 (2 through YCCK's colour transform), so the RGB within 3. */
    unsigned char *cmyk = malloc(80 * 48 * 4);
    for (int i = 0; i < 80 * 48; i++) {
        memcpy(cmyk + 4 * i, src.data + 3 * i, 3);
        cmyk[4 * i + 3] = (unsigned char)(255 - src.data[3 * i] / 2);
    }
    for (int ycck = 0; ycck < 2; ycck++) {
        buf k = encode_jpeg(cmyk, 80, 48, 4, ycck, 0);
        CHECK(opc_image_decode(k.p, k.n, "cmyk.jpg", &got, &err) == OPC_OK, "%s", err.msg);
        bad = 0;
        for (int i = 0; i < 80 * 48 && got.data; i++)
            for (int ch = 0; ch < 3; ch++) {
                int kk = cmyk[4 * i + 3], v = cmyk[4 * i + ch];
                bad += abs(got.data[3 * i + ch] - (kk - (255 - v) * kk / 256)) > 3;
            }
        CHECK(got.data && bad == 0, "%s JPEG: %d values off imread's conversion",
              ycck ? "YCCK" : "CMYK", bad);
        opc_image_free(&got);
        free(k.p);
    }
    free(cmyk);

    /* Junk bytes after the first segment (APP0): libjpeg warns and goes on, as imread
     * does. */
    int app0 = 4 + (jpeg.p[4] << 8 | jpeg.p[5]);
    buf junk = {0};
    sink(&junk, jpeg.p, app0);
    sink(&junk, "junk", 4);
    sink(&junk, jpeg.p + app0, (int)jpeg.n - app0);
    CHECK(opc_image_decode(junk.p, junk.n, "junk.jpg", &got, &err) == OPC_OK && same(&got, &plain),
          "junk between markers: %s", err.msg);
    opc_image_free(&got);
    free(junk.p);

    /* Cut: an error, not a picture padded with grey. */
    CHECK(opc_image_decode(jpeg.p, jpeg.n * 2 / 3, "cut.jpg", &got, &err) == OPC_ERR_FORMAT &&
              !got.data && strstr(err.msg, "cut.jpg: corrupt or truncated image"),
          "cut JPEG: %s", err.msg);

    /* A progressive file whose last scan is repeated 600 times (each one a full pass):
     * refused at scan 501, where a crafted small file would otherwise decode for minutes. */
    buf prog = encode_jpeg(src.data, 80, 48, 3, 0, 1);
    size_t last = 0;
    for (size_t i = 0; i + 1 < prog.n; i++)
        if (prog.p[i] == 0xFF && prog.p[i + 1] == 0xDA)
            last = i;
    buf many = {0};
    sink(&many, prog.p, (int)last);
    for (int r = 0; r < 600; r++)
        sink(&many, prog.p + last, (int)(prog.n - 2 - last));
    sink(&many, prog.p + prog.n - 2, 2);
    CHECK(opc_image_decode(prog.p, prog.n, "prog.jpg", &got, &err) == OPC_OK, "%s", err.msg);
    opc_image_free(&got);
    CHECK(opc_image_decode(many.p, many.n, "scans.jpg", &got, &err) == OPC_ERR_FORMAT &&
              !got.data && strstr(err.msg, "scans.jpg: corrupt or truncated image (more than 500 scans)"),
          "600 scans: %s", err.msg);
    free(prog.p);
    free(many.p);
    opc_image_free(&plain);
    opc_image_free(&src);
    free(jpeg.p);
}

/* Lossless formats decode to the very pixels written; grey PGM becomes equal RGB. */
static void test_formats(void)
{
    opc_image src, got;
    opc_error err;
    blocks(&src);
    buf png = {0}, bmp = {0}, tga = {0};
    stbi_write_png_to_func(sink, &png, 80, 48, 3, src.data, 80 * 3);
    stbi_write_bmp_to_func(sink, &bmp, 80, 48, 3, src.data);
    stbi_write_tga_to_func(sink, &tga, 80, 48, 3, src.data);
    const buf *all[] = {&png, &bmp, &tga};
    for (int i = 0; i < 3; i++) {
        CHECK(opc_image_decode(all[i]->p, all[i]->n, "x", &got, &err) == OPC_OK, "%s", err.msg);
        CHECK(same(&got, &src), "format %d does not round-trip", i);
        opc_image_free(&got);
    }
    /* P6 and P5 (grey) written by hand. */
    buf ppm = {0}, pgm = {0};
    const char *h6 = "P6\n# comment\n80 48\n255\n", *h5 = "P5 80 48 255\n";
    sink(&ppm, (void *)h6, (int)strlen(h6));
    sink(&ppm, src.data, 80 * 48 * 3);
    sink(&pgm, (void *)h5, (int)strlen(h5));
    for (int i = 0; i < 80 * 48; i++)
        sink(&pgm, src.data + i * 3, 1);
    CHECK(opc_image_decode(ppm.p, ppm.n, "x.ppm", &got, &err) == OPC_OK, "%s", err.msg);
    CHECK(same(&got, &src), "PPM does not round-trip");
    opc_image_free(&got);
    CHECK(opc_image_decode(pgm.p, pgm.n, "x.pgm", &got, &err) == OPC_OK, "%s", err.msg);
    int grey_ok = got.width == 80 && got.height == 48;
    for (int i = 0; grey_ok && i < 80 * 48; i++)
        grey_ok = got.data[i * 3] == src.data[i * 3] && got.data[i * 3 + 1] == src.data[i * 3] &&
                  got.data[i * 3 + 2] == src.data[i * 3];
    CHECK(grey_ok, "PGM is not grey RGB");
    opc_image_free(&got);
    /* A 16-bit PGM is grey RGB too (stb's own grey->RGB step overran its buffer here).
     * Which byte of a sample stb keeps is its business (2.27 keeps the low one). */
    static const char pgm16[] = "P5\n2 1\n65535\n\x12\x34\xab\xcd";
    CHECK(opc_image_decode(pgm16, sizeof pgm16 - 1, "x16.pgm", &got, &err) == OPC_OK, "%s",
          err.msg);
    CHECK(got.width == 2 && got.height == 1 && got.data && got.data[0] == got.data[2] &&
              got.data[3] == got.data[5] && got.data[0] != got.data[3],
          "16-bit PGM is not grey RGB");
    opc_image_free(&got);

    /* Cut files of the formats whose decoder would fill the rest with black, and a PNG
     * (its chunks' lengths are checked before stb allocates them). */
    CHECK(opc_image_decode(bmp.p, bmp.n - 100, "cut.bmp", &got, &err) == OPC_ERR_FORMAT &&
              strstr(err.msg, "cut.bmp: truncated"),
          "cut BMP: %s", err.msg);
    CHECK(opc_image_decode(ppm.p, ppm.n - 1, "cut.ppm", &got, &err) == OPC_ERR_FORMAT &&
              strstr(err.msg, "cut.ppm: truncated"),
          "cut PPM: %s", err.msg);
    CHECK(opc_image_decode(png.p, png.n / 2, "cut.png", &got, &err) == OPC_ERR_FORMAT &&
              strstr(err.msg, "cut.png: truncated"),
          "cut PNG: %s", err.msg);

    /* Writing: PNG reads back identical, JPEG at the right size; atomically named. */
    char path[8300];
    snprintf(path, sizeof path, "%s/w.png", opc_test_tmpdir("test_image"));
    CHECK(opc_image_write(path, &src, &err) == OPC_OK, "%s", err.msg);
    CHECK(opc_image_load(path, &got, &err) == OPC_OK && same(&got, &src), "PNG write: %s",
          err.msg);
    opc_image_free(&got);
    strcpy(path + strlen(path) - 3, "jpg");
    CHECK(opc_image_write(path, &src, &err) == OPC_OK, "%s", err.msg);
    unsigned char *bytes;
    size_t n;
    CHECK(opc_read_file(path, 1 << 20, &bytes, &n, &err) == OPC_OK && n > 2 && bytes[0] == 0xFF &&
              bytes[1] == 0xD8,
          "not a JPEG");
    free(bytes);
    free(png.p);
    free(bmp.p);
    free(tga.p);
    free(ppm.p);
    free(pgm.p);
    opc_image_free(&src);
}

/* Headers claiming huge sizes: refused by size, naming the file and the size. */
static void test_huge(void)
{
    opc_image got;
    opc_error err;
    const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13,
                                 'I', 'H', 'D', 'R', 0, 1, 0x86, 0xA0, 0, 0, 0x4E, 0x20,
                                 8, 2, 0, 0, 0, 0, 0, 0, 0};
    CHECK(opc_image_decode(png, sizeof png, "big.png", &got, &err) == OPC_ERR_NOMEM &&
              strstr(err.msg, "big.png: image is 100000x20000"),
          "huge PNG: %s", err.msg);
    /* JPEG: SOI, then a baseline frame header of 30000 x 20000 (height first). */
    const unsigned char jpg[] = {0xFF, 0xD8, 0xFF, 0xC0, 0, 11, 8, 0x4E, 0x20, 0x75, 0x30, 1, 1,
                                 0x11, 0};
    CHECK(opc_image_decode(jpg, sizeof jpg, "big.jpg", &got, &err) == OPC_ERR_NOMEM &&
              strstr(err.msg, "big.jpg: image is 30000x20000"),
          "huge JPEG: %s", err.msg);
    /* 12000 x 9000 is under the side limit but over 100 megapixels. */
    const unsigned char bmp[54] = {'B', 'M', 54, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0, 40, 0, 0, 0,
                                   0xE0, 0x2E, 0, 0, 0x28, 0x23, 0, 0, 1, 0, 24};
    CHECK(opc_image_decode(bmp, sizeof bmp, "big.bmp", &got, &err) == OPC_ERR_NOMEM &&
              strstr(err.msg, "big.bmp: image is 12000x9000"),
          "108 MP BMP: %s", err.msg);
    CHECK(opc_image_decode("", 0, "e.jpg", &got, &err) == OPC_ERR_FORMAT &&
              strcmp(err.msg, "e.jpg: empty file") == 0,
          "empty: %s", err.msg);
    CHECK(opc_image_decode("GIF89a....", 10, "g.gif", &got, &err) == OPC_ERR_FORMAT &&
              strstr(err.msg, "g.gif: not a JPEG, PNG, BMP, PPM/PGM or TGA image"),
          "GIF: %s", err.msg);
}

int main(void)
{
    test_exif();
    test_jpeg();
    test_formats();
    test_huge();
    return opc_test_result();
}
