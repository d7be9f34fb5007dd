// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Test-side helpers: run a snippet with the oracle Python (real numpy/zipfile/torch) that writes
// or describes a file, and handle scratch files. Only for tests; the program never runs Python.
#include <dirent.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace ws_test {

// A scratch path unique to this process, in gtest's temporary directory.
inline std::string tempPath(const std::string& leaf) {
    return ::testing::TempDir() + "ws_" + std::to_string(::getpid()) + "_" + leaf;
}

inline std::string shellQuote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// Runs `code` with the oracle Python, arguments as sys.argv[1:]; returns its stdout and sets
// `status` to the exit status.
inline std::string runOracle(const std::string& code, const std::vector<std::string>& args,
                             int* status = nullptr) {
    const std::string script = tempPath("oracle.py");
    std::ofstream(script) << code;
    std::string cmd = std::string(WS_ORACLE_PYTHON) + " " + shellQuote(script);
    for (const std::string& a : args) cmd += " " + shellQuote(a);
    std::string out;
    FILE* pipe = ::popen(cmd.c_str(), "r");
    if (!pipe) {
        if (status) *status = -1;
        return out;
    }
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
    const int rc = ::pclose(pipe);
    if (status) *status = rc;
    std::remove(script.c_str());
    return out;
}

// Runs `code` and fails the current test when it does not exit 0.
inline std::string runOracleOk(const std::string& code, const std::vector<std::string>& args) {
    int status = 0;
    std::string out = runOracle(code, args, &status);
    EXPECT_EQ(status, 0) << "oracle python failed; output:\n" << out;
    return out;
}

inline std::vector<std::uint8_t> readFileBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

inline void writeFileBytes(const std::string& path, const std::vector<std::uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

inline bool fileExists(const std::string& path) { return std::ifstream(path).good(); }

// Removes this process's scratch files and folders (every tempPath(), e.g. the journal folders of
// test_edit_journal) when the test program ends.
class ScratchCleanup : public ::testing::Environment {
  public:
    void TearDown() override {
        const std::string dir = ::testing::TempDir();
        const std::string prefix = "ws_" + std::to_string(::getpid()) + "_";
        std::error_code ignored;  // a file already gone is fine
        if (DIR* d = ::opendir(dir.c_str())) {
            while (dirent* e = ::readdir(d))
                if (std::string(e->d_name).rfind(prefix, 0) == 0)
                    std::filesystem::remove_all(dir + e->d_name, ignored);
            ::closedir(d);
        }
    }
};
// One registration however many test files include this header (an inline variable).
inline ::testing::Environment* const kScratchCleanup =
    ::testing::AddGlobalTestEnvironment(new ScratchCleanup);

}  // namespace ws_test
