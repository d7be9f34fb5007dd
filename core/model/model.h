// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One opened file: its tree plus what the reader learnt on the way (format, warnings, pickle
// classes it did not execute).
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/node.h"

namespace ws {

struct PickleReport {
    // Classes that were rebuilt as inert placeholders (never imported or called), sorted, unique.
    std::vector<std::string> placeholderClasses;
    // Globals that are known code-execution vectors (os.system, builtins.eval, ...): a warning.
    std::vector<std::string> dangerousGlobals;
};

class Model {
  public:
    Model();

    std::string filePath;
    std::string format;        // "keras-h5", "keras-v3", "keras-weights-h5", "torch-zip",
                               // "torch-legacy", "torchscript", "safetensors"
    std::string formatDetail;  // human text: "Keras 2.15.0 full model (tensorflow)", ...
    std::unique_ptr<Node> root;
    std::vector<std::string> warnings;
    PickleReport pickle;
    // The opened file's bytes (set by openModel): savers rewrite the file from it, and find an
    // edited storage's place in it. Null for models built in memory.
    ByteSourcePtr source;
    // Keeps container handles (mapped file, open HDF5 file) alive as long as tensors may read.
    std::vector<std::shared_ptr<void>> keepAlive;

    // Lookup by Node::path; the index is built lazily and rebuilt by reindex() after changes.
    Node* find(const std::string& path) const;
    void reindex();
    void forEachNode(const std::function<void(Node&)>& fn) const;
    void forEachTensor(const std::function<void(Node&)>& fn) const;

  private:
    mutable std::unordered_map<std::string, Node*> index_;
    mutable bool indexed_ = false;
};

}  // namespace ws
