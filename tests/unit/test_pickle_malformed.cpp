// SPDX-License-Identifier: GPL-3.0-or-later
// Hostile and broken pickles: every one ends in a FormatError that names the opcode and the
// byte offset, never in a crash, a hang or an unbounded allocation.
#include <gtest/gtest.h>

#include <random>

#include "model/error.h"
#include "pickle_test_util.h"

using ws::FormatError;
using ws::PickleReport;
using ws_test::decode;
using ws_test::lit;

namespace {

// The FormatError message decoding `bytes` produces ("" when it decodes).
std::string errorOf(const std::string& bytes, const ws::pickle::Limits& limits = {}) {
    PickleReport r;
    try {
        decode(bytes, r, limits);
    } catch (const FormatError& e) {
        return e.what();
    }
    return "";
}

// A small torch-like pickle (protocol 2) written by CPython: {'w': OrderedDict(), 'n': [1, 2.5]}
// with a GLOBAL, memo, MARK/SETITEMS, and BINPERSID of a storage tuple.
std::string sample() {
    return lit(
        "\x80\x02}q\x00(X\x01\x00\x00\x00wq\x01"
        "ccollections\nOrderedDict\nq\x02)Rq\x03"
        "X\x01\x00\x00\x00nq\x04]q\x05(K\x01G@\x04\x00\x00\x00\x00\x00\x00"
        "e"
        "X\x01\x00\x00\x00p(X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x00"
        "0"
        "X\x03\x00\x00\x00"
        "cpuK\x04tQu.");
}

}  // namespace

TEST(PickleMalformed, SampleDecodes) { EXPECT_EQ(errorOf(sample()), ""); }

TEST(PickleMalformed, EveryTruncationIsAFormatError) {
    const std::string full = sample();
    for (std::size_t n = 0; n < full.size(); ++n) {
        SCOPED_TRACE(n);
        EXPECT_NE(errorOf(full.substr(0, n)), "");
    }
}

TEST(PickleMalformed, MessagesNameOpcodeAndOffset) {
    EXPECT_EQ(errorOf(""), "pickle: byte 0: the pickle is empty");
    EXPECT_EQ(errorOf("\x80\x02h\x05."), "pickle: BINGET at byte 2: memo index 5 was never stored");
    EXPECT_EQ(errorOf("0."), "pickle: POP at byte 0: the stack is empty");
    EXPECT_EQ(errorOf("N."), "");
    EXPECT_NE(errorOf("K\x01K\x02"
                      "a.")
                  .find("APPEND at byte 4: cannot append to a int"),
              std::string::npos);
    EXPECT_NE(errorOf("t.").find("TUPLE at byte 0: no MARK"), std::string::npos);
    EXPECT_NE(errorOf("\xff.").find("unknown opcode 0xff"), std::string::npos);
    EXPECT_NE(errorOf("X\xff\xff\xff\xff"
                      "abc.")
                  .find("BINUNICODE at byte 0: needs 4294967295 bytes"),
              std::string::npos);
    EXPECT_NE(errorOf(".").find("STOP"), std::string::npos);  // STOP with nothing on the stack
}

