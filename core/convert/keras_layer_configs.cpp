// SPDX-License-Identifier: GPL-3.0-or-later
#include "convert/keras_layer_configs.h"

namespace ws::convert {

using nlohmann::json;

namespace {

json initializer(const char* cls, json config = json::object()) {
    if (!config.contains("seed") && std::string(cls) != "Zeros") config["seed"] = nullptr;
    return {{"class_name", cls}, {"config", config}};
}

json ints(const std::vector<std::int64_t>& v) { return json(v); }

// The keys every weighted Keras layer saves for its kernel and bias.
void addKernelKeys(json& c, bool useBias) {
    c["use_bias"] = useBias;
    c["kernel_initializer"] = initializer("GlorotUniform");
    c["bias_initializer"] = initializer("Zeros");
    for (const char* k : {"kernel_regularizer", "bias_regularizer", "activity_regularizer",
                          "kernel_constraint", "bias_constraint"})
        c[k] = nullptr;
}

}  // namespace

json kerasInputLayer(const std::vector<std::int64_t>& shape) {
    json batch = json::array({nullptr});
    for (std::int64_t d : shape) batch.push_back(d < 0 ? json(nullptr) : json(d));
    return {{"class_name", "InputLayer"},
            {"config",
             {{"batch_input_shape", batch},
              {"dtype", "float32"},
              {"sparse", false},
              {"ragged", false},
              {"name", "input_1"}}}};
}

json kerasLayer(const std::string& className, const std::string& name, json config) {
    config["name"] = name;
    config["trainable"] = true;
    config["dtype"] = "float32";
    return {{"class_name", className}, {"config", config}};
}

json kerasDense(const std::string& name, std::int64_t units, bool useBias) {
    json c = {{"units", units}, {"activation", "linear"}};
    addKernelKeys(c, useBias);
    return kerasLayer("Dense", name, c);
}

json kerasConv(const std::string& name, std::int64_t filters,
               const std::vector<std::int64_t>& kernel, const std::vector<std::int64_t>& strides,
               const std::vector<std::int64_t>& dilation, const std::string& padding,
               bool useBias) {
    json c = {
        {"filters", filters}, {"kernel_size", ints(kernel)},    {"strides", ints(strides)},
        {"padding", padding}, {"data_format", "channels_last"}, {"dilation_rate", ints(dilation)},
        {"groups", 1},        {"activation", "linear"}};
    addKernelKeys(c, useBias);
    return kerasLayer("Conv" + std::to_string(kernel.size()) + "D", name, c);
}

json kerasBatchNorm(const std::string& name, double epsilon, double momentum, bool affine) {
    return kerasLayer("BatchNormalization", name,
                      {{"axis", -1},
                       {"momentum", momentum},
                       {"epsilon", epsilon},
                       {"center", affine},
                       {"scale", affine},
                       {"beta_initializer", initializer("Zeros")},
                       {"gamma_initializer", initializer("Ones")},
                       {"moving_mean_initializer", initializer("Zeros")},
                       {"moving_variance_initializer", initializer("Ones")},
                       {"beta_regularizer", nullptr},
                       {"gamma_regularizer", nullptr},
                       {"beta_constraint", nullptr},
                       {"gamma_constraint", nullptr}});
}

json kerasPooling(const std::string& className, const std::string& name,
                  const std::vector<std::int64_t>& pool, const std::vector<std::int64_t>& strides) {
    return kerasLayer(className, name,
                      {{"pool_size", ints(pool)},
                       {"strides", ints(strides)},
                       {"padding", "valid"},
                       {"data_format", "channels_last"}});
}

json kerasRecurrent(const std::string& kind, const std::string& name, std::int64_t units,
                    bool useBias, bool returnSequences) {
    json c = {{"return_sequences", returnSequences},
              {"return_state", false},
              {"go_backwards", false},
              {"stateful", false},
              {"unroll", false},
              {"time_major", false},
              {"units", units},
              {"activation", "tanh"},
              {"recurrent_initializer", initializer("Orthogonal", {{"gain", 1.0}})},
              {"recurrent_regularizer", nullptr},
              {"recurrent_constraint", nullptr},
              {"dropout", 0.0},
              {"recurrent_dropout", 0.0},
              {"implementation", 2}};
    addKernelKeys(c, useBias);
    if (kind != "SimpleRNN") c["recurrent_activation"] = "sigmoid";
    if (kind == "LSTM") c["unit_forget_bias"] = true;
    if (kind == "GRU") c["reset_after"] = true;
    return kerasLayer(kind, name, c);
}

json kerasDropout(const std::string& name, double rate) {
    return kerasLayer("Dropout", name,
                      {{"rate", rate}, {"noise_shape", nullptr}, {"seed", nullptr}});
}

}  // namespace ws::convert
