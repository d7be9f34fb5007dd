// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// "Compare with...": two open models side by side. A table pairs their layers (compare/:
// by name, then order, kind and shape) with max |A-B|, relative Frobenius norm, cosine
// similarity and an identical flag per pair, colour-coded; the B column is a chooser, so the
// user re-pairs a layer by picking B's layer. Selecting a pair shows its tensors as A | B | A-B
// heatmaps and overlaid histograms (compare_plots.h). The metrics stream on a worker thread.
#include <QWidget>
#include <map>
#include <memory>

#include "compare/model_comparer.h"
#include "inspect/latest_job.h"

class QComboBox;
class QLabel;
class QPushButton;
class QSplitter;
class QTableWidget;

namespace ws::ui {

class ComparePlots;

class ComparePage : public QWidget {
    Q_OBJECT
  public:
    enum Column {
        ColA,
        ColB,
        ColKind,
        ColPairedBy,
        ColMaxAbs,
        ColRelFrob,
        ColCosine,
        ColIdentical
    };

    // Keeps both models alive while the page lives. Errors (models that cannot be aligned)
    // show in the page instead of the table.
    ComparePage(std::shared_ptr<const Model> a, const QString& nameA,
                std::shared_ptr<const Model> b, const QString& nameB, QWidget* parent = nullptr);

    // The metrics are a snapshot: after an edit of A or B the page says so in a banner whose
    // Recompute button measures the edited model again.
    void modelEdited(bool sideA);
    bool isStale() const { return editedA_ || editedB_; }
    QWidget* staleBanner() const { return stale_; }
    QPushButton* recomputeButton() const { return recompute_; }
    // What the status bar says while this tab is shown.
    QString summary() const;

    // Pairs A's layer `labelA` with B's `labelB` (empty: leave it unpaired) and recomputes.
    void repair(const std::string& labelA, const std::string& labelB);
    void selectPair(int row);
    void selectTensor(int index);

    bool busy() const { return job_.running(); }
    const compare::ModelComparison& comparison() const { return result_; }
    QTableWidget* table() const { return table_; }
    QComboBox* tensorChooser() const { return tensor_; }
    ComparePlots* plots() const { return plots_; }
    QString errorText() const { return error_; }

  Q_SIGNALS:
    void comparisonReady();  // the table shows the current pairing's metrics (or the error)
    void summaryChanged();   // summary() says something else now

  private:
    struct Job {
        compare::ModelComparison result;
        QString error;
        bool cancelled = false;
    };
    void recompute();
    void recomputeEdited();
    void fillTable();
    QWidget* bChooser(int row, const compare::LayerComparison& l);
    void fitTableHeight();

    std::shared_ptr<const Model> a_, b_;
    // Shared with the worker computing the metrics, which may outlive the page by one piece.
    std::shared_ptr<const compare::ModelComparer> comparer_;
    std::map<std::string, std::string> explicit_;
    compare::ModelComparison result_;
    std::vector<compare::AlignedTensor> aligned_;
    QString error_;
    LatestJob<Job> job_{this, longJobPool()};  // holds ModelReads of A and B

    QString nameA_, nameB_;
    bool editedA_ = false, editedB_ = false;

    QLabel* header_ = nullptr;
    QWidget* stale_ = nullptr;
    QLabel* staleText_ = nullptr;
    QPushButton* recompute_ = nullptr;
    QSplitter* split_ = nullptr;
    QTableWidget* table_ = nullptr;
    QComboBox* tensor_ = nullptr;
    QLabel* tensorMetrics_ = nullptr;
    ComparePlots* plots_ = nullptr;
};

}  // namespace ws::ui
