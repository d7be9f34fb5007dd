// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/error.h"

namespace ws {

namespace {

std::string joined(const std::string& file, const std::string& objectPath,
                   const std::string& cause) {
    std::string text;
    if (!file.empty()) text += file + ": ";
    if (!objectPath.empty()) text += objectPath + ": ";
    return text + cause;
}

}  // namespace

Error::Error(ErrorKind kind, const std::string& cause, const std::string& file,
             const std::string& objectPath)
    : std::runtime_error(joined(file, objectPath, cause)),
      kind_(kind),
      file_(file),
      objectPath_(objectPath),
      cause_(cause) {}

void rethrowNamingFile(const Error& e, const std::string& file) {
    if (!e.file().empty()) throw;
    switch (e.kind()) {
        case ErrorKind::Io:
            throw IoError(e.cause(), file, e.objectPath());
        case ErrorKind::Format:
            throw FormatError(e.cause(), file, e.objectPath());
        case ErrorKind::RefusedEdit:
            throw EditRefused(e.cause(), file, e.objectPath());
        case ErrorKind::Internal:
            throw InternalError(e.cause(), file, e.objectPath());
    }
    throw;
}

}  // namespace ws
