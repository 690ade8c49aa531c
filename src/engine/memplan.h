/* The memory planner: lays out every blob a layer writes in one arena.
 *
 * A blob lives from the layer that writes it to its last reader (the graph output to the
 * end of the forward). Blobs whose lives overlap get disjoint memory; a buffer is reused
 * once its blob is dead. A CONCAT input whose last reader is that concat is placed as a
 * view at its channel offset inside the concat's output (views nest: a concat output can
 * itself be a view inside a later concat), so its producer writes it in place and the
 * concat copies nothing for it. An elementwise layer whose first input dies with it writes
 * its output over that input, a view at offset 0 (see make_in_place). A view's buffer (its
 * root's) lives as long as any blob in it. The input blob 0 stays in the caller's tensor and
 * is not in the arena. */
#ifndef OPC_ENGINE_MEMPLAN_H
#define OPC_ENGINE_MEMPLAN_H

#include <stddef.h>

#include "model/graph.h"

typedef struct opc_memplan {
    size_t *offset;      /* [n_blobs] float offset in the arena (blob 0: unused) */
    int *view_of;        /* [n_blobs] the blob this one lies in (a concat output, or the
                            input a layer overwrote in place), or -1 */
    size_t arena_floats; /* the arena, after reuse */
    size_t naive_floats; /* one buffer per written blob, no reuse */
} opc_memplan;

int opc_memplan_build(opc_memplan *mp, const opc_graph *g, const opc_shape *shapes,
                      opc_error *err);
void opc_memplan_free(opc_memplan *mp);

#endif
