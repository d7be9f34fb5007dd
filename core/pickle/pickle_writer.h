// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Writes the one pickle Weightsmith exports: a torch state_dict, i.e. an OrderedDict of
// name -> torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()),
// each storage a persistent id ('storage', torch.<Type>Storage, key, 'cpu', numel). Only
// opcodes and globals that torch's weights_only unpickler accepts are emitted (protocol 2:
// PROTO, GLOBAL, EMPTY_TUPLE, REDUCE, MARK, TUPLE, SETITEMS, BINUNICODE, BININT*, LONG1,
// NEWFALSE, BINPERSID, STOP), so torch.load(f, weights_only=True) loads the result.
#include <cstdint>
#include <string>
#include <vector>

#include "model/dtype.h"

namespace ws::pickle {

struct StateDictEntry {
    std::string name;  // the key (a tensor path)
    DType dtype = DType::F32;
    std::string storageKey;  // the archive record under data/
    std::uint64_t storageNumel = 0;
    std::int64_t storageOffset = 0;
    std::vector<std::int64_t> shape;
    std::vector<std::int64_t> strides;  // in elements
};

// torch's storage class for a dtype ("FloatStorage", "BFloat16Storage", ...).
const char* torchStorageClass(DType dtype);

std::vector<std::uint8_t> writeStateDictPickle(const std::vector<StateDictEntry>& entries);

}  // namespace ws::pickle
