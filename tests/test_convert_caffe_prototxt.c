/* Protobuf text-format reader: structure (nesting, repeats, lists, both message
 * brackets), scalars and strings (escapes, adjacent concatenation), comments, typed
 * accessors, and errors that name the file and the right line. */
#include <stdlib.h>
#include <string.h>

#include "convert/caffe/prototxt.h"
#include "testutil.h"

static pt_doc *parse(const char *text, opc_error *err)
{
    return pt_parse("net.prototxt", text, strlen(text), err);
}

/* The text must be refused with "net.prototxt:LINE: ..." mentioning what. */
static void expect_error(const char *text, int line, const char *what)
{
    opc_error err = {{0}};
    pt_doc *d = parse(text, &err);
    char prefix[64];
    snprintf(prefix, sizeof prefix, "net.prototxt:%d: ", line);
    CHECK(d == NULL, "accepted: %s", text);
    CHECK(strncmp(err.msg, prefix, strlen(prefix)) == 0, "want prefix '%s', got '%s'", prefix,
          err.msg);
    CHECK(strstr(err.msg, what) != NULL, "want '%s' in '%s'", what, err.msg);
    CHECK(strchr(err.msg, '\n') == NULL, "message has a newline: %s", err.msg);
    pt_free(d);
}

static void test_structure(void)
{
    const char *text = "# a comment line\n"
                       "name: \"net\"  # trailing comment\n"
                       "input: 'image'\n"
                       "input_dim: 1 input_dim: 3, input_dim: 368; input_dim: 656\n"
                       "layer {\n"
                       "  name: \"conv1\"\n"
                       "  bottom: \"image\"\n"
                       "  param { lr_mult: 1.0 } param { lr_mult: 2 }\n"
                       "  convolution_param {\n"
                       "    num_output: 64 kernel_size: 3 pad: 1\n"
                       "    weight_filler { type: \"gaussian\" std: 1e-2 }\n"
                       "  }\n"
                       "}\n"
                       "layer: < name: \"pool\" pooling_param: { pool: MAX } >\n"
                       "dims: [1, 2, 0x10]\n"
                       "empty: []\n"
                       "msgs: [{a: 1}, {a: 2}]\n";
    opc_error err;
    pt_doc *d = parse(text, &err);
    CHECK(d != NULL, "%s", err.msg);
    if (!d)
        return;
    const pt_node *root = pt_root(d);
    const char *s;
    CHECK(pt_string(d, pt_field(root, "name"), &s, &err) == OPC_OK && strcmp(s, "net") == 0,
          "name");
    CHECK(pt_string(d, pt_field(root, "input"), &s, &err) == OPC_OK && strcmp(s, "image") == 0,
          "single-quoted string");
    CHECK(pt_count(root, "input_dim") == 4, "input_dim count %d", pt_count(root, "input_dim"));
    long want[4] = {1, 3, 368, 656}, v;
    int i = 0;
    for (const pt_node *f = pt_field(root, "input_dim"); f; f = pt_next_same(f), i++)
        CHECK(pt_int(d, f, 0, 1000, &v, &err) == OPC_OK && v == want[i], "input_dim %d", i);
    CHECK(pt_field(root, "input_dim")->line == 4, "line of input_dim %d",
          pt_field(root, "input_dim")->line);

    CHECK(pt_count(root, "layer") == 2, "two layers");
    const pt_node *l = pt_field(root, "layer");
    CHECK(l->is_message && l->line == 5, "layer 1 message at line 5 (%d)", l->line);
    CHECK(pt_count(l, "param") == 2, "param repeats");
    float x;
    const pt_node *p2 = pt_next_same(pt_field(l, "param"));
    CHECK(pt_float(d, pt_field(p2, "lr_mult"), &x, &err) == OPC_OK && x == 2.0f, "lr_mult 2");
    const pt_node *cp = pt_field(l, "convolution_param");
    CHECK(pt_opt_int(d, cp, "num_output", -1, 1, 100000, &v, &err) == OPC_OK && v == 64,
          "num_output");
    CHECK(pt_opt_int(d, cp, "group", 1, 1, 100000, &v, &err) == OPC_OK && v == 1, "default");
    const pt_node *wf = pt_field(cp, "weight_filler");
    CHECK(pt_float(d, pt_field(wf, "std"), &x, &err) == OPC_OK && x == 0.01f, "std 1e-2");
    CHECK(wf->line == 11 && pt_field(wf, "std")->line == 11, "nested lines");

    const pt_node *l2 = pt_next_same(l);
    CHECK(l2 && l2->is_message && l2->line == 14, "angle-bracket message");
    const pt_node *pp = l2 ? pt_field(l2, "pooling_param") : NULL;
    CHECK(pp && pp->is_message, "message after a colon");
    CHECK(pp && pt_enum(d, pt_field(pp, "pool"), &s, &err) == OPC_OK && strcmp(s, "MAX") == 0,
          "enum");
    CHECK(pp && pt_string(d, pt_field(pp, "pool"), &s, &err) != OPC_OK, "an enum is no string");

    CHECK(pt_count(root, "dims") == 3, "list elements become repeats");
    const pt_node *dm = pt_next_same(pt_next_same(pt_field(root, "dims")));
    CHECK(pt_int(d, dm, 0, 100, &v, &err) == OPC_OK && v == 16, "hex in a list");
    CHECK(pt_count(root, "empty") == 0, "empty list");
    CHECK(pt_count(root, "msgs") == 2 && pt_field(root, "msgs")->is_message, "list of messages");
    pt_free(d);
}

