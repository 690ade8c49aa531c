/* Fuzz target: the OpenVINO IR reader (the .xml through expat, the .bin's constants) and
 * its conversion to a model graph (constant folding, op mapping, preprocessing, shapes).
 * The input is the .xml, a NUL byte, then the .bin; without a NUL the .bin is empty. */
#include <string.h>

#include "fuzz_target.h"
#include "openpose-c/convert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char xml[4096], bin[4096], out[4096];
    fuzz_temp_path(xml, sizeof xml, "net.xml");
    fuzz_temp_path(bin, sizeof bin, "net.bin");
    fuzz_temp_path(out, sizeof out, "net.opc");
    const uint8_t *nul = memchr(data, 0, size);
    size_t xml_len = nul ? (size_t)(nul - data) : size;
    fuzz_write(xml, data, xml_len);
    fuzz_write(bin, nul ? nul + 1 : data, nul ? size - xml_len - 1 : 0);
    /* FakeQuantize dropped or kept: the input's size picks, so that both paths are seen. */
    opc_convert_options opt = {.keep_fake_quantize = (int)(size & 1)};
    opc_error err;
    opc_convert_openvino(xml, bin, out, &opt, &err);
    unlink(xml);
    unlink(bin);
    unlink(out);
    return 0;
}
