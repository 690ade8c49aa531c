/* Numbers as every writer prints them (openpose-c/output.h). */
#include "openpose-c/output.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* float: at most 9 significant digits; double: 17. */
static const char *shortest(char *buf, double v, int is_float)
{
    if (!isfinite(v) || v == 0) {
        buf[0] = '0';
        buf[1] = 0;
        return buf;
    }
    if (fabs(v) < 1e7 && v == trunc(v)) {
        snprintf(buf, OPC_NUMBER_LEN, "%.0f", v);
        return buf;
    }
    int max = is_float ? 9 : 17;
    for (int prec = 1; prec <= max; prec++) {
        snprintf(buf, OPC_NUMBER_LEN, "%.*g", prec, v);
        if (is_float ? strtof(buf, NULL) == (float)v : strtod(buf, NULL) == v)
            break;
    }
    return buf;
}

const char *opc_format_float(char buf[OPC_NUMBER_LEN], float v) { return shortest(buf, v, 1); }
const char *opc_format_double(char buf[OPC_NUMBER_LEN], double v) { return shortest(buf, v, 0); }
