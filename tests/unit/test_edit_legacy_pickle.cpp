// SPDX-License-Identifier: GPL-3.0-or-later
// The opcode-level rewrite of legacy persistent ids into the zip form (--legacy-as-zip), on
// hand-written pickles: exactly the expected bytes come out, view storages and damaged input
// are refused. (Real legacy files go through torch.load in tests/formats/test_edit_save.py.)
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model/error.h"
#include "save/legacy_pickle_rewrite.h"

namespace {

std::string rewrite(const std::string& pickle) {
    const std::vector<std::uint8_t> out = ws::legacyPickleToZipPickle(
        reinterpret_cast<const std::uint8_t*>(pickle.data()), pickle.size());
    return {out.begin(), out.end()};
}

std::string put(int i) { return "q" + std::string(1, char(i)); }  // BINPUT (0 is a NUL byte)
std::string get(int i) { return "h" + std::string(1, char(i)); }  // BINGET

std::string str(const std::string& s) {  // SHORT_BINSTRING, as Python 2-era torch wrote
    return "U" + std::string(1, char(s.size())) + s;
}

}  // namespace

TEST(EditLegacyPickle, StorageIdsLoseTheirNoneViewMetadata) {
    const std::string pid = "(" + str("storage") + "q\x01" + "ctorch\nFloatStorage\n" + str("123") +
                            str("cpu") + "K\x04" + "N";
    const std::string in = std::string("\x80\x02") + pid + "tq\x02Q" + "h\x01" + "\x86.";
    const std::string want = std::string("\x80\x02") + pid + "0tq\x02Q" + "h\x01" + "\x86.";
    EXPECT_EQ(rewrite(in), want);
}

TEST(EditLegacyPickle, ModuleIdsBecomeThePlainClass) {
    const std::string in = std::string("\x80\x02") + "(" + str("module") + put(0) +
                           "cmy.mod\nNet\nq\x01" + str("net.py") + str("src") + "tq\x02Q" + get(0) +
                           ".";
    // Every item's opcodes stay (memo 0 and 1 are still set), all but the class are popped.
    const std::string want = std::string("\x80\x02") + str("module") + put(0) + "0" +
                             "cmy.mod\nNet\nq\x01" + str("net.py") + "0" + str("src") + "0" +
                             "q\x02" + get(0) + ".";
    EXPECT_EQ(rewrite(in), want);
}

TEST(EditLegacyPickle, ViewsAndDamageAreRefused) {
    const std::string view = std::string("\x80\x02") + "(" + str("storage") +
                             "ctorch\nFloatStorage\n" + str("1") + str("cpu") + "K\x08" + "(" +
                             str("2") + "K\x02K\x04tt" + "Q.";
    try {
        rewrite(view);
        FAIL() << "a view storage was converted";
    } catch (const ws::FormatError& e) {
        EXPECT_NE(std::string(e.what()).find("view"), std::string::npos) << e.what();
    }
    EXPECT_THROW(rewrite(std::string("\x80\x02(") + str("storage")), ws::FormatError);
    EXPECT_THROW(rewrite(std::string("\x80\x02") + str("x") + "Q."), ws::FormatError);
    EXPECT_THROW(rewrite("t."), ws::FormatError);
    EXPECT_THROW(rewrite(std::string("\x80\x02X\xff\xff\xff\x7f")), ws::FormatError);
}
