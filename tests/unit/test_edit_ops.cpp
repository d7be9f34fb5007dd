// SPDX-License-Identifier: GPL-3.0-or-later
// Edit operations on real files: values keep the dtype (round to nearest even for f16, checked
// against NumPy's direct double->half conversion), integer and bool tensors refuse what they
// cannot hold, a refused edit changes nothing, views of one storage all see an edit (as in
// torch), and undo/redo restore the exact bytes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "edit/edit_ops.h"
#include "edit/edit_session.h"
#include "edit/editable_storage.h"
#include "edit/element_codec.h"
#include "edit_test_support.h"
#include "formats/open_model.h"
#include "model/error.h"

using ws::Edit;
using ws::FormatError;
using ws::parseRegion;
using ws::Scalar;

namespace {

std::string refusal(ws::Model& m, const Edit& e) {
    try {
        ws::applyEdit(m, e);
    } catch (const FormatError& err) {
        return err.what();
    }
    return "";
}

}  // namespace

TEST(EditOps, SetScaleAddFillAndPasteChangeExactlyTheirRegion) {
    const std::string path = ws_test::exampleFile("seed_lstm_state_dict.pth");
    if (path.empty()) GTEST_SKIP();
    auto model = ws::openModel(path);
    const std::vector<double> before = ws_test::valuesAt(*model, "lstm.weight_hh_l1");  // (200, 50)

    ws::applyEdit(*model,
                  Edit::set("lstm.weight_hh_l1", parseRegion("3, -1"), Scalar::fromReal(0.75)));
    ws::applyEdit(*model,
                  Edit::scale("lstm.weight_hh_l1", parseRegion("10:12, :"), Scalar::fromInt(2)));
    ws::applyEdit(*model,
                  Edit::add("lstm.weight_hh_l1", parseRegion("20, 0:4"), Scalar::fromReal(0.5)));
    ws::applyEdit(*model,
                  Edit::set("lstm.weight_hh_l1", parseRegion("30:32, 40:"), Scalar::fromInt(0)));
    ws::PasteBlock block = ws::parsePasteText("1,2,3\n4,5,6\n");
    ws::applyEdit(*model, Edit::paste("lstm.weight_hh_l1", parseRegion("100, 47"), block));

    const std::vector<double> after = ws_test::valuesAt(*model, "lstm.weight_hh_l1");
    ASSERT_EQ(after.size(), before.size());
    for (std::size_t i = 0; i < after.size(); ++i) {
        const std::size_t r = i / 50, c = i % 50;
        double want = before[i];
        if (r == 3 && c == 49) want = 0.75;
        if (r >= 10 && r < 12) want = double(float(before[i] * 2));
        if (r == 20 && c < 4) want = double(float(before[i] + 0.5));
        if (r >= 30 && r < 32 && c >= 40) want = 0;
        if ((r == 100 || r == 101) && c >= 47) want = double((r - 100) * 3 + (c - 47) + 1);
        ASSERT_EQ(after[i], want) << "element [" << r << ", " << c << "]";
    }
    // Other tensors are untouched and still read from the file.
    const ws::Node* other = model->find("lstm.weight_hh_l0");
    EXPECT_EQ(dynamic_cast<const ws::EditableStorage*>(other->tensor->storage.get()), nullptr);
    EXPECT_EQ(ws::editedStorages(*model).size(), 1u);
}

TEST(EditOps, RefusedEditsNameTheTensorAndChangeNothing) {
    WS_REQUIRE_FIXTURE(path, "pytorch/mixed_dtypes_tensors.pt");
    auto model = ws::openModel(path);
    // Which path holds which dtype, from the file itself.
    std::string intPath, boolPath, floatPath;
    model->forEachTensor([&](ws::Node& n) {
        if (n.tensor->dtype == ws::DType::I64) intPath = n.path;
        if (n.tensor->dtype == ws::DType::Bool) boolPath = n.path;
        if (n.tensor->dtype == ws::DType::F32) floatPath = n.path;
    });
    ASSERT_FALSE(intPath.empty());
    ASSERT_FALSE(boolPath.empty());
    const std::vector<double> ints = ws_test::valuesAt(*model, intPath);

    std::string why = refusal(*model, Edit::set(intPath, parseRegion("0"), ws::parseScalar("1.5")));
    EXPECT_NE(why.find("not an integer"), std::string::npos) << why;
    EXPECT_NE(why.find(intPath), std::string::npos) << why;
    why = refusal(*model, Edit::scale(intPath, parseRegion(""), ws::parseScalar("0.5")));
    EXPECT_NE(why.find("non-integers"), std::string::npos) << why;
    why = refusal(*model,
                  Edit::scale(intPath, parseRegion(""), ws::parseScalar("9223372036854775807")));
    EXPECT_NE(why.find("overflow"), std::string::npos) << why;
    why = refusal(*model, Edit::set(boolPath, parseRegion("0"), ws::parseScalar("2")));
    EXPECT_NE(why.find("not a boolean"), std::string::npos) << why;
    why = refusal(*model, Edit::add(boolPath, parseRegion(""), ws::parseScalar("1")));
    EXPECT_NE(why.find("bool"), std::string::npos) << why;
    why = refusal(*model, Edit::set(intPath, parseRegion("2"), ws::parseScalar("1")));
    EXPECT_NE(why.find("(2,)"), std::string::npos) << why;
    why = refusal(*model, Edit::set("no.such.tensor", parseRegion(""), ws::parseScalar("1")));
    EXPECT_NE(why.find("no.such.tensor"), std::string::npos) << why;
    // A paste that does not fit is refused as a whole.
    why = refusal(*model, Edit::paste(floatPath, parseRegion("1"), ws::parsePasteText("7 8")));
    EXPECT_NE(why.find("does not fit"), std::string::npos) << why;

    EXPECT_EQ(ws_test::valuesAt(*model, intPath), ints);
    EXPECT_TRUE(ws::editedStorages(*model).empty()) << "a refused edit made a copy";
    // An integral value is fine, and int64 keeps every digit.
    ws::applyEdit(*model,
                  Edit::set(intPath, parseRegion("1"), ws::parseScalar("9007199254740993")));
    const ws::Tensor& t = *model->find(intPath)->tensor;
    std::int64_t stored = 0;
    std::memcpy(&stored, t.contiguousBytes().data() + 8, 8);
    EXPECT_EQ(stored, 9007199254740993LL);
}

