/* NumPy .npy files: little-endian float32, C order, 1 to 4 dims. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "openpose-c/error.h"
#include "openpose-c/files.h"
#include "openpose-c/tensor.h"

/* Finds the value text after 'key': in a header dict; NULL if absent. */
static const char *dict_value(const char *hdr, const char *key)
{
    char pat[32];
    snprintf(pat, sizeof pat, "'%s'", key);
    const char *p = strstr(hdr, pat);
    if (!p)
        return NULL;
    p += strlen(pat);
    while (*p == ' ')
        p++;
    if (*p != ':')
        return NULL;
    p++;
    while (*p == ' ')
        p++;
    return p;
}

/* A regular file must hold the data its header promises before that much memory is
 * taken (pipes are checked as they are read). Dims are at most 2^30: no overflow. */
static int check_data_size(FILE *f, const int d4[4], const char *path, opc_error *err)
{
    struct stat st;
    long at = ftell(f);
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || at < 0)
        return OPC_OK;
    double need = 4.0 * d4[0] * d4[1] * d4[2] * d4[3];
    if ((double)(st.st_size - at) < need)
        return opc_fail(err, OPC_ERR_FORMAT, "%s: truncated .npy data (expected %.0f floats)",
                        path, need / 4);
    return OPC_OK;
}

int opc_npy_read(const char *path, opc_tensor *out, opc_error *err)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f)
        return opc_fail(err, OPC_ERR_IO, "%s: %s", path, strerror(errno));
    int rc = OPC_OK;
    char *hdr = NULL;
    unsigned char pre[12];
    if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6) != 0) {
        rc = opc_fail(err, OPC_ERR_FORMAT, "%s: not a .npy file (bad magic)", path);
        goto done;
    }
    uint32_t hlen;
    if (pre[6] == 1) {
        hlen = pre[8] | (uint32_t)pre[9] << 8;
    } else if (pre[6] == 2 || pre[6] == 3) {
        if (fread(pre + 10, 1, 2, f) != 2) {
            rc = opc_fail(err, OPC_ERR_FORMAT, "%s: truncated .npy header", path);
            goto done;
        }
        hlen = pre[8] | (uint32_t)pre[9] << 8 | (uint32_t)pre[10] << 16 | (uint32_t)pre[11] << 24;
    } else {
        rc = opc_fail(err, OPC_ERR_FORMAT, "%s: unsupported .npy version %d", path, pre[6]);
        goto done;
    }
    if (hlen > 65536) {
        rc = opc_fail(err, OPC_ERR_FORMAT, "%s: .npy header of %u bytes is implausible", path,
                      hlen);
        goto done;
    }
    hdr = malloc(hlen + 1);
    if (!hdr || fread(hdr, 1, hlen, f) != hlen) {
        rc = opc_fail(err, OPC_ERR_FORMAT, "%s: truncated .npy header", path);
        goto done;
    }
    hdr[hlen] = 0;
    const char *descr = dict_value(hdr, "descr");
    if (!descr || (strncmp(descr, "'<f4'", 5) != 0 && strncmp(descr, "'float32'", 9) != 0)) {
        rc = opc_fail(err, OPC_ERR_FORMAT, "%s: .npy dtype must be little-endian float32 ('<f4')",
                      path);
        goto done;
    }
    const char *fo = dict_value(hdr, "fortran_order");
    if (!fo || strncmp(fo, "False", 5) != 0) {
        rc = opc_fail(err, OPC_ERR_FORMAT, "%s: .npy must be in C order", path);
        goto done;
    }
    const char *sh = dict_value(hdr, "shape");
    if (!sh || *sh != '(') {
        rc = opc_fail(err, OPC_ERR_FORMAT, "%s: .npy header has no shape", path);
        goto done;
    }
    long dims[4];
    int nd = 0;
    sh++;
    for (;;) {
        while (*sh == ' ' || *sh == ',')
            sh++;
        if (*sh == ')')
            break;
        if (!isdigit((unsigned char)*sh) || nd == 4) {
            rc = opc_fail(err, OPC_ERR_FORMAT, "%s: .npy shape must have 1 to 4 dims", path);
            goto done;
        }
        char *end;
        errno = 0;
        long v = strtol(sh, &end, 10);
        if (errno || v < 0 || v > (1L << 30)) {
            rc = opc_fail(err, OPC_ERR_FORMAT, "%s: .npy dimension out of range", path);
            goto done;
        }
        dims[nd++] = v;
        sh = end;
    }
    if (nd == 0) {
        rc = opc_fail(err, OPC_ERR_FORMAT, "%s: .npy shape must have 1 to 4 dims", path);
        goto done;
    }
    int d4[4] = {1, 1, 1, 1};
    for (int i = 0; i < nd; i++)
        d4[4 - nd + i] = (int)dims[i];
    rc = check_data_size(f, d4, path, err);
    if (rc == OPC_OK && (rc = opc_tensor_alloc(out, d4[0], d4[1], d4[2], d4[3], err)) != OPC_OK)
        opc_fail(err, rc, "%s: array %dx%dx%dx%d is too large", path, d4[0], d4[1], d4[2], d4[3]);
    if (rc != OPC_OK)
        goto done;
    size_t count = opc_tensor_count(out);
    if (fread(out->data, sizeof(float), count, f) != count) {
        opc_tensor_free(out);
        rc = opc_fail(err, OPC_ERR_FORMAT, "%s: truncated .npy data (expected %zu floats)", path,
                      count);
        goto done;
    }
    if (fgetc(f) != EOF) {
        opc_tensor_free(out);
        rc = opc_fail(err, OPC_ERR_FORMAT, "%s: trailing bytes after .npy data", path);
        goto done;
    }
done:
    free(hdr);
    fclose(f);
    return rc;
}

int opc_npy_write(const char *path, const opc_tensor *t, opc_error *err)
{
    char hdr[128];
    int n = snprintf(hdr, sizeof hdr, "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d, %d, %d), }",
                     t->n, t->c, t->h, t->w);
    /* Pad with spaces so magic + header ends on a 64-byte boundary, newline last. */
    int total = 10 + n + 1;
    int pad = (64 - total % 64) % 64;
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0};
    int hlen = n + pad + 1;
    pre[8] = (unsigned char)(hlen & 0xff);
    pre[9] = (unsigned char)(hlen >> 8);
    opc_atomic_file af;
    int rc = opc_atomic_open(&af, path, err);
    if (rc != OPC_OK)
        return rc;
    size_t count = opc_tensor_count(t);
    fwrite(pre, 1, 10, af.f);
    fwrite(hdr, 1, (size_t)n, af.f);
    fprintf(af.f, "%*s\n", pad, "");
    fwrite(t->data, sizeof(float), count, af.f);
    /* A failed write sets the stream's error flag; the commit reports it. */
    return opc_atomic_commit(&af, err);
}
