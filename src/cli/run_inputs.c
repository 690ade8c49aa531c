/* Building the input list. Folder listings are sorted so that every run (and every
 * shard of a run) sees the same order. */
#include "cli/run_inputs.h"

#include <dirent.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "openpose-c/coco.h"
#include "openpose-c/error.h"
#include "openpose-c/files.h"

#define MAX_LIST_BYTES ((size_t)1 << 30)
#define MAX_DEPTH 64

static const char *const IMAGE_EXTS[] = {"jpg", "jpeg", "png", "bmp", "ppm", "pgm", "pnm",
                                         "tga", NULL};

static int is_image_name(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot || name[0] == '.')
        return 0;
    for (int i = 0; IMAGE_EXTS[i]; i++)
        if (strcasecmp(dot + 1, IMAGE_EXTS[i]) == 0)
            return 1;
    return 0;
}

/* NAME_rendered.png / .jpg / .jpeg: what --render writes into a folder, which may be an
 * input folder; read back on the next run it would be processed as a photo. */
static int is_render_name(const char *name)
{
    static const char *const exts[] = {".png", ".jpg", ".jpeg"};
    static const char tag[] = "_rendered";
    size_t n = strlen(name), t = sizeof tag - 1;
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t e = strlen(exts[i]);
        if (n > e + t && strcasecmp(name + n - e, exts[i]) == 0 &&
            strncmp(name + n - e - t, tag, t) == 0)
            return 1;
    }
    return 0;
}

/* "dir/sub/x.jpg" relative part "sub/x.jpg" -> "sub/x". */
static char *stem_of(const char *rel)
{
    const char *slash = strrchr(rel, '/');
    const char *dot = strrchr(rel, '.');
    size_t n = dot && (!slash || dot > slash + 1) ? (size_t)(dot - rel) : strlen(rel);
    return strndup(rel, n);
}

