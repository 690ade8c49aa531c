/* Damage sweep over a real-layout mini net (BODY_25: PReLU, dense-block concats): the
 * prototxt and caffemodel truncated at spread points and with bytes changed, both in
 * the layer/blob headers at the start and through the rest of the file. */
#include "openpose-c/files.h"
#include "fuzz_convert.h"

int main(void)
{
    const char *proto = opc_test_shared_path("testdata/engine/body_25/mini.prototxt");
    const char *model = opc_test_shared_path("testdata/engine/body_25/mini.caffemodel");
    const char *dir = opc_test_tmpdir("caffe_fuzz_minis");
    char bad[4300], out[4300];
    snprintf(bad, sizeof bad, "%s/bad", dir);
    snprintf(out, sizeof out, "%s/out.opc", dir);
    unsigned char *text = NULL, *weights = NULL;
    size_t nt = 0, nw = 0;
    opc_error err;
    if (opc_read_file(proto, 1 << 24, &text, &nt, &err) != OPC_OK ||
        opc_read_file(model, 1 << 26, &weights, &nw, &err) != OPC_OK) {
        CHECK(0, "%s", err.msg);
        return opc_test_result();
    }
    fuzz_ctx fz = {proto, model, bad, out, 0, 0, 0, 0};

    static const unsigned char text_subst[] = {'}', '"', '\n'};
    fuzz_sweep(&fz, 1, text, nt, 0, nt, 61, 61, text_subst, sizeof text_subst, 0);
    int text_runs = fz.runs;
    fz.cut_runs = fz.cut_failures = 0;

    static const unsigned char masks[] = {0x80, 0xff};
    fuzz_sweep(&fz, 0, weights, nw, 0, 4096, 31, 48, masks, sizeof masks, 1); /* headers */
    fuzz_sweep(&fz, 0, weights, nw, 4096, nw, 31, 31, masks + 1, 1, 1);
    printf("prototxt: %d runs; caffemodel: %d runs; %d refused in all\n", text_runs,
           fz.runs - text_runs, fz.failures);
    CHECK(fz.cut_failures == fz.cut_runs && fz.cut_runs == 62,
          "%d of %d truncated caffemodels accepted", fz.cut_runs - fz.cut_failures, fz.cut_runs);
    unlink(out);
    unlink(bad);
    free(text);
    free(weights);
    return opc_test_result();
}
