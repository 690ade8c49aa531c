/* Runs saved inputs through a fuzz target without libFuzzer, so that the seed corpus and
 * every checked-in crash reproducer are replayed by the normal test suite (Release and
 * sanitizer builds, any compiler).
 *
 *   fuzz_TARGET PATH... [--shared REL[+REL...]]...
 *
 * A PATH is a file or a folder of files (dot files skipped; a missing folder counts as
 * empty, as a target may have no reproducers yet). --shared names seeds inside the shared
 * data folder ($OPENPOSE_C_SHARED, else ../shared beside the sources); REL+REL joins
 * several files with NUL bytes into one input (targets that take several files split
 * there). When that folder is missing, those seeds are skipped, unless
 * OPENPOSE_C_REQUIRE_SHARED=1. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_target.h"

typedef struct {
    unsigned char *p;
    size_t n;
} buf;

/* Appends the file at path to b; 0 on failure. */
static int append_file(buf *b, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    unsigned char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        unsigned char *p = realloc(b->p, b->n + got);
        if (!p)
            abort();
        memcpy(p + b->n, chunk, got);
        b->p = p;
        b->n += got;
    }
    int ok = !ferror(f);
    fclose(f);
    return ok;
}

static void run(const buf *b)
{
    /* A copy of exactly n bytes, as libFuzzer passes, so that ASan sees overreads. */
    unsigned char *copy = malloc(b->n ? b->n : 1);
    if (!copy)
        abort();
    if (b->n)
        memcpy(copy, b->p, b->n);
    LLVMFuzzerTestOneInput(copy, b->n);
    free(copy);
}

static int run_file(const char *path)
{
    buf b = {0};
    if (!append_file(&b, path)) {
        fprintf(stderr, "%s: cannot read\n", path);
        free(b.p);
        return 0;
    }
    run(&b);
    free(b.p);
    return 1;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every file of dir in name order (reproducible logs); returns the count run and
 * counts the unreadable ones in *failed. */
static int run_dir(const char *dir, int *failed)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "%s: cannot open\n", dir);
        (*failed)++;
        return 0;
    }
    char **names = NULL;
    int n = 0, ran = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char **more = realloc(names, (size_t)(n + 1) * sizeof *names);
        if (!more || !(more[n] = strdup(e->d_name)))
            abort();
        names = more;
        n++;
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp_names);
    for (int i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            if (run_file(path))
                ran++;
            else
                (*failed)++;
        }
        free(names[i]);
    }
    free(names);
    return ran;
}

/* The shared folder, or NULL (with a note) when it is absent. */
static const char *shared_dir(char *buf, size_t cap)
{
    const char *env = getenv("OPENPOSE_C_SHARED");
    snprintf(buf, cap, "%s", env && *env ? env : OPC_SOURCE_DIR "/../shared");
    struct stat st;
    return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) ? buf : NULL;
}

/* One input made of the shared files in spec ("a+b" = a, NUL, b). */
static int run_shared(const char *root, const char *spec)
{
    buf b = {0};
    char rel[4096];
    snprintf(rel, sizeof rel, "%s", spec);
    int ok = 1;
    for (char *save, *part = strtok_r(rel, "+", &save); part && ok; part = strtok_r(NULL, "+", &save)) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", root, part);
        if (b.p) {
            unsigned char *p = realloc(b.p, b.n + 1);
            if (!p)
                abort();
            b.p = p;
            b.p[b.n++] = 0;
        }
        if (!append_file(&b, path)) {
            fprintf(stderr, "%s: cannot read\n", path);
            ok = 0;
        }
    }
    if (ok)
        run(&b);
    free(b.p);
    return ok;
}

int main(int argc, char **argv)
{
    int inputs = 0, failed = 0;
    char root_buf[4096];
    const char *root = NULL;
    int looked = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--shared") == 0 && i + 1 < argc) {
            if (!looked) {
                looked = 1;
                root = shared_dir(root_buf, sizeof root_buf);
                if (!root) {
                    const char *req = getenv("OPENPOSE_C_REQUIRE_SHARED");
                    fprintf(stderr, "shared data folder %s is missing: its seeds are %s\n",
                            root_buf, req && strcmp(req, "1") == 0 ? "required" : "skipped");
                    failed += req && strcmp(req, "1") == 0;
                }
            }
            i++;
            if (root) {
                if (run_shared(root, argv[i]))
                    inputs++;
                else
                    failed++;
            }
            continue;
        }
        struct stat st;
        if (stat(argv[i], &st) != 0)
            continue; /* a folder without reproducers yet */
        if (S_ISDIR(st.st_mode))
            inputs += run_dir(argv[i], &failed);
        else if (run_file(argv[i]))
            inputs++;
        else
            failed++;
    }
    printf("%d inputs replayed, %d unreadable\n", inputs, failed);
    return failed ? 1 : 0;
}
