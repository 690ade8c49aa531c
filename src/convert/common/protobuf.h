/* A minimal protobuf wire-format reader (no schema, no allocation): enough to walk
 * Caffe's NetParameter and TensorFlow's GraphDef. Every length is bounds-checked. */
#ifndef OPC_CONVERT_PROTOBUF_H
#define OPC_CONVERT_PROTOBUF_H

#include <stddef.h>
#include <stdint.h>

enum { PB_VARINT = 0, PB_FIXED64 = 1, PB_BYTES = 2, PB_FIXED32 = 5 };

typedef struct pb_reader {
    const uint8_t *p, *end;
} pb_reader;

typedef struct pb_field {
    uint32_t number;
    int wire;
    uint64_t value;        /* PB_VARINT, PB_FIXED64, PB_FIXED32 */
    const uint8_t *data;   /* PB_BYTES */
    size_t len;
} pb_field;

static inline pb_reader pb_init(const void *data, size_t len)
{
    /* An empty message may have no buffer at all, and NULL + 0 is undefined in C. */
    const uint8_t *p = data;
    return (pb_reader){p, len ? p + len : p};
}

/* Reads the next field: 1 = got one, 0 = end of message, -1 = malformed. */
int pb_next(pb_reader *r, pb_field *f);
/* The sub-message or string of a PB_BYTES field. */
static inline pb_reader pb_sub(const pb_field *f) { return pb_init(f->data, f->len); }
/* Reads one varint from r (for packed repeated fields): 1 ok, 0 end, -1 malformed. */
int pb_varint(pb_reader *r, uint64_t *v);
/* Float value of a PB_FIXED32 field. */
float pb_float(const pb_field *f);
/* Number of floats in a packed float field (its length must be a multiple of 4; -1 if not). */
long pb_packed_float_count(const pb_field *f);
/* Copies n little-endian floats from a packed float field. */
void pb_packed_floats(const pb_field *f, float *out, size_t n);

#endif
