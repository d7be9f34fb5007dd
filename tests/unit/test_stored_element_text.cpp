// SPDX-License-Identifier: GPL-3.0-or-later
// storedElementText: the text of one element read from its own bytes (what the GUI's cell
// editor opens with), exact where a double would round: int64 beyond 2^53.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "edit/element_codec.h"
#include "io/byte_source.h"
#include "model/error.h"
#include "model/tensor.h"

namespace {

template <typename T>
ws::Tensor tensorOf(ws::DType dtype, const std::vector<T>& values, bool bigEndian = false) {
    std::vector<std::uint8_t> bytes(values.size() * sizeof(T));
    std::memcpy(bytes.data(), values.data(), bytes.size());
    if (bigEndian)
        for (std::size_t i = 0; i < bytes.size(); i += sizeof(T))
            std::reverse(bytes.begin() + std::ptrdiff_t(i),
                         bytes.begin() + std::ptrdiff_t(i + sizeof(T)));
    ws::Tensor t;
    t.dtype = dtype;
    t.shape = {std::int64_t(values.size())};
    t.strides = {1};
    t.bigEndian = bigEndian;
    t.storage = std::make_shared<ws::MemoryByteSource>(std::move(bytes));
    return t;
}

TEST(StoredElementText, Int64BeyondDoublePrecisionKeepsEveryDigit) {
    const std::int64_t big = (std::int64_t(1) << 53) + 1;  // no double holds it
    const ws::Tensor t = tensorOf<std::int64_t>(ws::DType::I64, {1, big, INT64_MAX, INT64_MIN});
    EXPECT_EQ(ws::storedElementText(t, 1), "9007199254740993");
    EXPECT_EQ(ws::storedElementText(t, 2), "9223372036854775807");
    EXPECT_EQ(ws::storedElementText(t, 3), "-9223372036854775808");
    const ws::Tensor swapped = tensorOf<std::int64_t>(ws::DType::I64, {big}, true);
    EXPECT_EQ(ws::storedElementText(swapped, 0), "9007199254740993");
}

TEST(StoredElementText, FloatsReadBackAsTheSameElement) {
    const ws::Tensor f64 = tensorOf<double>(ws::DType::F64, {0.1, -2.5});
    EXPECT_EQ(ws::storedElementText(f64, 0), "0.1");
    EXPECT_EQ(ws::storedElementText(f64, 1), "-2.5");
    const ws::Tensor u8 = tensorOf<std::uint8_t>(ws::DType::U8, {255});
    EXPECT_EQ(ws::storedElementText(u8, 0), "255");
}

TEST(StoredElementText, OutsideTheStorageIsRefused) {
    const ws::Tensor t = tensorOf<std::int64_t>(ws::DType::I64, {1, 2});
    EXPECT_THROW(ws::storedElementText(t, 2), ws::FormatError);
    EXPECT_THROW(ws::storedElementText(t, -1), ws::FormatError);
}

}  // namespace
