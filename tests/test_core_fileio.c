/* The library's atomic writes (openpose-c/files.h) where the output is not a plain file: a
 * symbolic link is followed (its target replaced, the link kept; a dangling link's target
 * made, relative to the link's folder), a descriptor path (/dev/fd/N of a pipe) is written
 * in place and in full, a FIFO goes to its reader, a folder is refused, and a plain file is
 * still replaced whole with no temporary file left. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "openpose-c/files.h"
#include "testutil.h"

static const char TEXT[] = "{\"version\":1.3,\"people\":[]}\n";

static char dir[4096];

static const char *at(const char *name)
{
    static char buf[4][8192];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

/* Whether path holds exactly TEXT. */
static int holds_text(const char *path)
{
    char got[sizeof TEXT + 8] = {0};
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(got, 1, sizeof got, f) : 0;
    if (f)
        fclose(f);
    return n == strlen(TEXT) && memcmp(got, TEXT, n) == 0;
}

static int write_text(const char *path, opc_error *err)
{
    return opc_write_file_atomic(path, TEXT, strlen(TEXT), err);
}

/* No .NAME.tmp.XXXXXX left in dir. */
static void check_no_temp(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        CHECK(!strstr(e->d_name, ".tmp."), "temporary file left: %s", e->d_name);
    if (d)
        closedir(d);
}

static void test_links(void)
{
    opc_error err;
    struct stat st;
    mkdir(at("sub"), 0777);
    FILE *f = fopen(at("sub/target.json"), "w");
    if (f) {
        fputs("old", f);
        fclose(f);
    }
    CHECK(symlink("sub/target.json", at("link.json")) == 0, "symlink");
    CHECK(write_text(at("link.json"), &err) == OPC_OK, "%s", err.msg);
    CHECK(lstat(at("link.json"), &st) == 0 && S_ISLNK(st.st_mode), "the link was replaced");
    CHECK(holds_text(at("sub/target.json")), "the link's target was not written");
    /* A dangling link: its target is made (relative to the link's folder). */
    CHECK(symlink("sub/new.json", at("dangling.json")) == 0, "symlink");
    CHECK(write_text(at("dangling.json"), &err) == OPC_OK, "%s", err.msg);
    CHECK(lstat(at("dangling.json"), &st) == 0 && S_ISLNK(st.st_mode), "the dangling link was replaced");
    CHECK(holds_text(at("sub/new.json")), "the dangling link's target was not made");
    /* A link loop fails with a message, nothing made. */
    CHECK(symlink("loop_b", at("loop_a")) == 0 && symlink("loop_a", at("loop_b")) == 0, "symlink");
    CHECK(write_text(at("loop_a"), &err) != OPC_OK && strstr(err.msg, "loop_a"),
          "a link loop: %s", err.msg);
    check_no_temp();
}

static void test_plain_and_folder(void)
{
    opc_error err;
    CHECK(write_text(at("plain.json"), &err) == OPC_OK && holds_text(at("plain.json")), "%s",
          err.msg);
    mkdir(at("folder"), 0777);
    CHECK(write_text(at("folder"), &err) != OPC_OK && strstr(err.msg, "is a folder"),
          "a folder: %s", err.msg);
    struct stat st;
    CHECK(stat(at("folder"), &st) == 0 && S_ISDIR(st.st_mode), "the folder is gone");
    check_no_temp();
}

typedef struct {
    int fd;
    char got[256];
    size_t n;
} reader;

/* Reads until the end (every writer closed) or the buffer is full. */
static void read_all(reader *r)
{
    ssize_t k;
    while (r->n < sizeof r->got && (k = read(r->fd, r->got + r->n, sizeof r->got - r->n)) > 0)
        r->n += (size_t)k;
}

/* A pipe named /dev/fd/N: written in place, in full, and still open for its owner after. */
static void test_descriptor(void)
{
    int p[2];
    if (pipe(p) != 0) {
        CHECK(0, "pipe");
        return;
    }
    char path[64];
    snprintf(path, sizeof path, "/dev/fd/%d", p[1]);
    opc_error err;
    CHECK(write_text(path, &err) == OPC_OK, "%s", err.msg);
    CHECK(write(p[1], "+", 1) == 1, "the descriptor was closed by the write");
    close(p[1]);
    reader r = {.fd = p[0]};
    read_all(&r);
    close(p[0]);
    CHECK(r.n == strlen(TEXT) + 1 && memcmp(r.got, TEXT, strlen(TEXT)) == 0 && r.got[r.n - 1] == '+',
          "the pipe got %zu bytes: %.*s", r.n, (int)r.n, r.got);
}

/* A FIFO: its reader gets the text; it stays a FIFO. The reader is open before the write
 * (without one the writer's open waits), and the text fits the pipe's buffer. */
static void test_fifo(void)
{
    const char *fifo = at("out.fifo");
    if (mkfifo(fifo, 0666) != 0) {
        CHECK(0, "mkfifo");
        return;
    }
    reader r = {.fd = open(fifo, O_RDONLY | O_NONBLOCK)};
    CHECK(r.fd >= 0, "open the FIFO for reading");
    if (r.fd < 0)
        return;
    opc_error err;
    CHECK(write_text(fifo, &err) == OPC_OK, "%s", err.msg);
    fcntl(r.fd, F_SETFL, 0);
    read_all(&r);
    close(r.fd);
    struct stat st;
    CHECK(stat(fifo, &st) == 0 && S_ISFIFO(st.st_mode), "the FIFO was replaced");
    CHECK(r.n == strlen(TEXT) && memcmp(r.got, TEXT, r.n) == 0, "the FIFO's reader got %zu bytes",
          r.n);
    check_no_temp();
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s", opc_test_tmpdir("test_core_fileio"));
    test_links();
    test_plain_and_folder();
    test_descriptor();
    test_fifo();
    return opc_test_result();
}
