/* A protobuf TEXT-format reader (Caffe's .prototxt) producing a small generic tree, no
 * schema: a message is a list of fields in file order; a field is either a scalar (the
 * token as written, or a decoded string) or a nested message. Repeated fields are simply
 * fields with the same name. Errors name the file and line: "FILE:LINE: reason". */
#ifndef OPC_CONVERT_PROTOTXT_H
#define OPC_CONVERT_PROTOTXT_H

#include <stddef.h>

#include "openpose-c/error.h"

typedef struct pt_node {
    const char *name;         /* field name */
    int line;                 /* 1-based line of the field name */
    int is_message;           /* 1: children holds the fields; 0: a scalar */
    int is_string;            /* scalar was quoted (value is the decoded string) */
    const char *value;        /* scalar text: identifier/number as written, or string */
    struct pt_node *children; /* first field of a message */
    struct pt_node *next;     /* next field of the enclosing message */
} pt_node;

typedef struct pt_doc pt_doc;

/* Parses text[0..len) (path is only used in messages). */
pt_doc *pt_parse(const char *path, const char *text, size_t len, opc_error *err);
/* Reads and parses a file (at most max_bytes). */
pt_doc *pt_load(const char *path, size_t max_bytes, opc_error *err);
void pt_free(pt_doc *doc);
/* The top-level message and the path given when parsing. */
const pt_node *pt_root(const pt_doc *doc);
const char *pt_path(const pt_doc *doc);

/* First field called name in msg (NULL if none), and the next field after f with f's name. */
const pt_node *pt_field(const pt_node *msg, const char *name);
const pt_node *pt_next_same(const pt_node *f);
int pt_count(const pt_node *msg, const char *name);

/* Typed accessors for a scalar field f; on a bad value they fail with
 * "FILE:LINE: FIELD: reason". */
int pt_int(const pt_doc *doc, const pt_node *f, long lo, long hi, long *out, opc_error *err);
int pt_float(const pt_doc *doc, const pt_node *f, float *out, opc_error *err);
int pt_bool(const pt_doc *doc, const pt_node *f, int *out, opc_error *err);
/* A string field (quoted) or an enum field (identifier). */
int pt_string(const pt_doc *doc, const pt_node *f, const char **out, opc_error *err);
int pt_enum(const pt_doc *doc, const pt_node *f, const char **out, opc_error *err);
/* The optional field name of msg: def when absent (hi/lo as above). */
int pt_opt_int(const pt_doc *doc, const pt_node *msg, const char *name, long def, long lo, long hi,
               long *out, opc_error *err);
int pt_opt_float(const pt_doc *doc, const pt_node *msg, const char *name, float def, float *out,
                 opc_error *err);
int pt_opt_bool(const pt_doc *doc, const pt_node *msg, const char *name, int def, int *out,
                opc_error *err);
/* A message-typed field (fails if f is a scalar). */
int pt_message(const pt_doc *doc, const pt_node *f, opc_error *err);

#endif
