// SPDX-License-Identifier: GPL-3.0-or-later
#include "convert/template_transfer.h"

#include "convert/keras_to_torch_transfer.h"
#include "formats/open_model.h"
#include "model/error.h"

namespace ws::convert {

bool isKerasModel(const Model& model) { return model.format.rfind("keras", 0) == 0; }

namespace {

// True for a Keras source; throws when both models are of the same framework.
bool kerasSourceOf(const Model& source, const Model& target) {
    const bool kerasSource = isKerasModel(source);
    if (kerasSource == isKerasModel(target))
        throw FormatError(std::string("the template must be of the other framework: the source "
                                      "is ") +
                          source.format + ", template '" + target.filePath + "' is " +
                          target.format);
    return kerasSource;
}

}  // namespace

TransferResult transferIntoTemplate(const Model& source, Model& target,
                                    const TransferOptions& options) {
    return kerasSourceOf(source, target) ? transferKerasToTorch(source, target, options)
                                         : transferTorchToKeras(source, target, options);
}

std::vector<PairVerdict> checkTemplatePairs(const Model& source, const Model& target,
                                            const std::map<std::string, std::string>& pairs) {
    return kerasSourceOf(source, target) ? checkKerasToTorchPairs(source, target, pairs)
                                         : checkTorchToKerasPairs(source, target, pairs);
}

FilledTemplate fillTemplate(const Model& source, const std::string& templatePath,
                            const TransferOptions& options) {
    FilledTemplate out;
    try {
        out.model = openModel(templatePath);
    } catch (const FormatError& e) {
        throw FormatError(std::string("template: ") + e.what());
    }
    out.report = transferIntoTemplate(source, *out.model, options);
    return out;
}

}  // namespace ws::convert
