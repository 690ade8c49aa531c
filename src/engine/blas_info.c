/* Which BLAS the fast engine runs on (openpose-c/net.h): OpenBLAS says it itself. */
#include <cblas.h>

#include "openpose-c/net.h"

const char *opc_blas_config(void) { return openblas_get_config(); }

const char *opc_blas_kernel(void) { return openblas_get_corename(); }
