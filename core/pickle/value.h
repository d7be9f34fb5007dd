// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The inert value model a pickle is decoded into. Nothing here is ever executed: a class
// instance is an Object that only records which class it names and what the pickle wanted to
// pass to it. Values live in a Document (an arena), and refer to each other by raw pointer, so
// the cyclic graphs a pickle can build (a list holding itself) cost nothing and leak nothing.
#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

namespace ws::pickle {

enum class Kind {
    None,
    Bool,
    Int,     // fits in int64
    BigInt,  // does not fit: `text` holds it in decimal
    Float,
    Str,           // UTF-8 text
    Bytes,         // raw bytes in `text`
    Tuple,         // items
    List,          // items
    Dict,          // pairs, in pickle order, any key kind
    Set,           // items (set and frozenset)
    Global,        // a class or function reference: module + name
    PersistentId,  // the payload pickled by persistent_id (torch: a storage tuple); `ref`
    Object,        // an inert placeholder for a class instance, see the fields below
};

const char* kindName(Kind k);

struct Value {
    Kind kind = Kind::None;
    bool boolean = false;
    std::int64_t integer = 0;
    double real = 0;
    std::string text;                 // Str, Bytes, BigInt
    std::vector<const Value*> items;  // Tuple, List, Set; Object: list items
    std::vector<std::pair<const Value*, const Value*>> pairs;  // Dict; Object: dict items
    std::string module, name;                                  // Global; Object: the class it names
    const Value* ref = nullptr;    // PersistentId: payload; Object: the callable
    const Value* args = nullptr;   // Object: the argument tuple it was called with
    const Value* state = nullptr;  // Object/Dict/List: what BUILD set on it
    bool dangerous = false;        // Global/Object: a known code-execution vector

    bool isStr() const { return kind == Kind::Str; }
    bool isSequence() const { return kind == Kind::Tuple || kind == Kind::List; }
    // "module.name" for Global/Object.
    std::string qualifiedName() const { return module.empty() ? name : module + "." + name; }
    // Dict/Object lookup of a str key; null when absent.
    const Value* get(const std::string& key) const;
};

// Owns every value of one decoded pickle. Values never move once created.
class Document {
  public:
    Document() = default;
    Document(const Document&) = delete;
    Document& operator=(const Document&) = delete;

    Value* make(Kind kind) {
        values_.emplace_back();
        values_.back().kind = kind;
        return &values_.back();
    }
    std::size_t size() const { return values_.size(); }

    const Value* root = nullptr;

  private:
    std::deque<Value> values_;
};

// A compact, JSON-like rendering for value nodes and messages. Nested deeper than maxDepth or
// longer than maxChars is cut with "..."; cycles are therefore harmless.
std::string toDisplayText(const Value& v, int maxDepth = 12, std::size_t maxChars = 4096);

}  // namespace ws::pickle
