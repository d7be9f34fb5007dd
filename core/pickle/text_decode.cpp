// SPDX-License-Identifier: GPL-3.0-or-later
#include "pickle/text_decode.h"

#include <vector>

namespace ws::pickle {

void appendUtf8(std::string& out, std::uint32_t cp) {
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xc0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += char(0xe0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3f));
        out += char(0x80 | (cp & 0x3f));
    } else {
        out += char(0xf0 | (cp >> 18));
        out += char(0x80 | ((cp >> 12) & 0x3f));
        out += char(0x80 | ((cp >> 6) & 0x3f));
        out += char(0x80 | (cp & 0x3f));
    }
}

// Length of the valid UTF-8 sequence at s[i], or 0 when it is not one.
static std::size_t validSequenceAt(const std::string& s, std::size_t i) {
    const auto b = [&](std::size_t k) { return (unsigned char)s[k]; };
    unsigned char c = b(i);
    if (c < 0x80) return 1;
    std::size_t len;
    std::uint32_t cp;
    if ((c & 0xe0) == 0xc0) {
        len = 2;
        cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
        len = 3;
        cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (i + len > s.size()) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        if ((b(i + k) & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (b(i + k) & 0x3f);
    }
    static const std::uint32_t minimum[5] = {0, 0, 0x80, 0x800, 0x10000};
    // Surrogates are accepted: Python pickles them with "surrogatepass".
    if (cp < minimum[len] || cp > 0x10ffff) return 0;
    return len;
}

bool isValidUtf8(const std::string& s) {
    for (std::size_t i = 0; i < s.size();) {
        std::size_t n = validSequenceAt(s, i);
        if (!n) return false;
        i += n;
    }
    return true;
}

std::string sanitizeUtf8(std::string s) {
    if (isValidUtf8(s)) return s;
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        std::size_t n = validSequenceAt(s, i);
        if (n) {
            out.append(s, i, n);
            i += n;
        } else {
            appendUtf8(out, 0xfffd);
            ++i;
        }
    }
    return out;
}

std::string latin1ToUtf8(const std::string& bytes) {
    std::string out;
    out.reserve(bytes.size());
    for (unsigned char c : bytes) appendUtf8(out, c);
    return out;
}

std::optional<std::string> utf8ToLatin1(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        std::size_t n = validSequenceAt(text, i);
        if (!n) return std::nullopt;
        unsigned char c = (unsigned char)text[i];
        std::uint32_t cp = c;
        if (n == 2) cp = ((c & 0x1fu) << 6) | ((unsigned char)text[i + 1] & 0x3fu);
        if (n > 2 || cp > 0xff) return std::nullopt;
        out += char(cp);
        i += n;
    }
    return out;
}

static int hexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static std::optional<std::uint32_t> readHex(const std::string& s, std::size_t at, std::size_t n) {
    if (at + n > s.size()) return std::nullopt;
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < n; ++k) {
        int d = hexDigit(s[at + k]);
        if (d < 0) return std::nullopt;
        v = (v << 4) | std::uint32_t(d);
    }
    return v;
}

std::optional<std::string> unquotePythonString(const std::string& lit) {
    if (lit.size() < 2) return std::nullopt;
    char q = lit.front();
    if ((q != '\'' && q != '"') || lit.back() != q) return std::nullopt;
    std::string out;
    for (std::size_t i = 1; i + 1 < lit.size(); ++i) {
        char c = lit[i];
        if (c != '\\') {
            out += c;
            continue;
        }
        if (i + 2 >= lit.size()) return std::nullopt;  // a backslash just before the quote
        char e = lit[++i];
        switch (e) {
            case 'n':
                out += '\n';
                break;
            case 't':
                out += '\t';
                break;
            case 'r':
                out += '\r';
                break;
            case 'a':
                out += '\a';
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'v':
                out += '\v';
                break;
            case '\\':
                out += '\\';
                break;
            case '\'':
                out += '\'';
                break;
            case '"':
                out += '"';
                break;
            case '\n':
                break;
            case 'x': {
                auto v = readHex(lit, i + 1, 2);
                if (!v || i + 3 > lit.size() - 1) return std::nullopt;
                out += char(*v);
                i += 2;
                break;
            }
            default:
                if (e >= '0' && e <= '7') {
                    int v = e - '0';
                    for (int k = 0;
                         k < 2 && i + 2 < lit.size() && lit[i + 1] >= '0' && lit[i + 1] <= '7'; ++k)
                        v = v * 8 + (lit[++i] - '0');
                    out += char(v & 0xff);
                } else {
                    out += '\\';
                    out += e;
                }
        }
    }
    return out;
}

std::optional<std::string> decodeRawUnicodeEscape(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\' && i + 1 < s.size() && (s[i + 1] == 'u' || s[i + 1] == 'U')) {
            std::size_t n = s[i + 1] == 'u' ? 4 : 8;
            auto v = readHex(s, i + 2, n);
            if (!v) return std::nullopt;
            appendUtf8(out, *v);
            i += 1 + n;
        } else {
            appendUtf8(out, c);
        }
    }
    return out;
}

std::string twosComplementToDecimal(const std::uint8_t* bytes, std::size_t n) {
    if (n == 0) return "0";
    bool negative = bytes[n - 1] & 0x80;
    // Magnitude, most significant byte first.
    std::vector<std::uint8_t> mag(n);
    unsigned carry = 1;
    for (std::size_t i = 0; i < n; ++i) {
        unsigned b = bytes[i];
        if (negative) {
            b = (~b & 0xffu) + carry;
            carry = b >> 8;
            b &= 0xffu;
        }
        mag[n - 1 - i] = std::uint8_t(b);
    }
    std::string digits;
    std::size_t start = 0;
    while (start < mag.size() && mag[start] == 0) ++start;
    while (start < mag.size()) {
        unsigned rem = 0;
        for (std::size_t i = start; i < mag.size(); ++i) {
            unsigned cur = (rem << 8) | mag[i];
            mag[i] = std::uint8_t(cur / 10);
            rem = cur % 10;
        }
        digits += char('0' + rem);
        while (start < mag.size() && mag[start] == 0) ++start;
    }
    if (digits.empty()) digits = "0";
    if (negative) digits += '-';
    return std::string(digits.rbegin(), digits.rend());
}

}  // namespace ws::pickle