TEST(EditOps, HalfPrecisionRoundsToNearestEvenLikeNumpy) {
    if (!ws_test::haveTorch()) GTEST_SKIP();
    // Doubles around half-precision ties, where rounding through float32 first goes wrong.
    const std::vector<double> values = {1.0 + std::ldexp(1, -11) + std::ldexp(1, -40),
                                        1.0 + std::ldexp(1, -11),
                                        1.0 + 3 * std::ldexp(1, -11),
                                        -2.0 - std::ldexp(1, -10) - std::ldexp(1, -45),
                                        65519.99,
                                        65520.0,
                                        std::ldexp(1, -25) + std::ldexp(1, -60),
                                        0.1,
                                        -0.0,
                                        3.14159};
    nlohmann::json in = values;
    const std::string out = ws_test::runOracleOk(
        "import sys, json, warnings, numpy as np\n"
        "warnings.simplefilter('ignore')  # 65520 overflows to inf, on purpose\n"
        "v = np.array(json.loads(sys.argv[1]), dtype=np.float64)\n"
        "print(json.dumps([int(x) for x in v.astype(np.float16).view(np.uint16)]))\n",
        {in.dump()});
    const std::vector<int> want = nlohmann::json::parse(out).get<std::vector<int>>();
    ASSERT_EQ(want.size(), values.size());
    for (std::size_t i = 0; i < values.size(); ++i)
        EXPECT_EQ(ws::doubleToHalf(values[i]), want[i]) << "value " << values[i];

    // And through an edit of a real f16 tensor.
    WS_REQUIRE_FIXTURE(path, "pytorch/float16_tensor.pt");
    auto model = ws::openModel(path);
    ws::applyEdit(*model, Edit::set("tensor", parseRegion("0"), Scalar::fromReal(values[0])));
    std::vector<std::uint8_t> bytes = model->find("tensor")->tensor->contiguousBytes();
    EXPECT_EQ(bytes[0] | (bytes[1] << 8), want[0]);
}

TEST(EditOps, ViewsOfOneStorageAllSeeAnEdit) {
    if (!ws_test::haveTorch()) GTEST_SKIP();
    for (const bool legacy : {false, true}) {
        const std::string path = ws_test::tempPath(legacy ? "views_legacy.pt" : "views.pt");
        ws_test::runOracleOk(
            "import sys, torch\n"
            "t = torch.arange(12, dtype=torch.float32).reshape(3, 4)\n"
            "torch.save({'a': t, 'row': t[1], 'tt': t.t()}, sys.argv[1],\n"
            "           _use_new_zipfile_serialization=sys.argv[2] == '0')\n",
            {path, legacy ? "1" : "0"});
        auto model = ws::openModel(path);
        ASSERT_EQ(model->format, legacy ? "torch-legacy" : "torch-zip");
        ws::applyEdit(*model, Edit::set("a", parseRegion("1, 2"), Scalar::fromInt(100)));
        EXPECT_EQ(ws_test::valuesAt(*model, "a")[6], 100);
        EXPECT_EQ(ws_test::valuesAt(*model, "row")[2], 100) << (legacy ? "legacy" : "zip");
        EXPECT_EQ(ws_test::valuesAt(*model, "tt")[2 * 3 + 1], 100) << (legacy ? "legacy" : "zip");
        // And the other way round: an edit through the transposed view.
        ws::applyEdit(*model, Edit::add("tt", parseRegion("0, 2"), Scalar::fromInt(1)));
        EXPECT_EQ(ws_test::valuesAt(*model, "a")[8], 9);
        EXPECT_EQ(ws::editedStorages(*model).size(), 1u);
        std::remove(path.c_str());
    }
}

