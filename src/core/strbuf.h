/* A growing string for the output writers. Appends never fail visibly: an allocation
 * failure marks the buffer, and opc_strbuf_take then returns NULL. */
#ifndef OPC_CORE_STRBUF_H
#define OPC_CORE_STRBUF_H

#include <stddef.h>

typedef struct {
    char *s;
    size_t len, cap;
    int failed;
} opc_strbuf;

void opc_strbuf_add(opc_strbuf *b, const char *text);
void opc_strbuf_addf(opc_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The string (caller frees), or NULL after an allocation failure (the buffer is freed). */
char *opc_strbuf_take(opc_strbuf *b);

#endif
