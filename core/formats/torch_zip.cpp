// SPDX-License-Identifier: GPL-3.0-or-later
// torch.save archives (PyTorch >= 1.6) and TorchScript archives (torch.jit.save): a zip with
// one top-level folder of any name holding data.pkl (the object graph), data/<key> (one entry
// per storage), byteorder, version and, for TorchScript, code/ and constants.pkl.
#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "containers/zip.h"
#include "formats/readers.h"
#include "formats/torch_tree.h"
#include "model/error.h"
#include "pickle/text_decode.h"
#include "pickle/unpickler.h"

namespace ws {

namespace {

// TorchScript code is shown as text; larger files are only named.
constexpr std::uint64_t kMaxCodeText = 64 * 1024;
// data.pkl and constants.pkl are metadata; anything bigger is not a torch archive we can trust.
constexpr std::uint64_t kMaxPickleBytes = std::uint64_t(1) << 31;

// The data.pkl closest to the archive root ("archive/data.pkl", "best/data.pkl", "data.pkl").
const ZipEntry* findDataPickle(const ZipArchive& zip) {
    const ZipEntry* best = nullptr;
    for (const auto& e : zip.entries()) {
        const std::string& n = e.name;
        bool match =
            n == "data.pkl" || (n.size() > 9 && n.compare(n.size() - 9, 9, "/data.pkl") == 0);
        if (match && (!best || std::count(n.begin(), n.end(), '/') <
                                   std::count(best->name.begin(), best->name.end(), '/')))
            best = &e;
    }
    return best;
}

std::string readSmallText(const ZipArchive& zip, const std::string& name, std::uint64_t limit) {
    const ZipEntry* e = zip.find(name);
    if (!e || e->uncompressedSize > limit) return {};
    auto bytes = zip.open(*e)->readAll();
    std::string s(bytes.begin(), bytes.end());
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return pickle::sanitizeUtf8(s);
}

std::unique_ptr<pickle::Document> unpickleEntry(const ZipArchive& zip, const ZipEntry& entry,
                                                PickleReport& report) {
    if (entry.uncompressedSize > kMaxPickleBytes)
        throw FormatError(entry.name + " is " + std::to_string(entry.uncompressedSize) +
                          " bytes, too large for a pickle of metadata");
    ByteSourcePtr bytes = zip.open(entry);
    std::vector<std::uint8_t> copy;
    const std::uint8_t* data = bytes->data();
    if (!data) {
        copy = bytes->readAll();
        data = copy.data();
    }
    try {
        return pickle::unpickle(data, std::size_t(bytes->size()), report);
    } catch (const FormatError& e) {
        throw FormatError(entry.name + ": " + e.what());
    }
}

// Storages of `folder` ("<prefix>data/"), one entry each, read lazily.
torchfmt::TreeOptions storageOptions(const ZipArchive& zip, const std::string& folder,
                                     bool bigEndian) {
    torchfmt::TreeOptions options;
    options.bigEndian = bigEndian;
    // One index for all lookups: a large state dict has thousands of storages, and a linear
    // search per storage would make opening quadratic.
    auto index = std::make_shared<std::unordered_map<std::string, const ZipEntry*>>();
    for (const auto& e : zip.entries())
        if (e.name.compare(0, folder.size(), folder) == 0)
            index->emplace(e.name.substr(folder.size()), &e);
    options.storageBytes = [&zip, folder, index](const torchfmt::StorageRef& ref) {
        auto found = index->find(ref.key);
        const ZipEntry* e = found == index->end() ? nullptr : found->second;
        if (!e)
            throw FormatError("storage '" + ref.key + "' (" + folder + ref.key +
                              ") is missing from the archive");
        ByteSourcePtr bytes = zip.open(*e);
        const std::uint64_t width = dtypeSize(ref.dtype);
        if (ref.numel > bytes->size() / width)
            throw FormatError("storage '" + ref.key + "' should hold " + std::to_string(ref.numel) +
                              " elements of " + dtypeName(ref.dtype) + " but " + e->name +
                              " has only " + std::to_string(bytes->size()) + " bytes");
        return bytes;
    };
    return options;
}

std::string describeRoot(const pickle::Value& root) {
    using pickle::Kind;
    if (root.kind == Kind::Object && root.state && root.state->kind == Kind::Dict)
        return "whole module " + root.qualifiedName();
    if (root.kind == Kind::Dict) {
        bool allTensors = !root.pairs.empty();
        for (const auto& kv : root.pairs)
            if (kv.second->kind != Kind::Object ||
                kv.second->qualifiedName().rfind("torch._utils._rebuild_", 0) != 0)
                allTensors = false;
        return allTensors ? "state dict (" + std::to_string(root.pairs.size()) + " entries)"
                          : "dict (" + std::to_string(root.pairs.size()) + " keys)";
    }
    return std::string(pickle::kindName(root.kind));
}

bool hasEntryUnder(const ZipArchive& zip, const std::string& folder) {
    for (const auto& e : zip.entries())
        if (e.name.compare(0, folder.size(), folder) == 0) return true;
    return false;
}

void addTorchScriptCode(const ZipArchive& zip, const std::string& prefix, Model& model) {
    const std::string codeDir = prefix + "code/";
    Node* group = nullptr;
    for (const auto& e : zip.entries()) {
        if (e.name.compare(0, codeDir.size(), codeDir) != 0 || e.name.back() == '/') continue;
        if (!group) {
            auto g = std::make_unique<Node>(NodeKind::Group, "code");
            g->path = "code";
            group = model.root->addChild(std::move(g));
        }
        std::string rel = e.name.substr(codeDir.size());
        const bool isSource = rel.size() > 3 && rel.compare(rel.size() - 3, 3, ".py") == 0;
        std::string text = std::to_string(e.uncompressedSize) + " bytes";
        std::string type = "file";
        if (isSource && e.uncompressedSize <= kMaxCodeText) {
            text = readSmallText(zip, e.name, kMaxCodeText);
            type = "code";
        }
        auto node = makeValueNode(rel, std::move(text), type);
        node->path = "code/" + rel;
        group->addChild(std::move(node));
    }
}

}  // namespace

void readTorchZip(const ZipArchive& zip, Model& model) {
    const ZipEntry* dataPkl = findDataPickle(zip);
    if (!dataPkl) throw FormatError("the zip archive has no data.pkl");
    const std::string prefix = dataPkl->name.substr(0, dataPkl->name.size() - 8);

    const std::string byteorder = readSmallText(zip, prefix + "byteorder", 16);
    if (!byteorder.empty() && byteorder != "little" && byteorder != "big")
        throw FormatError(prefix + "byteorder says \"" + byteorder + "\", not little or big");
    const bool bigEndian = byteorder == "big";
    const ZipEntry* constants = zip.find(prefix + "constants.pkl");
    const bool script = constants != nullptr || hasEntryUnder(zip, prefix + "code/");

    auto doc = unpickleEntry(zip, *dataPkl, model.pickle);
    torchfmt::TreeOptions options = storageOptions(zip, prefix + "data/", bigEndian);
    torchfmt::buildTorchTree(*doc->root, options, model);

    if (constants) {
        auto consts = unpickleEntry(zip, *constants, model.pickle);
        const pickle::Value& c = *consts->root;
        if (!(c.isSequence() && c.items.empty())) {
            // Constants are their own pickle; build them under a "constants" group.
            Model scratch;
            torchfmt::TreeOptions constOptions = storageOptions(
                zip, prefix + (hasEntryUnder(zip, prefix + "constants/") ? "constants/" : "data/"),
                bigEndian);
            torchfmt::buildTorchTree(c, constOptions, scratch);
            auto group = std::make_unique<Node>(NodeKind::Group, "constants");
            group->path = "constants";
            Node* g = model.root->addChild(std::move(group));
            for (auto& child : scratch.root->children) {
                child->parent = g;
                g->children.push_back(std::move(child));
            }
            // Paths of constants get the group prefix so they cannot clash with data.pkl's.
            std::function<void(Node&)> prefixPaths = [&](Node& n) {
                n.path = "constants/" + n.path;
                for (auto& ch : n.children) prefixPaths(*ch);
            };
            for (auto& ch : g->children) prefixPaths(*ch);
            for (auto& w : scratch.warnings) model.warnings.push_back(std::move(w));
        }
    }
    if (script) addTorchScriptCode(zip, prefix, model);

    const std::string version = readSmallText(zip, prefix + "version", 32);
    const std::string formatVersion = readSmallText(zip, prefix + ".format_version", 32);
    model.format = script ? "torchscript" : "torch-zip";
    std::string detail =
        script ? "TorchScript archive (torch.jit.save)" : "PyTorch zip archive (torch.save)";
    detail += ", folder '" + prefix + "'";
    if (!version.empty()) detail += ", version " + version;
    if (!formatVersion.empty()) detail += ", format version " + formatVersion;
    detail +=
        byteorder.empty() ? ", no byteorder record (little-endian)" : ", " + byteorder + "-endian";
    detail += "; " + describeRoot(*doc->root);
    model.formatDetail = detail;
    // Tensors read through the archive, which openModel keeps alive with the model.
}

}  // namespace ws
