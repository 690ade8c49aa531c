/* COCO keypoint results writer (OpenPose's --write_coco_json): streamed entry by entry
 * into a temporary file, renamed into place at commit. */
#include "openpose-c/coco.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openpose-c/error.h"
#include "openpose-c/files.h"
#include "openpose-c/output.h"

int64_t opc_coco_image_id(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    size_t end = len;
    while (end > 0 && (base[end - 1] < '0' || base[end - 1] > '9'))
        end--;
    if (end == 0)
        return -1;
    size_t start = end;
    while (start > 0 && base[start - 1] >= '0' && base[start - 1] <= '9')
        start--;
    const int64_t limit = (int64_t)1 << 53;
    int64_t v = 0;
    for (size_t i = start; i < end; i++) {
        v = v * 10 + (base[i] - '0');
        if (v > limit)
            return -1;
    }
    return v;
}

struct opc_coco_writer {
    opc_atomic_file af; /* unused for standard output */
    FILE *f;
    const char *name;   /* for messages: the path, or "standard output" */
    size_t count;
};

opc_coco_writer *opc_coco_writer_open(const char *path, opc_error *err)
{
    opc_coco_writer *w = calloc(1, sizeof *w);
    if (!w) {
        opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", path);
        return NULL;
    }
    if (strcmp(path, "-") == 0) {
        w->f = stdout;
        w->name = "standard output";
    } else {
        if (opc_atomic_open(&w->af, path, err) != OPC_OK) {
            free(w);
            return NULL;
        }
        w->f = w->af.f;
        w->name = w->af.path;
    }
    fputs("[", w->f);
    return w;
}

static void put_float(FILE *f, float v)
{
    char buf[OPC_NUMBER_LEN];
    fputs(opc_format_float(buf, v), f);
}

int opc_coco_writer_add(opc_coco_writer *w, int64_t image_id, const opc_keypoint_set *k,
                        const opc_people *people, opc_error *err)
{
    if (people->num_parts != k->num_parts)
        return opc_fail(err, OPC_ERR_ARG, "%s: people have %d parts, keypoint set %s has %d",
                        w->name, people->num_parts, k->name, k->num_parts);
    if (image_id < 0)
        return opc_fail(err, OPC_ERR_ARG, "%s: image_id %lld is negative", w->name,
                        (long long)image_id);
    for (int p = 0; p < people->count; p++) {
        const float *kp = people->keypoints + (size_t)p * people->num_parts * 3;
        int found = 0, finite = isfinite(people->scores[p]);
        for (int c = 0; c < 17; c++)
            if (k->coco17[c] >= 0 && kp[3 * k->coco17[c] + 2] > 0) {
                found++;
                finite = finite && isfinite(kp[3 * k->coco17[c]]) &&
                         isfinite(kp[3 * k->coco17[c] + 1]);
            }
        if (!found)
            continue;
        if (!finite) /* JSON has no NaN or infinity; better no entry than an invalid file */
            return opc_fail(err, OPC_ERR_ARG, "%s: image %lld, person %d: non-finite keypoint "
                            "or score", w->name, (long long)image_id, p);
        fprintf(w->f, "%s\n{\"image_id\":%lld,\"category_id\":1,\"keypoints\":[",
                w->count ? "," : "", (long long)image_id);
        for (int c = 0; c < 17; c++) {
            const float *part = k->coco17[c] >= 0 ? kp + 3 * k->coco17[c] : NULL;
            if (c)
                fputc(',', w->f);
            if (part && part[2] > 0) {
                put_float(w->f, part[0]);
                fputc(',', w->f);
                put_float(w->f, part[1]);
                fputs(",1", w->f);
            } else {
                fputs("-1,-1,0", w->f);
            }
        }
        fputs("],\"score\":", w->f);
        put_float(w->f, people->scores[p]);
        fputc('}', w->f);
        w->count++;
    }
    if (ferror(w->f))
        return opc_fail(err, OPC_ERR_IO, "%s: write failed: %s", w->name, strerror(errno));
    return OPC_OK;
}

size_t opc_coco_writer_count(const opc_coco_writer *w)
{
    return w->count;
}

int opc_coco_writer_commit(opc_coco_writer *w, opc_error *err)
{
    fputs(w->count ? "\n]\n" : "]\n", w->f);
    int rc = OPC_OK;
    if (w->f == stdout) {
        if (fflush(stdout) != 0 || ferror(stdout))
            rc = opc_fail(err, OPC_ERR_IO, "standard output: write failed: %s",
                          strerror(errno));
    } else {
        rc = opc_atomic_commit(&w->af, err);
    }
    free(w);
    return rc;
}

void opc_coco_writer_abort(opc_coco_writer *w)
{
    if (!w)
        return;
    if (w->f != stdout)
        opc_atomic_abort(&w->af);
    free(w);
}
