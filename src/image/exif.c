#include "image/exif.h"

#include <stdlib.h>
#include <string.h>

static unsigned get16(const unsigned char *p, int le)
{
    return le ? p[0] | (unsigned)p[1] << 8 : (unsigned)p[0] << 8 | p[1];
}

static unsigned long get32(const unsigned char *p, int le)
{
    return le ? get16(p, 1) | (unsigned long)get16(p + 2, 1) << 16
              : (unsigned long)get16(p, 0) << 16 | get16(p + 2, 0);
}

/* IFD0 of a TIFF block (the APP1 payload after "Exif\0\0"): the Orientation entry. */
static int tiff_orientation(const unsigned char *t, size_t n)
{
    if (n < 8 || !(memcmp(t, "II*\0", 4) == 0 || memcmp(t, "MM\0*", 4) == 0))
        return 1;
    int le = t[0] == 'I';
    unsigned long ifd = get32(t + 4, le);
    if (ifd > n - 2)
        return 1;
    unsigned count = get16(t + ifd, le);
    for (unsigned i = 0; i < count; i++) {
        unsigned long at = ifd + 2 + 12ul * i;
        if (at + 12 > n)
            return 1;
        if (get16(t + at, le) == 0x0112 && get16(t + at + 2, le) == 3) {  /* SHORT */
            unsigned o = get16(t + at + 8, le);
            return o >= 1 && o <= 8 ? (int)o : 1;
        }
    }
    return 1;
}

int opc_exif_orientation(const unsigned char *d, size_t n)
{
    if (n < 4 || d[0] != 0xFF || d[1] != 0xD8)
        return 1;
    /* The APPn segments come first; stop at the frame or scan header. */
    for (size_t i = 2; i + 4 <= n && d[i] == 0xFF;) {
        unsigned m = d[i + 1];
        if (m == 0xDA || (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC))
            return 1;
        size_t len = (size_t)d[i + 2] << 8 | d[i + 3];
        if (len < 2 || i + 2 + len > n)
            return 1;
        if (m == 0xE1 && len >= 8 && memcmp(d + i + 4, "Exif\0\0", 6) == 0)
            return tiff_orientation(d + i + 10, len - 8);
        i += 2 + len;
    }
    return 1;
}

unsigned char *opc_exif_apply(const unsigned char *px, int w, int h, int o, int *ow, int *oh)
{
    int swap = o >= 5;
    *ow = swap ? h : w;
    *oh = swap ? w : h;
    unsigned char *out = malloc((size_t)w * h * 3);
    if (!out)
        return NULL;
    /* Displayed pixel (x, y) comes from raw pixel (rx, ry), per the EXIF specification:
     * 2 mirrored, 3 turned 180, 4 flipped, 5 transposed, 6 turned 90 clockwise,
     * 7 transversed, 8 turned 90 counter-clockwise. */
    for (int y = 0; y < *oh; y++)
        for (int x = 0; x < *ow; x++) {
            int rx, ry;
            switch (o) {
            case 2: rx = w - 1 - x; ry = y; break;
            case 3: rx = w - 1 - x; ry = h - 1 - y; break;
            case 4: rx = x; ry = h - 1 - y; break;
            case 5: rx = y; ry = x; break;
            case 6: rx = y; ry = h - 1 - x; break;
            case 7: rx = w - 1 - y; ry = h - 1 - x; break;
            case 8: rx = w - 1 - y; ry = x; break;
            default: rx = x; ry = y; break;
            }
            memcpy(out + ((size_t)y * *ow + x) * 3, px + ((size_t)ry * w + rx) * 3, 3);
        }
    return out;
}