TEST(EditOps, UndoAndRedoRestoreExactBytes) {
    WS_REQUIRE_FIXTURE(path, "pytorch/bfloat16_tensor.pt");
    auto model = std::shared_ptr<ws::Model>(ws::openModel(path));
    ws::EditSession session(model);
    const std::vector<std::uint8_t> original = model->find("tensor")->tensor->contiguousBytes();
    session.apply(Edit::scale("tensor", parseRegion(""), Scalar::fromReal(1.0 / 3)));
    session.apply(Edit::add("tensor", parseRegion("1:"), Scalar::fromReal(0.1)));
    const std::vector<std::uint8_t> edited = model->find("tensor")->tensor->contiguousBytes();
    EXPECT_NE(edited, original);
    EXPECT_EQ(session.history().size(), 2u);
    EXPECT_FALSE(session.undo().empty());
    EXPECT_FALSE(session.undo().empty());
    EXPECT_TRUE(session.undo().empty());
    EXPECT_EQ(model->find("tensor")->tensor->contiguousBytes(), original);
    EXPECT_FALSE(session.redo().empty());
    EXPECT_FALSE(session.redo().empty());
    EXPECT_EQ(model->find("tensor")->tensor->contiguousBytes(), edited);
    EXPECT_FALSE(session.canRedo());
    // A Restore built by hand is checked like any edit.
    Edit bad;
    bad.kind = Edit::Kind::Restore;
    bad.path = "tensor";
    bad.box.start = {3};
    bad.box.count = {1};
    bad.box.step = {1};
    bad.bytes = {0, 0};
    EXPECT_THROW(ws::applyEdit(*model, bad), FormatError);
    bad.box.start = {0};
    bad.box.step = {std::int64_t(1) << 62};
    bad.box.count = {2};
    bad.bytes = {0, 0, 0, 0};
    EXPECT_THROW(ws::applyEdit(*model, bad), FormatError);
    EXPECT_EQ(model->find("tensor")->tensor->contiguousBytes(), edited);
}

TEST(EditOps, PasteSourcesCsvTsvAndNpy) {
    const ws::PasteBlock csv = ws::parsePasteText("1, 2.5\r\n\n-3,4\n");
    EXPECT_EQ(csv.rows, 2);
    EXPECT_EQ(csv.cols, 2);
    EXPECT_EQ(csv.values[1].real, 2.5);
    const ws::PasteBlock tsv = ws::parsePasteText("1\t2\t3\n");
    EXPECT_EQ(tsv.cols, 3);
    EXPECT_THROW(ws::parsePasteText("1,2\n3\n"), FormatError);
    EXPECT_THROW(ws::parsePasteText("1,x\n"), FormatError);
    const ws::PasteBlock mem = ws::blockFromValues(2, 1, {0.5, -1});
    EXPECT_EQ(mem.rows, 2);
    EXPECT_EQ(mem.values[1].real, -1);
    EXPECT_THROW(ws::blockFromValues(2, 2, {1, 2, 3}), FormatError);
    // Damaged .npy images are refused, never read out of bounds.
    auto npyImage = [](const std::string& dict, std::size_t dataBytes) {
        std::vector<std::uint8_t> b = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
        b.push_back(std::uint8_t(dict.size()));
        b.push_back(std::uint8_t(dict.size() >> 8));
        b.insert(b.end(), dict.begin(), dict.end());
        b.resize(b.size() + dataBytes, 0);
        return b;
    };
    const std::string f4 = "{'descr': '<f4', 'fortran_order': False, 'shape': ";
    EXPECT_EQ(ws::parseNpy(npyImage(f4 + "(2, 2), }", 16)).values.size(), 4u);
    EXPECT_THROW(ws::parseNpy(npyImage(f4 + "(2, 2), }", 15)), FormatError);
    EXPECT_THROW(ws::parseNpy(npyImage(f4 + "(99999999999999999999999,), }", 16)), FormatError);
    EXPECT_THROW(ws::parseNpy(npyImage(f4 + "(2, 2, 2), }", 32)), FormatError);
    EXPECT_THROW(ws::parseNpy(npyImage(f4 + "7, }", 32)), FormatError);
    EXPECT_THROW(
        ws::parseNpy(npyImage("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", 8)),
        FormatError);
    std::vector<std::uint8_t> cut = npyImage(f4 + "(1,), }", 4);
    cut.resize(20);
    EXPECT_THROW(ws::parseNpy(cut), FormatError);

    if (!ws_test::haveTorch()) GTEST_SKIP();
    const std::string npy = ws_test::tempPath("paste.npy");
    ws_test::runOracleOk(
        "import sys, numpy as np\n"
        "np.save(sys.argv[1], np.asfortranarray(np.arange(6, dtype='>f8').reshape(2, 3) / 4))\n",
        {npy});
    const ws::PasteBlock block = ws::loadPasteFile(npy);
    ASSERT_EQ(block.rows, 2);
    ASSERT_EQ(block.cols, 3);
    for (int i = 0; i < 6; ++i) EXPECT_EQ(block.values[std::size_t(i)].real, i / 4.0);
    std::remove(npy.c_str());
}
