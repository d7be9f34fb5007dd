// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Shared helpers of the Keras reader tests: the Keras fixture folder and an h5py oracle that
// describes every dataset of an .h5 file (or of the model.weights.h5 inside a .keras zip).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "fixture_support.h"
#include "oracle_python.h"

namespace ws_test {

inline std::string kerasFixtureDir() { return fixturesDir() + "/keras"; }

// Every Keras weight file among the fixtures (.h5 and .keras; not the .json companions).
inline std::vector<std::string> allKerasWeightFiles() {
    std::vector<std::string> out;
    const std::string dir = kerasFixtureDir();
    if (!std::filesystem::is_directory(dir)) return out;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const std::string p = entry.path().string();
        if (entry.path().extension() == ".h5" || entry.path().extension() == ".keras")
            out.push_back(p);
    }
    std::sort(out.begin(), out.end());
    return out;
}

struct OracleDataset {
    std::string path;
    std::vector<long long> shape;
    std::string dtype;  // Weightsmith's name: f32, f16, i64, bool, ...
    double sum = 0;
    double first = 0;
    std::size_t size = 0;
};

// h5py's view of every dataset (visititems order does not matter; keyed by path).
inline std::map<std::string, OracleDataset> h5pyDatasets(const std::string& file) {
    static const char* code = R"PY(
import sys, io, zipfile, h5py, numpy as np
path = sys.argv[1]
src = path
if zipfile.is_zipfile(path):
    src = io.BytesIO(zipfile.ZipFile(path).read("model.weights.h5"))
names = {"f2": "f16", "f4": "f32", "f8": "f64", "i1": "i8", "i2": "i16", "i4": "i32",
         "i8": "i64", "u1": "u8", "b1": "bool"}
def visit(name, obj):
    if not isinstance(obj, h5py.Dataset):
        return
    a = obj[()]
    a = np.asarray(a)
    dt = names.get(a.dtype.str[1:], a.dtype.str)
    flat = a.astype(np.float64).ravel() if a.dtype.kind in "fiub" else np.zeros(0)
    print("%s\t%s\t%s\t%.17g\t%.17g\t%d" % (name, ",".join(str(d) for d in obj.shape), dt,
          float(flat.sum()) if flat.size else 0.0, float(flat[0]) if flat.size else 0.0, a.size))
with h5py.File(src, "r") as f:
    f.visititems(visit)
)PY";
    std::map<std::string, OracleDataset> out;
    std::istringstream lines(runOracleOk(code, {file}));
    std::string line;
    while (std::getline(lines, line)) {
        std::vector<std::string> f;
        std::stringstream ss(line);
        std::string item;
        while (std::getline(ss, item, '\t')) f.push_back(item);
        if (f.size() != 6) continue;
        OracleDataset d;
        d.path = f[0];
        std::stringstream dims(f[1]);
        while (std::getline(dims, item, ','))
            if (!item.empty()) d.shape.push_back(std::stoll(item));
        d.dtype = f[2];
        d.sum = std::stod(f[3]);
        d.first = std::stod(f[4]);
        d.size = std::stoull(f[5]);
        out[d.path] = d;
    }
    return out;
}

}  // namespace ws_test
