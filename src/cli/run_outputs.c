#include "cli/run_outputs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "openpose-c/error.h"
#include "openpose-c/output.h"

#define PATH_MAX_LEN 4096

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* mkdir -p: creates path and its missing parents. */
static int make_dirs(const char *path, opc_error *err)
{
    char buf[PATH_MAX_LEN];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return opc_fail(err, OPC_ERR_ARG, "%s: path too long", path);
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == 0) {
            char c = *p;
            *p = 0;
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return opc_fail(err, OPC_ERR_IO, "%s: cannot create folder: %s", buf,
                                strerror(errno));
            if (!is_dir(buf))
                return opc_fail(err, OPC_ERR_IO, "%s: cannot create folder: %s", buf,
                                "a file is in the way");
            *p = c;
            if (!c)
                break;
        }
    }
    return OPC_OK;
}

/* The folder that will hold "dir/name" + suffix exists (names may have subfolders). */
static int make_parent(const char *file, opc_error *err)
{
    const char *slash = strrchr(file, '/');
    if (!slash || slash == file)
        return OPC_OK;
    char buf[PATH_MAX_LEN];
    snprintf(buf, sizeof buf, "%.*s", (int)(slash - file), file);
    return is_dir(buf) ? OPC_OK : make_dirs(buf, err);
}

static int fail_open(const char *msg)
{
    fprintf(stderr, "openpose-c: %s\n", msg);
    return EXIT_FAIL;
}

static int usage(const char *msg) { return cli_usage_error(NULL, "%s", msg); }

/* A destination that is either one file (one input, the name has a listed suffix and is
 * not a folder) or a folder. */
static run_dest file_or_dir(const char *path, size_t n, const char *const *suffixes)
{
    if (n == 1 && !is_dir(path))
        for (int i = 0; suffixes[i]; i++)
            if (ends_with(path, suffixes[i]))
                return DEST_FILE;
    return DEST_DIR;
}

int outputs_open(run_outputs *o, const run_args *a, const opc_model *m, size_t n)
{
    static const char *const json_suffixes[] = {".json", NULL};
    static const char *const picture_suffixes[] = {".png", ".jpg", ".jpeg", NULL};
    memset(o, 0, sizeof *o);
    o->a = a;
    o->model = m;
    o->keypoints = opc_model_keypoints(m);
    opc_error err;
    int to_stdout = a->output && strcmp(a->output, "-") == 0;
    switch (a->format) {
    case FORMAT_OPENPOSE:
        if (!a->output && !a->render && !a->write_maps)
            return usage("nothing to write: give -o OUT (a folder, FILE.json or '-'), "
                         "--render or --write-maps");
        if (to_stdout && n > 1)
            return usage("-o - writes one JSON document: with several images use "
                         "--format jsonl");
        o->json = !a->output ? DEST_NONE : to_stdout ? DEST_STDOUT
                                                     : file_or_dir(a->output, n, json_suffixes);
        break;
    case FORMAT_COCO:
        if (!a->output)
            return usage("--format coco needs -o FILE (or '-' for stdout)");
        if (!(o->coco = opc_coco_writer_open(a->output, &err)))
            return fail_open(err.msg);
        break;
    case FORMAT_JSONL:
        o->jsonl = stdout;
        if (a->output && !to_stdout) {
            if (opc_atomic_open(&o->jsonl_file, a->output, &err) != OPC_OK)
                return fail_open(err.msg);
            o->jsonl = o->jsonl_file.f;
        }
        break;
    }
    if (a->skip_existing && (o->json != DEST_DIR && !a->render && !a->write_maps))
        return usage("--skip-existing needs per-image files: --format openpose with -o DIR, "
                     "--render or --write-maps");
    if (a->render)
        o->render = file_or_dir(a->render, n, picture_suffixes);
    if (a->write_maps)
        o->maps = DEST_DIR;
    if ((o->json == DEST_DIR && make_dirs(a->output, &err) != OPC_OK) ||
        (o->render == DEST_DIR && make_dirs(a->render, &err) != OPC_OK) ||
        (o->maps == DEST_DIR && make_dirs(a->write_maps, &err) != OPC_OK)) {
        outputs_close(o, 0);
        return fail_open(err.msg);
    }
    return 0;
}

static void json_path(const run_outputs *o, const run_input *in, char *buf, size_t n)
{
    if (o->json == DEST_FILE)
        snprintf(buf, n, "%s", o->a->output);
    else
        snprintf(buf, n, "%s/%s_keypoints.json", o->a->output, in->name);
}

static void render_path(const run_outputs *o, const run_input *in, char *buf, size_t n)
{
    if (o->render == DEST_FILE)
        snprintf(buf, n, "%s", o->a->render);
    else
        snprintf(buf, n, "%s/%s_rendered.%s", o->a->render, in->name, o->a->render_ext);
}

/* Output OUT of view 0 is NAME_OUT.npy, of view v > 0 NAME_OUT_v.npy (a one-output
 * OpenPose model's: NAME_maps.npy). */
