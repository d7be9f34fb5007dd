// SPDX-License-Identifier: GPL-3.0-or-later
// ZipArchive against archives written by Python's zipfile (stored, deflated, ZIP64), against the
// real PyTorch/Keras fixtures (compared with zipfile's own listing), and against damaged copies.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "containers/zip.h"
#include "io/mapped_file.h"
#include "model/error.h"
#include "oracle_python.h"

using ws::ByteSourcePtr;
using ws::FormatError;
using ws::MemoryByteSource;
using ws::ZipArchive;

namespace {

using ws_test::readFileBytes;
using ws_test::tempPath;

// Runs a Python snippet with the oracle interpreter; the snippet gets `arg` as sys.argv[1].
void runPython(const std::string& code, const std::string& arg) {
    ws_test::runOracleOk(code, {arg});
}

ByteSourcePtr memory(std::vector<std::uint8_t> bytes) {
    return std::make_shared<MemoryByteSource>(std::move(bytes));
}

std::string asString(const ByteSourcePtr& src) {
    std::vector<std::uint8_t> b = src->readAll();
    return std::string(b.begin(), b.end());
}

// The same payloads on both sides: Python writes them, the test recomputes them.
std::string payloadText() {
    std::string s;
    for (int i = 0; i < 2000; ++i) s += "line " + std::to_string(i) + "\n";
    return s;
}
std::string payloadBinary() {
    std::string s;
    for (int i = 0; i < 5000; ++i) s += char((i * 7919) & 0xFF);
    return s;
}

const char* kWriterPrelude = R"PY(
import sys, zipfile
text = "".join("line %d\n" % i for i in range(2000)).encode()
binary = bytes((i * 7919) & 0xFF for i in range(5000))
)PY";

std::string writeBasicZip() {
    const std::string path = tempPath("basic.zip");
    runPython(std::string(kWriterPrelude) + R"PY(
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("archive/stored.bin", binary, compress_type=zipfile.ZIP_STORED)
    z.writestr("archive/deflated.txt", text, compress_type=zipfile.ZIP_DEFLATED)
    z.writestr("archive/empty", b"", compress_type=zipfile.ZIP_DEFLATED)
    z.writestr("data.pkl", b"top", compress_type=zipfile.ZIP_STORED)
    z.comment = b"a trailing archive comment"
)PY",
              path);
    return path;
}

// Little-endian patching of a copy of an archive.
void put16(std::vector<std::uint8_t>& b, std::size_t at, std::uint16_t v) {
    b.at(at) = std::uint8_t(v);
    b.at(at + 1) = std::uint8_t(v >> 8);
}
void put32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b.at(at + i) = std::uint8_t(v >> (8 * i));
}
std::size_t findSig(const std::vector<std::uint8_t>& b, std::uint32_t sig, bool last = false) {
    std::size_t found = std::string::npos;
    for (std::size_t i = 0; i + 4 <= b.size(); ++i)
        if ((b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (std::uint32_t(b[i + 3]) << 24)) == sig) {
            found = i;
            if (!last) break;
        }
    return found;
}
constexpr std::uint32_t kCentral = 0x02014b50, kEnd = 0x06054b50, kLocal = 0x04034b50;

}  // namespace

TEST(Zip, StoredAndDeflatedEntriesFromPythonZipfile) {
    const std::string path = writeBasicZip();
    ByteSourcePtr file = ws::mapFile(path);
    ZipArchive zip(file);
    ASSERT_EQ(zip.entries().size(), 4u);
    EXPECT_EQ(zip.entries()[0].name, "archive/stored.bin");
    EXPECT_EQ(zip.entries()[0].method, 0);
    EXPECT_EQ(zip.entries()[1].method, 8);

    const ws::ZipEntry* stored = zip.find("archive/stored.bin");
    ASSERT_NE(stored, nullptr);
    ByteSourcePtr storedBytes = zip.open(*stored);
    EXPECT_EQ(asString(storedBytes), payloadBinary());
    // Stored entries are windows into the mapped file, not copies.
    ASSERT_NE(file->data(), nullptr);
    EXPECT_EQ(storedBytes->data(), file->data() + zip.dataOffset(*stored));

    const ws::ZipEntry* deflated = zip.find("archive/deflated.txt");
    ASSERT_NE(deflated, nullptr);
    EXPECT_LT(deflated->compressedSize, deflated->uncompressedSize);
    EXPECT_EQ(asString(zip.open(*deflated)), payloadText());
    EXPECT_EQ(zip.open(*zip.find("archive/empty"))->size(), 0u);
    EXPECT_EQ(zip.find("missing"), nullptr);
}

