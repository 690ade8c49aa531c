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

/* Whether files can be made in folder dir: a hidden probe file, made and removed, so that
 * a folder that exists but cannot be written (permissions, a read-only file system, no
 * inodes left) stops the run before the first image rather than failing every image. */
static int check_writable(const char *dir, opc_error *err)
{
    char probe[PATH_MAX_LEN];
    if (snprintf(probe, sizeof probe, "%s/.openpose-c.tmp.XXXXXX", *dir ? dir : ".") >=
        (int)sizeof probe)
        return opc_fail(err, OPC_ERR_ARG, "%s: path too long", dir);
    int fd = mkstemp(probe);
    if (fd < 0)
        return opc_fail(err, OPC_ERR_IO, "%s: cannot write in this folder: %s", dir,
                        strerror(errno));
    close(fd);
    unlink(probe);
    return OPC_OK;
}

/* The folder a file destination is made in exists and takes files (a file written in place,
 * such as /dev/stdout or a FIFO, needs neither; a link's target is made in its own folder). */
static int prepare_file(const char *path, opc_error *err)
{
    char *target;
    int rc = opc_atomic_target(path, &target, err);
    if (rc != OPC_OK || !target)
        return rc;
    if ((rc = make_parent(target, err)) == OPC_OK) {
        const char *slash = strrchr(target, '/');
        char dir[PATH_MAX_LEN];
        snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - target + (slash == target)) : 1,
                 slash ? target : ".");
        rc = check_writable(dir, err);
    }
    free(target);
    return rc;
}

static int prepare_dir(const char *path, opc_error *err)
{
    int rc = make_dirs(path, err);
    return rc != OPC_OK ? rc : check_writable(path, err);
}

static int fail_open(const char *msg)
{
    fprintf(stderr, "openpose-c: %s\n", msg);
    return EXIT_FAIL;
}

static int usage(const char *msg) { return cli_usage_error(NULL, "%s", msg); }

/* An output is one file when its name says so (suffixes, '-') or it exists as something
 * other than a folder (/dev/null, a FIFO, an earlier result); a trailing '/' or an
 * existing folder is a folder. Decided by the command line, never by how many images a
 * folder holds. */
static run_dest file_or_dir(const char *path, const char *const *suffixes)
{
    struct stat st;
    size_t n = strlen(path);
    if (!strcmp(path, "-"))
        return DEST_FILE;
    if (n && path[n - 1] == '/')
        return DEST_DIR;
    if (stat(path, &st) == 0)
        return S_ISDIR(st.st_mode) ? DEST_DIR : DEST_FILE;
    for (int i = 0; suffixes[i]; i++)
        if (ends_with(path, suffixes[i]))
            return DEST_FILE;
    return DEST_DIR;
}

/* The usage error for a one-file output of inputs that are not one image. */
static int not_one_image(const char *option, const char *path, const run_args *a,
                         const char *instead)
{
    const char *inputs = a->list ? "a --list" : a->npaths > 1 ? "several" : "a folder";
    return cli_usage_error(NULL, "%s %s is one file (%s), but the inputs are %s: give a "
                           "folder (%s DIR/)%s", option, path,
                           !strcmp(path, "-") ? "standard output" : "by its name",
                           inputs, option, instead);
}

