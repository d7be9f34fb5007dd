// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What every weightsmith-cli subcommand does the same way: exit codes, the one shape of failure
// messages, opening the input model, and reading option values.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "model/model.h"

namespace wscli {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;  // the input cannot be read, an operation is refused, writing fails
constexpr int kExitUsage = 2;

// Prints "weightsmith-cli: <file>: <what is wrong>" to stderr and returns kExitFailed.
int reportFailure(const std::string& file, const std::string& what);
// The same for a message that already starts with the file name (ws::openModel's do).
int reportFailure(const std::string& messageWithFile);

// Prints "weightsmith-cli <command>: <error>" and the command's usage to stderr; returns
// kExitUsage.
int reportUsageError(const char* command, const std::string& error, const char* usage);

// Opens FILE as ws::openModel does; on failure prints why (exit status kExitFailed is then the
// caller's to return) and returns null.
std::unique_ptr<ws::Model> openModelOrReport(const std::string& file);

// True when arg is the flag itself or "flag=VALUE".
bool isFlag(const std::string& arg, const std::string& flag);

// Reads the value of the flag at args[i], given as "flag=VALUE" or as the next argument (then i
// moves past it). False, with `error` set, when the value is missing or empty.
bool takeFlagValue(const std::vector<std::string>& args, std::size_t& i, const std::string& flag,
                   std::string& into, std::string& error);

// "-o OUT", "--output OUT" or "--output=OUT".
bool isOutputFlag(const std::string& arg);
bool takeOutputValue(const std::vector<std::string>& args, std::size_t& i, std::string& output,
                     std::string& error);

// A positional argument of a command taking one FILE: stores it, or sets `error` for an unknown
// option ("-x"; "-" alone is a file name) or a second FILE. Returns false on error.
bool takeFileArgument(const std::string& arg, std::string& file, std::string& error);

// The same for a command taking two models A and B (compare, verify): fills a, then b.
bool takeModelPairArgument(const std::string& arg, std::string& a, std::string& b,
                           std::string& error);

// After parsing a command that reads one FILE and writes OUT: false, with `error` set, when
// either is missing ("no output given: <outputHint>").
bool requireFileAndOutput(const std::string& file, const std::string& output,
                          const char* outputHint, std::string& error);

}  // namespace wscli
