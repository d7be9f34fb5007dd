// SPDX-License-Identifier: GPL-3.0-or-later
#include "save/legacy_pickle_rewrite.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <unordered_map>

#include "model/error.h"
#include "pickle/op.h"

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

// GET / PUT spell the memo index in decimal text, the binary forms as a number.
std::uint64_t memoIndex(pickle::Op op, const pickle::Argument& arg) {
    if (op != pickle::Op::Get && op != pickle::Op::Put) return arg.number;
    return std::strtoull(std::string(arg.bytes).c_str(), nullptr, 10);
}

class Scanner {
  public:
    Scanner(const std::uint8_t* data, std::size_t size) : d_(data), n_(size) {}

    std::vector<std::uint8_t> run();

  private:
    [[noreturn]] void bad(const std::string& what) {
        throw FormatError("legacy pickle, byte " + std::to_string(pos_) + ": " + what);
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

// Tracks the stack through the opcode table's stack effects; only MARKs, strings, tuples,
// persistent ids and the memo need more than counting.
std::vector<std::uint8_t> Scanner::run() {
    using pickle::Op;
    while (pos_ < n_) {
        const std::size_t opAt = pos_;
        start_ = opAt;
        const std::uint8_t byte = d_[pos_++];
        const pickle::OpInfo* info = pickle::opInfo(byte);
        if (!info || info->op == Op::NextBuffer || info->op == Op::ReadOnlyBuffer) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02x", byte);
            bad(std::string("opcode ") + hex + " is not expected in a legacy torch pickle");
        }
        pickle::Argument arg;
        std::string error;
        if (!pickle::readArgument(info->arg, d_, n_, pos_, arg, error)) bad(error);
        switch (info->op) {
            case Op::Mark: {
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
            case Op::Stop:
                copy(copied_, pos_);
                copied_ = pos_;
                return std::move(out_);
            case Op::Tuple: {
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
            case Op::BinPersId:
                persistentId(opAt);
                break;
            case Op::None: {
                Slot s;
                s.kind = Slot::Kind::None;
                push(std::move(s));
                break;
            }
            case Op::ShortBinString:
            case Op::BinString:
            case Op::BinUnicode:
            case Op::ShortBinUnicode:
            case Op::BinUnicode8: {
                Slot s;
                s.kind = Slot::Kind::Str;
                s.text.assign(arg.bytes);
                push(std::move(s));
                break;
            }
            case Op::Dup:
                if (stack_.empty()) bad("DUP of an empty stack");
                push(stack_.back());
                break;
            case Op::Inst:
                popToMark(&start_);
                push();
                break;
            case Op::Memoize:
                memo_[memo_.size()] = stack_.empty() ? Slot() : stack_.back();
                break;
            case Op::Put:
            case Op::BinPut:
            case Op::LongBinPut:
                memo_[memoIndex(info->op, arg)] = stack_.empty() ? Slot() : stack_.back();
                break;
            case Op::Get:
            case Op::BinGet:
            case Op::LongBinGet: {
                auto it = memo_.find(memoIndex(info->op, arg));
                push(it == memo_.end() ? Slot() : it->second);
                break;
            }
            default:
                if (info->popsToMark) popToMark();
                for (std::uint8_t i = 0; i < info->pops; ++i) pop();
                for (std::uint8_t i = 0; i < info->pushes; ++i) push();
        }
    }
    bad("no STOP opcode");
}

}  // namespace

std::vector<std::uint8_t> legacyPickleToZipPickle(const std::uint8_t* data, std::size_t size) {
    return Scanner(data, size).run();
}

}  // namespace ws