static int add(run_inputs *in, const char *path, const char *rel, opc_error *err)
{
    if (in->n == in->cap) {
        size_t cap = in->cap ? in->cap * 2 : 64;
        run_input *v = realloc(in->v, cap * sizeof *v);
        if (!v)
            return opc_fail(err, OPC_ERR_NOMEM, "inputs: out of memory");
        in->v = v;
        in->cap = cap;
    }
    run_input *r = &in->v[in->n];
    r->path = strdup(path);
    r->name = strcmp(path, "-") == 0 ? strdup("stdin") : stem_of(rel);
    r->image_id = -1;
    if (!r->path || !r->name) {
        free(r->path);
        free(r->name);
        return opc_fail(err, OPC_ERR_NOMEM, "inputs: out of memory");
    }
    in->n++;
    return OPC_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A folder walk: the folders on the way down (to refuse a link back up: a cycle) and
 * what was left out. */
typedef struct walk {
    run_inputs *in;
    const char *root;
    int recursive;
    int depth;
    dev_t dev[MAX_DEPTH + 1];
    ino_t ino[MAX_DEPTH + 1];
    size_t renders;
} walk;

static const char *kind_of(mode_t m)
{
    return S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device"
           : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

static int add_folder(walk *w, const char *rel, opc_error *err);

/* One entry child (root/child_rel) of a folder being listed. */
static int add_entry(walk *w, const char *name, const char *child, const char *child_rel,
                     opc_error *err)
{
    struct stat lst, st;
    if (lstat(child, &lst) != 0)
        return OPC_OK; /* gone since the listing */
    int followed = stat(child, &st) == 0; /* a dangling link: not followed */
    if (followed && S_ISDIR(st.st_mode)) {
        if (!w->recursive)
            return OPC_OK;
        for (int i = 0; i <= w->depth; i++)
            if (w->dev[i] == st.st_dev && w->ino[i] == st.st_ino) {
                fprintf(stderr, "openpose-c: %s: a link to a folder above it, not followed\n",
                        child);
                return OPC_OK;
            }
        if (w->depth >= MAX_DEPTH) {
            fprintf(stderr, "openpose-c: %s: more than %d folders deep, not read\n", child,
                    MAX_DEPTH);
            return OPC_OK;
        }
        w->depth++;
        w->dev[w->depth] = st.st_dev;
        w->ino[w->depth] = st.st_ino;
        int rc = add_folder(w, child_rel, err);
        w->depth--;
        return rc;
    }
    if (!is_image_name(name))
        return OPC_OK;
    if (is_render_name(name)) {
        w->renders++;
        return OPC_OK;
    }
    /* A FIFO would block the run, a device would be read without end. A dangling link is
     * kept: it fails like a missing file. */
    if (followed && !S_ISREG(st.st_mode)) {
        fprintf(stderr, "openpose-c: %s: %s, skipped\n", child, kind_of(st.st_mode));
        return OPC_OK;
    }
    return add(w->in, child, child_rel, err);
}

/* Adds the images of folder root/rel (rel "" at the top), sorted, recursing if asked. */
static int add_folder(walk *w, const char *rel, opc_error *err)
{
    const char *root = w->root;
    char *dir_path = *rel ? malloc(strlen(root) + strlen(rel) + 2) : strdup(root);
    if (!dir_path)
        return opc_fail(err, OPC_ERR_NOMEM, "inputs: out of memory");
    if (*rel)
        sprintf(dir_path, "%s/%s", root, rel);
    DIR *d = opendir(dir_path);
    if (!d) {
        int rc = opc_fail(err, OPC_ERR_IO, "%s: %s", dir_path, strerror(errno));
        free(dir_path);
        return rc;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = OPC_OK;
    struct dirent *e;
    while (rc == OPC_OK && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) {
                rc = opc_fail(err, OPC_ERR_NOMEM, "inputs: out of memory");
                break;
            }
            names = nn;
        }
        if (!(names[n++] = strdup(e->d_name)))
            rc = opc_fail(err, OPC_ERR_NOMEM, "inputs: out of memory");
    }
    closedir(d);
    if (rc == OPC_OK)
        qsort(names, n, sizeof *names, cmp_str);
    size_t slash_root = strlen(root) && root[strlen(root) - 1] == '/';
    for (size_t i = 0; rc == OPC_OK && i < n; i++) {
        size_t rl = strlen(rel) + strlen(names[i]) + 2;
        char *child_rel = malloc(rl), *child = malloc(strlen(root) + rl + 1);
        if (!child_rel || !child) {
            free(child_rel);
            free(child);
            rc = opc_fail(err, OPC_ERR_NOMEM, "inputs: out of memory");
            break;
        }
        snprintf(child_rel, rl, "%s%s%s", rel, *rel ? "/" : "", names[i]);
        sprintf(child, "%s%s%s", root, slash_root ? "" : "/", child_rel);
        rc = add_entry(w, names[i], child, child_rel, err);
        free(child_rel);
        free(child);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(dir_path);
    return rc;
}

static int add_path(run_inputs *in, const char *path, int recursive, size_t *renders,
                    opc_error *err)
{
    struct stat st;
    if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        walk w = {.in = in, .root = path, .recursive = recursive};
        w.dev[0] = st.st_dev;
        w.ino[0] = st.st_ino;
        int rc = add_folder(&w, "", err);
        *renders += w.renders;
        return rc;
    }
    const char *slash = strrchr(path, '/');
    return add(in, path, slash ? slash + 1 : path, err);
}

/* The entries of a --list file: lines (a final \r dropped), or with -0 NUL-terminated
 * names, which may hold any other byte. */
static int add_list(run_inputs *in, const run_args *a, size_t *renders, opc_error *err)
{
    unsigned char *buf;
    size_t size;
    const char *list = a->list, *shown = strcmp(list, "-") ? list : "(stdin)";
    int rc = opc_read_file(list, MAX_LIST_BYTES, &buf, &size, err);
    if (rc != OPC_OK)
        return rc;
    const char sep = a->list_nul ? '\0' : '\n';
    char *line = (char *)buf, *end = (char *)buf + size;
    for (size_t lineno = 1; rc == OPC_OK && line < end; lineno++) {
        char *nl = memchr(line, sep, (size_t)(end - line));
        char *stop = nl ? nl : end;
        if (!a->list_nul && memchr(line, '\0', (size_t)(stop - line))) {
            rc = opc_fail(err, OPC_ERR_ARG, "%s:%zu: a NUL byte in a list of lines (a list "
                          "from find -print0 needs -0)", shown, lineno);
            break;
        }
        *stop = 0;
        if (!a->list_nul && stop > line && stop[-1] == '\r')
            stop[-1] = 0;
        if (*line) {
            if (strcmp(line, "-") == 0)
                rc = opc_fail(err, OPC_ERR_ARG, "%s: '-' (stdin) cannot be listed", shown);
            else
                rc = add_path(in, line, a->recursive, renders, err);
        }
        line = stop + 1;
    }
    free(buf);
    return rc;
}

int inputs_collect(const run_args *a, run_inputs *in, opc_error *err)
{
    memset(in, 0, sizeof *in);
    int stdin_uses = a->list && strcmp(a->list, "-") == 0;
    int rc = OPC_OK;
    size_t renders = 0;
    for (int i = 0; rc == OPC_OK && i < a->npaths; i++) {
        if (strcmp(a->paths[i], "-") == 0 && stdin_uses++)
            rc = opc_fail(err, OPC_ERR_ARG, "standard input ('-') can be read only once");
        else
            rc = add_path(in, a->paths[i], a->recursive, &renders, err);
    }
    if (rc == OPC_OK && a->list)
        rc = add_list(in, a, &renders, err);
    if (rc != OPC_OK) {
        inputs_free(in);
        return rc;
    }
    struct stat st;
    in->single = a->npaths == 1 && !a->list &&
                 (strcmp(a->paths[0], "-") == 0 || stat(a->paths[0], &st) != 0 ||
                  !S_ISDIR(st.st_mode));
    if (renders)
        fprintf(stderr, "openpose-c: %zu picture%s named NAME_rendered.* in the input folders "
                "skipped (an earlier run's renders; name one as an argument to read it)\n",
                renders, renders == 1 ? "" : "s");
    return OPC_OK;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp((*(run_input *const *)a)->name, (*(run_input *const *)b)->name);
}

int inputs_check_unique(const run_inputs *in, opc_error *err)
{
    if (in->n < 2)
        return OPC_OK;
    run_input **by_name = malloc(in->n * sizeof *by_name);
    if (!by_name)
        return opc_fail(err, OPC_ERR_NOMEM, "inputs: out of memory");
    for (size_t i = 0; i < in->n; i++)
        by_name[i] = &in->v[i];
    qsort(by_name, in->n, sizeof *by_name, cmp_name);
    int rc = OPC_OK;
    for (size_t i = 1; i < in->n && rc == OPC_OK; i++)
        if (strcmp(by_name[i - 1]->name, by_name[i]->name) == 0)
            rc = opc_fail(err, OPC_ERR_ARG,
                          "%s and %s would write the same output files (%s_*): rename one "
                          "(images of different folders can be passed as their parent folder "
                          "with -r, which mirrors subfolders)",
                          by_name[i - 1]->path, by_name[i]->path, by_name[i]->name);
    free(by_name);
    return rc;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = (*(run_input *const *)a)->image_id, y = (*(run_input *const *)b)->image_id;
    return (x > y) - (x < y);
}

static int no_id(const run_args *a, const run_input *in, opc_error *err)
{
    if (a->image_ids)
        return opc_fail(err, OPC_ERR_ARG, "%s: no COCO image_id: its file name is not among "
                        "the \"images\" of %s", in->path, a->image_ids);
    if (strcmp(in->path, "-") == 0)
        return opc_fail(err, OPC_ERR_ARG, "standard input has no file name to take a COCO "
                        "image_id from: give --image-id N");
    return opc_fail(err, OPC_ERR_ARG, "%s: no COCO image_id (the last number in the file "
                    "name): give --image-ids GT.json or --image-id N", in->path);
}

int inputs_assign_ids(const run_args *a, run_inputs *in, opc_error *err)
{
    if (a->image_id >= 0 && !in->single)
        return opc_fail(err, OPC_ERR_ARG, "--image-id N is the id of one image: name one "
                        "IMAGE (a file or '-'), or give --image-ids GT.json");
    opc_coco_image_ids *ids = NULL;
    if (a->image_ids && !(ids = opc_coco_image_ids_read(a->image_ids, err)))
        return OPC_ERR_IO;
    int rc = OPC_OK;
    for (size_t i = 0; i < in->n && rc == OPC_OK; i++) {
        run_input *r = &in->v[i];
        r->image_id = a->image_id >= 0 ? a->image_id
                      : ids           ? opc_coco_image_ids_find(ids, r->path)
                                      : opc_coco_image_id(r->path);
        if (r->image_id < 0)
            rc = no_id(a, r, err);
    }
    opc_coco_image_ids_free(ids);
    run_input **by_id = rc == OPC_OK && in->n > 1 ? malloc(in->n * sizeof *by_id) : NULL;
    if (rc != OPC_OK || in->n < 2)
        return rc;
    if (!by_id)
        return opc_fail(err, OPC_ERR_NOMEM, "inputs: out of memory");
    for (size_t i = 0; i < in->n; i++)
        by_id[i] = &in->v[i];
    qsort(by_id, in->n, sizeof *by_id, cmp_id);
    for (size_t i = 1; i < in->n && rc == OPC_OK; i++)
        if (by_id[i - 1]->image_id == by_id[i]->image_id)
            rc = opc_fail(err, OPC_ERR_ARG,
                          "%s and %s would both be COCO image_id %lld: each image needs its "
                          "own (the same folder twice? names that are not ids: give "
                          "--image-ids GT.json)", by_id[i - 1]->path, by_id[i]->path,
                          (long long)by_id[i]->image_id);
    free(by_id);
    return rc;
}

void inputs_shard(run_inputs *in, int k, int n)
{
    size_t kept = 0;
    for (size_t i = 0; i < in->n; i++) {
        if (i % (size_t)n == (size_t)(k - 1)) {
            in->v[kept++] = in->v[i];
        } else {
            free(in->v[i].path);
            free(in->v[i].name);
        }
    }
    in->n = kept;
}

void inputs_free(run_inputs *in)
{
    for (size_t i = 0; i < in->n; i++) {
        free(in->v[i].path);
        free(in->v[i].name);
    }
    free(in->v);
    memset(in, 0, sizeof *in);
}
