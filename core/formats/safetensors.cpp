// SPDX-License-Identifier: GPL-3.0-or-later
// safetensors: an 8-byte little-endian header length, a JSON header mapping tensor names to
// {dtype, shape, data_offsets}, then the raw little-endian tensor bytes. Tensors become lazy
// windows into the file; dotted names are grouped into layer nodes like a state_dict.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "formats/readers.h"
#include "formats/safetensors_dtype.h"
#include "model/error.h"

namespace ws {

namespace {

// The reference implementation refuses headers above 100 MB; so do we, before parsing.
constexpr std::uint64_t kMaxHeaderSize = 100u * 1000u * 1000u;

struct TensorEntry {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::uint64_t begin = 0;
    std::uint64_t end = 0;
};

DType parseDType(const std::string& tensor, const nlohmann::json& value) {
    if (!value.is_string())
        throw FormatError("safetensors: tensor '" + tensor + "' has no dtype string");
    const std::string& name = value.get_ref<const std::string&>();
    const std::optional<DType> dtype = dtypeFromSafetensorsName(name);
    if (!dtype)
        throw FormatError("safetensors: tensor '" + tensor + "' has unsupported dtype " + name);
    return *dtype;
}

std::uint64_t parseUnsigned(const std::string& tensor, const nlohmann::json& value,
                            const char* what) {
    if (!value.is_number_unsigned() &&
        !(value.is_number_integer() && value.get<std::int64_t>() >= 0))
        throw FormatError("safetensors: tensor '" + tensor + "' has a " + what +
                          " that is not a non-negative integer: " + value.dump());
    return value.get<std::uint64_t>();
}

TensorEntry parseEntry(const std::string& name, const nlohmann::json& info,
                       std::uint64_t dataSize) {
    if (!info.is_object())
        throw FormatError("safetensors: header entry '" + name + "' is not an object");
    TensorEntry t;
    t.name = name;
    auto field = [&](const char* key) -> const nlohmann::json& {
        auto it = info.find(key);
        if (it == info.end()) throw FormatError("safetensors: tensor '" + name + "' has no " + key);
        return *it;
    };
    t.dtype = parseDType(name, field("dtype"));

    const nlohmann::json& shape = field("shape");
    if (!shape.is_array())
        throw FormatError("safetensors: tensor '" + name + "' has a shape that is not a list");
    // Limits keep every product below 2^62, so the overflow checks cannot overflow themselves.
    const std::uint64_t limit = std::uint64_t(1) << 62;
    std::uint64_t numel = 1;
    for (const nlohmann::json& d : shape) {
        const std::uint64_t dim = parseUnsigned(name, d, "dimension");
        if (dim > limit || (dim != 0 && numel > limit / dim))
            throw FormatError("safetensors: tensor '" + name + "' has a shape " + shape.dump() +
                              " that is too large");
        numel *= dim;
        t.shape.push_back(std::int64_t(dim));
    }

    const nlohmann::json& offsets = field("data_offsets");
    if (!offsets.is_array() || offsets.size() != 2)
        throw FormatError("safetensors: tensor '" + name +
                          "' has data_offsets that are not a [begin, end] pair");
    t.begin = parseUnsigned(name, offsets[0], "data offset");
    t.end = parseUnsigned(name, offsets[1], "data offset");
    if (t.begin > t.end || t.end > dataSize)
        throw FormatError("safetensors: tensor '" + name + "' has data_offsets [" +
                          std::to_string(t.begin) + ", " + std::to_string(t.end) +
                          "] outside the data region of " + std::to_string(dataSize) + " bytes");
    const std::uint64_t width = dtypeSize(t.dtype);
    if (numel > limit / width || numel * width != t.end - t.begin)
        throw FormatError(
            "safetensors: tensor '" + name + "' of shape " + shape.dump() + " (" +
            dtypeName(t.dtype) + ") needs " +
            (numel > limit / width ? std::string("too many") : std::to_string(numel * width)) +
            " bytes but its data_offsets span " + std::to_string(t.end - t.begin));
    return t;
}

// A SAX pass that only looks for an object naming the same key twice, which the DOM parser
// would silently resolve by keeping the last value. (nlohmann's parser callbacks cannot do this
// cheaply: with a callback, closing an object rescans its parent, which is quadratic.)
class DuplicateKeyFinder : public nlohmann::json_sax<nlohmann::json> {
  public:
    std::string duplicate;

    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool start_object(std::size_t) override {
        open_.emplace_back();
        return true;
    }
    bool key(string_t& k) override {
        if (!open_.back().insert(k).second) {
            duplicate = k;
            return false;  // stop: one is enough to reject the file
        }
        return true;
    }
    bool end_object() override {
        open_.pop_back();
        return true;
    }
    bool start_array(std::size_t) override { return true; }
    bool end_array() override { return true; }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
        return false;  // the DOM parse reports syntax errors with a better message
    }

  private:
    std::vector<std::unordered_set<std::string>> open_;  // keys of each object being read
};

nlohmann::json parseHeader(const std::uint8_t* text, std::uint64_t length) {
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(text, text + length);
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(std::string("safetensors: the JSON header is invalid: ") + e.what());
    }
    if (!header.is_object()) throw FormatError("safetensors: the JSON header is not an object");
    DuplicateKeyFinder finder;
    nlohmann::json::sax_parse(text, text + length, &finder);
    if (!finder.duplicate.empty())
        throw FormatError("safetensors: the JSON header names '" + finder.duplicate + "' twice");
    return header;
}

