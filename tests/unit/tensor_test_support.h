// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Small in-memory tensors for unit tests.
#include <cstring>
#include <memory>
#include <vector>

#include "io/byte_source.h"
#include "model/tensor.h"

namespace ws_test {

// A float32 tensor of `shape` holding `v` (C order), backed by memory.
inline ws::TensorPtr f32Tensor(std::vector<std::int64_t> shape, const std::vector<float>& v) {
    std::vector<std::uint8_t> bytes(v.size() * 4);
    std::memcpy(bytes.data(), v.data(), bytes.size());
    auto t = std::make_shared<ws::Tensor>();
    t->dtype = ws::DType::F32;
    t->shape = std::move(shape);
    t->storage = std::make_shared<ws::MemoryByteSource>(std::move(bytes));
    return t;
}

}  // namespace ws_test
