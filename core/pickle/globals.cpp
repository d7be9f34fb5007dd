// SPDX-License-Identifier: GPL-3.0-or-later
#include "pickle/globals.h"

#include <map>
#include <set>

namespace ws::pickle {

std::string canonicalModule(const std::string& module) {
    // Python 3 unpickles protocol 0-2 pickles with fix_imports=True, so these Python 2 module
    // names resolve to the Python 3 modules (pickle's own _compat_pickle.IMPORT_MAPPING);
    // reporting the module that would really be imported ("commands.Popen" is
    // subprocess.Popen) is what makes the danger check hold.
    static const std::map<std::string, std::string> python2Names = {
        {"__builtin__", "builtins"},
        {"copy_reg", "copyreg"},
        {"commands", "subprocess"},
        {"cPickle", "pickle"},
        {"exceptions", "builtins"},
        {"UserDict", "collections"},
        {"UserList", "collections"},
        {"UserString", "collections"},
        {"cStringIO", "io"},
        {"StringIO", "io"},
        {"Queue", "queue"},
        {"SocketServer", "socketserver"},
        {"urllib2", "urllib.request"},
        {"httplib", "http.client"},
        {"thread", "_thread"},
        {"dummy_thread", "_dummy_thread"},
        {"_winreg", "winreg"},
        {"repr", "reprlib"},
    };
    auto it = python2Names.find(module);
    return it == python2Names.end() ? module : it->second;
}

static bool startsWith(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

// Modules whose every member can run code or touch the system.
static bool isDangerousModule(const std::string& m) {
    static const std::set<std::string> modules = {
        "os",
        "posix",
        "nt",
        "subprocess",
        "pty",
        "runpy",
        "shutil",
        "socket",
        "sys",
        "ctypes",
        "commands",
        "popen2",
        "code",
        "codeop",
        "webbrowser",
        "pdb",
        "bdb",
        "timeit",
        "platform",
        "marshal",
        "pickle",
        "_pickle",
        "cPickle",
        "dill",
        "cloudpickle",
        "joblib",
        "importlib",
        "imp",
        "multiprocessing",
        "signal",
        "asyncio",
        "threading",
        "_thread",
        "thread",
        "tempfile",
        "types",
        "inspect",
        "sysconfig",
        "site",
        "zipimport",
        "pkgutil",
        "http",
        "urllib",
        "urllib2",
        "requests",
        "ftplib",
        "telnetlib",
        "smtplib",
        "posixpath",
        "ntpath",
        "glob",
        "io",
        "_io",
        "fcntl",
        "resource",
        "pydoc",
        "cProfile",
        "profile",
        "trace",
        "distutils",
        "setuptools",
        "pip",
    };
    if (modules.count(m)) return true;
    for (const auto& prefix :
         {"os.", "subprocess.", "importlib.", "multiprocessing.", "ctypes.", "asyncio.", "http.",
          "urllib.", "distutils.", "setuptools.", "pip.", "torch.hub", "torch._C._jit"})
        if (startsWith(m, prefix)) return true;
    return false;
}

static bool isDangerous(const std::string& module, const std::string& name) {
    if (isDangerousModule(module)) return true;
    static const std::set<std::string> builtins = {
        "eval", "exec",   "execfile",   "compile", "getattr", "setattr", "delattr",    "__import__",
        "open", "input",  "raw_input",  "globals", "locals",  "vars",    "breakpoint", "apply",
        "file", "reload", "memoryview", "help",    "exit",    "quit",
    };
    if (module == "builtins" && builtins.count(name)) return true;
    static const std::set<std::string> qualified = {
        "operator.attrgetter",
        "operator.methodcaller",
        "operator.itemgetter",
        "functools.partial",
        "functools.reduce",
        "torch.load",
        "torch.serialization.load",
        "torch.serialization._load",
        "torch.serialization._legacy_load",
        "torch.jit.load",
        "torch.jit._serialization.load",
        "torch.package.PackageImporter",
        "numpy.load",
        "numpy.lib.npyio.load",
        "numpy.testing._private.utils.runstring",
        "numpy.f2py.diagnose.run_command",
        "_codecs.decode",
        "codecs.open",
    };
    return qualified.count(module + "." + name) > 0;
}

static bool isKnown(const std::string& module, const std::string& name) {
    static const std::set<std::string> qualified = {
        "collections.OrderedDict",
        "collections.defaultdict",
        "builtins.set",
        "builtins.frozenset",
        "builtins.bytearray",
        "builtins.bytes",
        "builtins.slice",
        "builtins.complex",
        "builtins.object",
        "builtins.list",
        "builtins.dict",
        "builtins.tuple",
        "builtins.int",
        "builtins.float",
        "builtins.str",
        "builtins.bool",
        "builtins.range",
        "copyreg._reconstructor",
        "_codecs.encode",
        "torch._utils._rebuild_tensor",
        "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_tensor_v3",
        "torch._utils._rebuild_parameter",
        "torch._utils._rebuild_parameter_with_state",
        "torch._utils._rebuild_qtensor",
        "torch._utils._rebuild_sparse_tensor",
        "torch._utils._rebuild_sparse_csr_tensor",
        "torch._utils._rebuild_device_tensor_from_numpy",
        "torch._utils._rebuild_meta_tensor_no_storage",
        "torch._utils._rebuild_wrapper_subclass",
        "torch._utils._rebuild_nested_tensor",
        "torch._tensor._rebuild_from_type",
        "torch._tensor._rebuild_from_type_v2",
        "torch.nn.parameter.Parameter",
        "torch.nn.parameter.UninitializedParameter",
        "torch.storage._load_from_bytes",
        "torch.storage.TypedStorage",
        "torch.storage.UntypedStorage",
        "torch.storage._TypedStorage",
        "torch.storage._UntypedStorage",
        "torch.Size",
        "torch.jit._pickle.build_intlist",
        "torch.jit._pickle.build_floatlist",
        "torch.jit._pickle.build_doublelist",
        "torch.jit._pickle.build_boollist",
        "torch.jit._pickle.build_tensorlist",
        "torch.jit._pickle.build_genericlist",
        "torch.jit._pickle.restore_type_tag",
        "torch.device",
        "torch.Tensor",
        "torch.strided",
        "torch.sparse_coo",
        "torch.contiguous_format",
        "torch.channels_last",
        "torch.preserve_format",
        "numpy.dtype",
        "numpy.ndarray",
        "numpy.core.multiarray.scalar",
        "numpy.core.multiarray._reconstruct",
        "numpy._core.multiarray.scalar",
        "numpy._core.multiarray._reconstruct",
        "numpy.core.numeric._frombuffer",
        "numpy._core.numeric._frombuffer",
    };
    if (qualified.count(module + "." + name)) return true;
    if (module == "torch") {
        // Storage classes (FloatStorage, cuda-less legacy names) and dtypes (float32, bfloat16...).
        if (name.size() > 7 && name.compare(name.size() - 7, 7, "Storage") == 0) return true;
        static const std::set<std::string> dtypes = {
            "float16", "half",    "bfloat16",      "float32",     "float",     "float64",
            "double",  "int8",    "int16",         "short",       "int32",     "int",
            "int64",   "long",    "uint8",         "bool",        "complex64", "complex128",
            "cfloat",  "cdouble", "qint8",         "quint8",      "qint32",    "uint16",
            "uint32",  "uint64",  "float8_e4m3fn", "float8_e5m2",
        };
        return dtypes.count(name) > 0;
    }
    if (module == "torch.cuda" && name.size() > 7 &&
        name.compare(name.size() - 7, 7, "Storage") == 0)
        return true;
    if (module == "numpy" && (name.rfind("int", 0) == 0 || name.rfind("uint", 0) == 0 ||
                              name.rfind("float", 0) == 0 || name == "bool_"))
        return true;
    return false;
}

GlobalKind classifyGlobal(const std::string& rawModule, const std::string& name) {
    const std::string module = canonicalModule(rawModule);
    if (isDangerous(module, name)) return GlobalKind::Dangerous;
    if (isKnown(module, name)) return GlobalKind::Known;
    return GlobalKind::Placeholder;
}

}  // namespace ws::pickle
