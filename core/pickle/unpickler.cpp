// SPDX-License-Identifier: GPL-3.0-or-later
#include "pickle/unpickler.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/error.h"
#include "pickle/globals.h"
#include "pickle/opcodes.h"
#include "pickle/text_decode.h"

namespace ws::pickle {

namespace {

void insertSorted(std::vector<std::string>& list, const std::string& item) {
    auto it = std::lower_bound(list.begin(), list.end(), item);
    if (it == list.end() || *it != item) list.insert(it, item);
}

class Unpickler {
  public:
    Unpickler(const std::uint8_t* data, std::size_t size, PickleReport& report,
              const Limits& limits)
        : data_(data),
          size_(size),
          report_(report),
          limits_(limits),
          doc_(std::make_unique<Document>()) {}

    std::unique_ptr<Document> run(std::size_t* consumed) {
        for (;;) {
            opStart_ = pos_;
            if (pos_ >= size_) {
                op_ = 0;
                fail(size_ == 0 ? "the pickle is empty" : "input ends before the STOP opcode");
            }
            op_ = data_[pos_++];
            if (op_ == '.') break;
            step();
        }
        if (stack_.empty()) fail("the stack is empty at STOP");
        doc_->root = stack_.back();
        if (consumed) *consumed = pos_;
        return std::move(doc_);
    }

  private:
    [[noreturn]] void fail(const std::string& what) const {
        const char* name = op_ ? opcodeName(op_) : nullptr;
        std::string where = name ? std::string(name) + " at byte " + std::to_string(opStart_)
                                 : "byte " + std::to_string(opStart_);
        throw FormatError("pickle: " + where + ": " + what);
    }

    // ---- input -----------------------------------------------------------------------------
    const std::uint8_t* take(std::uint64_t n) {
        if (n > size_ - pos_)
            fail("needs " + std::to_string(n) + " bytes but the input ends after " +
                 std::to_string(size_ - pos_));
        const std::uint8_t* p = data_ + pos_;
        pos_ += std::size_t(n);
        return p;
    }
    std::uint64_t readLE(std::size_t n) {
        const std::uint8_t* p = take(n);
        std::uint64_t v = 0;
        for (std::size_t i = n; i-- > 0;) v = (v << 8) | p[i];
        return v;
    }
    std::string readLine() {
        const void* nl = std::memchr(data_ + pos_, '\n', size_ - pos_);
        if (!nl) fail("the text argument has no terminating newline");
        std::size_t end = std::size_t(static_cast<const std::uint8_t*>(nl) - data_);
        std::string s(reinterpret_cast<const char*>(data_ + pos_), end - pos_);
        pos_ = end + 1;
        if (!s.empty() && s.back() == '\r') s.pop_back();
        return s;
    }
    std::string readBytes(std::uint64_t n) {
        const std::uint8_t* p = take(n);
        return std::string(reinterpret_cast<const char*>(p), std::size_t(n));
    }

    // ---- values and stack ------------------------------------------------------------------
    Value* make(Kind k) {
        if (doc_->size() >= limits_.maxValues)
            fail("more than " + std::to_string(limits_.maxValues) + " values");
        return doc_->make(k);
    }
    void push(Value* v) {
        if (stack_.size() >= limits_.maxStack)
            fail("the stack is deeper than " + std::to_string(limits_.maxStack));
        stack_.push_back(v);
    }
    Value* pop() {
        if (stack_.size() <= markFloor()) fail("the stack is empty");
        Value* v = stack_.back();
        stack_.pop_back();
        return v;
    }
    Value* top() {
        if (stack_.size() <= markFloor()) fail("the stack is empty");
        return stack_.back();
    }
    // Values above the innermost MARK belong to it; plain pops must not reach below it.
    std::size_t markFloor() const { return marks_.empty() ? 0 : marks_.back(); }
    std::vector<Value*> popMark() {
        if (marks_.empty()) fail("no MARK on the stack");
        std::size_t at = marks_.back();
        marks_.pop_back();
        std::vector<Value*> items(stack_.begin() + std::ptrdiff_t(at), stack_.end());
        stack_.resize(at);
        return items;
    }

    Value* makeInt(std::int64_t v) {
        Value* x = make(Kind::Int);
        x->integer = v;
        return x;
    }
    Value* makeStr(std::string s) {
        Value* x = make(Kind::Str);
        x->text = sanitizeUtf8(std::move(s));
        return x;
    }
    Value* makeBytes(std::string s) {
        Value* x = make(Kind::Bytes);
        x->text = std::move(s);
        return x;
    }
    Value* makeTuple(std::vector<Value*> items) {
        Value* t = make(Kind::Tuple);
        t->items.assign(items.begin(), items.end());
        return t;
    }

