// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The errors a reader, writer, container or edit can raise. Each says which file and which
// object inside it (tensor, dataset, archive entry) it concerns, when known, and what is wrong;
// what() joins them as "file: object: cause", so callers show it as is. The kind tells apart
// what the user can act on differently: the disk (I/O), the file's content (format), an edit
// the model cannot take (refused edit), and a bug of ours (internal).
#include <stdexcept>
#include <string>

namespace ws {

enum class ErrorKind { Io, Format, RefusedEdit, Internal };

class Error : public std::runtime_error {
  public:
    Error(ErrorKind kind, const std::string& cause, const std::string& file = {},
          const std::string& objectPath = {});

    ErrorKind kind() const { return kind_; }
    const std::string& file() const { return file_; }  // empty while not known
    const std::string& objectPath() const { return objectPath_; }
    const std::string& cause() const { return cause_; }

  private:
    ErrorKind kind_;
    std::string file_;
    std::string objectPath_;
    std::string cause_;
};

// Each kind below takes what is wrong, then the file and the object when known.

// The file could not be opened, created, read, written or renamed.
class IoError : public Error {
  public:
    explicit IoError(const std::string& cause, const std::string& file = {},
                     const std::string& objectPath = {})
        : Error(ErrorKind::Io, cause, file, objectPath) {}
};

// The content is damaged, unsupported or does not fit what was asked.
class FormatError : public Error {
  public:
    explicit FormatError(const std::string& cause, const std::string& file = {},
                         const std::string& objectPath = {})
        : Error(ErrorKind::Format, cause, file, objectPath) {}
};

// An edit the tensor cannot take (value out of range, region outside the shape, ...).
class EditRefused : public Error {
  public:
    explicit EditRefused(const std::string& cause, const std::string& file = {},
                         const std::string& objectPath = {})
        : Error(ErrorKind::RefusedEdit, cause, file, objectPath) {}
};

// A broken promise inside Weightsmith, not the user's input.
class InternalError : public Error {
  public:
    explicit InternalError(const std::string& cause, const std::string& file = {},
                           const std::string& objectPath = {})
        : Error(ErrorKind::Internal, cause, file, objectPath) {}
};

// Throws `e` again, as the same kind of error, naming `file` when it names no file yet (an
// error that names one already is rethrown unchanged). Call it inside a catch block.
[[noreturn]] void rethrowNamingFile(const Error& e, const std::string& file);

}  // namespace ws
