// SPDX-License-Identifier: GPL-3.0-or-later
#include "convert/rule_table.h"

namespace ws::convert {

namespace {

TensorRule t(std::string keras, std::string torch, std::vector<int> axes = {}) {
    TensorRule r;
    r.kerasRole = std::move(keras);
    r.torchName = std::move(torch);
    r.toTorchAxes = std::move(axes);
    return r;
}

// use_bias=False / center=False / scale=False leave these out.
TensorRule opt(TensorRule r) {
    r.optional = true;
    return r;
}

TensorRule flip(TensorRule r, std::vector<int> axes) {
    r.theanoFlipAxes = std::move(axes);
    return r;
}

TensorRule gates(TensorRule r) {
    r.gateBlocks = true;
    return r;
}

TensorRule part(TensorRule r, SumPart s) {
    r.sum = s;
    return r;
}

TensorRule row(TensorRule r, int k) {
    r.kerasRow = k;
    return r;
}

TensorRule fill(TensorRule r, double v) {
    r.fillWhenAbsent = v;
    return r;
}

// LSTM/SimpleRNN: kernel (in, G*h) = weight_ih.T, recurrent_kernel = weight_hh.T,
// Keras bias = bias_ih + bias_hh.
std::vector<TensorRule> summedBiasRecurrent() {
    return {gates(t("kernel", "weight_ih_l{k}{dir}", {1, 0})),
            gates(t("recurrent_kernel", "weight_hh_l{k}{dir}", {1, 0})),
            opt(part(gates(t("bias", "bias_ih_l{k}{dir}")), SumPart::Carrier)),
            opt(part(gates(t("bias", "bias_hh_l{k}{dir}")), SumPart::Zero))};
}

std::vector<LayerRule> buildTable() {
    std::vector<LayerRule> rows;
    auto add = [&](LayerRule r) { rows.push_back(std::move(r)); };

    add({"Dense",
         "nn.Linear",
         false,
         {},
         "",
         "",
         {[] {
              TensorRule k = t("kernel", "weight", {1, 0});
              k.flattenRows = true;
              return k;
          }(),
          opt(t("bias", "bias"))},
         {}});
    add({"Conv1D",
         "nn.Conv1d",
         false,
         {},
         "",
         "",
         {flip(t("kernel", "weight", {2, 1, 0}), {0}), opt(t("bias", "bias"))},
         {}});
    add({"Conv2D",
         "nn.Conv2d",
         false,
         {},
         "",
         "",
         {flip(t("kernel", "weight", {3, 2, 0, 1}), {0, 1}), opt(t("bias", "bias"))},
         {}});
    add({"Conv3D",
         "nn.Conv3d",
         false,
         {},
         "",
         "",
         {flip(t("kernel", "weight", {4, 3, 0, 1, 2}), {0, 1, 2}), opt(t("bias", "bias"))},
         {}});
    // Keras (kh, kw, out, in) <-> PyTorch (in, out, kh, kw).
    add({"Conv2DTranspose",
         "nn.ConvTranspose2d",
         false,
         {},
         "",
         "",
         {flip(t("kernel", "weight", {3, 2, 0, 1}), {0, 1}), opt(t("bias", "bias"))},
         {}});
    add({"DepthwiseConv2D",
         "nn.Conv2d(groups=C)",
         false,
         {},
         "",
         "",
         {[] {
              TensorRule k = t("depthwise_kernel", "weight", {2, 3, 0, 1});
              k.depthwiseMerge = true;
              return k;
          }(),
          opt(t("bias", "bias"))},
         {}});
    add({"SeparableConv2D",
         "SeparableConv2d (depthwise + pointwise nn.Conv2d)",
         false,
         {},
         "",
         "",
         {[] {
              TensorRule k = t("depthwise_kernel", "depthwise.weight", {2, 3, 0, 1});
              k.depthwiseMerge = true;
              return k;
          }(),
          t("pointwise_kernel", "pointwise.weight", {3, 2, 0, 1}),
          opt(t("bias", "pointwise.bias"))},
         {}});
    add({"BatchNormalization",
         "nn.BatchNorm{n}d",
         false,
         {},
         "",
         "",
         {opt(fill(t("gamma", "weight"), 1.0)), opt(fill(t("beta", "bias"), 0.0)),
          t("moving_mean", "running_mean"), t("moving_variance", "running_var")},
         {"num_batches_tracked"}});
    add({"LayerNormalization",
         "nn.LayerNorm",
         false,
         {},
         "",
         "",
         {opt(fill(t("gamma", "weight"), 1.0)), opt(fill(t("beta", "bias"), 0.0))},
         {}});
    add({"Embedding", "nn.Embedding", false, {}, "", "", {t("embeddings", "weight")}, {}});
    add({"SimpleRNN", "nn.RNN", true, {}, "", "", summedBiasRecurrent(), {}});
    add({"LSTM", "nn.LSTM", true, {0, 1, 2, 3}, "i,f,c,o", "i,f,g,o", summedBiasRecurrent(), {}});
    // GRU (reset_after=True): Keras gates z,r,h; PyTorch r,z,n. bias (2, 3h): row 0 is the
    // input bias, row 1 the recurrent one (inside the reset gate, as PyTorch's b_hn).
    add({"GRU",
         "nn.GRU",
         true,
         {1, 0, 2},
         "z,r,h",
         "r,z,n",
         {gates(t("kernel", "weight_ih_l{k}{dir}", {1, 0})),
          gates(t("recurrent_kernel", "weight_hh_l{k}{dir}", {1, 0})),
          opt(row(gates(t("bias", "bias_ih_l{k}{dir}")), 0)),
          opt(row(gates(t("bias", "bias_hh_l{k}{dir}")), 1))},
         {}});
    return rows;
}

}  // namespace

const std::vector<LayerRule>& ruleTable() {
    static const std::vector<LayerRule> table = buildTable();
    return table;
}

const LayerRule* findRule(const std::string& kind) {
    for (const LayerRule& r : ruleTable())
        if (r.kind == kind) return &r;
    return nullptr;
}

}  // namespace ws::convert
