// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What a layer holds at a glance: each of its tensors as a small heatmap, side by side, with the
// layer's attributes above. Clicking a tile opens that tensor.
#include <QSet>
#include <QString>
#include <QWidget>
#include <memory>
#include <vector>

#include "inspect/latest_job.h"
#include "model/model.h"
#include "stats/heatmap_preparation.h"

class QGridLayout;
class QLabel;

namespace ws::ui {

class HeatmapPlot;

class LayerOverview : public QWidget {
    Q_OBJECT
  public:
    explicit LayerOverview(QWidget* parent = nullptr);

    // Shows up to kMaxTensors tensors found below node (depth first), reading them on a worker.
    void setNode(std::shared_ptr<const Model> model, const Node* node);
    // Re-reads the tiles when any of `paths` (tensors an edit, undo or redo wrote) is shown.
    void tensorsEdited(const QSet<QString>& paths);
    int tensorCount() const { return int(tensors_.size()); }
    HeatmapPlot* plotAt(int i) const { return plots_.at(std::size_t(i)); }
    QString titleAt(int i) const;

    static constexpr int kMaxTensors = 12;

  Q_SIGNALS:
    void tensorActivated(const QString& path);
    void allShown();  // every small heatmap has its data

  protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void showEvent(QShowEvent* event) override;

  private:
    struct Tile {
        PreparedHeatmap prepared;
        double maxAbs = 0;  // over the whole tensor
        QString error;
    };
    struct Tiles {
        std::vector<Tile> tiles;
        bool cancelled = false;
    };
    void readTiles();
    void show(int i, const Tile& tile);

    std::shared_ptr<const Model> model_;
    std::vector<const Node*> tensors_;
    std::vector<HeatmapPlot*> plots_;
    std::vector<QLabel*> titles_;
    QStringList titleTexts_;      // without the range or error a reading adds
    bool tilesOutdated_ = false;  // edited while hidden
    QLabel* header_ = nullptr;
    QWidget* grid_ = nullptr;
    QGridLayout* gridLayout_ = nullptr;
    LatestJob<Tiles> job_{this};  // a newer setNode cancels the previous reading
};

}  // namespace ws::ui
