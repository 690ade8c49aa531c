/* Running a model: an opc_net holds the execution plan (blob shapes, a memory arena
 * reused across layers), scratch space and worker threads for one input size at a time;
 * it re-plans when the input size changes. One opc_net is used by one thread at a time;
 * several nets may share one model. */
#ifndef OPENPOSE_C_NET_H
#define OPENPOSE_C_NET_H

#include <stddef.h>

#include "error.h"
#include "model.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct opc_net opc_net;

typedef enum {
    OPC_ENGINE_FAST = 0,      /* the optimised kernels (default) */
    OPC_ENGINE_REFERENCE = 1  /* plain loops, the yardstick the fast paths are tested against */
} opc_engine;

typedef struct opc_net_options {
    int threads;        /* worker threads (and OpenBLAS threads); 0 = number of CPUs */
    opc_engine engine;
} opc_net_options;

opc_net *opc_net_create(const opc_model *m, const opc_net_options *opt, opc_error *err);
void opc_net_free(opc_net *net);

/* Channels of the input tensor the network takes (C of 1 x C x H x W). */
int opc_net_input_channels(const opc_net *net);

/* Runs the network on input (1 x C x H x W, preprocessed, NCHW). On success *output points
 * at the model's first output (1 x channels x H/stride x W/stride), owned by the net and
 * valid until the next forward or opc_net_free. */
int opc_net_forward(opc_net *net, const opc_tensor *input, const opc_tensor **output,
                    opc_error *err);

/* The same for every output: outputs[k] receives output k, for the model's
 * opc_model_num_outputs outputs (outputs must have room for that many). */
int opc_net_forward_all(opc_net *net, const opc_tensor *input, const opc_tensor **outputs,
                        opc_error *err);

/* Like opc_net_forward, but copies the blob called blob_name (any intermediate blob,
 * as the model file names it) into *out, which the caller frees with opc_tensor_free. */
int opc_net_forward_blob(opc_net *net, const opc_tensor *input, const char *blob_name,
                         opc_tensor *out, opc_error *err);

/* The same for n blobs in one forward: out[k] receives blob_names[k]. On failure every
 * out[k] is left empty. */
int opc_net_forward_blobs(opc_net *net, const opc_tensor *input, int n,
                          const char *const *blob_names, opc_tensor *out, opc_error *err);

/* Per-layer timing of one forward (tools/profile_layers). */
typedef struct opc_layer_time {
    const char *layer, *kernel; /* owned by the model and the kernel tables */
    double ms;                  /* wall time of the layer */
    double macs;                /* its multiply-accumulates */
} opc_layer_time;

/* Number of layers: the length of the times array below. */
int opc_net_layers(const opc_net *net);
/* opc_net_forward that also fills times[layer]. */
int opc_net_forward_profile(opc_net *net, const opc_tensor *input, opc_layer_time *times,
                            opc_error *err);

/* The CPU level the fast kernels run at in this process: "baseline" (x86-64), "avx2" or
 * "avx512" ("native" in a build for one machine), the highest this CPU runs unless the
 * environment variable OPENPOSE_C_CPU names a lower one; and that highest level. A net
 * cannot be created while OPENPOSE_C_CPU names an unknown level or one above the CPU's. */
const char *opc_cpu_level_in_use(void);
const char *opc_cpu_level_best(void);
/* OPC_OK, or the reason OPENPOSE_C_CPU keeps nets from being created. */
int opc_cpu_level_check(opc_error *err);

/* Memory figures of the plan for a net_w x net_h input. */
typedef struct opc_net_memory {
    size_t activation_bytes;  /* the arena holding all blobs, after buffer reuse */
    size_t naive_bytes;       /* what one buffer per blob would take */
    size_t scratch_bytes;     /* per-layer workspace (im2col, transforms) */
    size_t packed_bytes;      /* weights the fast kernels keep in their own layout, made once
                                 per net (beside the model's own, which are mapped) */
} opc_net_memory;
int opc_net_memory_at(opc_net *net, int net_w, int net_h, opc_net_memory *mem, opc_error *err);

/* The BLAS the fast engine calls (OpenBLAS): its build line (openblas_get_config(), e.g.
 * "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64") and the
 * kernel it runs on this CPU (openblas_get_corename(), e.g. "Cooperlake"). A DYNAMIC_ARCH
 * build picks its kernel for the CPU at start-up; OPENBLAS_CORETYPE=NAME forces one. */
const char *opc_blas_config(void);
const char *opc_blas_kernel(void);

#ifdef __cplusplus
}
#endif
#endif