static void maps_path(const run_outputs *o, const run_input *in, int v, int k, char *buf,
                      size_t n)
{
    const char *out = opc_model_output_name(o->model, k);
    if (v == 0)
        snprintf(buf, n, "%s/%s_%s.npy", o->a->write_maps, in->name, out);
    else
        snprintf(buf, n, "%s/%s_%s_%d.npy", o->a->write_maps, in->name, out, v);
}

int outputs_exist(const run_outputs *o, const run_input *in)
{
    char p[PATH_MAX_LEN];
    if (o->json == DEST_DIR || o->json == DEST_FILE) {
        json_path(o, in, p, sizeof p);
        if (access(p, F_OK) != 0)
            return 0;
    }
    if (o->render != DEST_NONE) {
        render_path(o, in, p, sizeof p);
        if (access(p, F_OK) != 0)
            return 0;
    }
    for (int v = 0; o->maps != DEST_NONE && v < o->a->scale_number; v++)
        for (int k = 0; k < opc_model_num_outputs(o->model); k++) {
            maps_path(o, in, v, k, p, sizeof p);
            if (access(p, F_OK) != 0)
                return 0;
        }
    return 1;
}

int outputs_precheck(const run_outputs *o, const run_input *in, opc_error *err)
{
    if (o->coco && opc_coco_image_id(in->path) < 0)
        return opc_fail(err, OPC_ERR_ARG,
                        "%s: no COCO image_id (the last number in the file name)",
                        strcmp(in->path, "-") ? in->path : "(stdin)");
    return OPC_OK;
}

static int write_text(const char *path, const char *text, opc_error *err)
{
    int rc = make_parent(path, err);
    return rc ? rc : opc_write_file_atomic(path, text, strlen(text), err);
}

static int write_jsonl(run_outputs *o, const run_input *in, const opc_image *img,
                       const opc_people *people, opc_error *err)
{
    char *line = opc_people_to_jsonl(in->path, img->width, img->height, people, err);
    if (!line)
        return OPC_ERR_NOMEM;
    fputs(line, o->jsonl);
    free(line);
    fflush(o->jsonl);
    if (ferror(o->jsonl))
        return opc_fail(err, OPC_ERR_IO, "%s: write failed",
                        o->jsonl == stdout ? "(stdout)" : o->a->output);
    return OPC_OK;
}

static int write_json(run_outputs *o, const run_input *in, const opc_image *img,
                      const opc_people *people, opc_error *err)
{
    if (o->jsonl)
        return write_jsonl(o, in, img, people, err);
    if (o->json == DEST_NONE)
        return OPC_OK;
    char *doc = opc_people_to_openpose_json(people, err);
    if (!doc)
        return OPC_ERR_NOMEM;
    int rc = OPC_OK;
    char p[PATH_MAX_LEN];
    if (o->json == DEST_STDOUT) {
        fputs(doc, stdout);
        if (fflush(stdout) != 0)
            rc = opc_fail(err, OPC_ERR_IO, "(stdout): write failed");
    } else {
        json_path(o, in, p, sizeof p);
        rc = write_text(p, doc, err);
    }
    free(doc);
    return rc;
}

int outputs_write(run_outputs *o, const run_input *in, opc_image *img, opc_people *people,
                  const opc_tensor *maps, int n_views, int n_outputs, opc_error *err)
{
    char p[PATH_MAX_LEN];
    int rc = OPC_OK;
    for (int i = 0; rc == OPC_OK && o->maps != DEST_NONE && i < n_views * n_outputs; i++) {
        maps_path(o, in, i / n_outputs, i % n_outputs, p, sizeof p);
        if ((rc = make_parent(p, err)) == OPC_OK)
            rc = opc_npy_write(p, &maps[i], err);
    }
    if (rc == OPC_OK && o->render != DEST_NONE) {
        render_path(o, in, p, sizeof p);
        opc_render_people(img, o->keypoints, people);
        if ((rc = make_parent(p, err)) == OPC_OK)
            rc = opc_image_write(p, img, err);
    }
    if (rc != OPC_OK)
        return rc;
    opc_people_rescale(people, img->width, img->height, o->a->keypoint_scale);
    rc = write_json(o, in, img, people, err);
    if (rc == OPC_OK && o->coco)
        rc = opc_coco_writer_add(o->coco, opc_coco_image_id(in->path), o->keypoints, people, err);
    return rc;
}

void outputs_failed(run_outputs *o, const run_input *in, const char *msg)
{
    if (!o->jsonl)
        return;
    char *line = opc_jsonl_error_line(in->path, msg, NULL);
    if (line)
        fputs(line, o->jsonl);
    fflush(o->jsonl);
    free(line);
}

int outputs_close(run_outputs *o, int commit)
{
    opc_error err;
    int rc = 0;
    if (o->coco) {
        if (!commit)
            opc_coco_writer_abort(o->coco);
        else if (opc_coco_writer_commit(o->coco, &err) != OPC_OK)
            rc = fail_open(err.msg);
        o->coco = NULL;
    }
    if (o->jsonl_file.f) {
        if (!commit)
            opc_atomic_abort(&o->jsonl_file);
        else if (opc_atomic_commit(&o->jsonl_file, &err) != OPC_OK)
            rc = fail_open(err.msg);
    }
    o->jsonl = NULL;
    return rc;
}
