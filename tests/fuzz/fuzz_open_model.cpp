// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer harness: the whole path from a file on disk to a tree (content detection, then the
// Keras HDF5 / .keras / torch / safetensors reader), for readers that only work on paths (the
// HDF5 library opens files by name). Each input is written to a private temporary file.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "formats/open_model.h"
#include "fuzz_input.h"

static std::string scratchPath() {
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir ? dir : "/tmp") + "/ws_fuzz_open_model." + std::to_string(getpid());
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string path = scratchPath();
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return 0;
    if (size) std::fwrite(data, 1, size, f);
    std::fclose(f);
    try {
        auto model = ws::openModel(path);
        ws::fuzz::touchTensors(*model);
    } catch (const ws::FormatError&) {
    }
    return 0;
}
