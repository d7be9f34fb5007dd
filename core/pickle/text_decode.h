// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Text and number decoding the pickle opcodes need: Python string literals, raw-unicode-escape,
// latin-1, two's-complement integers of any length. All functions take untrusted bytes.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace ws::pickle {

// Valid UTF-8 is returned as is; invalid sequences become U+FFFD, so downstream JSON output
// never meets malformed text.
std::string sanitizeUtf8(std::string s);
bool isValidUtf8(const std::string& s);
// Each byte is a code point 0-255 (Python 2 str, BINSTRING under encoding="latin1").
std::string latin1ToUtf8(const std::string& bytes);
// UTF-8 text back to latin-1 bytes (what _codecs.encode(s, "latin1") produced); nullopt when a
// code point is above 255.
std::optional<std::string> utf8ToLatin1(const std::string& text);
// Appends code point cp as UTF-8 (invalid code points become U+FFFD).
void appendUtf8(std::string& out, std::uint32_t cp);
// The body of a STRING opcode: a quoted Python 2 literal ('abc\n', "x"); nullopt if malformed.
std::optional<std::string> unquotePythonString(const std::string& literal);
// The body of a UNICODE opcode (raw-unicode-escape: latin-1 plus \uXXXX and \UXXXXXXXX).
std::optional<std::string> decodeRawUnicodeEscape(const std::string& bytes);
// Decimal text of a little-endian two's-complement integer of any length.
std::string twosComplementToDecimal(const std::uint8_t* bytes, std::size_t n);

}  // namespace ws::pickle
