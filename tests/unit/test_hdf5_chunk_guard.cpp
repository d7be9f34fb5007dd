// SPDX-License-Identifier: GPL-3.0-or-later
// A dataset whose shape needs far more chunks than its file could index is refused quickly with
// a message naming it (libhdf5 would spend gigabytes walking them); an honest chunked dataset
// with many chunks still opens and reads the values h5py wrote.
#include <gtest/gtest.h>

#include <algorithm>

#include "formats/open_model.h"
#include "model/error.h"
#include "model/model.h"
#include "model/node.h"
#include "oracle_python.h"

namespace {

// Writes one chunked float32 dataset of `length` elements in chunks of `chunk`, with only its
// first element written (h5py allocates chunks as they are written, so the file stays small).
const char* kSparseWriter = R"PY(
import sys, h5py, numpy as np
path, length, chunk = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with h5py.File(path, "w") as f:
    d = f.create_dataset("w", shape=(length,), chunks=(chunk,), dtype="<f4")
    d[0] = 1.5
)PY";

std::string writeSparse(const std::string& leaf, int length, int chunk) {
    const std::string path = ws_test::tempPath(leaf);
    ws_test::runOracleOk(kSparseWriter, {path, std::to_string(length), std::to_string(chunk)});
    return path;
}

}  // namespace

TEST(Hdf5ChunkGuard, RefusesMoreChunksThanTheFileCouldHold) {
    const std::string path = writeSparse("chunk_bomb.h5", 3'600'000, 1);
    try {
        ws::openModel(path);
        FAIL() << "a 3.6-million-chunk dataset in a small file was accepted";
    } catch (const ws::FormatError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("'/w'"), std::string::npos) << message;
        EXPECT_NE(message.find("3600000 chunks"), std::string::npos) << message;
    }
}

TEST(Hdf5ChunkGuard, ManyHonestChunksStillOpen) {
    const std::string path = writeSparse("many_chunks.h5", 4096, 1);
    auto model = ws::openModel(path);
    ASSERT_TRUE(model);
    const ws::Node* node = model->find("w");
    ASSERT_TRUE(node && node->tensor);
    const std::vector<double> values = node->tensor->toDoubles();
    ASSERT_EQ(values.size(), 4096u);
    EXPECT_EQ(values[0], 1.5);
    EXPECT_EQ(std::count(values.begin(), values.end(), 0.0), 4095);  // h5py's fill value
}
