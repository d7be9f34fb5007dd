#include "layers/semantic_layer.h"

namespace ws::layers {

bool hasWeights(const SemanticLayer& layer) { return !layer.tensors.empty(); }

}  // namespace ws::layers
