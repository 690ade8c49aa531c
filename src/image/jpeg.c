/* JPEG decoding with libjpeg-turbo (see jpeg.h). libjpeg reports fatal errors by calling
 * error_exit, which must not return: it jumps back to the decode call, which frees what it
 * holds and returns the library's own one-line message. */
#include "image/jpeg.h"

#include <setjmp.h>
#include <stdio.h> /* jpeglib.h needs FILE */
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h> /* the message codes */

#include "openpose-c/error.h"
#include "image/image_decode.h"

/* A progressive JPEG may hold any number of scans, each a pass over the whole image: a
 * crafted 1 KB file with thousands of them decodes for minutes. Real encoders write at most
 * a few dozen; libjpeg-turbo's own tools stop at 500. */
#define MAX_SCANS 500

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    char msg[JMSG_LENGTH_MAX];
    int data_lost; /* a warning that means pixels were made up */
} jpeg_errors;

static void on_error(j_common_ptr c)
{
    jpeg_errors *e = (jpeg_errors *)c->err;
    c->err->format_message(c, e->msg);
    longjmp(e->jump, 1);
}

/* Warnings (level -1) go on decoding. Most are harmless (extraneous bytes between markers,
 * an unknown JFIF version); those after which libjpeg fills the rest with grey or guesses
 * the data make the decode fail, keeping the first message. Trace messages are dropped. */
static void on_message(j_common_ptr c, int level)
{
    jpeg_errors *e = (jpeg_errors *)c->err;
    if (level >= 0 || e->data_lost)
        return;
    int code = c->err->msg_code;
    if (code == JWRN_JPEG_EOF || code == JWRN_HIT_MARKER || code == JWRN_HUFF_BAD_CODE ||
        code == JWRN_ARITH_BAD_CODE || code == JWRN_MUST_RESYNC) {
        c->err->format_message(c, e->msg);
        e->data_lost = 1;
    }
}

static void on_progress(j_common_ptr c)
{
    if (((j_decompress_ptr)c)->input_scan_number > MAX_SCANS) {
        jpeg_errors *e = (jpeg_errors *)c->err;
        snprintf(e->msg, sizeof e->msg, "more than %d scans", MAX_SCANS);
        longjmp(e->jump, 1);
    }
}

int opc_is_jpeg(const unsigned char *data, size_t size)
{
    return size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF;
}

/* CMYK as Adobe writes it (inverted, as libjpeg returns it) to RGB, imread's formula:
 * each of c, m, y becomes k - (255 - v) * k / 256. */
static void cmyk_to_rgb(const unsigned char *cmyk, unsigned char *rgb, int w)
{
    for (int x = 0; x < w; x++, cmyk += 4, rgb += 3) {
        int k = cmyk[3];
        for (int i = 0; i < 3; i++)
            rgb[i] = (unsigned char)(k - ((255 - cmyk[i]) * k >> 8));
    }
}

int opc_jpeg_decode(const unsigned char *data, size_t size, const char *name, long max_pixels,
                    opc_image *img, opc_error *err)
{
    struct jpeg_decompress_struct c;
    struct jpeg_progress_mgr progress = {.progress_monitor = on_progress};
    jpeg_errors e;
    unsigned char *volatile px = NULL, *volatile row = NULL;
    memset(img, 0, sizeof *img);
    c.err = jpeg_std_error(&e.pub);
    e.pub.error_exit = on_error;
    e.pub.emit_message = on_message;
    e.data_lost = 0;
    if (setjmp(e.jump)) {
        jpeg_destroy_decompress(&c);
        free(px);
        free(row);
        return opc_fail(err, OPC_ERR_FORMAT, "%s: corrupt or truncated image (%s)", name, e.msg);
    }
    jpeg_create_decompress(&c);
    c.progress = &progress;
    jpeg_mem_src(&c, data, (unsigned long)size);
    jpeg_read_header(&c, TRUE);
    unsigned w = c.image_width, h = c.image_height;
    if (opc_image_too_large(w, h, max_pixels)) {
        jpeg_destroy_decompress(&c);
        return opc_image_fail_too_large(err, name, w, h, max_pixels);
    }
    int cmyk = c.jpeg_color_space == JCS_CMYK || c.jpeg_color_space == JCS_YCCK;
    c.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
    jpeg_start_decompress(&c);
    px = malloc((size_t)w * h * 3);
    row = cmyk ? malloc((size_t)w * 4) : NULL;
    if (!px || (cmyk && !row)) {
        jpeg_destroy_decompress(&c);
        free(px);
        free(row);
        return opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory for %ux%u", name, w, h);
    }
    while (c.output_scanline < h) {
        unsigned char *dst = px + (size_t)c.output_scanline * w * 3;
        JSAMPROW r = cmyk ? row : dst;
        if (jpeg_read_scanlines(&c, &r, 1) != 1) { /* cannot happen with a memory source */
            snprintf(e.msg, sizeof e.msg, "no data for row %u", c.output_scanline);
            longjmp(e.jump, 1);
        }
        if (cmyk)
            cmyk_to_rgb(row, dst, (int)w);
    }
    jpeg_finish_decompress(&c);
    if (e.data_lost)
        longjmp(e.jump, 1);
    jpeg_destroy_decompress(&c);
    free(row);
    img->width = (int)w;
    img->height = (int)h;
    img->data = px;
    return OPC_OK;
}
