/* A protobuf wire-format writer into a growing buffer: how the TensorFlow.js converter
 * turns the JSON form of a GraphDef back into the binary one the TensorFlow converter reads.
 * An allocation failure is remembered (failed) and makes every later call a no-op, so a
 * writer checks once at the end. */
#ifndef OPC_CONVERT_PB_WRITER_H
#define OPC_CONVERT_PB_WRITER_H

#include <stddef.h>
#include <stdint.h>

typedef struct pb_writer {
    uint8_t *data;
    size_t len, cap;
    int failed;
} pb_writer;

void pb_write_free(pb_writer *w);
void pb_write_raw(pb_writer *w, const void *p, size_t n);
void pb_write_varint(pb_writer *w, uint64_t v);
void pb_write_tag(pb_writer *w, uint32_t field, int wire);
/* Fields: a varint, a little-endian float or double, length-delimited bytes. */
void pb_write_uint(pb_writer *w, uint32_t field, uint64_t v);
void pb_write_float(pb_writer *w, uint32_t field, float v);
void pb_write_double(pb_writer *w, uint32_t field, double v);
void pb_write_bytes(pb_writer *w, uint32_t field, const void *p, size_t n);
/* A sub-message: pb_write_begin returns a mark; write its fields, then pb_write_end(mark)
 * puts the length in front of them. */
size_t pb_write_begin(pb_writer *w, uint32_t field);
void pb_write_end(pb_writer *w, size_t mark);

#endif
