// SPDX-License-Identifier: GPL-3.0-or-later
#include "heatmap/heatmap_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QSignalBlocker>
#include <QVBoxLayout>
#include <cmath>
#include <stdexcept>

#include "edit/editable_storage.h"
#include "heatmap/data_colors.h"
#include "heatmap/heatmap_plot.h"

namespace ws::ui {

namespace {

QString swatch(const QColor& c, const QString& text) {
    return QStringLiteral("<span style=\"color:%1\">&#9632;</span>&nbsp;%2").arg(c.name(), text);
}

constexpr std::int64_t kMaxChannelLabels = 32;

QString range(std::int64_t a, std::int64_t b) {
    return b - a <= 1 ? QString::number(a) : QStringLiteral("%1-%2").arg(a).arg(b - 1);
}

}  // namespace

HeatmapView::HeatmapView(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    auto* options = new QHBoxLayout;
    clip_ = new QCheckBox(tr("Clip colours at %1th percentile of |x|").arg(kClipPercentile), this);
    clip_->setToolTip(
        tr("Off: the colour range is ±max|x|. On: a few outliers no longer wash "
           "out the rest; values beyond the clip saturate."));
    reduction_ = new QComboBox(this);
    reduction_->addItem(tr("Block mean"), int(BlockReduction::Mean));
    reduction_->addItem(tr("Block max |x|"), int(BlockReduction::MaxAbs));
    reduction_->setToolTip(tr("How large matrices are summarised for display"));
    tilesBox_ = new QCheckBox(tr("Kernel tiles"), this);
    tilesBox_->setToolTip(
        tr("Show a convolution kernel as a grid of filters: one tile per "
           "(output, input) channel pair"));
    options->addWidget(clip_);
    options->addWidget(new QLabel(tr("Large matrices:"), this));
    options->addWidget(reduction_);
    options->addWidget(tilesBox_);
    options->addStretch(1);
    layout->addLayout(options);
    busyRow_ = new QWidget(this);
    auto* busyLayout = new QHBoxLayout(busyRow_);
    busyLayout->setContentsMargins(0, 0, 0, 0);
    auto* bar = new QProgressBar(busyRow_);
    bar->setRange(0, 0);  // indeterminate: one pass, its length is the tensor's size
    bar->setMaximumWidth(160);
    busyText_ = new QLabel(busyRow_);
    busyLayout->addWidget(bar);
    busyLayout->addWidget(busyText_, 1);
    busyRow_->setVisible(false);
    layout->addWidget(busyRow_);
    plot_ = new HeatmapPlot(this);
    plot_->setDescriber(
        [this](std::int64_t r0, std::int64_t r1, std::int64_t c0, std::int64_t c1, double v) {
            return tiles_ ? describeTile(r0, c0, v) : describeSlice(r0, r1, c0, c1, v);
        });
    layout->addWidget(plot_, 1);
    connect(plot_, &HeatmapPlot::elementClicked, this, [this](qint64 r, qint64 c) {
        if (!tensor_ || r >= prepared_.rows || c >= prepared_.cols) return;
        QList<qint64> index;
        for (std::int64_t i :
             tiles_ ? tileIndex(r, c) : sliceElementIndex(spec_, tensor_->shape.size(), r, c))
            index << i;
        Q_EMIT elementClicked(index);
    });
    info_ = new QLabel(this);
    info_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    info_->setWordWrap(true);
    layout->addWidget(info_);

    // Both reductions and both ranges come out of the same pass: switching only redraws.
    connect(clip_, &QCheckBox::toggled, this, &HeatmapView::redraw);
    connect(reduction_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            &HeatmapView::redraw);
    connect(tilesBox_, &QCheckBox::toggled, this, [this](bool on) {
        tiles_ = on;
        refresh();
        Q_EMIT tilesShown(on);
    });
}

void HeatmapView::setTensor(TensorPtr tensor, const GateLayout& gates, bool isKeras) {
    clear();
    tensor_ = std::move(tensor);
    gates_ = gates;
    isKeras_ = isKeras;
    spec_ = tensor_ ? defaultSlice(tensor_->shape) : SliceSpec{};
    const bool kernelLike =
        tensor_ && !gates_.valid() && kernelLayoutFor(tensor_->shape, isKeras, &kernel_);
    {
        const QSignalBlocker block(tilesBox_);
        tilesBox_->setEnabled(kernelLike);
        // A 4-D weight is nearly always a conv kernel; 3-D ones are often something else.
        tiles_ = kernelLike && tensor_->shape.size() == 4;
        tilesBox_->setChecked(tiles_);
    }
    Q_EMIT tilesShown(tiles_);
    refresh();
}

void HeatmapView::setSlice(const SliceSpec& spec) {
    spec_ = spec;
    if (!tiles_) refresh();
}

void HeatmapView::clear() {
    job_.cancel();
    busyRow_->setVisible(false);
    tensor_.reset();
    prepared_ = {};
    range_ = {};
    rangeKnown_ = false;
    halfRange_ = 0;
    plot_->clearContent();
    info_->clear();
}

void HeatmapView::reload() {
    rangeKnown_ = false;
    refresh();
}

void HeatmapView::setClipToPercentile(bool clip) { clip_->setChecked(clip); }
void HeatmapView::setReduction(BlockReduction mode) {
    reduction_->setCurrentIndex(reduction_->findData(int(mode)));
}
void HeatmapView::setTiles(bool tiles) { tilesBox_->setChecked(tiles && tilesAvailable()); }
bool HeatmapView::tilesAvailable() const { return tilesBox_->isEnabled(); }
bool HeatmapView::showingTiles() const { return tiles_; }
void HeatmapView::setMaxDisplayCells(std::int64_t n) {
    maxCells_ = std::max<std::int64_t>(n, 1);
    refresh();
}

QString HeatmapView::gateOf(std::int64_t i) const {
    if (!gates_.valid()) return {};
    const std::int64_t block = i / gates_.gateSize;
    if (block < 0 || block >= std::int64_t(gates_.labels.size())) return {};
    return QStringLiteral("gate %1, unit %2")
        .arg(QString::fromStdString(gates_.labels[std::size_t(block)]))
        .arg(i % gates_.gateSize);
}

QString HeatmapView::describeSlice(std::int64_t r0, std::int64_t r1, std::int64_t c0,
                                   std::int64_t c1, double value) const {
    r1 = std::min(r1, prepared_.rows);
    c1 = std::min(c1, prepared_.cols);
    QStringList idx;
    for (std::size_t a = 0; a < tensor_->shape.size(); ++a) {
        if (int(a) == spec_.rowAxis)
            idx << range(r0, r1);
        else if (int(a) == spec_.colAxis)
            idx << range(c0, c1);
        else
            idx << QString::number(spec_.fixed[a]);
    }
    QString text =
        QStringLiteral("[%1] = %2").arg(idx.join(QStringLiteral(", "))).arg(value, 0, 'g', 7);
    if ((r1 - r0) * (c1 - c0) > 1)
        text += QStringLiteral("  (%1 of %2 elements)")
                    .arg(reduction_->currentText().toLower())
                    .arg((r1 - r0) * (c1 - c0));
    std::int64_t along = -1;
    if (gates_.valid() && gates_.axis == spec_.rowAxis && r1 - r0 == 1) along = r0;
    if (gates_.valid() && gates_.axis == spec_.colAxis && c1 - c0 == 1) along = c0;
    if (along >= 0) text += QStringLiteral("\n") + gateOf(along);
    return text;
}

std::vector<std::int64_t> HeatmapView::tileIndex(std::int64_t r, std::int64_t c) const {
    auto dim = [&](int axis) { return axis >= 0 ? tensor_->shape[std::size_t(axis)] : 1; };
    const std::int64_t kh = dim(kernel_.kernelRowAxis), kw = dim(kernel_.kernelColAxis);
    std::vector<std::int64_t> index(tensor_->shape.size(), 0);
    index[std::size_t(kernel_.outAxis)] = r / kh;
    index[std::size_t(kernel_.inAxis)] = c / kw;
    if (kernel_.kernelRowAxis >= 0) index[std::size_t(kernel_.kernelRowAxis)] = r % kh;
    index[std::size_t(kernel_.kernelColAxis)] = c % kw;
    return index;
}

QString HeatmapView::describeTile(std::int64_t r, std::int64_t c, double value) const {
    const std::vector<std::int64_t> index = tileIndex(r, c);
    QStringList parts;
    for (std::int64_t i : index) parts << QString::number(i);
    QString text =
        QStringLiteral("[%1] = %2").arg(parts.join(QStringLiteral(", "))).arg(value, 0, 'g', 7);
    text += tr("\noutput channel %1, input channel %2")
                .arg(index[std::size_t(kernel_.outAxis)])
                .arg(index[std::size_t(kernel_.inAxis)]);
    return text;
}

void HeatmapView::showError(const QString& text) {
    plot_->clearContent();
    prepared_ = {};
    info_->setText(text);
}

void HeatmapView::refresh() {
    job_.cancel();
    busyRow_->setVisible(false);
    if (!tensor_) return;
    if (tensor_->numel() == 0) {
        showError(tr("The tensor has no elements."));
        Q_EMIT ready();
        return;
    }
    auto grid = std::make_shared<ElementGrid>();
    try {
        *grid = tiles_ ? kernelTileGrid(*tensor_, kernel_) : sliceGrid(*tensor_, spec_);
    } catch (const std::invalid_argument& e) {  // a spec left over from another tensor
        showError(tr("Cannot show this slice: %1").arg(QString::fromUtf8(e.what())));
        Q_EMIT ready();
        return;
    }
    // Tiles and rank <= 2 slices show every element, so their pass also yields the tensor's
    // colour range; other slices need one pass over the whole tensor, once per tensor.
    const bool coversAll = tiles_ || tensor_->shape.size() <= 2;
    const bool wholePass = !rangeKnown_ && !coversAll;
    const std::int64_t work = grid->rows() * grid->cols() + (wholePass ? tensor_->numel() : 0);
    PrepareOptions options;
    options.range = !rangeKnown_ && coversAll;
    options.clipPercentile = kClipPercentile;
    options.threads = work > kInlineElements ? preparationThreads() : 1;
    const TensorPtr tensor = readSnapshot(tensor_);  // later edits leave it as it is
    const std::int64_t cells = maxCells_;
    auto compute = [tensor, grid, cells, options, wholePass](const std::atomic<bool>* cancel) {
        Job job;
        PrepareOptions o = options;
        o.cancel = cancel;
        runRead(job, [&] {
            job.prepared = prepareHeatmap(*tensor, *grid, cells, cells, o);
            job.hasRange = o.range || wholePass;
            job.range = wholePass ? tensorColourRange(*tensor, o) : job.prepared.range;
        });
        return job;
    };
    if (work <= kInlineElements) {
        apply(compute(nullptr));
        return;
    }
    busyText_->setText(tr("Reading and reducing %1 values...").arg(QLocale().toString(work)));
    busyRow_->setVisible(true);
    job_.start(compute, [this](const Job& job) { apply(job); });
}

void HeatmapView::apply(const Job& job) {
    busyRow_->setVisible(false);
    if (job.cancelled) return;
    if (!job.error.isEmpty()) {
        showError(tr("Cannot show values: %1").arg(job.error));
        Q_EMIT ready();
        return;
    }
    prepared_ = job.prepared;
    if (job.hasRange) {
        range_ = job.range;
        rangeKnown_ = true;
    }
    redraw();
    Q_EMIT ready();
}

void HeatmapView::redraw() {
    if (!tensor_ || prepared_.rows == 0) return;
    halfRange_ = clip_->isChecked() ? range_.clipAbs : range_.maxAbs;
    AxisBlocks rowBlocks, colBlocks;
    QString rowTitle, colTitle;
    if (tiles_) {
        auto dim = [&](int axis) { return axis >= 0 ? tensor_->shape[std::size_t(axis)] : 1; };
        rowBlocks.blockSize = dim(kernel_.kernelRowAxis);
        colBlocks.blockSize = dim(kernel_.kernelColAxis);
        // Channel numbers on the opposite axes, while they still fit side by side.
        const auto channelLabels = [](std::int64_t n) {
            QStringList l;
            for (std::int64_t i = 0; n <= kMaxChannelLabels && i < n; ++i) l << QString::number(i);
            return l;
        };
        rowBlocks.labels = channelLabels(dim(kernel_.outAxis));
        colBlocks.labels = channelLabels(dim(kernel_.inAxis));
        rowTitle = tr("output channel (axis %1) × kernel row").arg(kernel_.outAxis);
        colTitle = tr("input channel (axis %1) × kernel column").arg(kernel_.inAxis);
    } else {
        QStringList labels;
        for (const auto& l : gates_.labels) labels << QString::fromStdString(l);
        AxisBlocks gateBlocks{gates_.gateSize, labels};
        if (gates_.valid() && gates_.axis == spec_.rowAxis) rowBlocks = gateBlocks;
        if (gates_.valid() && gates_.axis == spec_.colAxis) colBlocks = gateBlocks;
        rowTitle = spec_.rowAxis >= 0 ? tr("axis %1").arg(spec_.rowAxis) : QString();
        colTitle = spec_.colAxis >= 0 ? tr("axis %1").arg(spec_.colAxis) : QString();
    }
    const auto mode = BlockReduction(reduction_->currentData().toInt());
    const ReducedMatrix reduced = prepared_.reduced(mode);
    plot_->setContent(reduced, halfRange_, rowBlocks, colBlocks, rowTitle, colTitle);

    QStringList parts;
    parts << tr("showing %1 × %2").arg(prepared_.rows).arg(prepared_.cols);
    if (reduced.rowBlock > 1 || reduced.colBlock > 1)
        parts << tr("reduced to %1 × %2 cells of %3 × %4 (%5)")
                     .arg(reduced.matrix.rows)
                     .arg(reduced.matrix.cols)
                     .arg(reduced.rowBlock)
                     .arg(reduced.colBlock)
                     .arg(reduction_->currentText().toLower());
    QString how = tr("max |x|");
    if (clip_->isChecked())
        how = range_.clipExact
                  ? tr("%1th percentile of |x|").arg(kClipPercentile)
                  : tr("%1th percentile of |x|, estimated to 0.4 %").arg(kClipPercentile);
    parts << tr("colour range ±%1 (%2)").arg(halfRange_, 0, 'g', 4).arg(how);
    if (gates_.valid()) {
        QStringList labels;
        for (const auto& l : gates_.labels) labels << QString::fromStdString(l);
        parts << tr("gates %1 along axis %2, %3 each")
                     .arg(labels.join(QLatin1Char(',')))
                     .arg(gates_.axis)
                     .arg(gates_.gateSize);
    }
    if (prepared_.nan) parts << swatch(nanColor(), tr("NaN: %1").arg(prepared_.nan));
    if (prepared_.posInf) parts << swatch(posInfColor(), tr("+Inf: %1").arg(prepared_.posInf));
    if (prepared_.negInf) parts << swatch(negInfColor(), tr("-Inf: %1").arg(prepared_.negInf));
    info_->setText(parts.join(QStringLiteral(" · ")));
}

QString HeatmapView::summary() const { return info_->text(); }

}  // namespace ws::ui
