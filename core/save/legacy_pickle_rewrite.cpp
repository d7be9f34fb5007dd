// SPDX-License-Identifier: GPL-3.0-or-later
#include "save/legacy_pickle_rewrite.h"

#include <cstdio>
#include <cstring>
#include <string>
#include <unordered_map>

#include "model/error.h"

namespace ws {

namespace {

// What the scanner knows about one stack slot: enough to recognise persistent-id tuples.
struct Slot {
    enum class Kind { Mark, Str, None, Tuple, Other } kind = Kind::Other;
    std::string text;         // Str
    std::size_t markAt = 0;   // Mark: its byte offset; Tuple: offset of the MARK it closed
    std::vector<Slot> items;  // Tuple built by TUPLE from a MARK
    bool fromMark = false;    // Tuple: built by TUPLE (so markAt is meaningful)
    std::size_t closeAt = 0;  // Tuple: offset of the TUPLE opcode that built it
    std::size_t start = 0;    // where the opcodes that produced this value begin
};

std::uint64_t le(const std::uint8_t* p, int n) {
    std::uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

class Scanner {
  public:
    Scanner(const std::uint8_t* data, std::size_t size) : d_(data), n_(size) {}

    std::vector<std::uint8_t> run();

  private:
    [[noreturn]] void bad(const std::string& what) {
        throw FormatError("legacy pickle, byte " + std::to_string(pos_) + ": " + what);
    }
    void need(std::size_t k) {
        if (k > n_ - pos_) bad("truncated");
    }
    std::size_t line() {  // length of an argument ending in '\n', newline included
        const void* nl = std::memchr(d_ + pos_, '\n', n_ - pos_);
        if (!nl) bad("unterminated text argument");
        return std::size_t(static_cast<const std::uint8_t*>(nl) - (d_ + pos_)) + 1;
    }
    Slot pop() {
        if (stack_.empty()) bad("stack underflow");
        Slot s = std::move(stack_.back());
        stack_.pop_back();
        return s;
    }
    std::vector<Slot> popToMark(std::size_t* markAt = nullptr) {
        std::vector<Slot> items;
        while (!stack_.empty() && stack_.back().kind != Slot::Kind::Mark) items.push_back(pop());
        if (stack_.empty()) bad("no MARK on the stack");
        if (markAt) *markAt = stack_.back().markAt;
        stack_.pop_back();
        return {items.rbegin(), items.rend()};
    }
    // Pushes a value produced by the opcodes from `start` on (default: the current opcode).
    void push(Slot s = Slot()) {
        s.start = start_;
        stack_.push_back(std::move(s));
    }
    // pop n, push 1: the result's opcodes begin where the deepest popped value's did.
    void reduce(std::size_t n) {
        std::size_t first = start_;
        for (std::size_t i = 0; i < n; ++i) first = pop().start;
        start_ = first;
        push();
    }
    void copy(std::size_t from, std::size_t to) { out_.insert(out_.end(), d_ + from, d_ + to); }
    void persistentId(std::size_t opAt);

    const std::uint8_t* d_;
    std::size_t n_;
    std::size_t pos_ = 0;
    std::size_t start_ = 0;  // see push()
    std::vector<Slot> stack_;
    std::unordered_map<std::uint64_t, Slot> memo_;
    std::vector<std::uint8_t> out_;
    std::size_t copied_ = 0;  // input bytes up to here are already in out_
    // Where in out_ each input MARK went (insertions before a MARK shift it).
    std::unordered_map<std::size_t, std::size_t> markOut_;
};

void Scanner::persistentId(std::size_t opAt) {
    Slot pid = pop();
    if (pid.kind != Slot::Kind::Tuple || !pid.fromMark || pid.items.empty() ||
        pid.items[0].kind != Slot::Kind::Str)
        bad("a persistent id that is not a ('storage' | 'module', ...) tuple");
    const std::string& type = pid.items[0].text;
    // The POP goes right before the TUPLE opcode (a BINPUT may sit between TUPLE and BINPERSID).
    const std::size_t tupleAt = pid.closeAt;
    if (tupleAt < copied_) bad("a persistent id tuple taken from the memo");
    if (type == "storage") {
        start_ = pid.start;
        if (pid.items.size() == 5) {
            push();
            return;  // already the zip form
        }
        if (pid.items.size() != 6 || pid.items[5].kind != Slot::Kind::None)
            bad("storage '" + (pid.items.size() > 2 ? pid.items[2].text : std::string("?")) +
                "' is a view of a larger storage; converting it to the zip layout is not "
                "supported");
        // ... None t  ->  ... None 0 t : the view metadata is popped before the tuple is built.
        copy(copied_, tupleAt);
        out_.push_back('0');  // POP
        copied_ = tupleAt;
        push();
        return;
    }
    if (type == "module") {
        // ( 'module' cls file source t [q] Q  ->  'module' 0 cls file 0 source 0 [q]: every
        // item's opcodes stay (so memo entries they set survive), all but the class are popped
        // again, and the class is left where the persistent id was, as a zip pickle has it.
        if (pid.items.size() != 4) bad("a module persistent id without 4 items");
        // Output from the MARK on is the input from there, unchanged (no patch lies inside a
        // module id), so it can be dropped and written again rearranged.
        auto at = markOut_.find(pid.markAt);
        if (at == markOut_.end() || copied_ < pid.markAt) bad("lost track of a MARK");
        out_.resize(at->second);
        for (std::size_t i = 0; i < 4; ++i) {
            const std::size_t from = pid.items[i].start;
            const std::size_t to = i + 1 < 4 ? pid.items[i + 1].start : pid.closeAt;
            if (from <= pid.markAt || to < from || to > opAt) bad("a module id spans oddly");
            copy(from, to);
            if (i != 1) out_.push_back('0');  // POP
        }
        copy(pid.closeAt + 1, opAt);  // a BINPUT of the tuple now memoizes the class: harmless
        copied_ = opAt + 1;           // BINPERSID is gone
        Slot cls;
        cls.kind = Slot::Kind::Other;
        start_ = pid.start;
        push(std::move(cls));
        return;
    }
    bad("persistent id of unknown type '" + type + "'");
}

std::vector<std::uint8_t> Scanner::run() {
    while (pos_ < n_) {
        const std::size_t opAt = pos_;
        start_ = opAt;
        const std::uint8_t op = d_[pos_++];
        switch (op) {
            case '(': {
                // Record where this MARK lands in the output (for module-id insertions).
                copy(copied_, opAt);
                copied_ = opAt;
                markOut_[opAt] = out_.size();
                Slot m;
                m.kind = Slot::Kind::Mark;
                m.markAt = opAt;
                push(std::move(m));
                break;
            }
            case '.':  // STOP
                copy(copied_, pos_);
                copied_ = pos_;
                return std::move(out_);
            case 't': {
                Slot t;
                t.kind = Slot::Kind::Tuple;
                t.fromMark = true;
                t.items = popToMark(&t.markAt);
                t.closeAt = opAt;
                // Keep only what a persistent id needs (up to 6 items, one level): every memo
                // get copies a slot, and hostile nesting must not make that expensive.
                if (t.items.size() > 6) t.items.clear();
                for (Slot& item : t.items) item.items.clear();
                start_ = t.markAt;
                push(std::move(t));
                break;
            }
            case 'Q':
                persistentId(opAt);
                break;
            case 'N': {
                Slot s;
                s.kind = Slot::Kind::None;
                push(std::move(s));
                break;
            }
            case ')':
            case ']':
            case '}':
            case 0x88:
            case 0x89:
                push();
                break;
            case 0x85:
                pop();
                push();
                break;
            case 0x86:
                pop();
                pop();
                push();
                break;
            case 0x87:
                pop();
                pop();
                pop();
                push();
                break;
            case 'l':
            case 'd':
            case 'o':
            case 0x91:
                popToMark();
                push();
                break;
            case 'e':
            case 'u':
            case 0x90:
                popToMark();
                break;
            case '1':
                popToMark();
                break;
            case 'a':
            case 'b':
            case '0':
                pop();
                break;
            case 's':
                pop();
                pop();
                break;
            case 'R':
            case 0x81:
            case 0x93:
                pop();
                pop();
                push();
                break;
            case 0x92:
                pop();
                pop();
                pop();
                push();
                break;
            case '2':
                if (stack_.empty()) bad("DUP of an empty stack");
                push(stack_.back());
                break;
            case 0x94:
                memo_[memo_.size()] = stack_.empty() ? Slot() : stack_.back();
                break;
            case 'K':
                need(1);
                pos_ += 1;
                push();
                break;
            case 'M':
                need(2);
                pos_ += 2;
                push();
                break;
            case 'J':
                need(4);
                pos_ += 4;
                push();
                break;
            case 'G':
                need(8);
                pos_ += 8;
                push();
                break;
            case 0x80:
                need(1);
                pos_ += 1;
                break;  // PROTO
            case 0x95:
                need(8);
                pos_ += 8;
                break;  // FRAME
            case 0x82:
                need(1);
                pos_ += 1;
                push();
                break;
            case 0x83:
                need(2);
                pos_ += 2;
                push();
                break;
            case 0x84:
                need(4);
                pos_ += 4;
                push();
                break;
            case 'h':
            case 'j': {
                const int w = op == 'h' ? 1 : 4;
                need(std::size_t(w));
                auto it = memo_.find(le(d_ + pos_, w));
                pos_ += std::size_t(w);
                push(it == memo_.end() ? Slot() : it->second);
                break;
            }
            case 'q':
            case 'r': {
                const int w = op == 'q' ? 1 : 4;
                need(std::size_t(w));
                memo_[le(d_ + pos_, w)] = stack_.empty() ? Slot() : stack_.back();
                pos_ += std::size_t(w);
                break;
            }
            case 'U':
            case 'C':
            case 'T':
            case 'B':
            case 'X':
            case 0x8a:
            case 0x8b:
            case 0x8c:
            case 0x8d:
            case 0x8e:
            case 0x96: {
                const int w = (op == 'U' || op == 'C' || op == 0x8a || op == 0x8c) ? 1
                              : (op == 0x8d || op == 0x8e || op == 0x96)           ? 8
                                                                                   : 4;
                need(std::size_t(w));
                const std::uint64_t len = le(d_ + pos_, w);
                pos_ += std::size_t(w);
                if (len > n_ - pos_) bad("truncated");
                Slot s;
                if (op == 'U' || op == 'T' || op == 'X' || op == 0x8c || op == 0x8d) {
                    s.kind = Slot::Kind::Str;
                    s.text.assign(reinterpret_cast<const char*>(d_ + pos_), std::size_t(len));
                }
                pos_ += std::size_t(len);
                push(std::move(s));
                break;
            }
            case 'c':
            case 'i': {
                pos_ += line();
                pos_ += line();
                if (op == 'i') popToMark(&start_);
                push();
                break;
            }
            case 'I':
            case 'L':
            case 'F':
            case 'S':
            case 'V':
            case 'P':
                pos_ += line();
                push();
                break;
            case 'g':
            case 'p': {
                const std::size_t len = line();
                const std::uint64_t idx = std::strtoull(
                    std::string(reinterpret_cast<const char*>(d_ + pos_), len - 1).c_str(), nullptr,
                    10);
                pos_ += len;
                if (op == 'g') {
                    auto it = memo_.find(idx);
                    push(it == memo_.end() ? Slot() : it->second);
                } else {
                    memo_[idx] = stack_.empty() ? Slot() : stack_.back();
                }
                break;
            }
            default: {
                char hex[8];
                std::snprintf(hex, sizeof hex, "0x%02x", op);
                bad(std::string("opcode ") + hex + " is not expected in a legacy torch pickle");
            }
        }
    }
    bad("no STOP opcode");
}

}  // namespace

std::vector<std::uint8_t> legacyPickleToZipPickle(const std::uint8_t* data, std::size_t size) {
    return Scanner(data, size).run();
}

}  // namespace ws
