// SPDX-License-Identifier: GPL-3.0-or-later
// Legacy torch.save files (PyTorch < 1.6, or _use_new_zipfile_serialization=False): five
// pickles back to back (magic number, protocol version 1001, sys_info, the object, the list of
// storage keys), then every storage's raw bytes in key-list order, each preceded by its
// element count as an 8-byte integer in the writer's byte order.
#include <string>
#include <vector>

#include "formats/readers.h"
#include "formats/torch_tree.h"
#include "model/error.h"
#include "pickle/unpickler.h"

namespace ws {

namespace {

const char* kLegacyMagic = "119547037146038801333356";  // 0x1950a86a20f9469cfc6c
constexpr std::int64_t kLegacyProtocol = 1001;

struct PickleStream {
    const std::uint8_t* data;
    std::size_t size;
    std::size_t pos = 0;

    std::unique_ptr<pickle::Document> next(const char* what, PickleReport& report) {
        std::size_t used = 0;
        try {
            auto doc = pickle::unpickle(data + pos, size - pos, report, &used);
            pos += used;
            return doc;
        } catch (const FormatError& e) {
            throw FormatError(std::string("legacy torch file, ") + what + " (pickle at byte " +
                              std::to_string(pos) + "): " + e.what());
        }
    }
};

void addSysInfo(const pickle::Value& info, Model& model) {
    auto group = std::make_unique<Node>(NodeKind::Group, "sys_info");
    group->path = "sys_info";
    Node* g = model.root->addChild(std::move(group));
    for (const auto& kv : info.pairs) {
        if (!kv.first->isStr()) continue;
        const pickle::Value& v = *kv.second;
        std::string text, type;
        switch (v.kind) {
            case pickle::Kind::Bool:
                text = v.boolean ? "True" : "False";
                type = "bool";
                break;
            case pickle::Kind::Int:
                text = std::to_string(v.integer);
                type = "int";
                break;
            case pickle::Kind::Str:
                text = v.text;
                type = "str";
                break;
            default:
                text = pickle::toDisplayText(v, 4, 1024);
                type = "json";
        }
        auto node = makeValueNode(kv.first->text, text, type);
        node->path = "sys_info/" + kv.first->text;
        g->addChild(std::move(node));
    }
}

}  // namespace

void readTorchLegacy(ByteSourcePtr file, Model& model) {
    std::vector<std::uint8_t> copy;
    const std::uint8_t* data = file->data();
    if (!data) {
        copy = file->readAll();
        data = copy.data();
    }
    PickleStream stream{data, std::size_t(file->size())};
    PickleReport scratch;  // the header pickles hold no classes worth reporting

    auto magic = stream.next("magic number", scratch);
    if (magic->root->kind != pickle::Kind::BigInt || magic->root->text != kLegacyMagic)
        throw FormatError("legacy torch file: wrong magic number " +
                          pickle::toDisplayText(*magic->root, 2, 64));
    auto protocol = stream.next("protocol version", scratch);
    if (protocol->root->kind != pickle::Kind::Int || protocol->root->integer != kLegacyProtocol)
        throw FormatError("legacy torch file: unsupported protocol version " +
                          pickle::toDisplayText(*protocol->root, 2, 64) + " (expected 1001)");
    auto sysInfo = stream.next("sys_info", scratch);
    if (sysInfo->root->kind != pickle::Kind::Dict)
        throw FormatError("legacy torch file: sys_info is not a dict");
    bool littleEndian = true;
    if (const pickle::Value* le = sysInfo->root->get("little_endian"))
        littleEndian = !(le->kind == pickle::Kind::Bool && !le->boolean);

    auto object = stream.next("saved object", model.pickle);
    auto keys = stream.next("storage key list", scratch);
    if (!keys->root->isSequence())
        throw FormatError("legacy torch file: the storage key list is not a list");

    // The raw storages follow, in key-list order; their element size comes from how the
    // object graph names them (FloatStorage, ...).
    const auto refs = torchfmt::collectStorages(*object->root);
    std::map<std::string, ByteSourcePtr> bytesByKey;
    std::uint64_t offset = stream.pos;
    const std::uint64_t fileSize = file->size();
    for (const pickle::Value* k : keys->root->items) {
        if (!k->isStr()) throw FormatError("legacy torch file: a storage key is not a string");
        auto ref = refs.find(k->text);
        if (ref == refs.end())
            throw FormatError("legacy torch file: storage '" + k->text +
                              "' is listed but no tensor names its type");
        if (fileSize - offset < 8)
            throw FormatError("legacy torch file: storage '" + k->text + "' starts at byte " +
                              std::to_string(offset) + ", past the end of the file");
        std::uint8_t head[8];
        file->read(offset, head, 8);
        std::uint64_t count = 0;
        for (int i = 0; i < 8; ++i) {
            int b = littleEndian ? 7 - i : i;
            count = (count << 8) | head[b];
        }
        const std::uint64_t width = dtypeSize(ref->second.dtype);
        const std::uint64_t available = fileSize - offset - 8;
        if (count > available / width)
            throw FormatError("legacy torch file: storage '" + k->text + "' claims " +
                              std::to_string(count) + " elements of " +
                              dtypeName(ref->second.dtype) + " but only " +
                              std::to_string(available) + " bytes remain");
        if (!bytesByKey
                 .emplace(k->text, std::make_shared<SubByteSource>(file, offset + 8, count * width))
                 .second)
            throw FormatError("legacy torch file: storage '" + k->text + "' is listed twice");
        offset += 8 + count * width;
    }
    if (offset != fileSize)
        model.warnings.push_back("legacy torch file: " + std::to_string(fileSize - offset) +
                                 " bytes after the last storage are not used");

    torchfmt::TreeOptions options;
    options.bigEndian = !littleEndian;
    options.storageBytes = [&bytesByKey](const torchfmt::StorageRef& ref) {
        auto it = bytesByKey.find(ref.key);
        if (it == bytesByKey.end())
            throw FormatError("legacy torch file: storage '" + ref.key +
                              "' is not in the storage key list");
        return it->second;
    };
    torchfmt::buildTorchTree(*object->root, options, model);
    addSysInfo(*sysInfo->root, model);

    std::string location;
    for (const auto& r : refs)
        if (r.second.location != "cpu") location = r.second.location;
    model.format = "torch-legacy";
    model.formatDetail = std::string("PyTorch legacy serialization (protocol 1001, ") +
                         (littleEndian ? "little" : "big") + "-endian, " +
                         std::to_string(refs.size()) + " storages" +
                         (location.empty() ? "" : ", saved on " + location + ", read on the CPU") +
                         ")";
}

}  // namespace ws
