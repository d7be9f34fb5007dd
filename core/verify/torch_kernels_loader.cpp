// SPDX-License-Identifier: GPL-3.0-or-later
#include "verify/torch_kernels_loader.h"

#include <dlfcn.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <vector>

#include "model/error.h"

namespace ws::verify {

namespace {

struct LoadedModule {
    std::string path;
    WsTorchForwardFn forward = nullptr;
};

std::string executableDir() {
    char buf[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return {};
    std::string exe(buf, static_cast<std::size_t>(n));
    const auto slash = exe.find_last_of('/');
    return slash == std::string::npos ? std::string() : exe.substr(0, slash);
}

std::vector<std::string> candidates() {
    std::vector<std::string> out;
    // An explicit override is the only place looked at: a wrong path must not silently fall
    // back to another copy.
    if (const char* env = std::getenv("WS_TORCH_MODULE"); env && *env) return {env};
    const std::string dir = executableDir();
    if (!dir.empty()) {
        out.push_back(dir + "/" + kTorchModuleFile);
        out.push_back(dir + "/../lib/weightsmith/" + kTorchModuleFile);
    }
    return out;
}

// Loaded once and kept for the life of the process (libtorch does not like being unloaded).
const LoadedModule& module() {
    static LoadedModule loaded;
    if (loaded.forward) return loaded;
    std::string tried;
    for (const std::string& path : candidates()) {
        if (access(path.c_str(), R_OK) != 0) {
            tried += "\n  " + path + ": not found";
            continue;
        }
        void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!handle) {
            const char* why = dlerror();
            tried += "\n  " + path + ": " + (why ? why : "dlopen failed");
            continue;
        }
        auto abi = reinterpret_cast<WsTorchAbiFn>(dlsym(handle, "ws_torch_kernels_abi"));
        auto forward = reinterpret_cast<WsTorchForwardFn>(dlsym(handle, "ws_torch_forward"));
        if (!abi || !forward || abi() != kForwardAbi) {
            tried += "\n  " + path + ": not a matching weightsmith torch module (ABI " +
                     std::to_string(abi ? abi() : -1) + ", expected " +
                     std::to_string(kForwardAbi) + ")";
            dlclose(handle);
            continue;
        }
        loaded.path = path;
        loaded.forward = forward;
        return loaded;
    }
    throw FormatError(std::string("the libtorch module ") + kTorchModuleFile +
                      " that runs the forward passes could not be loaded (build with libtorch "
                      "installed and "
                      "WS_BUILD_TORCH_MODULE=ON, or set WS_TORCH_MODULE to its path); looked at:" +
                      tried);
}

}  // namespace

ForwardResult runForward(const ForwardRequest& request) {
    ForwardResult result;
    module().forward(&request, &result);
    return result;
}

std::string loadedTorchModulePath() {
    static const std::string none;
    try {
        return module().path;
    } catch (const FormatError&) {
        return none;
    }
}

}  // namespace ws::verify