    // Decimal text (INT, LONG, GET, PUT arguments).
    Value* parseDecimal(std::string s, bool allowLongSuffix) {
        if (allowLongSuffix && !s.empty() && s.back() == 'L') s.pop_back();
        std::size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
        if (i == s.size()) fail("expected an integer, got \"" + sanitizeUtf8(s) + "\"");
        for (std::size_t k = i; k < s.size(); ++k)
            if (s[k] < '0' || s[k] > '9')
                fail("expected an integer, got \"" + sanitizeUtf8(s) + "\"");
        errno = 0;
        char* end = nullptr;
        long long v = std::strtoll(s.c_str(), &end, 10);
        if (errno == ERANGE) {
            if (s.size() > limits_.maxBigIntBytes) fail("integer text is too long");
            Value* x = make(Kind::BigInt);
            x->text = s[0] == '+' ? s.substr(1) : s;
            return x;
        }
        return makeInt(v);
    }
    std::uint64_t memoIndexFromText() {
        std::string s = readLine();
        if (s.empty() || s.size() > 19) fail("bad memo index \"" + sanitizeUtf8(s) + "\"");
        for (char c : s)
            if (c < '0' || c > '9') fail("bad memo index \"" + sanitizeUtf8(s) + "\"");
        return std::stoull(s);
    }

    Value* longFromBytes(std::uint64_t n) {
        if (n > limits_.maxBigIntBytes * 64) fail("integer of " + std::to_string(n) + " bytes");
        const std::uint8_t* p = take(n);
        if (n == 0) return makeInt(0);
        bool negative = p[n - 1] & 0x80;
        // Fits in int64 when every byte above the eighth is pure sign extension.
        bool fits = true;
        for (std::uint64_t i = 8; i < n; ++i)
            if (p[i] != (negative ? 0xff : 0x00)) fits = false;
        if (n > 8 && fits && bool(p[7] & 0x80) != negative) fits = false;
        if (fits) {
            std::uint64_t v = negative ? ~std::uint64_t(0) : 0;
            for (std::uint64_t i = std::min<std::uint64_t>(n, 8); i-- > 0;) v = (v << 8) | p[i];
            if (n < 8 && negative) v |= ~std::uint64_t(0) << (8 * n);
            return makeInt(std::int64_t(v));
        }
        Value* x = make(Kind::BigInt);
        if (n <= limits_.maxBigIntBytes) {
            x->text = twosComplementToDecimal(p, std::size_t(n));
        } else {
            static const char* digits = "0123456789abcdef";
            x->text = "0x";
            for (std::uint64_t i = n; i-- > 0;) {
                x->text += digits[p[i] >> 4];
                x->text += digits[p[i] & 15];
            }
            x->text += " (two's complement)";
        }
        return x;
    }

    // ---- memo ------------------------------------------------------------------------------
    void memoPut(std::uint64_t index) {
        Value* v = top();
        if (memo_.size() >= limits_.maxMemo && !memo_.count(index))
            fail("more than " + std::to_string(limits_.maxMemo) + " memo entries");
        memo_[index] = v;
    }
    void memoGet(std::uint64_t index) {
        auto it = memo_.find(index);
        if (it == memo_.end()) fail("memo index " + std::to_string(index) + " was never stored");
        push(it->second);
    }

    // ---- class references ------------------------------------------------------------------
    Value* resolveGlobal(std::string module, std::string name) {
        module = sanitizeUtf8(std::move(module));
        name = sanitizeUtf8(std::move(name));
        if (module.empty() || name.empty()) fail("empty module or class name");
        Value* g = make(Kind::Global);
        g->module = canonicalModule(module);
        g->name = name;
        switch (classifyGlobal(module, name)) {
            case GlobalKind::Known:
                break;
            case GlobalKind::Dangerous:
                g->dangerous = true;
                insertSorted(report_.dangerousGlobals, g->qualifiedName());
                break;
            case GlobalKind::Placeholder:
                insertSorted(report_.placeholderClasses, g->qualifiedName());
                break;
        }
        return g;
    }

    static const Value* arg(const Value* args, std::size_t i) {
        if (!args || !args->isSequence() || i >= args->items.size()) return nullptr;
        return args->items[i];
    }