TEST(Zip, FindSuffixMatchesWholeNameComponents) {
    ZipArchive zip(ws::mapFile(writeBasicZip()));
    ASSERT_NE(zip.findSuffix("data.pkl"), nullptr);
    EXPECT_EQ(zip.findSuffix("data.pkl")->name, "data.pkl");
    ASSERT_NE(zip.findSuffix("deflated.txt"), nullptr);
    EXPECT_EQ(zip.findSuffix("deflated.txt")->name, "archive/deflated.txt");
    EXPECT_EQ(zip.findSuffix("flated.txt"), nullptr);  // not at a "/" boundary
    EXPECT_EQ(zip.findSuffix("archive/stored.bin")->name, "archive/stored.bin");
}

TEST(Zip, Zip64ExtraFieldsAndEndRecord) {
    // force_zip64 gives ZIP64 local headers; lowering zipfile's limits makes it also write ZIP64
    // central extra fields (sizes and offsets as 0xFFFFFFFF) and the ZIP64 end record + locator.
    const std::string path = tempPath("zip64.zip");
    runPython(std::string(kWriterPrelude) + R"PY(
zipfile.ZIP64_LIMIT = 16
zipfile.ZIP_FILECOUNT_LIMIT = 2
with zipfile.ZipFile(sys.argv[1], "w") as z:
    with z.open("archive/forced.txt", "w", force_zip64=True) as f:
        f.write(text)
    z.writestr("archive/stored.bin", binary, compress_type=zipfile.ZIP_STORED)
    z.writestr("archive/deflated.txt", text, compress_type=zipfile.ZIP_DEFLATED)
)PY",
              path);
    std::vector<std::uint8_t> bytes = readFileBytes(path);
    ASSERT_NE(findSig(bytes, 0x06064b50), std::string::npos) << "no ZIP64 end record written";
    ASSERT_NE(findSig(bytes, 0x07064b50), std::string::npos) << "no ZIP64 locator written";

    ZipArchive zip(ws::mapFile(path));
    ASSERT_EQ(zip.entries().size(), 3u);
    EXPECT_EQ(asString(zip.open(*zip.find("archive/forced.txt"))), payloadText());
    EXPECT_EQ(asString(zip.open(*zip.find("archive/stored.bin"))), payloadBinary());
    EXPECT_EQ(asString(zip.open(*zip.find("archive/deflated.txt"))), payloadText());
    EXPECT_EQ(zip.find("archive/stored.bin")->uncompressedSize, payloadBinary().size());
}

TEST(Zip, InfoZipArchiveWithDataDescriptors) {
    // `zip` from a pipe writes data descriptors (sizes after the data, flag bit 3).
    const std::string src = tempPath("piped.txt");
    std::ofstream(src) << payloadText();
    const std::string path = tempPath("piped.zip");
    std::remove(path.c_str());
    const std::string cmd = "cat '" + src + "' | zip -q '" + path + "' - 2>/dev/null";
    if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "SKIP: /usr/bin/zip not available";
    ZipArchive zip(ws::mapFile(path));
    ASSERT_EQ(zip.entries().size(), 1u);
    EXPECT_EQ(asString(zip.open(zip.entries()[0])), payloadText());
}