void addMetadata(const nlohmann::json& metadata, Node& root) {
    if (!metadata.is_object() && !metadata.is_null())
        throw FormatError("safetensors: __metadata__ is not an object");
    if (metadata.is_null() || metadata.empty()) return;
    Node* group = root.childOrCreate("__metadata__", NodeKind::Group);
    for (auto it = metadata.begin(); it != metadata.end(); ++it) {
        if (it.value().is_string())
            group->addChild(makeValueNode(it.key(), it.value().get<std::string>(), "str"));
        else
            group->addChild(makeValueNode(it.key(), it.value().dump(), "json"));
    }
}

// Splits "a.b.c" into its parts; names with empty parts ("a..b", ".x") are not split.
std::vector<std::string> splitDotted(const std::string& name) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        std::size_t dot = name.find('.', start);
        parts.push_back(name.substr(start, dot == std::string::npos ? dot : dot - start));
        if (parts.back().empty()) return {name};
        if (dot == std::string::npos) return parts;
        start = dot + 1;
    }
}

// Groups tensors by their dotted prefixes. A prefix that is itself a tensor name cannot also
// be a layer, so grouping stops there and the rest of the name stays in the leaf's name.
void addTensors(const std::vector<TensorEntry>& entries, const ByteSourcePtr& data, Node& root) {
    std::unordered_set<std::string> names;
    for (const TensorEntry& e : entries) names.insert(e.name);
    // Layers by dotted prefix: a model with thousands of blocks would make a search among a
    // parent's children quadratic.
    std::unordered_map<std::string, Node*> layers;
    for (const TensorEntry& e : entries) {
        auto tensor = std::make_shared<Tensor>();
        tensor->dtype = e.dtype;
        tensor->shape = e.shape;
        tensor->storage = std::make_shared<SubByteSource>(data, e.begin, e.end - e.begin);
        tensor->storageKey = std::to_string(e.begin) + "-" + std::to_string(e.end);
        tensor->validate();

        std::vector<std::string> parts = splitDotted(e.name);
        Node* parent = &root;
        std::string prefix;
        std::size_t used = 0;
        for (; used + 1 < parts.size(); ++used) {
            std::string next = prefix.empty() ? parts[used] : prefix + "." + parts[used];
            if (names.count(next)) break;
            if (parent == &root && next == "__metadata__") break;
            Node*& layer = layers[next];
            if (!layer)
                layer = parent->addChild(std::make_unique<Node>(NodeKind::Layer, parts[used]), ".");
            parent = layer;
            prefix = std::move(next);
        }
        std::string leaf = parts[used];
        for (std::size_t i = used + 1; i < parts.size(); ++i) leaf += "." + parts[i];
        auto node = makeTensorNode(leaf, tensor);
        node->path = e.name;
        node->setAttribute("data_offsets",
                           "[" + std::to_string(e.begin) + ", " + std::to_string(e.end) + "]");
        parent->addChild(std::move(node));
    }
}

}  // namespace

void readSafetensors(ByteSourcePtr file, Model& model) {
    const std::uint64_t size = file->size();
    if (size < 8)
        throw FormatError("safetensors: the file has " + std::to_string(size) +
                          " bytes, fewer than the 8-byte header length");
    std::uint8_t lengthBytes[8];
    file->read(0, lengthBytes, 8);
    std::uint64_t headerSize = 0;
    for (int i = 7; i >= 0; --i) headerSize = (headerSize << 8) | lengthBytes[i];
    if (headerSize > size - 8)
        throw FormatError("safetensors: the header length " + std::to_string(headerSize) +
                          " exceeds the file size (" + std::to_string(size) + " bytes)");
    if (headerSize > kMaxHeaderSize)
        throw FormatError("safetensors: the header length " + std::to_string(headerSize) +
                          " is larger than the 100 MB limit");

    std::vector<std::uint8_t> text(static_cast<std::size_t>(headerSize));
    if (headerSize) file->read(8, text.data(), text.size());
    const nlohmann::json header = parseHeader(text.data(), text.size());

    const std::uint64_t dataStart = 8 + headerSize;
    auto data = std::make_shared<SubByteSource>(file, dataStart, size - dataStart);

    std::vector<TensorEntry> entries;
    const nlohmann::json* metadata = nullptr;
    for (auto it = header.begin(); it != header.end(); ++it) {
        if (it.key() == "__metadata__")
            metadata = &it.value();
        else
            entries.push_back(parseEntry(it.key(), it.value(), data->size()));
    }
    // File order (by data offset) is the order the tensors were saved in.
    std::stable_sort(entries.begin(), entries.end(),
                     [](const TensorEntry& a, const TensorEntry& b) {
                         return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
                     });

    // The reference writer packs tensors back to back; holes or overlaps are suspicious but
    // do not prevent reading, so they become warnings.
    std::uint64_t expected = 0;
    for (const TensorEntry& e : entries) {
        if (e.begin < expected && e.end > e.begin)
            model.warnings.push_back("tensor '" + e.name +
                                     "' overlaps the previous tensor's bytes");
        else if (e.begin > expected)
            model.warnings.push_back("tensor '" + e.name + "' starts after a gap of " +
                                     std::to_string(e.begin - expected) + " unused bytes");
        expected = std::max(expected, e.end);
    }
    if (expected < data->size())
        model.warnings.push_back(std::to_string(data->size() - expected) +
                                 " bytes after the last tensor are not used by any tensor");

    model.format = "safetensors";
    std::string detail = "safetensors, " + std::to_string(entries.size()) + " tensors";
    if (metadata && metadata->is_object()) {
        auto fmt = metadata->find("format");
        if (fmt != metadata->end() && fmt->is_string())
            detail += " (format " + fmt->get<std::string>() + ")";
    }
    model.formatDetail = detail;
    if (metadata) addMetadata(*metadata, *model.root);
    addTensors(entries, data, *model.root);
}

}  // namespace ws
