// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// How torch pickles name tensors and their storages: the persistent id of a storage and the
// rebuild calls (_rebuild_tensor_v2, _rebuild_parameter, Parameter, _rebuild_from_type_v2)
// that turn one into a Tensor view. Shared by the zip and legacy readers through torch_tree.
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "io/byte_source.h"
#include "model/tensor.h"
#include "pickle/value.h"

namespace ws::torchfmt {

// One storage as a persistent id names it: ('storage', FloatStorage|float32, key, location, numel).
struct StorageRef {
    std::string key;
    DType dtype = DType::F32;
    std::string location;  // "cpu", "cuda:0", ...: always read on the CPU
    std::uint64_t numel = 0;
};

// A storage reference plus, for legacy views of a larger storage, where the view starts.
struct StorageUse {
    StorageRef ref;
    std::int64_t viewOffset = 0;  // in elements of the root storage
};

// Parses a persistent id; false when it is not a storage (legacy ('module', ...) ids), throws
// FormatError when it claims to be one but is malformed.
bool parseStorage(const pickle::Value& pid, StorageUse& use);

// Every storage the graph references, by key. Throws FormatError on a malformed persistent id
// or one key used with two element types.
std::map<std::string, StorageRef> collectStorages(const pickle::Value& root);

// The element type a storage class or dtype global names (torch.HalfStorage, torch.bfloat16);
// false when it is none of the ten supported ones.
bool dtypeFromTorchName(const std::string& name, DType& out);

// True for an inert call of a torch tensor rebuild function (including ones not supported).
bool isTensorObject(const pickle::Value& v);

struct TensorContext {
    std::function<ByteSourcePtr(const StorageRef&)> storageBytes;
    bool bigEndian = false;
};

struct DecodedTensor {
    TensorPtr tensor;  // null when the kind is not supported (see `unsupported`)
    bool parameter = false;
    bool requiresGrad = false;
    std::string location;
    std::string unsupported;  // why it is not read: quantized, sparse, nested torch.load...
};

// The tensor a rebuild call describes, validated against its storage. Throws FormatError
// naming `path` when the call or the view is malformed.
DecodedTensor decodeTensor(const pickle::Value& call, const std::string& path,
                           const TensorContext& context);

}  // namespace ws::torchfmt
