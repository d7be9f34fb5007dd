// SPDX-License-Identifier: GPL-3.0-or-later
#include "compare/compare_page.h"

#include <QComboBox>
#include <QFrame>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <limits>

#include "compare/compare_plots.h"
#include "edit/model_reads.h"

namespace ws::ui {

namespace {

QString number(double v) {
    return std::isfinite(v) ? QString::number(v, 'g', 6) : QStringLiteral("inf");
}

// Green: bitwise identical; yellow-green: float rounding (rel. Frobenius <= 1e-6); orange: a
// small difference (<= 1e-2); red: more; grey: unpaired or not comparable.
QColor severity(const compare::LayerComparison& l) {
    if (l.pair.a < 0 || l.pair.b < 0 || !l.problem.empty() || l.tensors.empty())
        return QColor(160, 160, 160, 90);
    if (l.identical()) return QColor(46, 160, 67, 110);
    bool incomplete = false;
    for (const auto& t : l.tensors) incomplete |= !t.problem.empty();
    const double rel = l.total.relativeFrobenius();
    if (!incomplete && rel <= 1e-6) return QColor(154, 205, 50, 110);
    if (!incomplete && rel <= 1e-2) return QColor(255, 165, 0, 120);
    return QColor(220, 50, 47, 120);
}

// Where a pair ranks when leading the user to the differences: differing pairs first, the most
// different (relative Frobenius, then max |A-B|) on top; identical ones after; pairs that
// could not be measured (unpaired, refused) last.
struct DifferenceRank {
    int group = 2;
    double rel = 0, maxAbs = 0;
    bool operator<(const DifferenceRank& o) const {
        if (group != o.group) return group < o.group;
        if (rel != o.rel) return rel > o.rel;
        return maxAbs > o.maxAbs;
    }
};

DifferenceRank rankOf(const compare::DiffMetrics& m, bool measurable) {
    if (!measurable) return {};
    if (m.identical()) return {1, 0, 0};
    // A NaN on one side is a difference the norms leave out: rank it as the largest.
    const double inf = std::numeric_limits<double>::infinity();
    return {0, m.nonFinite ? inf : m.relativeFrobenius(), m.nonFinite ? inf : m.maxAbsDiff};
}

DifferenceRank rankOf(const compare::LayerComparison& l) {
    return rankOf(l.total, l.pair.a >= 0 && l.pair.b >= 0 && l.problem.empty() && l.total.count);
}

const compare::TensorComparison* metricsOf(const compare::LayerComparison& l,
                                           const std::string& role) {
    for (const compare::TensorComparison& c : l.tensors)
        if (c.role == role) return &c;
    return nullptr;
}

QString metricsTip(const compare::DiffMetrics& m) {
    return QObject::tr("%1 of %2 elements differ; max |A-B| %3; ||A-B||/||B|| %4; cosine %5%6")
        .arg(m.differing)
        .arg(m.count)
        .arg(number(m.maxAbsDiff), number(m.relativeFrobenius()), number(m.cosine()))
        .arg(m.nonFinite ? QObject::tr("; %1 NaN/Inf pairs left out").arg(m.nonFinite) : QString());
}

}  // namespace

ComparePage::ComparePage(std::shared_ptr<const Model> a, const QString& nameA,
                         std::shared_ptr<const Model> b, const QString& nameB, QWidget* parent)
    : QWidget(parent), a_(std::move(a)), b_(std::move(b)), nameA_(nameA), nameB_(nameB) {
    auto* layout = new QVBoxLayout(this);
    header_ = new QLabel(this);
    header_->setWordWrap(true);
    header_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(header_);

    stale_ = new QFrame(this);
    stale_->setObjectName(QStringLiteral("staleBanner"));
    stale_->setAutoFillBackground(true);
    QPalette warn = stale_->palette();
    warn.setColor(QPalette::Window, QColor(255, 236, 179));
    warn.setColor(QPalette::WindowText, QColor(60, 40, 0));
    stale_->setPalette(warn);
    auto* staleRow = new QHBoxLayout(stale_);
    staleText_ = new QLabel(stale_);
    staleRow->addWidget(staleText_, 1);
    recompute_ = new QPushButton(tr("Recompute"), stale_);
    recompute_->setObjectName(QStringLiteral("recomputeButton"));
    recompute_->setToolTip(tr("Measure the edited model(s) again"));
    staleRow->addWidget(recompute_);
    connect(recompute_, &QPushButton::clicked, this, &ComparePage::recomputeEdited);
    stale_->hide();
    layout->addWidget(stale_);

    auto* split = new QSplitter(Qt::Vertical, this);
    table_ = new QTableWidget(0, 8, split);
    table_->setHorizontalHeaderLabels({tr("A layer"), tr("B layer"), tr("Kind"), tr("Paired by"),
                                       tr("max |A-B|"), tr("rel. Frobenius"), tr("cosine"),
                                       tr("identical")});
    const QStringList tips = {
        tr("A's layer (a weight group or module; cross-format: a Keras layer or PyTorch unit)"),
        tr("B's layer: choose another to re-pair, or (none) to leave A's layer unpaired"),
        tr("Layer kind"),
        tr("How the pair was made: name, order (kind and shape), user, or unpaired"),
        tr("The largest absolute element difference over the layer's tensors"),
        tr("Relative Frobenius norm ||A-B|| / ||B|| over all the layer's tensors as one vector "
           "(B is the reference; 0 when both are zero, inf when only A is non-zero)"),
        tr("Cosine similarity <A,B> / (||A|| ||B||) (1 when both are zero)"),
        tr("Bitwise identical after alignment to one layout")};
    for (int c = 0; c < tips.size(); ++c) table_->horizontalHeaderItem(c)->setToolTip(tips[c]);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->verticalHeader()->setVisible(false);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setStretchLastSection(true);
    connect(table_, &QTableWidget::currentCellChanged, this,
            [this](int row, int, int previous, int) {
                if (row != previous) selectPair(row);
            });

    auto* lower = new QWidget(split);
    auto* lowerLayout = new QVBoxLayout(lower);
    lowerLayout->setContentsMargins(0, 0, 0, 0);
    auto* chooserRow = new QHBoxLayout;
    chooserRow->addWidget(new QLabel(tr("Tensor:"), lower));
    tensor_ = new QComboBox(lower);
    tensor_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    chooserRow->addWidget(tensor_);
    tensorMetrics_ = new QLabel(lower);
    chooserRow->addWidget(tensorMetrics_, 1);
    lowerLayout->addLayout(chooserRow);
    plots_ = new ComparePlots(lower);
    lowerLayout->addWidget(plots_, 1);
    connect(tensor_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            &ComparePage::selectTensor);
    split->addWidget(table_);
    split->addWidget(lower);
    split->setSizes({300, 560});
    split_ = split;
    layout->addWidget(split, 1);

    try {
        comparer_ = std::make_shared<const compare::ModelComparer>(*a_, *b_);
        header_->setText(tr("A: %1   B: %2   (%3)")
                             .arg(nameA, nameB, QString::fromStdString(comparer_->layout())));
        recompute();
    } catch (const std::exception& e) {
        error_ = QString::fromStdString(e.what());
        header_->setText(tr("Cannot compare %1 with %2: %3").arg(nameA, nameB, error_));
        QMetaObject::invokeMethod(this, &ComparePage::comparisonReady, Qt::QueuedConnection);
    }
}

void ComparePage::repair(const std::string& labelA, const std::string& labelB) {
    explicit_[labelA] = labelB;
    recompute();
}

void ComparePage::modelEdited(bool sideA) {
    (sideA ? editedA_ : editedB_) = true;
    const QString who = editedA_ && editedB_ ? tr("A (%1) and B (%2) were").arg(nameA_, nameB_)
                        : editedA_           ? tr("A (%1) was").arg(nameA_)
                                             : tr("B (%1) was").arg(nameB_);
    staleText_->setText(
        tr("%1 edited since this comparison — Recompute to measure again.").arg(who));
    stale_->show();
    Q_EMIT summaryChanged();
}

void ComparePage::recomputeEdited() {
    editedA_ = editedB_ = false;
    stale_->hide();
    recompute();
}

QString ComparePage::summary() const {
    if (!error_.isEmpty()) return tr("Cannot compare %1 with %2: %3").arg(nameA_, nameB_, error_);
    QString s = busy() ? tr("Comparing %1 (A) with %2 (B) ...").arg(nameA_, nameB_)
                       : tr("%1 (A) vs %2 (B): %3 of %4 layer pairs identical")
                             .arg(nameA_, nameB_)
                             .arg(result_.identicalLayers())
                             .arg(result_.layers.size());
    if (comparer_) s += QStringLiteral(" · ") + QString::fromStdString(comparer_->layout());
    if (isStale()) s += tr(" · edited since: Recompute");
    return s;
}

void ComparePage::recompute() {
    if (!comparer_) return;
    // The worker holds the comparer and both models, so closing the page mid-way is safe; the
    // reads keep edits of either model off until it has finished (edit/model_reads.h).
    std::shared_ptr<const compare::ModelComparer> comparer = comparer_;
    const std::map<std::string, std::string> pairs = explicit_;
    std::shared_ptr<const Model> keepA = a_, keepB = b_;
    const std::vector<ModelReadPtr> reads = {std::make_shared<ModelRead>(*a_, tr("Compare")),
                                             std::make_shared<ModelRead>(*b_, tr("Compare"))};
    job_.start(
        [comparer, pairs, keepA, keepB, reads](const std::atomic<bool>* cancel) {
            const ModelReadScope reading(reads);
            Job job;
            runRead(job, [&] { job.result = comparer->compare(pairs, cancel); });
            return job;
        },
        [this](const Job& job) {
            if (job.cancelled) return;
            error_ = job.error;
            result_ = job.result;
            std::stable_sort(
                result_.layers.begin(), result_.layers.end(),
                [](const compare::LayerComparison& x, const compare::LayerComparison& y) {
                    return rankOf(x) < rankOf(y);
                });
            fillTable();
            Q_EMIT comparisonReady();
            Q_EMIT summaryChanged();
        });
    Q_EMIT summaryChanged();
}

QWidget* ComparePage::bChooser(int row, const compare::LayerComparison& l) {
    auto* box = new QComboBox(table_);
    box->addItem(tr("(none)"), QString());
    for (const compare::CompareUnit& u : comparer_->unitsB())
        box->addItem(QString::fromStdString(u.label), QString::fromStdString(u.label));
    box->setCurrentIndex(std::max(0, box->findData(QString::fromStdString(l.labelB))));
    const std::string labelA = l.labelA;
    connect(box, qOverload<int>(&QComboBox::activated), this, [this, box, labelA, row] {
        table_->setCurrentCell(row, ColA);
        repair(labelA, box->currentData().toString().toStdString());
    });
    return box;
}

void ComparePage::fillTable() {
    const int keep = std::max(0, table_->currentRow());
    table_->setRowCount(0);
    if (!error_.isEmpty()) {
        header_->setText(header_->text() + QStringLiteral("\n") + error_);
        return;
    }
    table_->setRowCount(int(result_.layers.size()));
    for (int r = 0; r < table_->rowCount(); ++r) {
        const compare::LayerComparison& l = result_.layers[std::size_t(r)];
        const bool paired = l.pair.a >= 0 && l.pair.b >= 0;
        const bool measured = paired && l.problem.empty() && l.total.count > 0;
        const QString cells[8] = {
            l.labelA.empty() ? QStringLiteral("-") : QString::fromStdString(l.labelA),
            l.labelB.empty() ? QStringLiteral("-") : QString::fromStdString(l.labelB),
            QString::fromStdString(l.kindA.empty() ? l.kindB : l.kindA),
            QString::fromLatin1(compare::pairedByName(l.pair.by)),
            measured ? number(l.total.maxAbsDiff) : QString(),
            measured ? number(l.total.relativeFrobenius()) : QString(),
            measured ? number(l.total.cosine()) : QString(),
            paired ? (l.identical() ? tr("yes") : tr("no")) : QString()};
        const QColor colour = severity(l);
        const QString tip = !l.problem.empty() ? QString::fromStdString(l.problem)
                            : measured         ? metricsTip(l.total)
                                               : tr("not paired");
        for (int c = 0; c < 8; ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            if (c >= ColMaxAbs) item->setBackground(colour);
            item->setToolTip(tip);
            table_->setItem(r, c, item);
        }
        if (l.pair.a >= 0) table_->setCellWidget(r, ColB, bChooser(r, l));
    }
    header_->setText(header_->text().section(QLatin1Char('\n'), 0, 0) +
                     tr("\n%1 of %2 layer pairs identical")
                         .arg(result_.identicalLayers())
                         .arg(result_.layers.size()));
    fitTableHeight();
    if (table_->rowCount() > 0) {
        table_->setCurrentCell(std::min(keep, table_->rowCount() - 1), ColA);
        selectPair(table_->currentRow());
    }
}

void ComparePage::fitTableHeight() {
    // As tall as its rows (two pairs need two rows, not a third of the window), at most 40%.
    int needed = table_->horizontalHeader()->sizeHint().height() + 2 * table_->frameWidth() + 2;
    for (int r = 0; r < table_->rowCount(); ++r) needed += table_->rowHeight(r);
    const int total = split_->height() > 0 ? split_->height() : 860;
    const int top = std::min(needed, total * 2 / 5);
    split_->setSizes({top, std::max(total - top, 1)});
}

void ComparePage::selectPair(int row) {
    tensor_->blockSignals(true);
    tensor_->clear();
    aligned_.clear();
    if (row < 0 || std::size_t(row) >= result_.layers.size()) {
        tensor_->blockSignals(false);
        plots_->clear();
        return;
    }
    const compare::LayerComparison& l = result_.layers[std::size_t(row)];
    try {
        aligned_ = comparer_->alignedTensors(l.pair);
    } catch (const std::exception& e) {
        tensor_->blockSignals(false);
        plots_->clear(QString::fromStdString(e.what()));
        return;
    }
    // The tensors that differ most first, each marked, so the view opens on a difference.
    std::stable_sort(aligned_.begin(), aligned_.end(),
                     [&l](const compare::AlignedTensor& x, const compare::AlignedTensor& y) {
                         const compare::TensorComparison* cx = metricsOf(l, x.role);
                         const compare::TensorComparison* cy = metricsOf(l, y.role);
                         const DifferenceRank rx =
                             cx ? rankOf(cx->metrics, cx->problem.empty()) : DifferenceRank{};
                         const DifferenceRank ry =
                             cy ? rankOf(cy->metrics, cy->problem.empty()) : DifferenceRank{};
                         return rx < ry;
                     });
    for (const compare::AlignedTensor& t : aligned_) {
        const compare::TensorComparison* c = metricsOf(l, t.role);
        const QString role = QString::fromStdString(t.role);
        QString mark;
        if (c && c->problem.empty())
            mark = c->metrics.identical()
                       ? tr("identical")
                       : tr("differs, max |A-B| %1").arg(number(c->metrics.maxAbsDiff));
        tensor_->addItem(mark.isEmpty() ? role : tr("%1  (%2)").arg(role, mark), role);
    }
    tensor_->blockSignals(false);
    selectTensor(aligned_.empty() ? -1 : 0);
}

void ComparePage::selectTensor(int index) {
    if (index < 0 || std::size_t(index) >= aligned_.size()) {
        tensorMetrics_->clear();
        plots_->clear();
        return;
    }
    if (tensor_->currentIndex() != index) {
        tensor_->blockSignals(true);
        tensor_->setCurrentIndex(index);
        tensor_->blockSignals(false);
    }
    const compare::AlignedTensor& t = aligned_[std::size_t(index)];
    const int row = table_->currentRow();
    QString metrics;
    if (row >= 0 && std::size_t(row) < result_.layers.size())
        for (const compare::TensorComparison& c : result_.layers[std::size_t(row)].tensors)
            if (c.role == t.role)
                metrics =
                    c.problem.empty() ? metricsTip(c.metrics) : QString::fromStdString(c.problem);
    tensorMetrics_->setText(metrics);
    const QString title = tr("A: %1   B: %2")
                              .arg(QString::fromStdString(t.pathA.empty() ? "-" : t.pathA),
                                   QString::fromStdString(t.pathB.empty() ? "-" : t.pathB));
    try {
        plots_->setTensors(t.a, t.b, title);
    } catch (const std::exception& e) {
        plots_->clear(title + QStringLiteral(" - ") + QString::fromStdString(e.what()));
    }
}

}  // namespace ws::ui