TEST(Zip, RealFixturesMatchPythonZipfile) {
    const std::string dir = WS_FIXTURES_DIR;
    const char* names[] = {
        "pytorch/lstm_3layer_charlm_state_dict.pth", "pytorch/mlp_full_model_pickle.pth",
        "pytorch/torchscript_adder_mlp.pt",          "pytorch/cnn_batchnorm_mnist_state_dict.pt",
        "keras/lstm_functional_keras3.keras",        "keras/qkeras_dense_3layer_keras3.keras"};
    int checked = 0;
    for (const char* name : names) {
        const std::string path = dir + "/" + name;
        if (!std::ifstream(path)) {
            ADD_FAILURE() << "fixture " << path << " not found (test_data_generate lays it out)";
            continue;
        }
        // The oracle: zipfile's listing with sizes and a CRC of each entry's bytes.
        const std::string listing = ws_test::runOracleOk(R"PY(
import sys, zipfile, json, zlib
with zipfile.ZipFile(sys.argv[1]) as z:
    print(json.dumps([[i.filename, i.compress_type, i.file_size, zlib.crc32(z.read(i))]
                      for i in z.infolist()]))
)PY",
                                                         {path});
        nlohmann::json expected = nlohmann::json::parse(listing);
        ZipArchive zip(ws::mapFile(path));
        ASSERT_EQ(zip.entries().size(), expected.size()) << name;
        for (std::size_t i = 0; i < expected.size(); ++i) {
            const ws::ZipEntry& e = zip.entries()[i];
            EXPECT_EQ(e.name, expected[i][0].get<std::string>()) << name;
            EXPECT_EQ(e.method, expected[i][1].get<int>()) << e.name;
            EXPECT_EQ(e.uncompressedSize, expected[i][2].get<std::uint64_t>()) << e.name;
            std::vector<std::uint8_t> data = zip.open(e)->readAll();
            std::uint32_t crc = 0xFFFFFFFFu;  // bitwise CRC-32, independent of zlib
            for (std::uint8_t byte : data) {
                crc ^= byte;
                for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
            }
            EXPECT_EQ(~crc, expected[i][3].get<std::uint32_t>()) << e.name;
        }
        ++checked;
    }
    if (checked == 0) GTEST_SKIP() << "SKIP: no zip fixtures under " << dir;
}

TEST(Zip, RejectsEmptyTinyAndRandomInput) {
    EXPECT_THROW(ZipArchive(memory({})), FormatError);
    EXPECT_THROW(ZipArchive(memory({'P', 'K', 5, 6})), FormatError);
    std::vector<std::uint8_t> noise(4096);
    for (std::size_t i = 0; i < noise.size(); ++i) noise[i] = std::uint8_t(i * 2654435761u >> 13);
    EXPECT_THROW(ZipArchive(memory(noise)), FormatError);
}

TEST(Zip, EveryTruncationIsRejectedOrReadableNeverACrash) {
    const std::vector<std::uint8_t> good = readFileBytes(writeBasicZip());
    for (std::size_t n = 0; n < good.size(); ++n) {
        std::vector<std::uint8_t> cut(good.begin(), good.begin() + n);
        try {
            ZipArchive zip(memory(cut));
            for (const ws::ZipEntry& e : zip.entries()) (void)zip.open(e)->readAll();
        } catch (const FormatError&) {
        }
    }
    // Cutting off the end record (the last 22 + comment bytes) must be an error.
    std::vector<std::uint8_t> cut(good.begin(), good.end() - 40);
    EXPECT_THROW(ZipArchive(memory(cut)), FormatError);
}

TEST(Zip, RejectsDirectoryOutsideTheFile) {
    std::vector<std::uint8_t> bytes = readFileBytes(writeBasicZip());
    const std::size_t end = findSig(bytes, kEnd, true);
    ASSERT_NE(end, std::string::npos);
    std::vector<std::uint8_t> badOffset = bytes;
    put32(badOffset, end + 16, 0x7FFFFFF0u);
    EXPECT_THROW(ZipArchive(memory(badOffset)), FormatError);
    std::vector<std::uint8_t> badSize = bytes;
    put32(badSize, end + 12, 0xFFFFFFF0u);
    EXPECT_THROW(ZipArchive(memory(badSize)), FormatError);
    std::vector<std::uint8_t> absurdCount = bytes;
    put16(absurdCount, end + 8, 60000);
    put16(absurdCount, end + 10, 60000);
    EXPECT_THROW(ZipArchive(memory(absurdCount)), FormatError);
}