static void test_strings(void)
{
    opc_error err;
    pt_doc *d = parse("a: \"x\\ty\\n\\\"q\\\" \\'s\\' \\\\ \\x41\\102\"\n"
                      "b: \"con\" 'cat'\n   \"enated\"\n"
                      "c: \"# not a comment\"\n"
                      "d: \"\"\n",
                      &err);
    CHECK(d != NULL, "%s", err.msg);
    if (!d)
        return;
    const pt_node *r = pt_root(d);
    const char *s;
    CHECK(pt_string(d, pt_field(r, "a"), &s, &err) == OPC_OK &&
              strcmp(s, "x\ty\n\"q\" 's' \\ AB") == 0,
          "escapes: '%s'", s);
    CHECK(pt_string(d, pt_field(r, "b"), &s, &err) == OPC_OK && strcmp(s, "concatenated") == 0,
          "adjacent strings: '%s'", s);
    CHECK(pt_string(d, pt_field(r, "c"), &s, &err) == OPC_OK && strcmp(s, "# not a comment") == 0,
          "hash inside a string");
    CHECK(pt_string(d, pt_field(r, "d"), &s, &err) == OPC_OK && s[0] == 0, "empty string");
    CHECK(pt_field(r, "d")->line == 5, "line after a multi-line value: %d", pt_field(r, "d")->line);
    pt_free(d);
}

