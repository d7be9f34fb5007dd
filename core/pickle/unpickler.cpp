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
#include "pickle/op.h"
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
            if (op_ == std::uint8_t(Op::Stop)) break;
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

    Value* makeBool(bool v) {
        Value* b = make(Kind::Bool);
        b->boolean = v;
        return b;
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
    std::uint64_t memoIndexFromText(std::string_view line) {
        const std::string s(line);
        if (s.empty() || s.size() > 19) fail("bad memo index \"" + sanitizeUtf8(s) + "\"");
        for (char c : s)
            if (c < '0' || c > '9') fail("bad memo index \"" + sanitizeUtf8(s) + "\"");
        return std::stoull(s);
    }

    // LONG1 / LONG4: little-endian two's complement.
    Value* longFromBytes(std::string_view bytes) {
        const std::uint64_t n = bytes.size();
        if (n > limits_.maxBigIntBytes * 64) fail("integer of " + std::to_string(n) + " bytes");
        const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data());
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
        const OpInfo* info = opInfo(op_);
        if (!info) {
            static const char* hex = "0123456789abcdef";
            std::string code = "0x";
            code += hex[op_ >> 4];
            code += hex[op_ & 15];
            op_ = 0;  // no opcode name for the message
            fail("unknown opcode " + code);
        }
        const Op op = info->op;
        if (op == Op::Ext1 || op == Op::Ext2 || op == Op::Ext4)
            fail("the copyreg extension registry is not supported (no torch file uses it)");
        if (op == Op::NextBuffer || op == Op::ReadOnlyBuffer)
            fail("out-of-band buffers (protocol 5) are not supported");
        Argument arg;
        std::string error;
        if (!readArgument(info->arg, data_, size_, pos_, arg, error)) fail(error);
        switch (op) {
            case Op::Mark:
                if (marks_.size() >= limits_.maxMarks)
                    fail("more than " + std::to_string(limits_.maxMarks) + " nested MARKs");
                marks_.push_back(stack_.size());
                break;
            case Op::Pop:
                pop();
                break;
            case Op::PopMark:
                popMark();
                break;
            case Op::Dup:
                push(top());
                break;
            case Op::Proto:
                if (arg.number > 5) fail("unsupported protocol " + std::to_string(arg.number));
                break;
            case Op::Frame:
                if (arg.number > size_ - pos_)
                    fail("frame of " + std::to_string(arg.number) + " bytes goes past the end");
                break;
            // Scalars.
            case Op::None:
                push(make(Kind::None));
                break;
            case Op::NewTrue:
            case Op::NewFalse:
                push(makeBool(op == Op::NewTrue));
                break;
            case Op::Int:
                // Protocol 0 spells booleans as INT 00 / 01.
                if (arg.bytes == "00" || arg.bytes == "01")
                    push(makeBool(arg.bytes == "01"));
                else
                    push(parseDecimal(std::string(arg.bytes), false));
                break;
            case Op::Long:
                push(parseDecimal(std::string(arg.bytes), true));
                break;
            case Op::BinInt:
                push(makeInt(std::int32_t(std::uint32_t(arg.number))));
                break;
            case Op::BinInt1:
            case Op::BinInt2:
                push(makeInt(std::int64_t(arg.number)));
                break;
            case Op::Long1:
            case Op::Long4:
                push(longFromBytes(arg.bytes));
                break;
            case Op::Float: {
                const std::string s(arg.bytes);
                char* end = nullptr;
                Value* f = make(Kind::Float);
                f->real = std::strtod(s.c_str(), &end);
                if (s.empty() || end != s.c_str() + s.size())
                    fail("expected a float, got \"" + sanitizeUtf8(s) + "\"");
                push(f);
                break;
            }
            case Op::BinFloat: {
                std::uint64_t bits = 0;
                for (char c : arg.bytes) bits = (bits << 8) | std::uint8_t(c);  // big-endian
                Value* f = make(Kind::Float);
                std::memcpy(&f->real, &bits, 8);
                push(f);
                break;
            }
            // Text and bytes.
            case Op::String: {
                auto s = unquotePythonString(std::string(arg.bytes));
                if (!s) fail("malformed quoted string");
                push(makeStr(isValidUtf8(*s) ? *s : latin1ToUtf8(*s)));
                break;
            }
            case Op::BinString:
            case Op::ShortBinString: {
                std::string s(arg.bytes);
                push(makeStr(isValidUtf8(s) ? s : latin1ToUtf8(s)));
                break;
            }
            case Op::Unicode: {
                auto s = decodeRawUnicodeEscape(std::string(arg.bytes));
                if (!s) fail("malformed \\u escape");
                push(makeStr(*s));
                break;
            }
            case Op::BinUnicode:
            case Op::ShortBinUnicode:
            case Op::BinUnicode8:
                push(makeStr(std::string(arg.bytes)));
                break;
            case Op::BinBytes:
            case Op::ShortBinBytes:
            case Op::BinBytes8:
            case Op::ByteArray8:
                push(makeBytes(std::string(arg.bytes)));
                break;
            // Containers.
            case Op::EmptyTuple:
                push(make(Kind::Tuple));
                break;
            case Op::EmptyList:
                push(make(Kind::List));
                break;
            case Op::EmptyDict:
                push(make(Kind::Dict));
                break;
            case Op::EmptySet:
                push(make(Kind::Set));
                break;
            case Op::Tuple:
                push(makeTuple(popMark()));
                break;
            case Op::Tuple1:
            case Op::Tuple2:
            case Op::Tuple3: {
                std::vector<Value*> items(info->pops);
                for (std::size_t i = items.size(); i-- > 0;) items[i] = pop();
                push(makeTuple(std::move(items)));
                break;
            }
            case Op::List:
            case Op::FrozenSet: {
                Value* l = make(op == Op::List ? Kind::List : Kind::Set);
                auto items = popMark();
                l->items.assign(items.begin(), items.end());
                push(l);
                break;
            }
            case Op::Dict: {
                Value* d = make(Kind::Dict);
                setItems(d, popMark());
                push(d);
                break;
            }
            case Op::Append: {
                Value* v = pop();
                appendTo(top(), {v});
                break;
            }
            case Op::Appends: {
                auto items = popMark();
                appendTo(top(), items);
                break;
            }
            case Op::SetItem: {
                Value* v = pop();
                Value* k = pop();
                setItems(top(), {k, v});
                break;
            }
            case Op::SetItems: {
                auto items = popMark();
                setItems(top(), items);
                break;
            }
            case Op::AddItems: {
                auto items = popMark();
                addItems(top(), items);
                break;
            }
            // Memo.
            case Op::Put:
                memoPut(memoIndexFromText(arg.bytes));
                break;
            case Op::BinPut:
            case Op::LongBinPut:
                memoPut(arg.number);
                break;
            case Op::Memoize:
                memoPut(memo_.size());
                break;
            case Op::Get:
                memoGet(memoIndexFromText(arg.bytes));
                break;
            case Op::BinGet:
            case Op::LongBinGet:
                memoGet(arg.number);
                break;
            // Class references and calls: resolved inertly.
            case Op::Global:
                push(resolveGlobal(std::string(arg.bytes), std::string(arg.second)));
                break;
            case Op::StackGlobal: {
                Value* name = pop();
                Value* module = pop();
                if (!module->isStr() || !name->isStr()) fail("module and name must be strings");
                push(resolveGlobal(module->text, name->text));
                break;
            }
            case Op::Reduce:
            case Op::NewObj: {
                Value* args = pop();
                Value* callable = pop();
                if (args->kind != Kind::Tuple) fail("the arguments are not a tuple");
                push(call(callable, args));
                break;
            }
            case Op::NewObjEx: {
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
            case Op::Inst: {
                Value* args = makeTuple(popMark());
                Value* cls = resolveGlobal(std::string(arg.bytes), std::string(arg.second));
                push(call(cls, args));
                break;
            }
            case Op::Obj: {
                auto items = popMark();
                if (items.empty()) fail("no class to instantiate");
                Value* cls = items.front();
                Value* args = makeTuple(std::vector<Value*>(items.begin() + 1, items.end()));
                push(call(cls, args));
                break;
            }
            case Op::Build: {
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
            case Op::PersId: {
                Value* pid = make(Kind::PersistentId);
                pid->ref = makeStr(std::string(arg.bytes));
                push(pid);
                break;
            }
            case Op::BinPersId: {
                Value* payload = pop();
                Value* pid = make(Kind::PersistentId);
                pid->ref = payload;
                push(pid);
                break;
            }
            case Op::Stop:  // run() ends the loop before step()
            case Op::Ext1:
            case Op::Ext2:
            case Op::Ext4:
            case Op::NextBuffer:
            case Op::ReadOnlyBuffer:
                break;
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
