// SPDX-License-Identifier: GPL-3.0-or-later
#include "command_support.h"

#include <cstdio>
#include <exception>
#include <new>

#include "formats/open_model.h"
#include "model/error.h"

namespace wscli {

int reportFailure(const std::string& file, const std::string& what) {
    std::fprintf(stderr, "weightsmith-cli: %s: %s\n", file.c_str(), what.c_str());
    return kExitFailed;
}

int reportFailure(const std::string& messageWithFile) {
    std::fprintf(stderr, "weightsmith-cli: %s\n", messageWithFile.c_str());
    return kExitFailed;
}

int reportUsageError(const char* command, const std::string& error, const char* usage) {
    std::fprintf(stderr, "weightsmith-cli %s: %s\n%s", command, error.c_str(), usage);
    return kExitUsage;
}

std::unique_ptr<ws::Model> openModelOrReport(const std::string& file) {
    try {
        return ws::openModel(file);
    } catch (const ws::FormatError& e) {
        reportFailure(e.what());
    } catch (const std::bad_alloc&) {
        reportFailure(file, "out of memory");
    } catch (const std::exception& e) {  // never abort on a library exception
        reportFailure(file, std::string("unexpected error: ") + e.what());
    }
    return nullptr;
}

bool isFlag(const std::string& arg, const std::string& flag) {
    return arg == flag || arg.compare(0, flag.size() + 1, flag + "=") == 0;
}

bool takeFlagValue(const std::vector<std::string>& args, std::size_t& i, const std::string& flag,
                   std::string& into, std::string& error) {
    const std::string& arg = args[i];
    if (arg.size() > flag.size() && arg.compare(0, flag.size() + 1, flag + "=") == 0) {
        into = arg.substr(flag.size() + 1);
    } else if (i + 1 < args.size()) {
        into = args[++i];
    } else {
        error = flag + " needs a value";
        return false;
    }
    if (into.empty()) {
        error = flag + " needs a non-empty value";
        return false;
    }
    return true;
}

bool isOutputFlag(const std::string& arg) { return arg == "-o" || isFlag(arg, "--output"); }

bool takeOutputValue(const std::vector<std::string>& args, std::size_t& i, std::string& output,
                     std::string& error) {
    return takeFlagValue(args, i, args[i] == "-o" ? "-o" : "--output", output, error);
}

bool takeFileArgument(const std::string& arg, std::string& file, std::string& error) {
    if (!arg.empty() && arg[0] == '-' && arg != "-") {
        error = "unknown option '" + arg + "'";
        return false;
    }
    if (!file.empty()) {
        error = "more than one FILE given ('" + file + "' and '" + arg + "')";
        return false;
    }
    file = arg;
    return true;
}

bool takeModelPairArgument(const std::string& arg, std::string& a, std::string& b,
                           std::string& error) {
    if (!arg.empty() && arg[0] == '-' && arg != "-") {
        error = "unknown option '" + arg + "'";
        return false;
    }
    if (!b.empty()) {
        error = "more than two models given ('" + arg + "')";
        return false;
    }
    (a.empty() ? a : b) = arg;
    return true;
}

bool requireFileAndOutput(const std::string& file, const std::string& output,
                          const char* outputHint, std::string& error) {
    if (file.empty()) {
        error = "no FILE given";
        return false;
    }
    if (output.empty()) {
        error = std::string("no output given: ") + outputHint;
        return false;
    }
    return true;
}

}  // namespace wscli
