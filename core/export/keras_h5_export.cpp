// SPDX-License-Identifier: GPL-3.0-or-later
// Export to the layout Keras 2's `model.save_weights('x.h5')` writes, so Keras 2 / tf.keras
// `load_weights` (and h5py) read it:
//   /                      attrs layer_names (fixed-length byte strings), backend, keras_version
//   /<layer>               attr weight_names ("<layer>/<weight>:0", fixed-length byte strings)
//   /<layer>/<weight name> one contiguous dataset per tensor, little-endian
// exportKerasFullModelH5 writes the layout of Keras 2's `model.save('x.h5')` with the same pieces:
// root attrs keras_version, backend, model_config (the architecture JSON), and the layers'
// weights as above inside /model_weights.
// Names are kept as the source has them; no layout conversion happens (a PyTorch Linear
// weight stays (out, in), an LSTM keeps torch's gate order). Converting layouts between
// frameworks is a separate feature.
#include <map>

#include "containers/hdf5/hdf5_types.h"
#include "containers/hdf5/hdf5_writer.h"
#include "export/exporters.h"
#include "io/atomic_file.h"
#include "model/error.h"

namespace ws {

namespace {

// What Keras 2 writes next to layer_names; keras_version "2.x" tells loaders that no Keras 1
// conversions apply.
constexpr const char* kBackend = "tensorflow";
constexpr const char* kKerasVersion = "2.15.0";
// Keras splits attributes larger than this (HDF5_OBJECT_HEADER_LIMIT in keras/saving) into
// name0, name1, ... because an object header cannot hold more.
constexpr std::size_t kObjectHeaderLimit = 64512;

struct Weight {
    std::string name;  // "<layer>/<leaf>:0" or, from a Keras source, the original weight name
    const Tensor* tensor = nullptr;
};

struct Layer {
    std::string name;
    std::vector<Weight> weights;
    std::vector<Weight> unlisted;  // in the group, not in weight_names
};

struct Placement {
    std::string layer, weight;
    bool kerasLayer = false;  // placed under a Keras layer of the source
};

// Where a tensor goes. A Keras source keeps its own layer and weight names: the tensor lies
// below a layer node whose path is a prefix of the tensor's dataset path. Anything else (a
// PyTorch state_dict key "encoder.layer1.weight") is split at its last '.' or '/': the module
// prefix is the layer, the rest the weight.
Placement placeTensor(const Node& node) {
    for (const Node* up = node.parent; up; up = up->parent) {
        if (up->kind != NodeKind::Layer || up->path.empty()) continue;
        const std::string prefix = up->path + "/";
        if (node.path.compare(0, prefix.size(), prefix) == 0)
            return {up->name, node.path.substr(prefix.size()), true};
    }
    const std::size_t cut = node.path.find_last_of("./");
    const std::string layer = cut == std::string::npos ? node.path : node.path.substr(0, cut);
    const std::string leaf = cut == std::string::npos ? node.path : node.path.substr(cut + 1);
    if (layer.empty() || leaf.empty())
        throw FormatError("tensor '" + node.path + "' has no name usable as an HDF5 path");
    return {layer, layer + "/" + leaf + ":0", false};
}

// Layers in order of first appearance. From a Keras source only the layers' weights are
// written, as save_weights does: optimizer state there would be taken for extra layers by
// Keras' load_weights, which then refuses the file.
std::vector<Layer> groupByLayer(const ExportInput& input, ExportReport& report) {
    std::vector<std::pair<Placement, const Node*>> placed;
    bool keras = false;
    for (const Node* node : input.tensors) {
        placed.emplace_back(placeTensor(*node), node);
        keras = keras || placed.back().first.kerasLayer;
    }
    std::vector<Layer> layers;
    std::map<std::string, std::size_t> index;
    std::size_t skipped = 0;
    for (const auto& [place, node] : placed) {
        if (keras && !place.kerasLayer) {
            ++skipped;
            continue;
        }
        auto it = index.find(place.layer);
        if (it == index.end()) {
            it = index.emplace(place.layer, layers.size()).first;
            layers.push_back({place.layer, {}, {}});
        }
        layers[it->second].weights.push_back({place.weight, node->tensor.get()});
    }
    if (skipped)
        report.notes.push_back(std::to_string(skipped) +
                               " tensors outside the Keras layers (optimizer state) were not "
                               "exported: a save_weights file holds the layers' weights only");
    report.tensors = input.tensors.size() - skipped;
    return layers;
}

// A fixed-length, NUL-padded ASCII string type as h5py gives numpy bytes ("S<n>"); UTF-8
// names are stored as their bytes, as Keras does with name.encode('utf8').
h5::Handle fixedStringType(std::size_t width) {
    h5::Handle type = h5::checked(H5Tcopy(H5T_C_S1), "cannot create an HDF5 string type");
    if (H5Tset_size(type.get(), width ? width : 1) < 0 ||
        H5Tset_strpad(type.get(), H5T_STR_NULLPAD) < 0)
        h5::fail("cannot create an HDF5 string type");
    return type;
}

// `width`: the common width of the fixed-length strings (0: the longest item's length).
void writeStringAttribute(hid_t object, const std::string& name,
                          const std::vector<std::string>& items, bool scalar,
                          std::size_t width = 0) {
    for (const auto& s : items) width = std::max(width, s.size());
    // At least one byte: an empty list (a Dropout's weight_names) still needs a valid buffer.
    std::vector<char> buffer(
        std::max<std::size_t>(items.size() * std::max<std::size_t>(width, 1), 1), '\0');
    for (std::size_t i = 0; i < items.size(); ++i)
        std::copy(items[i].begin(), items[i].end(), buffer.begin() + i * width);
    h5::Handle type = fixedStringType(width);
    const hsize_t count = items.size();
    h5::Handle space =
        h5::checked(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &count, nullptr),
                    "cannot create an HDF5 dataspace");
    h5::Handle attr = h5::checked(
        H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
        "cannot create attribute '" + name + "'");
    if (H5Awrite(attr.get(), type.get(), buffer.data()) < 0)
        h5::fail("cannot write attribute '" + name + "'");
}

// Keras' save_attributes_to_hdf5_group: one attribute when it fits an object header, else
// numpy.array_split into the fewest equal parts that do, named name0, name1, ... Every part
// keeps the common width, as slices of one numpy "S<width>" array do.
void writeStringListAttribute(hid_t object, const std::string& name,
                              const std::vector<std::string>& items) {
    std::size_t width = 1;
    for (const auto& s : items) width = std::max(width, s.size());
    if (width > kObjectHeaderLimit)
        throw FormatError("a name in '" + name + "' is longer than " +
                          std::to_string(kObjectHeaderLimit) +
                          " bytes, more than an HDF5 object header can hold");
    std::size_t chunks = 1;
    while (((items.size() + chunks - 1) / chunks) * width > kObjectHeaderLimit) ++chunks;
    if (chunks == 1) {
        writeStringAttribute(object, name, items, false, width);
        return;
    }
    std::size_t at = 0;
    for (std::size_t c = 0; c < chunks; ++c) {
        const std::size_t n = items.size() / chunks + (c < items.size() % chunks ? 1 : 0);
        const std::vector<std::string> part(items.begin() + at, items.begin() + at + n);
        writeStringAttribute(object, name + std::to_string(c), part, false, width);
        at += n;
    }
}

void writeWeight(hid_t group, const std::string& layer, const Weight& weight, bool& widened) {
    const Tensor& tensor = *weight.tensor;
    const std::string where = "tensor '" + layer + "/" + weight.name + "'";
    const DType fileDtype = tensor.dtype == DType::BF16 ? DType::F32 : tensor.dtype;
    widened = widened || tensor.dtype == DType::BF16;
    h5::Handle type = h5::fileTypeFor(fileDtype);
    std::vector<hsize_t> dims(tensor.shape.begin(), tensor.shape.end());
    h5::Handle space =
        h5::checked(dims.empty() ? H5Screate(H5S_SCALAR)
                                 : H5Screate_simple(int(dims.size()), dims.data(), nullptr),
                    where + ": cannot create its dataspace");
    h5::Handle lcpl =
        h5::checked(H5Pcreate(H5P_LINK_CREATE), "cannot create an HDF5 property list");
    H5Pset_create_intermediate_group(lcpl.get(), 1);
    h5::Handle dataset = h5::checked(H5Dcreate2(group, weight.name.c_str(), type.get(), space.get(),
                                                lcpl.get(), H5P_DEFAULT, H5P_DEFAULT),
                                     where + ": cannot create dataset '" + weight.name + "'");
    std::vector<std::uint8_t> bytes;
    bytes.reserve(std::size_t(exportedBytes(tensor, true)));
    streamTensor(tensor, true, [&](const void* p, std::size_t n) {
        const auto* b = static_cast<const std::uint8_t*>(p);
        bytes.insert(bytes.end(), b, b + n);
    });
    if (!bytes.empty() &&
        H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data()) < 0)
        h5::fail(where + ": cannot write its values");
}

