/* Building the input list. Folder listings are sorted so that every run (and every
 * shard of a run) sees the same order. */
#include "cli/run_inputs.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

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

/* Adds the images of folder root/rel (rel "" at the top), sorted, recursing if asked. */
static int add_folder(run_inputs *in, const char *root, const char *rel, int recursive,
                      int depth, opc_error *err)
{
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
        struct stat st;
        /* lstat: symbolic links to folders are not followed (no cycles); links to files are
         * fine, they are opened like files. */
        if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode)) {
            if (recursive && depth < MAX_DEPTH)
                rc = add_folder(in, root, child_rel, recursive, depth + 1, err);
        } else if (is_image_name(names[i])) {
            rc = add(in, child, child_rel, err);
        }
        free(child_rel);
        free(child);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(dir_path);
    return rc;
}

static int add_path(run_inputs *in, const char *path, int recursive, opc_error *err)
{
    struct stat st;
    if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return add_folder(in, path, "", recursive, 0, err);
    const char *slash = strrchr(path, '/');
    return add(in, path, slash ? slash + 1 : path, err);
}

static int add_list(run_inputs *in, const char *list, int recursive, opc_error *err)
{
    unsigned char *buf;
    size_t size;
    int rc = opc_read_file(list, MAX_LIST_BYTES, &buf, &size, err);
    if (rc != OPC_OK)
        return rc;
    char *line = (char *)buf, *end = (char *)buf + size;
    while (rc == OPC_OK && line < end) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        char *stop = nl ? nl : end;
        *stop = 0;
        if (stop > line && stop[-1] == '\r')
            stop[-1] = 0;
        if (*line) {
            if (strcmp(line, "-") == 0)
                rc = opc_fail(err, OPC_ERR_ARG, "%s: '-' (stdin) cannot be listed",
                              strcmp(list, "-") ? list : "(stdin)");
            else
                rc = add_path(in, line, recursive, err);
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
    for (int i = 0; rc == OPC_OK && i < a->npaths; i++) {
        if (strcmp(a->paths[i], "-") == 0 && stdin_uses++)
            rc = opc_fail(err, OPC_ERR_ARG, "standard input ('-') can be read only once");
        else
            rc = add_path(in, a->paths[i], a->recursive, err);
    }
    if (rc == OPC_OK && a->list)
        rc = add_list(in, a->list, a->recursive, err);
    if (rc != OPC_OK)
        inputs_free(in);
    return rc;
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
