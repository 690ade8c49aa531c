/* Protobuf text format: a recursive-descent parser over the whole file held in memory.
 * Nodes and decoded strings live in one arena freed with the document. */
#include "convert/caffe/prototxt.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "openpose-c/error.h"
#include "openpose-c/files.h"

#define MAX_DEPTH 100 /* deeper nesting than any real file: refuse, never overflow */
#define BLOCK_SIZE (64 * 1024)

typedef struct block {
    struct block *next;
    size_t used, size;
    _Alignas(max_align_t) unsigned char data[];
} block;

struct pt_doc {
    char *path;
    block *blocks;
    pt_node root;
};

typedef struct {
    pt_doc *doc;
    const char *p, *end;
    int line;
    opc_error *err;
} parser;

static void *arena_alloc(pt_doc *doc, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    block *b = doc->blocks;
    if (!b || b->size - b->used < n) {
        size_t size = n > BLOCK_SIZE ? n : BLOCK_SIZE;
        b = malloc(sizeof *b + size);
        if (!b)
            return NULL;
        b->size = size;
        b->used = 0;
        b->next = doc->blocks;
        doc->blocks = b;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

static int fail_at(parser *ps, int line, const char *fmt, const char *arg)
{
    char reason[256];
    snprintf(reason, sizeof reason, fmt, arg);
    return opc_fail(ps->err, OPC_ERR_FORMAT, "%s:%d: %s", ps->doc->path, line, reason);
}

static int nomem(parser *ps)
{
    return opc_fail(ps->err, OPC_ERR_NOMEM, "%s: out of memory", ps->doc->path);
}

/* Skips blanks, newlines and # comments. */
static void skip_space(parser *ps)
{
    while (ps->p < ps->end) {
        char c = *ps->p;
        if (c == '\n') {
            ps->line++;
            ps->p++;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            ps->p++;
        } else if (c == '#') {
            while (ps->p < ps->end && *ps->p != '\n')
                ps->p++;
        } else {
            break;
        }
    }
}

static int is_ident_start(char c) { return isalpha((unsigned char)c) || c == '_'; }
static int is_ident_char(char c) { return isalnum((unsigned char)c) || c == '_'; }
static int is_token_char(char c) { return is_ident_char(c) || c == '.' || c == '+' || c == '-'; }

/* A printable rendering of the character at p for messages. */
static const char *show_char(char c, char buf[8])
{
    if (isprint((unsigned char)c))
        snprintf(buf, 8, "'%c'", c);
    else
        snprintf(buf, 8, "0x%02x", (unsigned char)c);
    return buf;
}

static char *copy_token(parser *ps, const char *s, size_t n)
{
    char *t = arena_alloc(ps->doc, n + 1);
    if (t) {
        memcpy(t, s, n);
        t[n] = 0;
    }
    return t;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

typedef struct {
    char *s;
    size_t n, cap;
} strbuf;

static int strbuf_put(strbuf *b, char c)
{
    if (b->n + 1 >= b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 64;
        char *s = realloc(b->s, cap);
        if (!s)
            return 0;
        b->s = s;
        b->cap = cap;
    }
    b->s[b->n++] = c;
    return 1;
}

/* The character a simple escape \e stands for, or -1. */
static int simple_escape(char e)
{
    switch (e) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case 'a': return '\a';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'v': return '\v';
    case '\\':
    case '\'':
    case '"':
    case '?': return e;
    default: return -1;
    }
}

/* Decodes one quoted string starting at ps->p (the quote), appending it to out. */
static int read_quoted(parser *ps, strbuf *out)
{
    char quote = *ps->p++;
    int line = ps->line;
    while (1) {
        if (ps->p >= ps->end || *ps->p == '\n')
            return fail_at(ps, line, "unterminated string%s", "");
        char c = *ps->p++;
        if (c == quote)
            return OPC_OK;
        if (c == '\\') {
            if (ps->p >= ps->end)
                return fail_at(ps, line, "unterminated string%s", "");
            char e = *ps->p++;
            if (simple_escape(e) >= 0) {
                c = (char)simple_escape(e);
            } else if (e == 'x' || e == 'X') {
                int v = 0, k = 0;
                for (; k < 2 && ps->p < ps->end && hex_value(*ps->p) >= 0; k++)
                    v = v * 16 + hex_value(*ps->p++);
                if (k == 0)
                    return fail_at(ps, line, "bad \\x escape in string%s", "");
                c = (char)v;
            } else if (e >= '0' && e <= '7') {
                int v = e - '0';
                for (int k = 1; k < 3 && ps->p < ps->end && *ps->p >= '0' && *ps->p <= '7'; k++)
                    v = v * 8 + (*ps->p++ - '0');
                if (v > 255)
                    return fail_at(ps, line, "octal escape out of range in string%s", "");
                c = (char)v;
            } else {
                char buf[8];
                return fail_at(ps, line, "unknown escape \\%s in string", show_char(e, buf));
            }
        }
        /* Names are C strings: an embedded NUL would silently truncate one. */
        if (c == 0)
            return fail_at(ps, line, "string contains a NUL character%s", "");
        if (!strbuf_put(out, c))
            return nomem(ps);
    }
}

/* A scalar value: one or more adjacent quoted strings (concatenated), or a bare token. */
static int read_scalar(parser *ps, pt_node *f)
{
    char c = *ps->p;
    if (c == '"' || c == '\'') {
        strbuf b = {0};
        int rc = OPC_OK;
        do {
            rc = read_quoted(ps, &b);
            skip_space(ps);
        } while (rc == OPC_OK && ps->p < ps->end && (*ps->p == '"' || *ps->p == '\''));
        if (rc == OPC_OK) {
            f->value = copy_token(ps, b.s ? b.s : "", b.n);
            f->is_string = 1;
            if (!f->value)
                rc = nomem(ps);
        }
        free(b.s);
        return rc;
    }
    const char *start = ps->p;
    while (ps->p < ps->end && is_token_char(*ps->p))
        ps->p++;
    if (ps->p == start) {
        char buf[8];
        return fail_at(ps, ps->line, "expected a value, found %s", show_char(c, buf));
    }
    f->value = copy_token(ps, start, (size_t)(ps->p - start));
    return f->value ? OPC_OK : nomem(ps);
}

static int parse_fields(parser *ps, pt_node *msg, char close, int open_line, int depth);

/* The value of field f after its name (and colon): a message, a scalar. */
static int parse_value(parser *ps, pt_node *f, int depth)
{
    char c = *ps->p;
    if (c == '{' || c == '<') {
        ps->p++;
        f->is_message = 1;
        return parse_fields(ps, f, c == '{' ? '}' : '>', f->line, depth + 1);
    }
    return read_scalar(ps, f);
}

static pt_node *new_field(parser *ps, pt_node ***tail, const char *name, int line)
{
    pt_node *f = arena_alloc(ps->doc, sizeof *f);
    if (!f)
        return NULL;
    memset(f, 0, sizeof *f);
    f->name = name;
    f->line = line;
    **tail = f;
    *tail = &f->next;
    return f;
}

/* Fields until the closing character (0 = end of file). */
static int parse_fields(parser *ps, pt_node *msg, char close, int open_line, int depth)
{
    if (depth > MAX_DEPTH)
        return fail_at(ps, ps->line, "messages nested too deeply%s", "");
    pt_node **tail = &msg->children;
    while (1) {
        skip_space(ps);
        if (ps->p >= ps->end) {
            if (!close)
                return OPC_OK;
            char reason[200];
            snprintf(reason, sizeof reason,
                     "unexpected end of file inside '%.64s' (opened on line %d)", msg->name,
                     open_line);
            return fail_at(ps, ps->line, "%s", reason);
        }
        char c = *ps->p;
        if (c == close && close) {
            ps->p++;
            return OPC_OK;
        }
        if (c == '}' || c == '>') {
            char buf[8];
            return fail_at(ps, ps->line, "unexpected %s", show_char(c, buf));
        }
        if (c == '[')
            return fail_at(ps, ps->line, "extension fields ([name]) are not supported%s", "");
        if (!is_ident_start(c)) {
            char buf[8];
            return fail_at(ps, ps->line, "expected a field name, found %s", show_char(c, buf));
        }
        const char *start = ps->p;
        while (ps->p < ps->end && is_ident_char(*ps->p))
            ps->p++;
        int line = ps->line;
        const char *name = copy_token(ps, start, (size_t)(ps->p - start));
        if (!name)
            return nomem(ps);
        skip_space(ps);
        int colon = ps->p < ps->end && *ps->p == ':';
        if (colon) {
            ps->p++;
            skip_space(ps);
        }
        if (ps->p >= ps->end)
            return fail_at(ps, line, "field '%.64s' has no value", name);
        c = *ps->p;
        if (!colon && c != '{' && c != '<')
            return fail_at(ps, line, "expected ':' or '{' after field '%.64s'", name);
        if (c == '[') { /* list: each element becomes one repeated field */
            ps->p++;
            skip_space(ps);
            int first = 1;
            while (ps->p < ps->end && *ps->p != ']') {
                if (!first) {
                    if (*ps->p != ',')
                        return fail_at(ps, ps->line, "expected ',' or ']' in list '%.64s'", name);
                    ps->p++;
                    skip_space(ps);
                    if (ps->p >= ps->end)
                        break;
                }
                first = 0;
                pt_node *f = new_field(ps, &tail, name, ps->line);
                if (!f)
                    return nomem(ps);
                int rc = parse_value(ps, f, depth);
                if (rc != OPC_OK)
                    return rc;
                skip_space(ps);
            }
            if (ps->p >= ps->end)
                return fail_at(ps, line, "unterminated list '%.64s'", name);
            ps->p++;
        } else {
            pt_node *f = new_field(ps, &tail, name, line);
            if (!f)
                return nomem(ps);
            int rc = parse_value(ps, f, depth);
            if (rc != OPC_OK)
                return rc;
        }
        skip_space(ps);
        if (ps->p < ps->end && (*ps->p == ',' || *ps->p == ';'))
            ps->p++;
    }
}

void pt_free(pt_doc *doc)
{
    if (!doc)
        return;
    for (block *b = doc->blocks, *n; b; b = n) {
        n = b->next;
        free(b);
    }
    free(doc->path);
    free(doc);
}

pt_doc *pt_parse(const char *path, const char *text, size_t len, opc_error *err)
{
    pt_doc *doc = calloc(1, sizeof *doc);
    size_t plen = strlen(path) + 1;
    if (doc)
        doc->path = malloc(plen);
    if (!doc || !doc->path) {
        pt_free(doc);
        opc_fail(err, OPC_ERR_NOMEM, "%s: out of memory", path);
        return NULL;
    }
    memcpy(doc->path, path, plen);
    doc->root.name = "";
    doc->root.is_message = 1;
    parser ps = {doc, text, text + len, 1, err};
    if (parse_fields(&ps, &doc->root, 0, 1, 0) != OPC_OK) {
        pt_free(doc);
        return NULL;
    }
    return doc;
}

pt_doc *pt_load(const char *path, size_t max_bytes, opc_error *err)
{
    unsigned char *data;
    size_t size;
    if (opc_read_file(path, max_bytes, &data, &size, err) != OPC_OK)
        return NULL;
    pt_doc *doc = pt_parse(path, (const char *)data, size, err);
    free(data);
    return doc;
}

const pt_node *pt_root(const pt_doc *doc) { return &doc->root; }
const char *pt_path(const pt_doc *doc) { return doc->path; }

const pt_node *pt_field(const pt_node *msg, const char *name)
{
    for (const pt_node *f = msg ? msg->children : NULL; f; f = f->next)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

const pt_node *pt_next_same(const pt_node *f)
{
    for (const pt_node *g = f->next; g; g = g->next)
        if (strcmp(g->name, f->name) == 0)
            return g;
    return NULL;
}

int pt_count(const pt_node *msg, const char *name)
{
    int n = 0;
    for (const pt_node *f = pt_field(msg, name); f; f = pt_next_same(f))
        n++;
    return n;
}

/* A value for a message: at most 48 bytes, control characters escaped, so that the
 * message stays one line. */
static const char *show_value(const char *v, char *buf, size_t size)
{
    size_t n = 0;
    for (; *v && n + 5 < size && n < 48; v++) {
        unsigned char c = (unsigned char)*v;
        if (c < 0x20 || c == 0x7f)
            n += (size_t)snprintf(buf + n, size - n, "\\x%02x", c);
        else
            buf[n++] = (char)c;
    }
    buf[n] = 0;
    return buf;
}

static int bad_value(const pt_doc *doc, const pt_node *f, const char *expected, opc_error *err)
{
    if (f->is_message)
        return opc_fail(err, OPC_ERR_FORMAT, "%s:%d: %s: expected %s, found a message", doc->path,
                        f->line, f->name, expected);
    char shown[64];
    return opc_fail(err, OPC_ERR_FORMAT, "%s:%d: %s: expected %s, found %s%s%s", doc->path, f->line,
                    f->name, expected, f->is_string ? "\"" : "'",
                    show_value(f->value, shown, sizeof shown), f->is_string ? "\"" : "'");
}

int pt_int(const pt_doc *doc, const pt_node *f, long lo, long hi, long *out, opc_error *err)
{
    char expected[96];
    snprintf(expected, sizeof expected, "an integer in %ld..%ld", lo, hi);
    if (f->is_message || f->is_string || !f->value[0])
        return bad_value(doc, f, expected, err);
    char *end;
    errno = 0;
    long v = strtol(f->value, &end, 0);
    if (*end || errno || v < lo || v > hi)
        return bad_value(doc, f, expected, err);
    *out = v;
    return OPC_OK;
}

int pt_float(const pt_doc *doc, const pt_node *f, float *out, opc_error *err)
{
    if (f->is_message || f->is_string || !f->value[0])
        return bad_value(doc, f, "a number", err);
    char *end;
    errno = 0;
    double v = strtod(f->value, &end);
    if ((*end == 'f' || *end == 'F') && end != f->value)
        end++;
    if (*end || end == f->value || !isfinite(v) || fabs(v) > 3.0e38)
        return bad_value(doc, f, "a finite number", err);
    *out = (float)v;
    return OPC_OK;
}

int pt_bool(const pt_doc *doc, const pt_node *f, int *out, opc_error *err)
{
    static const char *const T[] = {"true", "True", "t", "1"}, *const F[] = {"false", "False", "f",
                                                                             "0"};
    if (!f->is_message && !f->is_string)
        for (int i = 0; i < 4; i++) {
            if (strcmp(f->value, T[i]) == 0)
                return *out = 1, OPC_OK;
            if (strcmp(f->value, F[i]) == 0)
                return *out = 0, OPC_OK;
        }
    return bad_value(doc, f, "true or false", err);
}

int pt_string(const pt_doc *doc, const pt_node *f, const char **out, opc_error *err)
{
    if (f->is_message || !f->is_string)
        return bad_value(doc, f, "a quoted string", err);
    *out = f->value;
    return OPC_OK;
}

int pt_enum(const pt_doc *doc, const pt_node *f, const char **out, opc_error *err)
{
    if (f->is_message || f->is_string || !is_ident_start(f->value[0]))
        return bad_value(doc, f, "an enum name", err);
    *out = f->value;
    return OPC_OK;
}

int pt_message(const pt_doc *doc, const pt_node *f, opc_error *err)
{
    if (!f->is_message)
        return opc_fail(err, OPC_ERR_FORMAT, "%s:%d: %s: expected a message { ... }", doc->path,
                        f->line, f->name);
    return OPC_OK;
}

/* The optional field NAME of MSG: *f is NULL when it is absent; giving it twice is an
 * error naming the line of the second. */
static int opt_field(const pt_doc *doc, const pt_node *msg, const char *name, const pt_node **f,
                     opc_error *err)
{
    *f = pt_field(msg, name);
    const pt_node *again = *f ? pt_next_same(*f) : NULL;
    if (again)
        return opc_fail(err, OPC_ERR_FORMAT, "%s:%d: %s is given more than once", doc->path,
                        again->line, name);
    return OPC_OK;
}

int pt_opt_int(const pt_doc *doc, const pt_node *msg, const char *name, long def, long lo, long hi,
               long *out, opc_error *err)
{
    const pt_node *f;
    int rc = opt_field(doc, msg, name, &f, err);
    if (rc == OPC_OK && !f)
        *out = def;
    return rc == OPC_OK && f ? pt_int(doc, f, lo, hi, out, err) : rc;
}

int pt_opt_float(const pt_doc *doc, const pt_node *msg, const char *name, float def, float *out,
                 opc_error *err)
{
    const pt_node *f;
    int rc = opt_field(doc, msg, name, &f, err);
    if (rc == OPC_OK && !f)
        *out = def;
    return rc == OPC_OK && f ? pt_float(doc, f, out, err) : rc;
}

int pt_opt_bool(const pt_doc *doc, const pt_node *msg, const char *name, int def, int *out,
                opc_error *err)
{
    const pt_node *f;
    int rc = opt_field(doc, msg, name, &f, err);
    if (rc == OPC_OK && !f)
        *out = def;
    return rc == OPC_OK && f ? pt_bool(doc, f, out, err) : rc;
}
