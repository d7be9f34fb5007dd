// SPDX-License-Identifier: GPL-3.0-or-later
// Decoding of every opcode torch files use, across protocols 0-5, against pickles written by
// CPython's own pickle module.
#include <gtest/gtest.h>

#include "pickle/value.h"
#include "pickle_test_util.h"

using ws::PickleReport;
using ws::pickle::Kind;
using ws::pickle::Value;
using ws_test::decode;
using ws_test::fromHex;
using ws_test::lit;

namespace {

// CPython 3 `pickle.dumps(obj, protocol=p)` for p = 0..5 of
//   {'a': [1, -2, 3.5, None, True, False], 'b': (b'xy', 'é€', 2**70, -2**63),
//    'c': {frozenset([1])}, 'd': collections.OrderedDict([('k', 'v')]), 'e': bytearray(b'z')}
const char* kPythonPickles[6] = {
    "286470300a56610a70310a286c70320a49310a61492d320a6146332e350a614e614930310a614930300a61735662"
    "0a70330a28635f636f646563730a656e636f64650a70340a285678790a70350a566c6174696e310a70360a747037"
    "0a5270380a56e95c75323061630a70390a4c313138303539313632303731373431313330333432344c0a4c2d3932"
    "32333337323033363835343737353830384c0a747031300a7356630a7031310a635f5f6275696c74696e5f5f0a73"
    "65740a7031320a28286c7031330a635f5f6275696c74696e5f5f0a66726f7a656e7365740a7031340a28286c7031"
    "350a49310a61747031360a527031370a61747031380a527031390a7356640a7032300a63636f6c6c656374696f6e"
    "730a4f726465726564446963740a7032310a2874527032320a566b0a7032330a56760a7032340a737356650a7032"
    "350a635f5f6275696c74696e5f5f0a6279746561727261790a7032360a2867340a28567a0a7032370a67360a7470"
    "32380a527032390a747033300a527033310a732e",
    "7d71002858010000006171015d7102284b014afeffffff47400c0000000000004e4930310a4930300a6558010000"
    "0062710328635f636f646563730a656e636f64650a71042858020000007879710558060000006c6174696e317106"
    "7471075271085805000000c3a9e282ac71094c313138303539313632303731373431313330333432344c0a4c2d39"
    "3232333337323033363835343737353830384c0a74710a580100000063710b635f5f6275696c74696e5f5f0a7365"
    "740a710c285d710d635f5f6275696c74696e5f5f0a66726f7a656e7365740a710e285d710f4b0161747110527111"
    "61747112527113580100000064711463636f6c6c656374696f6e730a4f726465726564446963740a711529527116"
    "58010000006b71175801000000767118735801000000657119635f5f6275696c74696e5f5f0a6279746561727261"
    "790a711a2868042858010000007a711b680674711c52711d74711e52711f752e",
    "80027d71002858010000006171015d7102284b014afeffffff47400c0000000000004e8889655801000000627103"
    "28635f636f646563730a656e636f64650a710458020000007879710558060000006c6174696e3171068671075271"
    "085805000000c3a9e282ac71098a090000000000000000408a08000000000000008074710a580100000063710b63"
    "5f5f6275696c74696e5f5f0a7365740a710c5d710d635f5f6275696c74696e5f5f0a66726f7a656e7365740a710e"
    "5d710f4b016185711052711161857112527113580100000064711463636f6c6c656374696f6e730a4f7264657265"
    "64446963740a71152952711658010000006b71175801000000767118735801000000657119635f5f6275696c7469"
    "6e5f5f0a6279746561727261790a711a680458010000007a711b680686711c52711d85711e52711f752e",
    "80037d71002858010000006171015d7102284b014afeffffff47400c0000000000004e8889655801000000627103"
    "284302787971045805000000c3a9e282ac71058a090000000000000000408a080000000000000080747106580100"
    "0000637107636275696c74696e730a7365740a71085d7109636275696c74696e730a66726f7a656e7365740a710a"
    "5d710b4b016185710c52710d6185710e52710f580100000064711063636f6c6c656374696f6e730a4f7264657265"
    "64446963740a71112952711258010000006b71135801000000767114735801000000657115636275696c74696e73"
    "0a6279746561727261790a711643017a7117857118527119752e",
    "800495a9000000000000007d94288c0161945d94284b014afeffffff47400c0000000000004e8889658c01629428"
    "43027879948c05c3a9e282ac948a090000000000000000408a08000000000000008074948c0163948f9428284b01"
    "9194908c0164948c0b636f6c6c656374696f6e73948c0b4f726465726564446963749493942952948c016b948c01"
    "7694738c0165948c086275696c74696e73948c0962797465617272617994939443017a9485945294752e",
    "80059593000000000000007d94288c0161945d94284b014afeffffff47400c0000000000004e8889658c01629428"
    "43027879948c05c3a9e282ac948a090000000000000000408a08000000000000008074948c0163948f9428284b01"
    "9194908c0164948c0b636f6c6c656374696f6e73948c0b4f726465726564446963749493942952948c016b948c01"
    "7694738c0165949601000000000000007a94752e",
};

}  // namespace

