// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Statistics and histogram of a tensor of any size, streamed from its storage (no double per
// element held), cancellable: what the GUI's histogram tab computes on a worker thread.
#include <atomic>

#include "stats/tensor_stats.h"

namespace ws {

// The same numbers as computeStats(tensor.toDoubles()).
TensorStats streamStats(const Tensor& tensor, const std::atomic<bool>* cancel = nullptr);

// The same histogram as computeHistogram(tensor.toDoubles(), bins), given the tensor's
// statistics (their min, max and non-finite counts fix the bins): a second streaming pass.
Histogram streamHistogram(const Tensor& tensor, int bins, const TensorStats& stats,
                          const std::atomic<bool>* cancel = nullptr);

}  // namespace ws
