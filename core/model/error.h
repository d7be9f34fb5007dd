// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One error type for everything a reader, writer or container can reject. The message always
// says what is wrong; openModel() prefixes it with the file name, so callers show it as is.
#include <stdexcept>
#include <string>

namespace ws {

class FormatError : public std::runtime_error {
  public:
    explicit FormatError(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace ws
