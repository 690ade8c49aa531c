/* The kernel tables (kernel_tables.c) and the fast kernels are compiled once per CPU level
 * (core/cpu.h): a plan takes its kernels from the tables of the level this process runs
 * at, so every kernel of a plan, its scratch size included, is of one level. */
#include "core/cpu.h"
#include "engine/kernel.h"

OPC_LEVEL_DECLARE(const opc_kernel *, opc_kernel_select,
                  (opc_engine e, const opc_layer *l, const opc_shape *in, const opc_shape *out))

const opc_kernel *opc_kernel_select(opc_engine e, const opc_layer *l, const opc_shape *in,
                                    const opc_shape *out)
{
    static const opc_kernel *(*const level[])(opc_engine, const opc_layer *, const opc_shape *,
                                               const opc_shape *) =
        OPC_LEVEL_VARIANTS(opc_kernel_select);
    return level[opc_cpu_level()](e, l, in, out);
}
