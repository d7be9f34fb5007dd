#pragma once
// A tensor's values read into memory for the views, loaded on a worker thread because reading
// (and inflating, and widening to double) a large tensor takes longer than a UI frame.
#include <QMetaType>
#include <QString>
#include <cstdint>
#include <memory>
#include <vector>

#include "model/tensor.h"

namespace ws::ui {

struct TensorData {
    std::vector<std::int64_t> shape;
    std::vector<double> values;  // C order
    QString error;               // why the values could not be read; values is then empty
    // Colour-range half-widths over the whole tensor, computed with the values on the worker
    // thread because the percentile scans (and partially sorts) every element.
    double maxAbs = 0;   // largest finite |x|
    double clipAbs = 0;  // kClipPercentile-th percentile of the finite |x|
};
using TensorDataPtr = std::shared_ptr<const TensorData>;

// Where the heatmap may clip its colour range so that a few outliers do not wash out the rest.
constexpr double kClipPercentile = 99.0;

// Views hold doubles; beyond this many elements they would need gigabytes, so they refuse.
constexpr std::int64_t kMaxViewElements = std::int64_t(1) << 26;

// Reads the tensor's values; never throws (errors land in TensorData::error).
TensorDataPtr loadTensorData(const TensorPtr& tensor);

}  // namespace ws::ui

Q_DECLARE_METATYPE(ws::ui::TensorDataPtr)
