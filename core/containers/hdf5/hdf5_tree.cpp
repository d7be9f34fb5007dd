// SPDX-License-Identifier: GPL-3.0-or-later
#include "containers/hdf5/hdf5_tree.h"

#include <cstring>
#include <set>

#include "containers/hdf5/hdf5_isolation.h"
#include "model/error.h"

namespace ws::h5 {

const Object* Object::child(const std::string& childName) const {
    for (const auto& c : children)
        if (c->name == childName) return c.get();
    return nullptr;
}

const Object* Object::find(const std::string& relativePath) const {
    const Object* at = this;
    std::size_t start = 0;
    while (at && start <= relativePath.size()) {
        std::size_t end = relativePath.find('/', start);
        if (end == std::string::npos) end = relativePath.size();
        if (end > start) at = at->child(relativePath.substr(start, end - start));
        start = end + 1;
    }
    return at;
}

const Attribute* Object::attribute(const std::string& attrName) const {
    for (const auto& a : attributes)
        if (a.name == attrName) return &a;
    return nullptr;
}

namespace {

// Damaged files can describe absurd hierarchies; these bounds keep the walk finite.
constexpr int kMaxDepth = 256;
constexpr std::size_t kMaxObjects = 10'000'000;

struct LinkEntry {
    std::string name;
    H5L_info_t info;
};

herr_t collectLink(hid_t, const char* name, const H5L_info_t* info, void* data) {
    static_cast<std::vector<LinkEntry>*>(data)->push_back({name, *info});
    return 0;
}

class Walker {
  public:
    explicit Walker(haddr_t rootAddress) { visitedGroups_.insert(rootAddress); }

    void walkGroup(hid_t group, Object& node, int depth) {
        if (depth > kMaxDepth) throw FormatError("group '/" + node.path + "' is nested too deeply");
        node.attributes = readAttributes(group, node.path);
        std::vector<LinkEntry> links;
        {
            Lock lock;
            hsize_t index = 0;
            // Old-style groups only have a name index; iterate it in increasing order so the
            // listing matches h5py's.
            if (H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, &index, collectLink, &links) < 0)
                fail("cannot list the members of group '/" + node.path + "'");
        }
        for (const LinkEntry& link : links) {
            if (++count_ > kMaxObjects) throw FormatError("the file has too many objects");
            auto child = std::make_unique<Object>();
            child->name = link.name;
            child->path = node.path.empty() ? link.name : node.path + "/" + link.name;
            visitLink(group, link, *child, depth);
            node.children.push_back(std::move(child));
        }
    }

  private:
    void visitLink(hid_t group, const LinkEntry& link, Object& child, int depth) {
        const std::string where = "'/" + child.path + "'";
        if (link.info.type == H5L_TYPE_SOFT) {
            child.kind = Object::Kind::Other;
            child.note = "soft link" + linkTarget(group, link);
            return;
        }
        if (link.info.type != H5L_TYPE_HARD) {
            child.kind = Object::Kind::Other;
            child.note = link.info.type == H5L_TYPE_EXTERNAL ? "external link (not followed)"
                                                             : "user-defined link (not followed)";
            return;
        }
        H5O_info_t info;
        {
            Lock lock;
            if (H5Oget_info_by_name2(group, link.name.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) <
                0)
                fail("cannot read the object header of " + where);
        }
        if (info.type == H5O_TYPE_GROUP) {
            if (!visitedGroups_.insert(info.addr).second) {
                child.kind = Object::Kind::Other;
                child.note = "another link to an already listed group";
                return;
            }
            child.kind = Object::Kind::Group;
            Handle sub;
            {
                Lock lock;
                sub = checked(H5Gopen2(group, link.name.c_str(), H5P_DEFAULT),
                              "cannot open group " + where);
            }
            walkGroup(sub.get(), child, depth + 1);
        } else if (info.type == H5O_TYPE_DATASET) {
            child.kind = Object::Kind::Dataset;
            Handle dataset;
            {
                Lock lock;
                dataset = checked(H5Dopen2(group, link.name.c_str(), H5P_DEFAULT),
                                  "cannot open dataset " + where);
            }
            child.dataset = describeDataset(dataset.get(), child.path);
            child.attributes = readAttributes(dataset.get(), child.path);
        } else {
            child.kind = Object::Kind::Other;
            child.note = info.type == H5O_TYPE_NAMED_DATATYPE ? "named datatype" : "unknown object";
        }
    }

    static std::string linkTarget(hid_t group, const LinkEntry& link) {
        Lock lock;
        std::size_t size = link.info.u.val_size;
        if (size == 0 || size > 65536) return "";
        std::string target(size, '\0');
        if (H5Lget_val(group, link.name.c_str(), &target[0], size, H5P_DEFAULT) < 0) {
            H5Eclear2(H5E_DEFAULT);
            return "";
        }
        target.resize(std::strlen(target.c_str()));
        return " to " + target;
    }

    std::set<haddr_t> visitedGroups_;
    std::size_t count_ = 0;
};

}  // namespace

static std::unique_ptr<Object> walkTree(const File& file) {
    auto root = std::make_unique<Object>();
    Handle group;
    {
        Lock lock;
        group = checked(H5Gopen2(file.id(), "/", H5P_DEFAULT), "cannot open the root group");
    }
    H5O_info_t info;
    {
        Lock lock;
        if (H5Oget_info2(group.get(), &info, H5O_INFO_BASIC) < 0)
            fail("cannot read the object header of the root group");
    }
    Walker walker(info.addr);
    walker.walkGroup(group.get(), *root, 0);
    return root;
}

std::unique_ptr<Object> readTree(const File& file) {
    // Damaged global heaps make libhdf5 loop or read gigabytes; real files, even with
    // hundreds of thousands of objects, walk in a few seconds at most.
    rehearseIsolated([&] { walkTree(file); }, 20);
    return walkTree(file);
}

}  // namespace ws::h5