int outputs_open(run_outputs *o, const run_args *a, const opc_model *m,
                 const run_inputs *in)
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
        if (a->output)
            o->json = file_or_dir(a->output, json_suffixes);
        if (o->json == DEST_FILE && !in->single)
            return not_one_image("-o", a->output, a, ", or --format jsonl or coco for one "
                                 "file of every image");
        break;
    case FORMAT_COCO:
        if (!a->output)
            return usage("--format coco needs -o FILE (or '-' for stdout)");
        break;
    case FORMAT_JSONL:
        to_stdout = to_stdout || !a->output;
        break;
    }
    if (a->render)
        o->render = file_or_dir(a->render, picture_suffixes);
    if (o->render == DEST_FILE && !in->single)
        return not_one_image("--render", a->render, a, "");
    if (a->render && !strcmp(a->render, "-") && to_stdout)
        return usage("--render - and the keypoints cannot both go to standard output");
    if (a->write_maps && !strcmp(a->write_maps, "-"))
        return usage("--write-maps needs a folder ('-' is not one)");
    if (a->skip_existing && (o->json != DEST_DIR && !a->render && !a->write_maps))
        return usage("--skip-existing needs per-image files: --format openpose with -o DIR, "
                     "--render or --write-maps");
    if (a->write_maps)
        o->maps = DEST_DIR;
    /* Every folder is made and tried before the first image, run-wide files last. */
    int rc = OPC_OK;
    if (o->json != DEST_NONE)
        rc = (o->json == DEST_DIR ? prepare_dir : prepare_file)(a->output, &err);
    if (rc == OPC_OK && o->render != DEST_NONE)
        rc = (o->render == DEST_DIR ? prepare_dir : prepare_file)(a->render, &err);
    if (rc == OPC_OK && o->maps != DEST_NONE)
        rc = prepare_dir(a->write_maps, &err);
    if (rc == OPC_OK && a->format != FORMAT_OPENPOSE && a->output)
        rc = make_parent(a->output, &err);
    if (rc == OPC_OK && a->format == FORMAT_COCO && !(o->coco = opc_coco_writer_open(a->output, &err)))
        rc = OPC_ERR_IO;
    if (rc == OPC_OK && a->format == FORMAT_JSONL) {
        o->jsonl = stdout;
        if (a->output && !to_stdout) {
            rc = opc_atomic_open(&o->jsonl_file, a->output, &err);
            o->jsonl = o->jsonl_file.f;
        }
    }
    if (rc != OPC_OK) {
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
    if (o->json != DEST_NONE) {
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

static int write_text(const char *path, const char *text, opc_error *err)
{
    int rc = make_parent(path, err);
    return rc ? rc : opc_write_file_atomic(path, text, strlen(text), err);
}

/* One line on the JSON lines stream; a failure there breaks the run. */
static int put_line(run_outputs *o, const char *line, opc_error *err)
{
    fputs(line, o->jsonl);
    if (fflush(o->jsonl) == 0 && !ferror(o->jsonl))
        return OPC_OK;
    o->broken = 1;
    return opc_fail(err, OPC_ERR_IO, "%s: write failed: %s",
                    o->jsonl == stdout ? "standard output" : o->a->output, strerror(errno));
}

/* The keypoints: the JSON lines stream, an OpenPose document, the COCO array. */
static int write_keypoints(run_outputs *o, const run_input *in, const opc_image *img,
                           const opc_people *people, opc_error *err)
{
    int rc = OPC_OK;
    if (o->jsonl) {
        char *line = opc_people_to_jsonl(in->path, img->width, img->height, people, err);
        if (!line)
            return OPC_ERR_NOMEM;
        rc = put_line(o, line, err);
        free(line);
    } else if (o->json != DEST_NONE) {
        char *doc = opc_people_to_openpose_json(people, err);
        if (!doc)
            return OPC_ERR_NOMEM;
        char p[PATH_MAX_LEN];
        json_path(o, in, p, sizeof p);
        rc = write_text(p, doc, err);
        free(doc);
    }
    if (rc == OPC_OK && o->coco) {
        rc = opc_coco_writer_add(o->coco, in->image_id, o->keypoints, people, err);
        o->broken = rc == OPC_ERR_IO;
    }
    return rc;
}

/* The render (already drawn on img) and the maps. */
static int write_side(run_outputs *o, const run_input *in, const opc_image *img,
                      const opc_tensor *maps, int n_views, int n_outputs, opc_error *err)
{
    char p[PATH_MAX_LEN];
    int rc = OPC_OK;
    if (o->render != DEST_NONE) {
        render_path(o, in, p, sizeof p);
        if ((rc = make_parent(p, err)) == OPC_OK)
            rc = opc_image_write(p, img, err);
    }
    for (int i = 0; rc == OPC_OK && o->maps != DEST_NONE && i < n_views * n_outputs; i++) {
        maps_path(o, in, i / n_outputs, i % n_outputs, p, sizeof p);
        if ((rc = make_parent(p, err)) == OPC_OK)
            rc = opc_npy_write(p, &maps[i], err);
    }
    return rc;
}

int outputs_write(run_outputs *o, const run_input *in, opc_image *img, opc_people *people,
                  const opc_tensor *maps, int n_views, int n_outputs, opc_error *err)
{
    /* The drawing needs image pixels; the keypoints are converted after it. */
    if (o->render != DEST_NONE)
        opc_render_people(img, o->keypoints, people);
    opc_people_rescale(people, img->width, img->height, o->a->keypoint_scale);
    int rc = write_keypoints(o, in, img, people, err);
    opc_error side;
    int side_rc = write_side(o, in, img, maps, n_views, n_outputs, &side);
    if (side_rc != OPC_OK && rc == OPC_OK) {
        *err = side;
        rc = side_rc;
    } else if (side_rc != OPC_OK) {
        size_t len = strlen(err->msg);
        snprintf(err->msg + len, sizeof err->msg - len, "; %s", side.msg);
    }
    return rc;
}

void outputs_failed(run_outputs *o, const run_input *in, const char *msg)
{
    if (!o->jsonl || o->broken)
        return;
    char *line = opc_jsonl_error_line(in->path, msg, NULL);
    opc_error err;
    if (line && put_line(o, line, &err) != OPC_OK)
        fprintf(stderr, "openpose-c: %s\n", err.msg);
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