    // What calling `callable(*args)` stands for. Only allowlisted constructors with plain
    // meaning (dict, set, bytes, torch.Size) are interpreted; all else is an inert Object.
    Value* call(const Value* callable, const Value* args) {
        if (callable->kind == Kind::Global && !callable->dangerous) {
            const std::string q = callable->qualifiedName();
            const Value* a0 = arg(args, 0);
            if (q == "collections.OrderedDict" || q == "builtins.dict" ||
                q == "collections.defaultdict") {
                Value* d = make(Kind::Dict);
                if (q != "collections.defaultdict" && a0 && (a0->isSequence()))
                    for (const Value* kv : a0->items)
                        if (kv->isSequence() && kv->items.size() == 2)
                            d->pairs.emplace_back(kv->items[0], kv->items[1]);
                if (a0 && a0->kind == Kind::Dict && q != "collections.defaultdict")
                    d->pairs = a0->pairs;
                return d;
            }
            // TorchScript pickles typed lists as torch.jit._pickle.build_*list(list).
            const bool jitList = q.rfind("torch.jit._pickle.build_", 0) == 0;
            // restore_type_tag(value, type) is the value itself. Every value belongs to the
            // document and stays mutable while decoding; containers only hold const pointers.
            if (q == "torch.jit._pickle.restore_type_tag" && a0) return const_cast<Value*>(a0);
            if (q == "builtins.set" || q == "builtins.frozenset" || q == "builtins.list" ||
                q == "builtins.tuple" || q == "torch.Size" || jitList) {
                Kind k = (q == "builtins.list" || jitList)              ? Kind::List
                         : (q == "builtins.tuple" || q == "torch.Size") ? Kind::Tuple
                                                                        : Kind::Set;
                Value* s = make(k);
                if (a0 && (a0->isSequence() || a0->kind == Kind::Set)) s->items = a0->items;
                return s;
            }
            if ((q == "builtins.bytearray" || q == "builtins.bytes") &&
                (!a0 || a0->kind == Kind::Bytes))
                return makeBytes(a0 ? a0->text : std::string());
            // _codecs.encode(text, "latin1") is how protocols 0-2 spell bytes; bytearray(text,
            // encoding) likewise.
            if ((q == "_codecs.encode" || q == "builtins.bytearray" || q == "builtins.bytes") &&
                a0 && a0->kind == Kind::Str) {
                const Value* enc = arg(args, 1);
                std::string e = enc && enc->isStr() ? enc->text : "utf-8";
                if (e == "latin1" || e == "latin-1" || e == "iso-8859-1") {
                    if (auto bytes = utf8ToLatin1(a0->text)) return makeBytes(*bytes);
                } else if (e == "utf-8" || e == "utf8" || e == "ascii") {
                    return makeBytes(a0->text);
                }
            }
            if (q == "copyreg._reconstructor" && a0 && a0->kind == Kind::Global) {
                // copyreg._reconstructor(cls, base, state): protocol 0/1 spelling of cls().
                Value* o = make(Kind::Object);
                o->module = a0->module;
                o->name = a0->name;
                o->ref = a0;
                o->dangerous = a0->dangerous;
                o->args = args;
                return o;
            }
        }
        Value* o = make(Kind::Object);
        o->ref = callable;
        o->args = args;
        if (callable->kind == Kind::Global) {
            o->module = callable->module;
            o->name = callable->name;
            o->dangerous = callable->dangerous;
        }
        return o;
    }

    // ---- mutation --------------------------------------------------------------------------
    void appendTo(Value* target, const std::vector<Value*>& items) {
        if (target->kind == Kind::List || target->kind == Kind::Object) {
            target->items.insert(target->items.end(), items.begin(), items.end());
        } else {
            fail(std::string("cannot append to a ") + kindName(target->kind));
        }
    }
    void setItems(Value* target, const std::vector<Value*>& kv) {
        if (kv.size() % 2) fail("odd number of values for key/value pairs");
        if (target->kind != Kind::Dict && target->kind != Kind::Object)
            fail(std::string("cannot set items on a ") + kindName(target->kind));
        for (std::size_t i = 0; i < kv.size(); i += 2) target->pairs.emplace_back(kv[i], kv[i + 1]);
    }
    void addItems(Value* target, const std::vector<Value*>& items) {
        if (target->kind != Kind::Set)
            fail(std::string("cannot add items to a ") + kindName(target->kind));
        target->items.insert(target->items.end(), items.begin(), items.end());
    }

