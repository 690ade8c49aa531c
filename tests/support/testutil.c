#include "testutil.h"

#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/json_file.h"

int opc_test_failures;

int opc_test_result(void)
{
    if (opc_test_failures)
        fprintf(stderr, "%d check(s) failed\n", opc_test_failures);
    return opc_test_failures ? 1 : 0;
}

const char *opc_test_shared(void)
{
    static char path[4096];
    const char *env = getenv("OPENPOSE_C_SHARED");
    if (env && *env)
        snprintf(path, sizeof path, "%s", env);
    else
        snprintf(path, sizeof path, "%s/../shared", OPC_SOURCE_DIR);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return path;
    const char *req = getenv("OPENPOSE_C_REQUIRE_SHARED");
    if (req && strcmp(req, "1") == 0) {
        fprintf(stderr, "FAIL: shared data folder %s is missing and OPENPOSE_C_REQUIRE_SHARED=1\n",
                path);
        exit(1);
    }
    fprintf(stderr, "SKIP: shared data folder %s is missing (set OPENPOSE_C_SHARED)\n", path);
    exit(77);
}

const char *opc_test_shared_path(const char *rel)
{
    static char bufs[8][8192];
    static int next;
    char *b = bufs[next++ % 8];
    snprintf(b, sizeof bufs[0], "%s/%s", opc_test_shared(), rel);
    return b;
}

const char *opc_test_tmpdir(const char *name)
{
    static char path[8192];
    const char *base = getenv("OPC_BUILD_DIR");
    snprintf(path, sizeof path, "%s/test-tmp/%s.%d", base ? base : "/tmp", name, (int)getpid());
    char cmd[3 * 8192];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", path, path);
    if (system(cmd) != 0) {
        fprintf(stderr, "cannot create %s\n", path);
        exit(1);
    }
    return path;
}

const opc_layer *opc_test_layer(const opc_graph *g, const char *name)
{
    for (int i = 0; i < g->n_layers; i++)
        if (strcmp(g->layers[i].name, name) == 0)
            return &g->layers[i];
    return NULL;
}

const char *opc_test_in_name(const opc_graph *g, const opc_layer *l, int k)
{
    return l && k < l->n_inputs ? g->blob_names[l->inputs[k]] : "";
}

opc_diff opc_compare(const float *a, const float *b, size_t n)
{
    opc_diff d = {0};
    double num = 0, den = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(a[i])) {
            d.nonfinite++;
            continue;
        }
        double e = (double)a[i] - (double)b[i];
        num += e * e;
        den += (double)b[i] * b[i];
        if (fabs(e) > d.max_abs)
            d.max_abs = fabs(e);
        if (fabs(b[i]) > d.max_ref)
            d.max_ref = fabs(b[i]);
    }
    d.rel_l2 = den > 0 ? sqrt(num / den) : sqrt(num);
    if (d.nonfinite)
        d.max_abs = d.rel_l2 = INFINITY;
    return d;
}

int opc_test_nhwc_to_nchw(const opc_tensor *in, opc_tensor *out, opc_error *err)
{
    int h = in->c, w = in->h, c = in->w;
    if (opc_tensor_alloc(out, 1, c, h, w, err))
        return -1;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int k = 0; k < c; k++)
                out->data[((size_t)k * h + y) * w + x] = in->data[((size_t)y * w + x) * c + k];
    return 0;
}

const char *opc_test_topology_name(const opc_model *m)
{
    static opc_paf_topology t;
    return opc_model_paf_topology(m, &t, NULL) == OPC_OK ? t.name : "?";
}

cJSON *opc_test_read_json(const char *path)
{
    cJSON *j;
    opc_error err;
    if (opc_json_read_file(path, (size_t)256 << 20, (size_t)1 << 26, &j, &err) != OPC_OK) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    return j;
}

int opc_test_sanitized(void)
{
#ifdef OPC_TEST_SANITIZED
    return 1;
#else
    return 0;
#endif
}

int opc_test_cases(int n) { return opc_test_sanitized() && n > 0 ? 1 : n; }
