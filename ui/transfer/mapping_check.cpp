// SPDX-License-Identifier: GPL-3.0-or-later
#include "transfer/mapping_check.h"

#include <QObject>
#include <new>

#include "convert/template_transfer.h"
#include "formats/open_model.h"
#include "model/error.h"

namespace ws::ui {

namespace {

QString q(const std::string& s) { return QString::fromStdString(s); }

// "model_weights/lstm/lstm/lstm_cell/kernel:0" -> "kernel:0": the layer is in its own column.
QString leafName(const std::string& path) {
    const auto slash = path.find_last_of('/');
    return q(slash == std::string::npos ? path : path.substr(slash + 1));
}

MappingRow rowOf(const convert::TransferPair& pair) {
    MappingRow row;
    row.source = q(pair.sourceUnit);
    row.key = q(pair.mappingKey.empty() ? pair.sourceUnit : pair.mappingKey);
    row.sourceKind = q(pair.sourceKind);
    row.target = q(pair.targetLayer);
    row.targetKind = q(pair.targetKind);
    QStringList tensors, transforms, sourceShapes, targetShapes;
    for (const convert::TransferTensor& t : pair.tensors) {
        tensors << QStringLiteral("%1 -> %2").arg(q(t.sourceNames), leafName(t.targetPath));
        transforms << q(t.transform);
        sourceShapes << q(t.sourceShape);
        targetShapes << q(t.targetShape);
    }
    const QString nl = QStringLiteral("\n");
    row.tensors = tensors.join(nl);
    row.transforms = transforms.join(nl);
    row.sourceShapes = sourceShapes.join(nl);
    row.targetShapes = targetShapes.join(nl);
    row.status = MappingRow::Status::Ok;
    return row;
}

// Each pair of `mapping` checked on its own, after the transfer as a whole refused.
std::vector<MappingRow> rowsCheckedOneByOne(const Model& source, const Model& target,
                                            const TransferMapping& mapping) {
    std::vector<MappingRow> rows;
    for (const convert::PairVerdict& v : convert::checkTemplatePairs(source, target, mapping)) {
        MappingRow row = rowOf(v.pair);
        if (!v.ok()) {
            row.status = MappingRow::Status::Mismatch;
            row.reason = q(v.refusal);
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

}  // namespace

MappingCheck checkMapping(const Model& source, const QString& templatePath,
                          const TransferMapping& mapping) {
    MappingCheck check;
    std::unique_ptr<Model> target;
    try {
        try {
            target = openModel(templatePath.toStdString());
        } catch (const Error& e) {
            throw FormatError(std::string("template: ") + e.what());  // as fillTemplate says it
        }
        convert::TransferOptions options;
        options.mapping = mapping;
        // Planning only: the template is read, never filled.
        const convert::TransferResult report =
            convert::planTemplateTransfer(source, *target, options);
        for (const convert::TransferPair& pair : report.pairs) check.rows.push_back(rowOf(pair));
        for (const std::string& n : report.notes) check.notes << q(n);
        for (const std::string& w : report.warnings) check.notes << q("warning: " + w);
    } catch (const std::bad_alloc&) {
        check.error = QObject::tr("out of memory while pairing the layers");
    } catch (const std::exception& e) {
        check.error = q(e.what());
    }
    if (check.ok() || mapping.empty() || !target) return check;
    try {
        check.rows = rowsCheckedOneByOne(source, *target, mapping);
    } catch (const std::exception&) {
        check.rows.clear();  // the whole transfer's refusal above already says what is wrong
    }
    return check;
}

TransferMapping mappingOf(const std::vector<MappingRow>& rows) {
    TransferMapping out;
    for (const MappingRow& row : rows) out[row.key.toStdString()] = row.target.toStdString();
    return out;
}

}  // namespace ws::ui