TEST(PickleOpcodes, EveryProtocolDecodesTheSameGraph) {
    for (int proto = 0; proto < 6; ++proto) {
        SCOPED_TRACE("protocol " + std::to_string(proto));
        const std::string hex = kPythonPickles[proto];
        PickleReport report;
        auto doc = decode(fromHex(hex), report);
        const Value& root = *doc->root;
        ASSERT_EQ(root.kind, Kind::Dict);
        ASSERT_EQ(root.pairs.size(), 5u);

        const Value* a = root.get("a");
        ASSERT_TRUE(a && a->kind == Kind::List);
        ASSERT_EQ(a->items.size(), 6u);
        EXPECT_EQ(a->items[0]->integer, 1);
        EXPECT_EQ(a->items[1]->integer, -2);
        EXPECT_EQ(a->items[2]->kind, Kind::Float);
        EXPECT_EQ(a->items[2]->real, 3.5);
        EXPECT_EQ(a->items[3]->kind, Kind::None);
        EXPECT_EQ(a->items[4]->kind, Kind::Bool);
        EXPECT_TRUE(a->items[4]->boolean);
        EXPECT_FALSE(a->items[5]->boolean);

        const Value* b = root.get("b");
        ASSERT_TRUE(b && b->kind == Kind::Tuple);
        ASSERT_EQ(b->items.size(), 4u);
        EXPECT_EQ(b->items[0]->kind, Kind::Bytes);
        EXPECT_EQ(b->items[0]->text, "xy");
        EXPECT_EQ(b->items[1]->kind, Kind::Str);
        EXPECT_EQ(b->items[1]->text, "\xc3\xa9\xe2\x82\xac");  // é€ in UTF-8
        EXPECT_EQ(b->items[2]->kind, Kind::BigInt);
        EXPECT_EQ(b->items[2]->text, "1180591620717411303424");
        EXPECT_EQ(b->items[3]->kind, Kind::Int);
        EXPECT_EQ(b->items[3]->integer, INT64_MIN);

        const Value* c = root.get("c");
        ASSERT_TRUE(c && c->kind == Kind::Set);
        ASSERT_EQ(c->items.size(), 1u);
        ASSERT_EQ(c->items[0]->kind, Kind::Set);
        ASSERT_EQ(c->items[0]->items.size(), 1u);
        EXPECT_EQ(c->items[0]->items[0]->integer, 1);

        const Value* d = root.get("d");
        ASSERT_TRUE(d && d->kind == Kind::Dict);
        ASSERT_TRUE(d->get("k"));
        EXPECT_EQ(d->get("k")->text, "v");

        const Value* e = root.get("e");
        ASSERT_TRUE(e && e->kind == Kind::Bytes);
        EXPECT_EQ(e->text, "z");

        // Only allowlisted constructors were used: nothing is a placeholder or dangerous.
        EXPECT_TRUE(report.placeholderClasses.empty());
        EXPECT_TRUE(report.dangerousGlobals.empty());
    }
}

