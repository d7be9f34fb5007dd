// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Filling a template of the other framework with a model's weights, whichever way round: a
// PyTorch source goes into a Keras template (torch_to_keras_transfer.h), a Keras source into a
// PyTorch template (keras_to_torch_transfer.h). The CLI's `convert --template` and the GUI's
// "Transfer weights into..." share this so both refuse the same pairs with the same words.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "convert/torch_to_keras_transfer.h"
#include "model/model.h"

namespace ws::convert {

// Keras .h5 / .keras / .weights.h5 (Model::format "keras-...").
bool isKerasModel(const Model& model);

// Writes `source`'s weights into `target` as edits (save it with saveModel). Throws FormatError
// when both files are of the same framework, or with the transfer's own message on a mismatch
// (`target` is then unedited).
TransferResult transferIntoTemplate(const Model& source, Model& target,
                                    const TransferOptions& options = TransferOptions());

// Every pair of `pairs` (source unit or converted module -> template layer, as in
// TransferOptions::mapping) converted and shape-checked on its own, through the same code the
// transfer runs, in the map's order; nothing is written. Where transferIntoTemplate stops at
// the first refused pair, this gives each pair its own verdict (the transfer dialog's rows).
// Throws FormatError as transferIntoTemplate does when a whole model cannot be paired.
std::vector<PairVerdict> checkTemplatePairs(const Model& source, const Model& target,
                                            const std::map<std::string, std::string>& pairs);

struct FilledTemplate {
    std::unique_ptr<Model> model;  // the template with the transferred weights, in memory
    TransferResult report;
};

// Opens the template file afresh and transfers into it; the file itself is not touched. Throws
// FormatError ("template: ..." when the template cannot be read).
FilledTemplate fillTemplate(const Model& source, const std::string& templatePath,
                            const TransferOptions& options = TransferOptions());

}  // namespace ws::convert
