// SPDX-License-Identifier: GPL-3.0-or-later
// Heatmap preparation for 4096² and 16384² f32 tensors, the way the GUI does it: cells streamed
// from the mapped safetensors file, reduced to 512 × 512 block means and max|x| in one pass with
// the colour range (max|x| and the estimated 99th percentile of |x|); then the histogram tab's
// two streaming passes (statistics, 100-bin histogram). Prints Markdown table rows.
//   ws_heatmap_bench DIR [REPS [TENSOR]]   (writes DIR/heatmap_bench.safetensors, 1.06 GiB, once)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "formats/open_model.h"
#include "model/model.h"
#include "stats/heatmap_preparation.h"
#include "stats/tensor_distribution.h"

using namespace ws;

namespace {

// Roughly normal weights (sum of 4 uniforms), cheap to generate for a gigabyte.
void writeTensor(std::ofstream& out, std::int64_t n, std::uint64_t seed) {
    std::vector<float> buf(1 << 20);
    std::uint64_t x = seed;
    for (std::int64_t done = 0; done < n;) {
        const std::int64_t k = std::min<std::int64_t>(n - done, std::int64_t(buf.size()));
        for (std::int64_t i = 0; i < k; ++i) {
            float s = 0;
            for (int j = 0; j < 4; ++j) {
                x = x * 6364136223846793005ull + 1442695040888963407ull;
                s += float(x >> 40) / float(1 << 24) - 0.5f;
            }
            buf[std::size_t(i)] = s * 0.05f;
        }
        out.write(reinterpret_cast<const char*>(buf.data()), std::streamsize(k * 4));
        done += k;
    }
}

void writeBenchFile(const std::string& path) {
    const std::int64_t a = 4096LL * 4096, b = 16384LL * 16384;
    std::string header =
        "{\"m4096\":{\"dtype\":\"F32\",\"shape\":[4096,4096],\"data_offsets\":[0," +
        std::to_string(a * 4) +
        "]},\"m16384\":{\"dtype\":\"F32\",\"shape\":[16384,16384],"
        "\"data_offsets\":[" +
        std::to_string(a * 4) + "," + std::to_string((a + b) * 4) + "]}}";
    while (header.size() % 8) header += ' ';
    std::ofstream out(path, std::ios::binary);
    const std::uint64_t len = header.size();
    for (int i = 0; i < 8; ++i) out.put(char((len >> (8 * i)) & 0xff));
    out << header;
    writeTensor(out, a, 1);
    writeTensor(out, b, 2);
}

struct Timing {
    double wallMs, cpuMs;  // cpu: all threads of the process, so the load of others is out
};

Timing measure(const std::function<void()>& fn) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    fn();
    const std::clock_t c1 = std::clock();
    const double wall =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    return {wall, 1000.0 * double(c1 - c0) / CLOCKS_PER_SEC};
}

void row(const std::string& tensor, const std::string& step, int threads, int reps,
         const std::function<void()>& fn) {
    fn();  // warm-up: pages in the page cache, allocations made once
    std::vector<double> wall, cpu;
    for (int i = 0; i < reps; ++i) {
        const Timing t = measure(fn);
        wall.push_back(t.wallMs);
        cpu.push_back(t.cpuMs);
    }
    std::sort(wall.begin(), wall.end());
    std::sort(cpu.begin(), cpu.end());
    std::printf("| %s | %s | %d | %.0f | %.0f–%.0f | %.0f |\n", tensor.c_str(), step.c_str(),
                threads, wall[wall.size() / 2], wall.front(), wall.back(), cpu[cpu.size() / 2]);
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: ws_heatmap_bench DIR [REPS]\n");
        return 2;
    }
    const std::string path = std::string(argv[1]) + "/heatmap_bench.safetensors";
    const int reps = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
    if (!std::ifstream(path).good()) writeBenchFile(path);
    const std::unique_ptr<Model> model = openModel(path);
    const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
    std::printf(
        "| tensor | step | threads | median wall ms | min–max wall ms | median CPU ms |\n"
        "|---|---|---|---|---|---|\n");
    const std::string only = argc > 3 ? argv[3] : "";  // one tensor, for quick experiments
    for (const char* name : {"m4096", "m16384"}) {
        if (!only.empty() && only != name) continue;
        const Node* node = model->find(name);
        if (!node || !node->tensor) {
            std::fprintf(stderr, "no tensor %s in %s\n", name, path.c_str());
            return 1;
        }
        const Tensor& t = *node->tensor;
        const ElementGrid grid = sliceGrid(t, defaultSlice(t.shape));
        const std::string label = std::string(name) + " " + shapeToString(t.shape);
        std::vector<int> threadCounts{1};
        if (cores > 1) threadCounts.push_back(cores);
        for (int threads : threadCounts) {
            PrepareOptions o;
            o.threads = threads;
            row(label, "heatmap: 512×512 block mean + block max-abs + colour range", threads, reps,
                [&] { (void)prepareHeatmap(t, grid, 512, 512, o); });
        }
        PrepareOptions cellsOnly;
        cellsOnly.range = false;
        row(label, "heatmap cells only (range known: a new slice)", 1, reps,
            [&] { (void)prepareHeatmap(t, grid, 512, 512, cellsOnly); });
        row(label, "histogram tab: statistics + 100 bins", 1, std::max(1, reps / 2), [&] {
            const TensorStats s = streamStats(t);
            (void)streamHistogram(t, 100, s);
        });
    }
    return 0;
}
