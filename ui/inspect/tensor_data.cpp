#include "inspect/tensor_data.h"

#include <exception>
#include <new>

#include "stats/heatmap_reduction.h"

namespace ws::ui {

TensorDataPtr loadTensorData(const TensorPtr& tensor) {
    auto data = std::make_shared<TensorData>();
    if (!tensor) {
        data->error = QStringLiteral("no tensor");
        return data;
    }
    data->shape = tensor->shape;
    try {
        tensor->validate();
        const std::int64_t n = tensor->numel();
        if (n > kMaxViewElements) {
            data->error = QStringLiteral("%1 elements are too many to display (limit %2)")
                              .arg(n)
                              .arg(kMaxViewElements);
            return data;
        }
        data->values = tensor->toDoubles();
        data->maxAbs = symmetricRange(data->values, 100.0);
        data->clipAbs = symmetricRange(data->values, kClipPercentile);
    } catch (const std::bad_alloc&) {
        data->error = QStringLiteral("out of memory while reading the values");
    } catch (const std::exception& e) {
        data->error = QString::fromStdString(e.what());
    }
    return data;
}

}  // namespace ws::ui