    // ---- the opcode loop -------------------------------------------------------------------
    void step() {
        switch (op_) {
            case '(':
                if (marks_.size() >= limits_.maxMarks)
                    fail("more than " + std::to_string(limits_.maxMarks) + " nested MARKs");
                marks_.push_back(stack_.size());
                break;
            case '0':
                pop();
                break;
            case '1':
                popMark();
                break;
            case '2':
                push(top());
                break;
            case 0x80: {
                std::uint64_t proto = readLE(1);
                if (proto > 5) fail("unsupported protocol " + std::to_string(proto));
                break;
            }
            case 0x95: {
                std::uint64_t n = readLE(8);
                if (n > size_ - pos_)
                    fail("frame of " + std::to_string(n) + " bytes goes past the end");
                break;
            }
            // Scalars.
            case 'N':
                push(make(Kind::None));
                break;
            case 0x88:
            case 0x89: {
                Value* b = make(Kind::Bool);
                b->boolean = op_ == 0x88;
                push(b);
                break;
            }
            case 'I': {
                std::string s = readLine();
                if (s == "00" || s == "01") {
                    Value* b = make(Kind::Bool);
                    b->boolean = s == "01";
                    push(b);
                } else {
                    push(parseDecimal(s, false));
                }
                break;
            }
            case 'L':
                push(parseDecimal(readLine(), true));
                break;
            case 'J':
                push(makeInt(std::int32_t(std::uint32_t(readLE(4)))));
                break;
            case 'K':
                push(makeInt(std::int64_t(readLE(1))));
                break;
            case 'M':
                push(makeInt(std::int64_t(readLE(2))));
                break;
            case 0x8a:
                push(longFromBytes(readLE(1)));
                break;
            case 0x8b:
                push(longFromBytes(readLE(4)));
                break;
            case 'F': {
                std::string s = readLine();
                char* end = nullptr;
                Value* f = make(Kind::Float);
                f->real = std::strtod(s.c_str(), &end);
                if (s.empty() || end != s.c_str() + s.size())
                    fail("expected a float, got \"" + sanitizeUtf8(s) + "\"");
                push(f);
                break;
            }
            case 'G': {
                std::uint64_t bits = 0;
                const std::uint8_t* p = take(8);
                for (int i = 0; i < 8; ++i) bits = (bits << 8) | p[i];  // big-endian
                Value* f = make(Kind::Float);
                std::memcpy(&f->real, &bits, 8);
                push(f);
                break;
            }
            // Text and bytes.
            case 'S': {
                auto s = unquotePythonString(readLine());
                if (!s) fail("malformed quoted string");
                push(makeStr(isValidUtf8(*s) ? *s : latin1ToUtf8(*s)));
                break;
            }
            case 'T':
            case 'U': {
                std::string s = readBytes(readLE(op_ == 'T' ? 4 : 1));
                push(makeStr(isValidUtf8(s) ? s : latin1ToUtf8(s)));
                break;
            }
            case 'V': {
                auto s = decodeRawUnicodeEscape(readLine());
                if (!s) fail("malformed \\u escape");
                push(makeStr(*s));
                break;
            }
            case 'X':
                push(makeStr(readBytes(readLE(4))));
                break;
            case 0x8c:
                push(makeStr(readBytes(readLE(1))));
                break;
            case 0x8d:
                push(makeStr(readBytes(readLE(8))));
                break;
            case 'B':
                push(makeBytes(readBytes(readLE(4))));
                break;
            case 'C':
                push(makeBytes(readBytes(readLE(1))));
                break;
            case 0x8e:
            case 0x96:
                push(makeBytes(readBytes(readLE(8))));
                break;
            // Containers.
            case ')':
                push(make(Kind::Tuple));
                break;
            case ']':
                push(make(Kind::List));
                break;
            case '}':
                push(make(Kind::Dict));
                break;
            case 0x8f:
                push(make(Kind::Set));
                break;
            case 't':
                push(makeTuple(popMark()));
                break;
            case 0x85:
            case 0x86:
            case 0x87: {
                std::size_t n = std::size_t(op_ - 0x84);
                std::vector<Value*> items(n);
                for (std::size_t i = n; i-- > 0;) items[i] = pop();
                push(makeTuple(std::move(items)));
                break;
            }
            case 'l': {
                Value* l = make(Kind::List);
                auto items = popMark();
                l->items.assign(items.begin(), items.end());
                push(l);
                break;
            }
            case 'd': {
                Value* d = make(Kind::Dict);
                setItems(d, popMark());
                push(d);
                break;
            }
            case 0x91: {
                Value* s = make(Kind::Set);
                auto items = popMark();
                s->items.assign(items.begin(), items.end());
                push(s);
                break;
            }
            case 'a': {
                Value* v = pop();
                appendTo(top(), {v});
                break;
            }
            case 'e': {
                auto items = popMark();
                appendTo(top(), items);
                break;
            }
            case 's': {
                Value* v = pop();
                Value* k = pop();
                setItems(top(), {k, v});
                break;
            }
            case 'u': {
                auto items = popMark();
                setItems(top(), items);
                break;
            }
            case 0x90: {
                auto items = popMark();
                addItems(top(), items);
                break;
            }
            // Memo.
            case 'p':
                memoPut(memoIndexFromText());
                break;
            case 'q':
                memoPut(readLE(1));
                break;
            case 'r':
                memoPut(readLE(4));
                break;
            case 0x94:
                memoPut(memo_.size());
                break;
            case 'g':
                memoGet(memoIndexFromText());
                break;
            case 'h':
                memoGet(readLE(1));
                break;
            case 'j':
                memoGet(readLE(4));
                break;
            // Class references and calls: resolved inertly.
            case 'c': {
                std::string module = readLine();
                std::string name = readLine();
                push(resolveGlobal(std::move(module), std::move(name)));
                break;
            }
            case 0x93: {
                Value* name = pop();
                Value* module = pop();
                if (!module->isStr() || !name->isStr()) fail("module and name must be strings");
                push(resolveGlobal(module->text, name->text));
                break;
            }
            case 'R': {
                Value* args = pop();
                Value* callable = pop();
                if (args->kind != Kind::Tuple) fail("the arguments are not a tuple");
                push(call(callable, args));
                break;
            }
            case 0x81: {
                Value* args = pop();
                Value* cls = pop();
                if (args->kind != Kind::Tuple) fail("the arguments are not a tuple");
                push(call(cls, args));
                break;
            }
            case 0x92: {
                Value* kwargs = pop();
                Value* args = pop();
                Value* cls = pop();
                if (args->kind != Kind::Tuple || kwargs->kind != Kind::Dict)
                    fail("expects a class, an argument tuple and a keyword dict");
                Value* o = call(cls, args);
                if (o->kind == Kind::Object) o->pairs = kwargs->pairs;
                push(o);
                break;
            }
            case 'i': {
                std::string module = readLine();
                std::string name = readLine();
                Value* args = makeTuple(popMark());
                Value* cls = resolveGlobal(std::move(module), std::move(name));
                push(call(cls, args));
                break;
            }
            case 'o': {
                auto items = popMark();
                if (items.empty()) fail("no class to instantiate");
                Value* cls = items.front();
                Value* args = makeTuple(std::vector<Value*>(items.begin() + 1, items.end()));
                push(call(cls, args));
                break;
            }
            case 'b': {
                Value* state = pop();
                Value* target = top();
                switch (target->kind) {
                    case Kind::Object:
                    case Kind::Dict:
                    case Kind::List:
                    case Kind::Set:
                        target->state = state;
                        break;
                    default:
                        fail(std::string("cannot set state on a ") + kindName(target->kind));
                }
                break;
            }
            case 'P': {
                Value* pid = make(Kind::PersistentId);
                pid->ref = makeStr(readLine());
                push(pid);
                break;
            }
            case 'Q': {
                Value* payload = pop();
                Value* pid = make(Kind::PersistentId);
                pid->ref = payload;
                push(pid);
                break;
            }
            case 0x82:
            case 0x83:
            case 0x84:
                fail("the copyreg extension registry is not supported (no torch file uses it)");
            case 0x97:
            case 0x98:
                fail("out-of-band buffers (protocol 5) are not supported");
            default: {
                static const char* hex = "0123456789abcdef";
                std::string code = "0x";
                code += hex[op_ >> 4];
                code += hex[op_ & 15];
                std::uint8_t bad = op_;
                op_ = 0;  // no opcode name for the message
                (void)bad;
                fail("unknown opcode " + code);
            }
        }
    }

    const std::uint8_t* data_;
    std::size_t size_;
    PickleReport& report_;
    Limits limits_;
    std::unique_ptr<Document> doc_;
    std::size_t pos_ = 0;
    std::size_t opStart_ = 0;
    std::uint8_t op_ = 0;
    std::vector<Value*> stack_;
    std::vector<std::size_t> marks_;
    std::unordered_map<std::uint64_t, Value*> memo_;
};

}  // namespace

std::unique_ptr<Document> unpickle(const std::uint8_t* data, std::size_t size, PickleReport& report,
                                   std::size_t* consumed, const Limits& limits) {
    if (!data && size) throw FormatError("pickle: no data");
    Unpickler u(data, size, report, limits);
    return u.run(consumed);
}

}  // namespace ws::pickle
