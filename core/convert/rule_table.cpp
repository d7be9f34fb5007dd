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

TensorRule afterFlatten(TensorRule r) {
    r.flattenRows = true;
    return r;
}

TensorRule depthwise(TensorRule r) {
    r.depthwiseMerge = true;
    return r;
}

// A row whose tensors keep one PyTorch module per Keras layer.
LayerRule layer(std::string kind, std::string torchModule, std::vector<TensorRule> tensors,
                std::vector<std::string> torchCounters = {}) {
    LayerRule r;
    r.kind = std::move(kind);
    r.torchModule = std::move(torchModule);
    r.tensors = std::move(tensors);
    r.torchCounters = std::move(torchCounters);
    return r;
}

// A recurrent row: its tensors repeat per stacked level {k} and direction {dir}.
LayerRule recurrentLayer(std::string kind, std::string torchModule,
                         std::vector<TensorRule> tensors) {
    LayerRule r = layer(std::move(kind), std::move(torchModule), std::move(tensors));
    r.recurrent = true;
    return r;
}

// Gated recurrent rows: PyTorch gate block g = Keras gate block order[g].
LayerRule gated(LayerRule r, std::vector<int> order, std::string kerasGates,
                std::string torchGates) {
    r.gateOrder = std::move(order);
    r.kerasGates = std::move(kerasGates);
    r.torchGates = std::move(torchGates);
    return r;
}

std::vector<LayerRule> buildTable() {
    return {
        layer("Dense", "nn.Linear",
              {afterFlatten(t("kernel", "weight", {1, 0})), opt(t("bias", "bias"))}),
        layer("Conv1D", "nn.Conv1d",
              {flip(t("kernel", "weight", {2, 1, 0}), {0}), opt(t("bias", "bias"))}),
        layer("Conv2D", "nn.Conv2d",
              {flip(t("kernel", "weight", {3, 2, 0, 1}), {0, 1}), opt(t("bias", "bias"))}),
        layer("Conv3D", "nn.Conv3d",
              {flip(t("kernel", "weight", {4, 3, 0, 1, 2}), {0, 1, 2}), opt(t("bias", "bias"))}),
        // Keras (kh, kw, out, in) <-> PyTorch (in, out, kh, kw).
        layer("Conv2DTranspose", "nn.ConvTranspose2d",
              {flip(t("kernel", "weight", {3, 2, 0, 1}), {0, 1}), opt(t("bias", "bias"))}),
        layer("DepthwiseConv2D", "nn.Conv2d(groups=C)",
              {depthwise(t("depthwise_kernel", "weight", {2, 3, 0, 1})), opt(t("bias", "bias"))}),
        layer("SeparableConv2D", "SeparableConv2d (depthwise + pointwise nn.Conv2d)",
              {depthwise(t("depthwise_kernel", "depthwise.weight", {2, 3, 0, 1})),
               t("pointwise_kernel", "pointwise.weight", {3, 2, 0, 1}),
               opt(t("bias", "pointwise.bias"))}),
        layer("BatchNormalization", "nn.BatchNorm{n}d",
              {opt(fill(t("gamma", "weight"), 1.0)), opt(fill(t("beta", "bias"), 0.0)),
               t("moving_mean", "running_mean"), t("moving_variance", "running_var")},
              {"num_batches_tracked"}),
        layer("LayerNormalization", "nn.LayerNorm",
              {opt(fill(t("gamma", "weight"), 1.0)), opt(fill(t("beta", "bias"), 0.0))}),
        layer("Embedding", "nn.Embedding", {t("embeddings", "weight")}),
        recurrentLayer("SimpleRNN", "nn.RNN", summedBiasRecurrent()),
        gated(recurrentLayer("LSTM", "nn.LSTM", summedBiasRecurrent()), {0, 1, 2, 3}, "i,f,c,o",
              "i,f,g,o"),
        // GRU (reset_after=True): Keras gates z,r,h; PyTorch r,z,n. bias (2, 3h): row 0 is the
        // input bias, row 1 the recurrent one (inside the reset gate, as PyTorch's b_hn).
        gated(recurrentLayer("GRU", "nn.GRU",
                             {gates(t("kernel", "weight_ih_l{k}{dir}", {1, 0})),
                              gates(t("recurrent_kernel", "weight_hh_l{k}{dir}", {1, 0})),
                              opt(row(gates(t("bias", "bias_ih_l{k}{dir}")), 0)),
                              opt(row(gates(t("bias", "bias_hh_l{k}{dir}")), 1))}),
              {1, 0, 2}, "z,r,h", "r,z,n"),
    };
}

}  // namespace

const std::vector<LayerRule>& ruleTable() {
    static const std::vector<LayerRule> table = buildTable();
    return table;
}

const LayerRule* findRule(const std::string& kind, const RuleOverrides& overrides) {
    for (const LayerRule& r : overrides)
        if (r.kind == kind) return &r;
    for (const LayerRule& r : ruleTable())
        if (r.kind == kind) return &r;
    return nullptr;
}

bool isRecurrentKind(const std::string& kind) {
    const LayerRule* r = findRule(kind);
    return r && r->recurrent;
}

}  // namespace ws::convert
