// SPDX-License-Identifier: GPL-3.0-or-later
#include "containers/hdf5/hdf5_library.h"

#include <new>
#include <vector>

#include "model/error.h"

namespace ws::h5 {

static std::recursive_mutex& libraryMutex() {
    static std::recursive_mutex m;
    return m;
}

Lock::Lock() : lock_(libraryMutex()) { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

void resetLockAfterFork() { new (&libraryMutex()) std::recursive_mutex(); }

namespace {
struct StackWalk {
    std::vector<std::string> messages;
};

herr_t collectMessage(unsigned, const H5E_error2_t* err, void* data) {
    auto* walk = static_cast<StackWalk*>(data);
    if (err && err->desc && *err->desc) walk->messages.emplace_back(err->desc);
    return 0;
}
}  // namespace

std::string errorStackText() {
    StackWalk walk;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collectMessage, &walk);
    H5Eclear2(H5E_DEFAULT);
    // The outermost message says what the API call was doing, the innermost what actually
    // went wrong; both together read well and stay short.
    if (walk.messages.empty()) return {};
    if (walk.messages.size() == 1) return walk.messages.front();
    return walk.messages.front() + " (" + walk.messages.back() + ")";
}

void fail(const std::string& what) {
    std::string detail = errorStackText();
    throw FormatError(detail.empty() ? what : what + ": " + detail);
}

Handle& Handle::operator=(Handle&& other) noexcept {
    if (this != &other) {
        reset();
        id_ = other.id_;
        other.id_ = -1;
    }
    return *this;
}

void Handle::reset() {
    if (id_ >= 0) {
        Lock lock;
        H5Idec_ref(id_);
        H5Eclear2(H5E_DEFAULT);
    }
    id_ = -1;
}

Handle checked(hid_t id, const std::string& what) {
    if (id < 0) fail(what);
    return Handle(id);
}

}  // namespace ws::h5