// Whether every component of `path` exists (H5Lexists refuses a path whose parents are missing).
bool pathExists(hid_t file, const std::string& path) {
    for (std::size_t end = path.find('/');; end = path.find('/', end + 1)) {
        const std::string prefix = path.substr(0, end);
        if (!prefix.empty() && H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0) {
            H5Eclear2(H5E_DEFAULT);
            return false;
        }
        if (end == std::string::npos) return true;
    }
}

// A layer group may already exist as the parent of another layer ("opt" before "opt/adam"
// came as an intermediate group of "opt/adam/m").
h5::Handle openOrCreateGroup(hid_t file, const std::string& name, hid_t lcpl) {
    if (pathExists(file, name)) {
        H5O_info_t info;
        if (H5Oget_info_by_name2(file, name.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) >= 0 &&
            info.type == H5O_TYPE_GROUP)
            return h5::checked(H5Gopen2(file, name.c_str(), H5P_DEFAULT),
                               "cannot open group '" + name + "'");
        h5::fail("layer '" + name + "' clashes with a weight of the same name");
    }
    return h5::checked(H5Gcreate2(file, name.c_str(), lcpl, H5P_DEFAULT, H5P_DEFAULT),
                       "cannot create group '" + name + "'");
}

// The layers' groups, weight_names and datasets below `where` (the file root for
// save_weights, /model_weights for a full model).
void writeLayerGroups(hid_t where, const std::vector<Layer>& layers, bool& widened) {
    h5::Handle lcpl =
        h5::checked(H5Pcreate(H5P_LINK_CREATE), "cannot create an HDF5 property list");
    H5Pset_create_intermediate_group(lcpl.get(), 1);
    for (const Layer& layer : layers) {
        h5::Handle group = openOrCreateGroup(where, layer.name, lcpl.get());
        std::vector<std::string> weightNames;
        for (const Weight& w : layer.weights) weightNames.push_back(w.name);
        writeStringListAttribute(group.get(), "weight_names", weightNames);
        for (const Weight& w : layer.weights) writeWeight(group.get(), layer.name, w, widened);
        for (const Weight& w : layer.unlisted) writeWeight(group.get(), layer.name, w, widened);
    }
}

}  // namespace