static void test_accessors(void)
{
    opc_error err = {{0}};
    pt_doc *d = parse("i: 12\nbig: 99999999999999999999\nf: -2.5e3\nff: 1.5f\nb: true\n"
                      "b0: 0\nword: MAX\ns: \"7\"\nnan: nan\ntwice: 1\ntwice: 2\nm { }\n",
                      &err);
    CHECK(d != NULL, "%s", err.msg);
    if (!d)
        return;
    const pt_node *r = pt_root(d);
    long v;
    float x;
    int b;
    CHECK(pt_int(d, pt_field(r, "i"), 0, 10, &v, &err) != OPC_OK &&
              strstr(err.msg, "net.prototxt:1: i: expected an integer in 0..10") != NULL,
          "range: %s", err.msg);
    CHECK(pt_int(d, pt_field(r, "big"), 0, 1L << 40, &v, &err) != OPC_OK, "overflow");
    CHECK(pt_int(d, pt_field(r, "f"), -10000, 10000, &v, &err) != OPC_OK, "a float is no int");
    CHECK(pt_int(d, pt_field(r, "s"), 0, 10, &v, &err) != OPC_OK, "a string is no int");
    CHECK(pt_float(d, pt_field(r, "f"), &x, &err) == OPC_OK && x == -2500.0f, "float");
    CHECK(pt_float(d, pt_field(r, "ff"), &x, &err) == OPC_OK && x == 1.5f, "f suffix");
    CHECK(pt_float(d, pt_field(r, "nan"), &x, &err) != OPC_OK, "nan refused");
    CHECK(pt_float(d, pt_field(r, "word"), &x, &err) != OPC_OK &&
              strstr(err.msg, ":7: word: expected a finite number, found 'MAX'"),
          "%s", err.msg);
    CHECK(pt_bool(d, pt_field(r, "b"), &b, &err) == OPC_OK && b == 1, "true");
    CHECK(pt_bool(d, pt_field(r, "b0"), &b, &err) == OPC_OK && b == 0, "0");
    CHECK(pt_bool(d, pt_field(r, "i"), &b, &err) != OPC_OK, "12 is no bool");
    CHECK(pt_opt_int(d, r, "twice", 0, 0, 9, &v, &err) != OPC_OK &&
              strstr(err.msg, "net.prototxt:11: twice is given more than once"),
          "%s", err.msg);
    CHECK(pt_opt_int(d, r, "absent", 7, 0, 9, &v, &err) == OPC_OK && v == 7, "default");
    CHECK(pt_int(d, pt_field(r, "m"), 0, 9, &v, &err) != OPC_OK &&
              strstr(err.msg, "found a message"),
          "%s", err.msg);
    CHECK(pt_message(d, pt_field(r, "i"), &err) != OPC_OK && strstr(err.msg, ":1: i:"), "%s",
          err.msg);
    pt_free(d);
}

static void test_errors(void)
{
    expect_error("a: 1\nlayer {\n  name: \"x\"\n", 4, "inside 'layer' (opened on line 2)");
    expect_error("a: 1\n}\n", 2, "unexpected '}'");
    expect_error("layer { a: 1 >\n", 1, "unexpected '>'");
    expect_error("a: \"open\nb: 1\n", 1, "unterminated string");
    expect_error("\n\na: \"bad \\q escape\"\n", 3, "unknown escape");
    expect_error("a: \"nul \\0 inside\"\n", 1, "NUL");
    expect_error("a 1\n", 1, "expected ':' or '{'");
    expect_error("a:\n", 1, "has no value");
    expect_error("a: }\n", 1, "expected a value");
    expect_error("\n3a: 1\n", 2, "expected a field name");
    expect_error("[ext.field]: 1\n", 1, "extension");
    expect_error("a: [1, 2\n", 1, "unterminated list");
    expect_error("a: [1 2]\n", 1, "expected ',' or ']'");
    expect_error("a: \x01\n", 1, "0x01");

    /* Deep nesting is refused, never a stack overflow. */
    size_t depth = 5000;
    char *deep = malloc(depth * 4 + 1);
    for (size_t i = 0; i < depth; i++)
        memcpy(deep + 3 * i, "a {", 3);
    memset(deep + 3 * depth, '}', depth);
    deep[4 * depth] = 0;
    expect_error(deep, 1, "nested too deeply");
    free(deep);

    /* Embedded NUL bytes in the text are refused, not read as the end of the file. */
    opc_error err;
    pt_doc *d = pt_parse("net.prototxt", "a: 1\n\0b: 2", 10, &err);
    CHECK(d == NULL && strstr(err.msg, "net.prototxt:2:"), "NUL byte: %s",
          d ? "accepted" : err.msg);
    pt_free(d);
    d = pt_load("/nonexistent/net.prototxt", 1 << 20, &err);
    CHECK(d == NULL && strstr(err.msg, "/nonexistent/net.prototxt"), "missing file: %s", err.msg);
}

int main(void)
{
    test_structure();
    test_strings();
    test_accessors();
    test_errors();
    return opc_test_result();
}
