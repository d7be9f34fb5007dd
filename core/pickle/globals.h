// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Which module.name references a pickle may resolve. Only a fixed allowlist of constructors is
// interpreted (turned into dicts, sets, bytes, tensors); known code-execution vectors are
// flagged; everything else becomes an inert placeholder. Nothing is ever imported or called.
#include <string>

namespace ws::pickle {

enum class GlobalKind {
    Known,        // on the allowlist: the decoder or the torch tree interprets it
    Dangerous,    // os.system, builtins.eval, subprocess.Popen, ...: recorded, never called
    Placeholder,  // any other class or function: an inert placeholder object
};

GlobalKind classifyGlobal(const std::string& module, const std::string& name);

// Python 2 pickles name builtins "__builtin__"; returns "builtins" for it, else the input.
std::string canonicalModule(const std::string& module);

}  // namespace ws::pickle
