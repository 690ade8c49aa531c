/* Exhaustive damage sweep over a small net using every supported layer kind: every
 * truncation point and a set of byte substitutions at every position of the prototxt
 * and of its caffemodel. Each outcome is a model or a clean one-line error; the
 * sanitizer build checks that nothing reads out of bounds or leaks. */
#include "caffe_small_net.h"
#include "caffe_writer.h"
#include "fuzz_convert.h"

static pbw_buf make_model(void)
{
    static float v[160];
    for (int i = 0; i < 160; i++)
        v[i] = 0.5f + (float)(i % 7) / 8.0f; /* positive: valid as BatchNorm variances */
    pbw_buf net = {0}, l = {0};
    cw_blob(&l, 7, 4, (int[]){4, 3, 3, 3}, v, 0);
    cw_blob(&l, 7, 1, (int[]){4}, v, 0);
    cw_layer(&net, "c1", "Convolution", &l, 0);
    l.n = 0;
    cw_blob(&l, 7, 1, (int[]){4}, v, CW_LEGACY);
    cw_blob(&l, 7, 1, (int[]){4}, v, CW_LEGACY);
    cw_blob(&l, 7, 1, (int[]){1}, v, CW_LEGACY);
    cw_layer(&net, "bn", "BatchNorm", &l, 0);
    l.n = 0;
    cw_blob(&l, 7, 1, (int[]){4}, v, CW_UNPACKED_DIMS);
    cw_blob(&l, 7, 1, (int[]){4}, v, CW_UNPACKED_DATA);
    cw_layer(&net, "sc", "Scale", &l, 0);
    l.n = 0;
    cw_blob(&l, 6, 1, (int[]){4}, v, 0);
    cw_layer(&net, "pr", "PReLU", &l, 1);
    l.n = 0;
    cw_blob(&l, 7, 4, (int[]){40, 4, 1, 1}, v, 0);
    cw_blob(&l, 7, 1, (int[]){40}, v, 0);
    cw_layer(&net, "out", "Convolution", &l, 0);
    free(l.p);
    return net;
}

int main(void)
{
    const char *dir = opc_test_tmpdir("caffe_fuzz");
    char proto[4300], model[4300], bad[4300], out[4300];
    snprintf(proto, sizeof proto, "%s/net.prototxt", dir);
    snprintf(model, sizeof model, "%s/net.caffemodel", dir);
    snprintf(bad, sizeof bad, "%s/bad", dir);
    snprintf(out, sizeof out, "%s/out.opc", dir);
    pbw_buf m = make_model();
    fuzz_save(proto, (const unsigned char *)CAFFE_SMALL_NET, sizeof CAFFE_SMALL_NET - 1);
    fuzz_save(model, m.p, m.n);
    fuzz_ctx fz = {proto, model, bad, out, 0, 0, 0, 0};

    opc_error err;
    CHECK(opc_convert_caffe(proto, model, out, NULL, &err) == OPC_OK, "intact net: %s", err.msg);

    static const unsigned char text_subst[] = {'{', '}', '"', '\\', 0};
    size_t n = sizeof CAFFE_SMALL_NET - 1;
    fuzz_sweep(&fz, 1, (const unsigned char *)CAFFE_SMALL_NET, n, 0, n, n, n, text_subst,
               sizeof text_subst, 0);
    int text_runs = fz.runs, text_failures = fz.failures;
    fz.cut_runs = fz.cut_failures = 0;

    static const unsigned char masks[] = {0x80};
    fuzz_sweep(&fz, 0, m.p, m.n, 0, m.n, m.n, m.n, masks, sizeof masks, 1);
    printf("prototxt: %d runs, %d refused; caffemodel: %d runs, %d refused\n", text_runs,
           text_failures, fz.runs - text_runs, fz.failures - text_failures);
    /* Damage must mostly be caught, not silently turned into a model; a caffemodel missing
     * any of its bytes always lacks some weights. */
    CHECK(text_failures > text_runs * 3 / 4, "only %d of %d damaged prototxts refused",
          text_failures, text_runs);
    CHECK(fz.cut_failures == fz.cut_runs && fz.cut_runs == (int)m.n,
          "%d of %d truncated caffemodels accepted", fz.cut_runs - fz.cut_failures, fz.cut_runs);
    free(m.p);
    return opc_test_result();
}