TEST(PickleOpcodes, StackAndMemoOpcodes) {
    PickleReport r;
    // PROTO 2, MARK, BININT1 7, DUP, POP, BININT2 0x0102, TUPLE, BINPUT 3, BINGET 3, TUPLE2, STOP
    std::string bytes =
        lit("\x80\x02(K\x07"
            "20M\x02\x01tq\x03h\x03\x86.");
    auto d2 = decode(bytes, r);
    const Value& root = *d2->root;
    ASSERT_EQ(root.kind, Kind::Tuple);
    ASSERT_EQ(root.items.size(), 2u);
    EXPECT_EQ(root.items[0], root.items[1]);  // BINGET returns the very same object
    ASSERT_EQ(root.items[0]->items.size(), 2u);
    EXPECT_EQ(root.items[0]->items[0]->integer, 7);
    EXPECT_EQ(root.items[0]->items[1]->integer, 0x0102);
}

TEST(PickleOpcodes, Protocol4Opcodes) {
    PickleReport r;
    // FRAME, SHORT_BINUNICODE + MEMOIZE, STACK_GLOBAL, EMPTY_SET + ADDITEMS, FROZENSET,
    // NEWOBJ_EX, BINBYTES8, BINUNICODE8, LONG_BINPUT / LONG_BINGET, BINFLOAT.
    std::string p = "\x80\x04";
    p += lit("\x95\x00\x00\x00\x00\x00\x00\x00\x00");
    p += "]";  // result list
    p += "\x8c\x0b"
         "collections"
         "\x94"
         "\x8c\x0b"
         "OrderedDict"
         "\x94"
         "\x93";
    p += ")}\x92";               // NEWOBJ_EX -> dict
    p += "\x8f(K\x01K\x02\x90";  // {1, 2}
    p += "(K\x03\x91";           // frozenset({3})
    p +=
        lit("\x8e\x03\x00\x00\x00\x00\x00\x00\x00"
            "abc");  // b"abc"
    p +=
        lit("\x8d\x02\x00\x00\x00\x00\x00\x00\x00"
            "hi");  // "hi"
    p += lit("r\x10\x00\x00\x00") + lit("j\x10\x00\x00\x00");
    p += lit("G\x3f\xf8\x00\x00\x00\x00\x00\x00");  // 1.5
    p += "(K\x05"
         "1";  // POP_MARK drops it all
    p += "(K\x05"
         "0"
         "1";                                  // POP inside a mark
    p += lit("\x8a\x03\x00\x80\x00");          // LONG1 32768
    p += lit("\x8b\x02\x00\x00\x00\xff\x7f");  // LONG4 32767
    p += lit("\x8a\x01\xff");                  // LONG1 -1
    p += lit("\x8a\x00");                      // LONG1 0
    p += "\x88\x89N"
         "\x86"
         "\x86"
         "\x85";  // nested tuples
    p += "e.";
    // Wrap: list, then APPENDS of everything pushed after the MARK placed right after ']'.
    p.insert(p.find(']') + 1, "(");
    auto doc = decode(p, r);
    const Value& l = *doc->root;
    ASSERT_EQ(l.kind, Kind::List);
    ASSERT_EQ(l.items.size(), 12u);
    EXPECT_EQ(l.items[0]->kind, Kind::Dict);
    EXPECT_EQ(l.items[1]->kind, Kind::Set);
    EXPECT_EQ(l.items[1]->items.size(), 2u);
    EXPECT_EQ(l.items[2]->kind, Kind::Set);
    EXPECT_EQ(l.items[3]->text, "abc");
    EXPECT_EQ(l.items[3]->kind, Kind::Bytes);
    EXPECT_EQ(l.items[4]->text, "hi");
    EXPECT_EQ(l.items[5]->text, "hi");  // LONG_BINGET of the LONG_BINPUT
    EXPECT_EQ(l.items[6]->real, 1.5);
    EXPECT_EQ(l.items[7]->integer, 32768);
    EXPECT_EQ(l.items[8]->integer, 32767);
    EXPECT_EQ(l.items[9]->integer, -1);
    EXPECT_EQ(l.items[10]->integer, 0);
    EXPECT_EQ(l.items[11]->kind, Kind::Tuple);
    EXPECT_TRUE(r.placeholderClasses.empty());
}