TEST(Zip, RejectsBadLocalHeaderOffsetsAndSizes) {
    std::vector<std::uint8_t> bytes = readFileBytes(writeBasicZip());
    const std::size_t central = findSig(bytes, kCentral);
    ASSERT_NE(central, std::string::npos);
    std::vector<std::uint8_t> farOffset = bytes;
    put32(farOffset, central + 42, 0x7FFFFFFFu);
    EXPECT_THROW(ZipArchive(memory(farOffset)), FormatError);

    // An offset inside the file that does not point at a local header: caught on open.
    std::vector<std::uint8_t> wrongOffset = bytes;
    put32(wrongOffset, central + 42, 7);
    ZipArchive zip(memory(wrongOffset));
    EXPECT_THROW(zip.open(zip.entries()[0]), FormatError);

    // A compressed size running past the end of the file.
    std::vector<std::uint8_t> longData = bytes;
    put32(longData, central + 20, 0x7FFFFFF0u);
    put32(longData, central + 24, 0x7FFFFFF0u);
    EXPECT_THROW(ZipArchive(memory(longData)), FormatError);

    // A local header whose own extra length pushes the data past the end of the file.
    std::vector<std::uint8_t> longExtra = bytes;
    const std::size_t local = findSig(longExtra, kLocal);
    put16(longExtra, local + 28, 0xFFFF);
    ZipArchive zip2(memory(longExtra));
    EXPECT_THROW(zip2.open(zip2.entries()[0]), FormatError);
}

TEST(Zip, RejectsDamagedDeflateStreamsAndSizeLies) {
    const std::string path = writeBasicZip();
    const std::vector<std::uint8_t> good = readFileBytes(path);
    ZipArchive reference(memory(good));
    const ws::ZipEntry& deflated = reference.entries()[1];
    const std::uint64_t data = reference.dataOffset(deflated);

    std::vector<std::uint8_t> corrupt = good;
    for (std::uint64_t i = 0; i < 16; ++i) corrupt[data + 20 + i] ^= 0x5A;
    ZipArchive a(memory(corrupt));
    EXPECT_THROW(a.open(a.entries()[1]), FormatError);

    // Declared uncompressed size smaller / larger than the real one.
    std::size_t central = findSig(good, kCentral);
    central += 46 + 18;  // skip the first central entry ("archive/stored.bin", no extra/comment)
    ASSERT_EQ(good[central + 10], 8);
    for (std::uint32_t lie : {std::uint32_t(deflated.uncompressedSize - 1),
                              std::uint32_t(deflated.uncompressedSize + 1), 0xFFFFFFF0u}) {
        std::vector<std::uint8_t> b = good;
        put32(b, central + 24, lie);
        try {
            ZipArchive z(memory(b));
            EXPECT_THROW(z.open(z.entries()[1]), FormatError) << lie;
        } catch (const FormatError&) {
        }
    }

    std::vector<std::uint8_t> badCrc = good;
    put32(badCrc, central + 16, deflated.crc32 ^ 1);
    ZipArchive c(memory(badCrc));
    EXPECT_THROW(c.open(c.entries()[1]), FormatError);
}

TEST(Zip, RejectsEncryptedUnsupportedMethodsAndDuplicates) {
    const std::string path = tempPath("methods.zip");
    runPython(R"PY(
import sys, zipfile, warnings
warnings.simplefilter("ignore")
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("bz", b"x" * 1000, compress_type=zipfile.ZIP_BZIP2)
    z.writestr("dup", b"one")
    z.writestr("dup", b"two")
)PY",
              path);
    std::vector<std::uint8_t> bytes = readFileBytes(path);
    EXPECT_THROW(ZipArchive(memory(bytes)), FormatError);  // duplicate "dup"

    // Rename the second duplicate in the central directory: then only bzip2 is a problem.
    std::size_t last = findSig(bytes, kCentral, true);
    bytes.at(last + 46 + 2) = 'q';
    ZipArchive zip(memory(bytes));
    EXPECT_THROW(zip.open(*zip.find("bz")), FormatError);
    EXPECT_EQ(asString(zip.open(*zip.find("dup"))), "one");

    std::vector<std::uint8_t> encrypted = bytes;
    put16(encrypted, findSig(encrypted, kCentral) + 8, 0x0001);
    EXPECT_THROW(ZipArchive(memory(encrypted)), FormatError);
}
