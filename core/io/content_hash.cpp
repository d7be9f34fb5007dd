// SPDX-License-Identifier: GPL-3.0-or-later
#include "io/content_hash.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace ws {

namespace {

constexpr std::uint64_t kPrime1 = 0x9E3779B185EBCA87ULL;
constexpr std::uint64_t kPrime2 = 0xC2B2AE3D27D4EB4FULL;

std::uint64_t rotl(std::uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

// Four independent lanes of 8-byte words (as in xxHash64), so the loop runs at memory speed.
struct Hasher {
    std::uint64_t lane[4] = {kPrime1, kPrime2, ~kPrime1, ~kPrime2};
    std::uint64_t total = 0;
    std::uint8_t tail[32] = {};
    std::size_t tailSize = 0;

    static std::uint64_t round(std::uint64_t acc, std::uint64_t word) {
        return rotl(acc + word * kPrime2, 31) * kPrime1;
    }
    void block(const std::uint8_t* p) {
        for (int i = 0; i < 4; ++i) {
            std::uint64_t w;
            std::memcpy(&w, p + 8 * i, 8);
            lane[i] = round(lane[i], w);
        }
    }
    void add(const std::uint8_t* p, std::size_t n) {
        total += n;
        if (tailSize) {
            const std::size_t take = std::min(n, sizeof tail - tailSize);
            std::memcpy(tail + tailSize, p, take);
            tailSize += take;
            p += take;
            n -= take;
            if (tailSize < sizeof tail) return;
            block(tail);
            tailSize = 0;
        }
        for (; n >= 32; p += 32, n -= 32) block(p);
        std::memcpy(tail, p, n);
        tailSize = n;
    }
    std::uint64_t finish() const {
        std::uint64_t h =
            rotl(lane[0], 1) + rotl(lane[1], 7) + rotl(lane[2], 12) + rotl(lane[3], 18) + total;
        for (std::size_t i = 0; i < tailSize; ++i) h = rotl(h ^ (tail[i] * kPrime1), 11) * kPrime2;
        h ^= h >> 33;
        h *= kPrime2;
        h ^= h >> 29;
        return h;
    }
};

}  // namespace

std::uint64_t contentHash(const void* data, std::size_t n) {
    Hasher h;
    h.add(static_cast<const std::uint8_t*>(data), n);
    return h.finish();
}

std::uint64_t contentHash(const ByteSource& source) {
    if (const std::uint8_t* all = source.data()) return contentHash(all, source.size());
    Hasher h;
    std::vector<std::uint8_t> piece(std::size_t(1) << 22);
    for (std::uint64_t at = 0; at < source.size();) {
        const std::size_t n =
            std::size_t(std::min<std::uint64_t>(piece.size(), source.size() - at));
        source.read(at, piece.data(), n);
        h.add(piece.data(), n);
        at += n;
    }
    return h.finish();
}

}  // namespace ws
