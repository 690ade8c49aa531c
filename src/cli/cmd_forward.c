/* openpose-c forward: runs the network on a tensor from an .npy file and writes the output
 * (or any intermediate blob) as .npy. The debugging and conformance entry point. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_util.h"
#include "cli/cmd_args.h"
#include "cli/commands.h"
#include "cli/model_find.h"
#include "openpose-c/clock.h"
#include "openpose-c/model.h"
#include "openpose-c/net.h"
#include "openpose-c/tensor.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: openpose-c forward MODEL INPUT.npy -o OUTPUT.npy [--blob NAME]\n"
            "                          [--engine fast|reference] [--threads N] [--repeat N]\n"
            "\n"
            "Runs the network of MODEL (an .opc file, or NAME.opc in the models folders) on\n"
            "INPUT.npy and writes its output (the first, when it has several; 'openpose-c\n"
            "info' lists them), or the blob NAME, to OUTPUT.npy (float32, 1 x C x H x W;\n"
            "'-' = standard output).\n"
            "\n"
            "INPUT.npy is the network input exactly, already preprocessed: float32,\n"
            "1 x C x H x W (NCHW). Models converted from NHWC frameworks (TensorFlow; see\n"
            "'openpose-c info MODEL') take 1 x H x W x C instead. Any H x W the network\n"
            "accepts works.\n"
            "\n"
            "options:\n"
            "  -o, --output FILE   where to write the result (required; '-' = stdout)\n"
            "  --blob NAME         write this blob instead of the network output; names are\n"
            "                      the source model's (Caffe tops, TensorFlow nodes)\n"
            "  --engine E          fast (default): vectorised, multi-threaded kernels\n"
            "                      (Winograd, GEMM, direct) for this CPU; reference: plain\n"
            "                      single-threaded loops, the yardstick for the fast one\n"
            "  --threads N         worker threads (default 0 = all CPUs)\n"
            "  --repeat N          run the forward N times and print each run's time and\n"
            "                      the median on stderr (default 1, not timed)\n"
            "\n"
            "example:\n"
            "  openpose-c forward coco.opc input.npy -o heat_paf.npy\n"
            "  openpose-c forward coco.opc input.npy --blob conv4_4_CPM -o c44.npy\n");
}

int forward_args_parse(int argc, char **argv, forward_args *a)
{
    const char *pos[2];
    int n_pos = 0;
    *a = (forward_args){.net = {0, OPC_ENGINE_FAST}, .repeat = 1};
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
            help(stdout);
            return EXIT_OK;
        } else if (!strcmp(s, "-o") || !strcmp(s, "--output") || !strcmp(s, "--blob") ||
                   !strcmp(s, "--engine") || !strcmp(s, "--threads") ||
                   !strcmp(s, "--repeat")) {
            if (!val)
                return cli_usage_error("forward", "missing value after: %s", s);
            i++;
            if (!strcmp(s, "-o") || !strcmp(s, "--output"))
                a->output = val;
            else if (!strcmp(s, "--blob"))
                a->blob = val;
            else if (!strcmp(s, "--engine")) {
                if (!strcmp(val, "fast"))
                    a->net.engine = OPC_ENGINE_FAST;
                else if (!strcmp(val, "reference"))
                    a->net.engine = OPC_ENGINE_REFERENCE;
                else
                    return cli_usage_error("forward", "--engine must be fast or reference, not: %s", val);
            } else if (!strcmp(s, "--threads")) {
                if (!cli_int(val, 0, 256, &a->net.threads))
                    return cli_usage_error("forward", "--threads must be 0..256, not: %s", val);
            } else if (!cli_int(val, 1, 100000, &a->repeat)) {
                return cli_usage_error("forward", "--repeat must be 1..100000, not: %s", val);
            }
        } else if (s[0] == '-' && s[1]) {
            return cli_usage_error("forward", "unknown option: %s", s);
        } else if (n_pos < 2) {
            pos[n_pos++] = s;
        } else {
            return cli_usage_error("forward", "unexpected argument: %s", s);
        }
    }
    if (n_pos < 2)
        return cli_usage_error("forward", "MODEL and INPUT.npy are required");
    if (!a->output)
        return cli_usage_error("forward", "-o OUTPUT.npy is required");
    a->model = pos[0];
    a->input = pos[1];
    return -1;
}

/* Reads the input tensor in the layout the model expects and returns it as NCHW. */
static int read_input(const char *path, const opc_preprocess *pp, int channels, opc_tensor *t,
                      opc_error *err)
{
    int rc = opc_npy_read(path, t, err);
    if (rc != OPC_OK)
        return rc;
    /* The reader pads dims on the left, so an NHWC 1 x H x W x C array is n=1 c=H h=W w=C. */
    if (pp->nhwc) {
        if (t->n != 1 || t->w != channels) {
            snprintf(err->msg, sizeof err->msg,
                     "%s: this model takes NHWC input 1xHxWx%d, got %dx%dx%dx%d", path, channels,
                     t->n, t->c, t->h, t->w);
            opc_tensor_free(t);
            return OPC_ERR_FORMAT;
        }
        opc_tensor nchw;
        rc = opc_tensor_alloc(&nchw, 1, channels, t->c, t->h, err);
        if (rc != OPC_OK) {
            opc_tensor_free(t);
            return rc;
        }
        size_t hw = (size_t)t->c * t->h;
        for (size_t p = 0; p < hw; p++)
            for (int c = 0; c < channels; c++)
                nchw.data[c * hw + p] = t->data[p * channels + c];
        opc_tensor_free(t);
        *t = nchw;
        return OPC_OK;
    }
    if (t->n != 1 || t->c != channels) {
        snprintf(err->msg, sizeof err->msg,
                 "%s: this model takes NCHW input 1x%dxHxW, got %dx%dx%dx%d", path, channels, t->n,
                 t->c, t->h, t->w);
        opc_tensor_free(t);
        return OPC_ERR_FORMAT;
    }
    return OPC_OK;
}

