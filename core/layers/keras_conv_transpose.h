// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Where Keras' Conv2DTranspose output lies on the full transposed convolution. Header-only: the
// libtorch module (modules/torch_kernels), which does not link weightsmith_core, uses it too.
//
// Per spatial axis, the full transposed convolution (PyTorch's ConvTranspose with padding=0) is
// (in - 1) * s + k_eff long, k_eff = (k - 1) * d + 1. Keras' output length is
// conv_utils.deconv_output_length: 'same' in * s, 'valid' in * s + max(k_eff - s, 0), or with
// output_padding op (in - 1) * s + k_eff - 2 * pad + op (pad = k_eff / 2 for 'same', else 0).
// TensorFlow (conv2d_transpose = the gradient of a convolution of that length) drops
// max((in - 1) * s + k_eff - length, 0) / 2 elements before it for 'same', none for 'valid';
// where the length runs past the full result, the extra elements get no contribution (only the
// bias). `before` and `length - full` do not depend on `in`.
#include <algorithm>
#include <cstdint>

namespace ws::layers {

struct TransposeAxis {
    std::int64_t full = 0;    // length of the full transposed convolution
    std::int64_t length = 0;  // Keras' output length
    std::int64_t before = 0;  // elements of the full result dropped before the output
    // Elements of the full result dropped after the output; negative: that many zeros appended.
    std::int64_t trimAfter() const { return full - before - length; }
};

// outputPadding < 0: none given (null in the config).
inline TransposeAxis kerasTransposeAxis(std::int64_t in, std::int64_t kernel, std::int64_t stride,
                                        std::int64_t dilation, bool same,
                                        std::int64_t outputPadding) {
    TransposeAxis a;
    const std::int64_t effective = (kernel - 1) * dilation + 1;
    a.full = (in - 1) * stride + effective;
    if (outputPadding >= 0)
        a.length = a.full - 2 * (same ? effective / 2 : 0) + outputPadding;
    else
        a.length = same ? in * stride : in * stride + std::max<std::int64_t>(effective - stride, 0);
    a.before = same ? std::max<std::int64_t>(a.full - a.length, 0) / 2 : 0;
    return a;
}

}  // namespace ws::layers
