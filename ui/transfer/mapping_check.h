// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What the transfer dialog's mapping table shows: the source model paired with a template file
// by the core transfer itself (convert/template_transfer.h), run into a fresh in-memory copy of
// the template, so the table holds exactly what Apply will do -- or the core's refusal, with
// every pair of the mapping then checked on its own (checkTemplatePairs) so each row says
// whether it converts and why not. Nothing is written to disk here.
#include <QString>
#include <QStringList>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "convert/torch_to_keras_transfer.h"
#include "model/model.h"

namespace ws::ui {

// Source unit ("lstm[1]", "fc") -> template layer, as the core's TransferOptions::mapping.
using TransferMapping = std::map<std::string, std::string>;

struct MappingRow {
    enum class Status { Ok, Mismatch, Unchecked };
    QString source, sourceKind, target, targetKind;
    QString key;  // the source's name in the core's mapping ("lstm[1]"; "lstm" for Keras layers)
    // One line per tensor of the pair: "lstm.weight_ih_l0 (200, 1) -> kernel:0 (1, 200)".
    QString tensors, transforms, sourceShapes, targetShapes;
    Status status = Status::Unchecked;
    QString reason;  // Mismatch: the core's refusal of this pair
};

struct MappingCheck {
    // The transfer's pairs (all Ok); after a refusal, each pair of the mapping with its own
    // verdict (none when the mapping was empty or the models cannot be paired at all).
    std::vector<MappingRow> rows;
    QString error;  // the core's refusal; empty when every pair converts
    QStringList notes;
    bool ok() const { return error.isEmpty(); }
};

// The pairs the core makes with `mapping` (all Ok), or its refusal in `error` and the mapping's
// pairs each checked on its own in `rows`.
MappingCheck checkMapping(const Model& source, const QString& templatePath,
                          const TransferMapping& mapping);

// Every row as an explicit pair.
TransferMapping mappingOf(const std::vector<MappingRow>& rows);

}  // namespace ws::ui