TEST(PickleMalformed, EachKindOfDamage) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"N", "ends before the STOP"},
        {"\x80\x06N.", "unsupported protocol 6"},
        {lit("\x82\x01."), "extension registry"},
        {lit("\x83\x01\x00."), "extension registry"},
        {lit("\x84\x01\x00\x00\x00."), "extension registry"},
        {"\x97.", "out-of-band buffers"},
        {"(\x98.", "out-of-band buffers"},
        {lit("\x8e\xff\xff\xff\xff\xff\xff\xff\x7f."), "BINBYTES8 at byte 0: needs"},
        {lit("\x8d\x00\x00\x00\x00\x00\x00\x00\x80."), "BINUNICODE8 at byte 0: needs"},
        {lit("\x95\xff\x00\x00\x00\x00\x00\x00\x00N."), "frame of 255 bytes"},
        {lit("\x8b\xff\xff\xff\x7f."), "LONG4 at byte 0"},
        {"}(K\x01u.", "odd number"},
        {"K\x01K\x02s.", "SETITEM at byte 4: the stack is empty"},
        {"]K\x01K\x02s.", "cannot set items on a list"},
        {"}K\x01\x90.", "ADDITEMS"},
        {"K\x01)b.", "BUILD at byte 3: cannot set state on a int"},
        {"cos\nsystem\nK\x01R.", "REDUCE at byte 13: the arguments are not a tuple"},
        {"K\x01K\x02\x93.", "STACK_GLOBAL at byte 4: module and name must be strings"},
        {"cos\n", "GLOBAL at byte 0: the text argument has no terminating newline"},
        {"c\nx\n.", "empty module or class name"},
        {"gx\n.", "GET at byte 0: bad memo index"},
        {"Iabc\n.", "INT at byte 0: expected an integer"},
        {"F1.5x\n.", "FLOAT at byte 0: expected a float"},
        {"S'abc\n.", "malformed quoted string"},
        {"V\\u12\n.", "malformed \\u escape"},
        {"(0.", "POP at byte 1: the stack is empty"},  // a MARK fences the stack off
        {"(o.", "no class to instantiate"},
        {"\x80\x02N)K\x01\x92.", "NEWOBJ_EX at byte 6"},
        {"1.", "POP_MARK at byte 0: no MARK"},
        {"Q.", "BINPERSID at byte 0: the stack is empty"},
        {"(.", "STOP at byte 1: the stack is empty"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.first);
        std::string msg = errorOf(c.first);
        EXPECT_NE(msg.find(c.second), std::string::npos) << msg;
    }
}

TEST(PickleMalformed, LimitsBoundHostileInput) {
    ws::pickle::Limits small;
    small.maxStack = 16;
    small.maxMarks = 4;
    small.maxMemo = 3;
    small.maxValues = 32;
    EXPECT_NE(errorOf(std::string(17, 'N') + ".", small).find("stack is deeper than 16"),
              std::string::npos);
    EXPECT_NE(errorOf(std::string(5, '(') + ".", small).find("more than 4 nested MARKs"),
              std::string::npos);
    EXPECT_NE(errorOf("Nq\x01q\x02q\x03q\x04.", small).find("more than 3 memo entries"),
              std::string::npos);
    std::string many;
    for (int i = 0; i < 40; ++i) many += "N0";
    EXPECT_NE(errorOf(many + "N.", small).find("more than 32 values"), std::string::npos);
    // Re-putting the same memo slot does not count twice.
    EXPECT_EQ(errorOf("Nq\x01q\x01q\x01q\x01.", small), "");
}

TEST(PickleMalformed, DefaultLimitsStopDeepNesting) {
    // 100000 nested MARKs: far past the default limit, rejected without recursion.
    std::string deep(100000, '(');
    EXPECT_NE(errorOf(deep + "."), "");
    // A million-element list built by DUP + APPEND in a loop stays within the defaults.
    std::string dup = "]";
    for (int i = 0; i < 1000; ++i) dup += "2a";
    EXPECT_EQ(errorOf(dup + "."), "");
}

TEST(PickleMalformed, RandomMutationsNeverCrash) {
    const std::string base = sample();
    std::mt19937 rng(12345);
    int decoded = 0, rejected = 0;
    for (int iter = 0; iter < 20000; ++iter) {
        std::string s = base;
        int edits = 1 + int(rng() % 4);
        for (int e = 0; e < edits; ++e) {
            std::size_t at = rng() % s.size();
            switch (rng() % 3) {
                case 0:
                    s[at] = char(rng() & 0xff);
                    break;
                case 1:
                    s.erase(at, 1 + rng() % 3);
                    break;
                default:
                    s.insert(at, 1, char(rng() & 0xff));
                    break;
            }
            if (s.empty()) s = "N";
        }
        PickleReport r;
        try {
            auto doc = decode(s, r);
            ws::pickle::toDisplayText(*doc->root);
            ++decoded;
        } catch (const FormatError&) {
            ++rejected;
        }
    }
    EXPECT_GT(rejected, 0);
    EXPECT_EQ(decoded + rejected, 20000);
}