TEST(PickleOpcodes, Protocol0TextOpcodes) {
    PickleReport r;
    std::string p =
        "(lp0\n"
        "S'a\\'b\\n\\x41'\np1\n"        // STRING with escapes
        "aVx\\u20acy\np2\n"             // UNICODE with \u escape
        "aF-2.25\na"                    // FLOAT
        "I123456789012\na"              // INT beyond 32 bits
        "L99999999999999999999999L\na"  // LONG that needs more than 64 bits
        "g1\na"                         // GET
        "(dp3\nS'k'\nI1\nsa"            // DICT + SETITEM
        "(I1\nI2\nla"                   // LIST
        "(I1\nI2\nta"                   // TUPLE
        "I00\naI01\na.";                // INT bools
    auto doc = decode(p, r);
    const Value& l = *doc->root;
    ASSERT_EQ(l.kind, Kind::List);
    ASSERT_EQ(l.items.size(), 11u);
    EXPECT_EQ(l.items[0]->text, "a'b\nA");
    EXPECT_EQ(l.items[1]->text, "x\xe2\x82\xacy");
    EXPECT_EQ(l.items[2]->real, -2.25);
    EXPECT_EQ(l.items[3]->integer, 123456789012);
    EXPECT_EQ(l.items[4]->kind, Kind::BigInt);
    EXPECT_EQ(l.items[4]->text, "99999999999999999999999");
    EXPECT_EQ(l.items[5], l.items[0]);
    EXPECT_EQ(l.items[6]->get("k")->integer, 1);
    EXPECT_EQ(l.items[7]->kind, Kind::List);
    EXPECT_EQ(l.items[8]->kind, Kind::Tuple);
    EXPECT_EQ(l.items[9]->kind, Kind::Bool);
    EXPECT_FALSE(l.items[9]->boolean);
    EXPECT_TRUE(l.items[10]->boolean);
}

TEST(PickleOpcodes, BinstringIsLatin1) {
    PickleReport r;
    auto doc = decode(lit("U\x02\xe9\xff."), r);
    EXPECT_EQ(doc->root->text, "\xc3\xa9\xc3\xbf");
    auto doc2 = decode(lit("T\x01\x00\x00\x00z."), r);
    EXPECT_EQ(doc2->root->text, "z");
}

TEST(PickleOpcodes, PersistentIds) {
    PickleReport r;
    auto text = decode(std::string("Pkey7\n."), r);
    ASSERT_EQ(text->root->kind, Kind::PersistentId);
    EXPECT_EQ(text->root->ref->text, "key7");
    auto bin = decode(lit("\x80\x02(X\x07\x00\x00\x00storageK\x01tQ."), r);
    ASSERT_EQ(bin->root->kind, Kind::PersistentId);
    ASSERT_EQ(bin->root->ref->kind, Kind::Tuple);
    EXPECT_EQ(bin->root->ref->items[0]->text, "storage");
}

TEST(PickleOpcodes, UnknownClassesBecomeInertPlaceholders) {
    PickleReport r;
    // INST, OBJ, NEWOBJ + BUILD + SETITEMS/APPENDS on the object.
    std::string p = "(imymod\nThing\n";  // INST mymod.Thing()
    p += "(cother\nKlass\nK\x01o";       // OBJ other.Klass(1)
    p +=
        lit("\x80\x02"
            "cthird\nObj\n)\x81}X\x01\x00\x00\x00xK\x02sb");  // NEWOBJ + BUILD
    p += lit("(X\x01\x00\x00\x00kK\x03u");                    // SETITEMS on it
    p += "(K\x04K\x05"
         "e";  // APPENDS on it
    p += "\x87.";
    auto doc = decode(p, r);
    const Value& t = *doc->root;
    ASSERT_EQ(t.items.size(), 3u);
    EXPECT_EQ(t.items[0]->kind, Kind::Object);
    EXPECT_EQ(t.items[0]->qualifiedName(), "mymod.Thing");
    EXPECT_EQ(t.items[1]->qualifiedName(), "other.Klass");
    EXPECT_EQ(t.items[1]->args->items[0]->integer, 1);
    const Value& o = *t.items[2];
    EXPECT_EQ(o.qualifiedName(), "third.Obj");
    ASSERT_TRUE(o.state);
    EXPECT_EQ(o.state->get("x")->integer, 2);
    EXPECT_EQ(o.get("k")->integer, 3);
    EXPECT_EQ(o.items.size(), 2u);
    EXPECT_EQ(r.placeholderClasses,
              (std::vector<std::string>{"mymod.Thing", "other.Klass", "third.Obj"}));
    EXPECT_TRUE(r.dangerousGlobals.empty());
}

