/* The decoder table. First fit by family, as the engine's kernel tables. */
#include "decode/decoder.h"

#include <stdio.h>
#include <string.h>

static const opc_decoder *const DECODERS[] = {
    &opc_paf_decoder,
    &opc_posenet_decoder,
};
#define NUM_DECODERS (int)(sizeof DECODERS / sizeof DECODERS[0])

const opc_decoder *opc_decoder_find(const opc_decoder_model *m, opc_error *err)
{
    for (int i = 0; i < NUM_DECODERS; i++)
        if (strcmp(DECODERS[i]->family, m->head->decoder) == 0)
            return DECODERS[i];
    char known[256] = "";
    for (int i = 0; i < NUM_DECODERS; i++)
        snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", i ? ", " : "",
                 DECODERS[i]->family);
    opc_fail(err, OPC_ERR_UNSUPPORTED, "%s: head decoder \"%.32s\" is not one of this build's (%s)",
             m->where, m->head->decoder, known);
    return NULL;
}

int opc_decoder_check(const opc_decoder_model *m, opc_error *err)
{
    const opc_decoder *d = opc_decoder_find(m, err);
    if (!d)
        return OPC_ERR_UNSUPPORTED;
    opc_decode_options o;
    memset(&o, 0, sizeof o);
    d->defaults(m, &o);
    void *state = NULL;
    int rc = d->create(m, &o, &state, err);
    if (rc == 0)
        d->destroy(state);
    return rc;
}