/* Runs the forward a->repeat times; the last run's result is in *result (owned by the net
 * for the output, by *blob_out for --blob). */
static int run(opc_net *net, const forward_args *a, const opc_tensor *in, opc_tensor *blob_out,
               const opc_tensor **result, opc_error *err)
{
    double *ms = calloc((size_t)a->repeat, sizeof *ms);
    if (!ms) {
        snprintf(err->msg, sizeof err->msg, "out of memory");
        return OPC_ERR_NOMEM;
    }
    int rc = OPC_OK;
    for (int r = 0; r < a->repeat && rc == OPC_OK; r++) {
        double t0 = opc_clock_ms();
        if (a->blob) {
            opc_tensor_free(blob_out);
            rc = opc_net_forward_blob(net, in, a->blob, blob_out, err);
            *result = blob_out;
        } else {
            rc = opc_net_forward(net, in, result, err);
        }
        ms[r] = opc_clock_ms() - t0;
        if (rc == OPC_OK && a->repeat > 1)
            fprintf(stderr, "forward: run %d/%d: %.1f ms\n", r + 1, a->repeat, ms[r]);
    }
    if (rc == OPC_OK && a->repeat > 1) {
        double med = opc_median(ms, a->repeat);
        fprintf(stderr, "forward: median %.1f ms over %d runs\n", med, a->repeat);
    }
    free(ms);
    return rc;
}

int cmd_forward(int argc, char **argv)
{
    forward_args a;
    int st = forward_args_parse(argc, argv, &a);
    if (st >= 0)
        return st;
    opc_error err = {{0}};
    opc_tensor in = {0}, blob_out = {0};
    opc_net *net = NULL;
    const opc_tensor *result = NULL;
    int rc = OPC_ERR_ARG;
    char found[4096];
    opc_model *m = NULL;
    if (model_find(a.model, found, sizeof found, &err) != OPC_OK ||
        !(m = opc_model_open(found, &err)))
        goto done;
    net = opc_net_create(m, &a.net, &err);
    if (!net)
        goto done;
    rc = read_input(a.input, opc_model_preprocess(m), opc_net_input_channels(net), &in, &err);
    if (rc == OPC_OK)
        rc = run(net, &a, &in, &blob_out, &result, &err);
    if (rc == OPC_OK)
        rc = opc_npy_write(a.output, result, &err);
done:
    if (rc != OPC_OK)
        fprintf(stderr, "openpose-c forward: %s\n", err.msg);
    opc_tensor_free(&blob_out);
    opc_tensor_free(&in);
    opc_net_free(net);
    opc_model_close(m);
    return rc == OPC_OK ? EXIT_OK : EXIT_FAIL;
}