TEST(PickleOpcodes, DangerousGlobalsAreRecordedNeverCalled) {
    struct Case {
        std::string pickle;
        std::string expected;
    };
    const std::vector<Case> cases = {
        {"cos\nsystem\n(S'touch /tmp/x'\ntR.", "os.system"},
        {"cposix\nsystem\n(S'id'\ntR.", "posix.system"},
        {"cnt\nsystem\n(S'id'\ntR.", "nt.system"},
        {"csubprocess\nPopen\n((S'id'\nltR.", "subprocess.Popen"},
        {"c__builtin__\neval\n(S'1'\ntR.", "builtins.eval"},
        {"cbuiltins\nexec\n(S'1'\ntR.", "builtins.exec"},
        {"cbuiltins\ngetattr\n(cbuiltins\nobject\nS'x'\ntR.", "builtins.getattr"},
        {"cbuiltins\n__import__\n(S'os'\ntR.", "builtins.__import__"},
        {"cimportlib\nimport_module\n(S'os'\ntR.", "importlib.import_module"},
        {"cpty\nspawn\n(S'sh'\ntR.", "pty.spawn"},
        {"crunpy\nrun_path\n(S'x'\ntR.", "runpy.run_path"},
        {"cshutil\nrmtree\n(S'/'\ntR.", "shutil.rmtree"},
        {"csocket\nsocket\n)R.", "socket.socket"},
        {"cpickle\nloads\n(S'x'\ntR.", "pickle.loads"},
        {"ctorch\nload\n(S'x'\ntR.", "torch.load"},
        {"\x80\x04\x8c\x02os\x8c\x06system\x93\x8c\x02id\x85R.", "os.system"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.expected);
        PickleReport r;
        auto doc = decode(c.pickle, r);
        ASSERT_EQ(doc->root->kind, Kind::Object);
        EXPECT_TRUE(doc->root->dangerous);
        EXPECT_EQ(doc->root->qualifiedName(), c.expected);
        ASSERT_FALSE(r.dangerousGlobals.empty());
        EXPECT_EQ(r.dangerousGlobals.front(), c.expected);
    }
}

TEST(PickleOpcodes, KnownConstructors) {
    PickleReport r;
    // torch.Size((2, 3)) -> tuple; _codecs.encode("\xe9", "latin1") -> one byte; builtins.set.
    auto size = decode(std::string("ctorch\nSize\n((K\x02K\x03tt"
                                   "R."),
                       r);
    ASSERT_EQ(size->root->kind, Kind::Tuple);
    EXPECT_EQ(size->root->items.size(), 2u);
    auto bytes =
        decode(lit("c_codecs\nencode\n(X\x02\x00\x00\x00\xc3\xa9X\x06\x00\x00\x00latin1tR."), r);
    ASSERT_EQ(bytes->root->kind, Kind::Bytes);
    EXPECT_EQ(bytes->root->text, "\xe9");
    auto dtype = decode(std::string("ctorch\nbfloat16\n."), r);
    EXPECT_EQ(dtype->root->kind, Kind::Global);
    EXPECT_TRUE(r.placeholderClasses.empty());
    EXPECT_TRUE(r.dangerousGlobals.empty());
}

TEST(PickleOpcodes, CyclesAreHarmless) {
    PickleReport r;
    // l = []; l.append(l); BUILD state that points back at the list, then render it.
    auto doc = decode(lit("]q\x00h\x00"
                          "a."),
                      r);
    ASSERT_EQ(doc->root->items.size(), 1u);
    EXPECT_EQ(doc->root->items[0], doc->root);
    std::string text = ws::pickle::toDisplayText(*doc->root, 8, 200);
    EXPECT_NE(text.find("..."), std::string::npos);
    EXPECT_LE(text.size(), 260u);
}

TEST(PickleOpcodes, ConsumedStopsAtStop) {
    PickleReport r;
    std::string two = "K\x01.K\x02.";
    std::size_t used = 0;
    auto first = ws::pickle::unpickle(reinterpret_cast<const std::uint8_t*>(two.data()), two.size(),
                                      r, &used);
    EXPECT_EQ(used, 3u);
    auto second = ws::pickle::unpickle(reinterpret_cast<const std::uint8_t*>(two.data()) + used,
                                       two.size() - used, r, &used);
    EXPECT_EQ(second->root->integer, 2);
}