void exportKerasFullModelH5(const KerasFullModelImage& model, AtomicFile& out) {
    std::vector<Layer> layers;
    std::uint64_t sizeHint = model.modelConfig.size();
    for (const KerasLayerWeights& l : model.layers) {
        layers.push_back({l.name, {}, {}});
        auto take = [&](const auto& from, std::vector<Weight>& into) {
            for (const auto& [name, tensor] : from) {
                if (!tensor)
                    throw FormatError("weight '" + name + "' of layer '" + l.name +
                                      "' has no tensor");
                into.push_back({name, tensor});
                sizeHint += exportedBytes(*tensor, true);
            }
        };
        take(l.weights, layers.back().weights);
        take(l.unlisted, layers.back().unlisted);
    }
    bool widened = false;
    const std::vector<std::uint8_t> image = h5::buildImage(
        [&](hid_t file) {
            writeStringAttribute(file, "keras_version", {kKerasVersion}, true);
            writeStringAttribute(file, "backend", {kBackend}, true);
            writeStringAttribute(file, "model_config", {model.modelConfig}, true);
            h5::Handle group = h5::checked(
                H5Gcreate2(file, "model_weights", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                "cannot create group 'model_weights'");
            std::vector<std::string> layerNames;
            for (const Layer& layer : layers) layerNames.push_back(layer.name);
            writeStringListAttribute(group.get(), "layer_names", layerNames);
            writeStringAttribute(group.get(), "backend", {kBackend}, true);
            writeStringAttribute(group.get(), "keras_version", {kKerasVersion}, true);
            writeLayerGroups(group.get(), layers, widened);
        },
        sizeHint);
    out.write(image.data(), image.size());
}

void exportKerasWeightsH5(const ExportInput& input, AtomicFile& out, ExportReport& report) {
    const std::vector<Layer> layers = groupByLayer(input, report);
    bool widened = false;
    std::uint64_t sizeHint = 0;
    for (const Node* node : input.tensors) sizeHint += exportedBytes(*node->tensor, true);
    // Built in memory and written through `out`: a full disk or a size limit then fails in
    // AtomicFile, which removes its temporary file (libhdf5 1.10 can crash at exit after a
    // failed write of its own).
    const std::vector<std::uint8_t> image = h5::buildImage(
        [&](hid_t file) {
            std::vector<std::string> layerNames;
            for (const Layer& layer : layers) layerNames.push_back(layer.name);
            writeStringListAttribute(file, "layer_names", layerNames);
            writeStringAttribute(file, "backend", {kBackend}, true);
            writeStringAttribute(file, "keras_version", {kKerasVersion}, true);
            writeLayerGroups(file, layers, widened);
        },
        sizeHint);
    out.write(image.data(), image.size());
    report.format = "keras weights h5";
    if (widened)
        report.notes.push_back("bf16 has no HDF5/Keras type: bf16 tensors were widened to float32");
    report.notes.push_back(
        "names kept as the source has them; weight layouts were not converted for Keras");
}

}  // namespace ws
