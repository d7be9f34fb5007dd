// SPDX-License-Identifier: GPL-3.0-or-later
#include "pickle/value.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace ws::pickle {

const char* kindName(Kind k) {
    switch (k) {
        case Kind::None:
            return "None";
        case Kind::Bool:
            return "bool";
        case Kind::Int:
            return "int";
        case Kind::BigInt:
            return "int";
        case Kind::Float:
            return "float";
        case Kind::Str:
            return "str";
        case Kind::Bytes:
            return "bytes";
        case Kind::Tuple:
            return "tuple";
        case Kind::List:
            return "list";
        case Kind::Dict:
            return "dict";
        case Kind::Set:
            return "set";
        case Kind::Global:
            return "global";
        case Kind::PersistentId:
            return "persistent_id";
        case Kind::Object:
            return "object";
    }
    return "?";
}

const Value* Value::get(const std::string& key) const {
    for (const auto& kv : pairs)
        if (kv.first->kind == Kind::Str && kv.first->text == key) return kv.second;
    return nullptr;
}

namespace {

class Printer {
  public:
    Printer(int maxDepth, std::size_t maxChars) : maxDepth_(maxDepth), maxChars_(maxChars) {}

    void value(const Value* v, int depth) {
        if (full()) return;
        if (!v) {
            out_ += "null";
            return;
        }
        if (depth > maxDepth_) {
            out_ += "\"...\"";
            return;
        }
        switch (v->kind) {
            case Kind::None:
                out_ += "null";
                break;
            case Kind::Bool:
                out_ += v->boolean ? "true" : "false";
                break;
            case Kind::Int:
                out_ += std::to_string(v->integer);
                break;
            case Kind::BigInt:
                out_ += v->text;
                break;
            case Kind::Float:
                real(v->real);
                break;
            case Kind::Str:
                quoted(v->text);
                break;
            case Kind::Bytes:
                bytes(v->text);
                break;
            case Kind::Tuple:
            case Kind::List:
            case Kind::Set:
                sequence(v->items, depth);
                break;
            case Kind::Dict:
                dict(v->pairs, depth);
                break;
            case Kind::Global:
                quoted("<" + v->qualifiedName() + ">");
                break;
            case Kind::PersistentId:
                out_ += "{\"persistent_id\": ";
                value(v->ref, depth + 1);
                out_ += "}";
                break;
            case Kind::Object:
                object(*v, depth);
                break;
        }
    }

    std::string take() {
        if (out_.size() > maxChars_) {
            out_.resize(maxChars_);
            out_ += "...";
        }
        return std::move(out_);
    }

  private:
    bool full() const { return out_.size() > maxChars_; }

    void real(double d) {
        if (std::isnan(d)) {
            out_ += "NaN";
        } else if (std::isinf(d)) {
            out_ += d > 0 ? "Infinity" : "-Infinity";
        } else {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.17g", d);
            // Shortest text that reads back to the same double, like Python's repr.
            for (int prec = 1; prec <= 17; ++prec) {
                char shorter[32];
                std::snprintf(shorter, sizeof shorter, "%.*g", prec, d);
                if (std::strtod(shorter, nullptr) == d) {
                    std::snprintf(buf, sizeof buf, "%s", shorter);
                    break;
                }
            }
            out_ += buf;
            std::string s = buf;
            if (s.find_first_of(".eE") == std::string::npos) out_ += ".0";
        }
    }

    void quoted(const std::string& s) {
        out_ += '"';
        for (unsigned char c : s) {
            if (full()) break;
            switch (c) {
                case '"':
                    out_ += "\\\"";
                    break;
                case '\\':
                    out_ += "\\\\";
                    break;
                case '\n':
                    out_ += "\\n";
                    break;
                case '\r':
                    out_ += "\\r";
                    break;
                case '\t':
                    out_ += "\\t";
                    break;
                default:
                    if (c < 0x20) {
                        char buf[8];
                        std::snprintf(buf, sizeof buf, "\\u%04x", c);
                        out_ += buf;
                    } else {
                        out_ += char(c);
                    }
            }
        }
        out_ += '"';
    }

    void bytes(const std::string& s) {
        static const char* digits = "0123456789abcdef";
        std::string hex = "<bytes " + std::to_string(s.size()) + ": ";
        for (std::size_t i = 0; i < s.size() && i < 32; ++i) {
            hex += digits[(unsigned char)s[i] >> 4];
            hex += digits[(unsigned char)s[i] & 15];
        }
        if (s.size() > 32) hex += "...";
        quoted(hex + ">");
    }

    void sequence(const std::vector<const Value*>& items, int depth) {
        out_ += '[';
        for (std::size_t i = 0; i < items.size() && !full(); ++i) {
            if (i) out_ += ", ";
            value(items[i], depth + 1);
        }
        out_ += ']';
    }

    void key(const Value* k, int depth) {
        if (k && k->kind == Kind::Str) {
            quoted(k->text);
        } else {
            Printer inner(maxDepth_, maxChars_);
            inner.value(k, depth + 1);
            quoted(inner.take());
        }
    }

    void dict(const std::vector<std::pair<const Value*, const Value*>>& pairs, int depth) {
        out_ += '{';
        for (std::size_t i = 0; i < pairs.size() && !full(); ++i) {
            if (i) out_ += ", ";
            key(pairs[i].first, depth);
            out_ += ": ";
            value(pairs[i].second, depth + 1);
        }
        out_ += '}';
    }

    void object(const Value& v, int depth) {
        out_ += "{\"__class__\": ";
        quoted(v.qualifiedName());
        if (v.args && !(v.args->kind == Kind::Tuple && v.args->items.empty())) {
            out_ += ", \"args\": ";
            value(v.args, depth + 1);
        }
        if (v.state) {
            out_ += ", \"state\": ";
            value(v.state, depth + 1);
        }
        if (!v.items.empty()) {
            out_ += ", \"items\": ";
            sequence(v.items, depth + 1);
        }
        if (!v.pairs.empty()) {
            out_ += ", \"dict_items\": ";
            dict(v.pairs, depth + 1);
        }
        out_ += '}';
    }

    int maxDepth_;
    std::size_t maxChars_;
    std::string out_;
};

}  // namespace

std::string toDisplayText(const Value& v, int maxDepth, std::size_t maxChars) {
    Printer p(maxDepth, maxChars);
    p.value(&v, 0);
    return p.take();
}

}  // namespace ws::pickle
