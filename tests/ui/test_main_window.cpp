// SPDX-License-Identifier: GPL-3.0-or-later
// The main window and model tree on real files of every format: opening (one tab per model),
// the tree's columns and totals, filtering, sorting, value nodes, errors and recent files.
#include <QAction>
#include <QApplication>
#include <QLineEdit>
#include <QMimeData>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTemporaryDir>

#include "about/about.h"
#include "tree/model_tree_model.h"
#include "ui_test_support.h"
#include "window/about_dialog.h"

using namespace ws;
using namespace ws::ui;
using namespace ws::test;

namespace {

// Every row of a (proxy) model, depth first.
void collectRows(const QAbstractItemModel* m, const QModelIndex& parent, QList<QModelIndex>& out) {
    for (int r = 0; r < m->rowCount(parent); ++r) {
        const QModelIndex i = m->index(r, 0, parent);
        out << i;
        collectRows(m, i, out);
    }
}

}  // namespace

class MainWindowTest : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);  // QSettings go to a throw-away location
        QSettings().clear();
        window_.setQuietErrors(true);
        window_.show();
    }

    void opensEveryFormat_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("someTensor");  // a path torch/h5py would name
        QTest::newRow("torch zip state_dict") << "pytorch/mlp_state_dict.pth"
                                              << "";
        QTest::newRow("torch legacy") << "pytorch/mlp_full_model_pickle_legacy.pt"
                                      << "";
        QTest::newRow("torchscript") << "pytorch/torchscript_adder_mlp.pt"
                                     << "";
        QTest::newRow("keras h5") << "keras/lstm_stacked_timeseries_keras3.h5"
                                  << "";
        QTest::newRow("keras v3") << "keras/lstm_functional_keras3.keras"
                                  << "";
        QTest::newRow("keras weights.h5") << "keras/lstm_functional_keras3.weights.h5"
                                          << "";
    }

    void opensEveryFormat() {
        QFETCH(QString, file);
        const QString path = fixture(file);
        if (path.isEmpty())
            QSKIP(qPrintable(QStringLiteral("SKIP: fixture %1 not found").arg(file)));
        const int before = window_.pageCount();
        ModelPage* page = openAndWait(window_, path);
        QVERIFY(page);
        QCOMPARE(window_.pageCount(), before + 1);
        QCOMPARE(window_.currentPage(), page);
        checkTreeMatchesModel(page);
    }

    void opensSafetensors() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("two.safetensors"));
        QVERIFY(writeSafetensors(path,
                                 {{QStringLiteral("a.weight"), {3, 4}, std::vector<float>(12, 1.f)},
                                  {QStringLiteral("a.bias"), {4}, {1, 2, 3, 4}}}));
        ModelPage* page = openAndWait(window_, path);
        QVERIFY(page);
        checkTreeMatchesModel(page);
        const ModelTreeModel::Totals t = page->treeModel()->totals(page->model()->root.get());
        QCOMPARE(t.parameters, std::int64_t(16));
        QCOMPARE(t.bytes, std::uint64_t(64));
        QVERIFY(page->summary().startsWith(QStringLiteral("2 tensors")));
    }

    void treeColumnsDescribeTensors() {
        WS_REQUIRE_FIXTURE(file, "pytorch/cnn_batchnorm_mnist_state_dict.pt");
        ModelPage* page = openAndWait(window_, file);
        QVERIFY(page);
        ModelTreeModel* m = page->treeModel();
        const QModelIndex conv = m->indexOf(page->model()->find("conv2.weight"));
        QVERIFY(conv.isValid());
        auto col = [&](int c) { return m->index(conv.row(), c, conv.parent()).data().toString(); };
        QCOMPARE(col(ModelTreeModel::NameColumn), QStringLiteral("weight"));
        QCOMPARE(col(ModelTreeModel::ShapeColumn), QStringLiteral("(16, 8, 3, 3)"));
        QCOMPARE(col(ModelTreeModel::DTypeColumn), QStringLiteral("f32"));
        QCOMPARE(m->index(conv.row(), ModelTreeModel::ParamsColumn, conv.parent())
                     .data(ModelTreeModel::SortRole)
                     .toLongLong(),
                 1152LL);
        QCOMPARE(m->index(conv.row(), ModelTreeModel::SizeColumn, conv.parent())
                     .data(ModelTreeModel::SortRole)
                     .toULongLong(),
                 4608ULL);
        // The i64 scalar counter is a 0-D tensor with 1 element.
        const QModelIndex counter = m->indexOf(page->model()->find("norm1.num_batches_tracked"));
        QCOMPARE(m->index(counter.row(), ModelTreeModel::DTypeColumn, counter.parent())
                     .data()
                     .toString(),
                 QStringLiteral("i64"));
    }

    void filterKeepsMatchesAndTheirAncestors() {
        WS_REQUIRE_FIXTURE(file, "pytorch/lstm_3layer_charlm_state_dict.pth");
        ModelPage* page = openAndWait(window_, file);
        QVERIFY(page);
        page->filterBox()->setText(QStringLiteral("BIAS_HH"));  // case-insensitive
        QList<QModelIndex> rows;
        collectRows(page->proxy(), {}, rows);
        int leaves = 0;
        for (const QModelIndex& i : rows) {
            const Node* n = page->treeModel()->nodeAt(page->proxy()->mapToSource(i));
            if (n->kind == NodeKind::Tensor) {
                ++leaves;
                QVERIFY2(QString::fromStdString(n->name).contains(QStringLiteral("bias_hh")),
                         n->path.c_str());
            }
        }
        QCOMPARE(leaves, 3);           // bias_hh_l0..l2
        QCOMPARE(rows.size(), 3 + 1);  // and their layer, "lstm"
        page->filterBox()->clear();
        rows.clear();
        collectRows(page->proxy(), {}, rows);
        int all = 0;
        page->model()->forEachNode([&](Node& n) { all += n.parent != nullptr; });
        QCOMPARE(rows.size(), all);
    }

    void sortsNumericallyByParameters() {
        WS_REQUIRE_FIXTURE(file, "pytorch/cnn_batchnorm_mnist_state_dict.pt");
        ModelPage* page = openAndWait(window_, file);
        QVERIFY(page);
        page->tree()->sortByColumn(ModelTreeModel::ParamsColumn, Qt::DescendingOrder);
        QSortFilterProxyModel* p = page->proxy();
        qlonglong previous = std::numeric_limits<qlonglong>::max();
        for (int r = 0; r < p->rowCount(); ++r) {
            const qlonglong v = p->index(r, ModelTreeModel::ParamsColumn)
                                    .data(ModelTreeModel::SortRole)
                                    .toLongLong();
            QVERIFY(v <= previous);
            previous = v;
        }
        // fc1 (32 x 11616 + 32) is the largest layer: numeric, not text, order.
        QCOMPARE(p->index(0, 0).data().toString(), QStringLiteral("fc1"));
    }

    void valueNodesAreVisible() {
        WS_REQUIRE_FIXTURE(file, "pytorch/checkpoint_model_optimizer_state_dict.pt");
        ModelPage* page = openAndWait(window_, file);
        QVERIFY(page);
        const Node* epoch = page->model()->find("epoch");
        QVERIFY(epoch);
        QCOMPARE(epoch->kind, NodeKind::Value);
        const QModelIndex i = page->proxy()->mapFromSource(page->treeModel()->indexOf(epoch));
        QVERIFY(i.isValid());
        QVERIFY(i.siblingAtColumn(ModelTreeModel::KindColumn)
                    .data()
                    .toString()
                    .startsWith(QStringLiteral("value")));
        QCOMPARE(i.siblingAtColumn(ModelTreeModel::ShapeColumn).data().toString(),
                 QString::fromStdString(epoch->value));
    }

    void errorsNameTheFileAndTheReason() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("notes.pth"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not a model\n");
        f.close();
        QSignalSpy failed(&window_, &MainWindow::errorOccurred);
        const int before = window_.pageCount();
        window_.openFile(path);
        QVERIFY(failed.wait(30000));
        const QString message = failed.first().first().toString();
        QVERIFY2(message.startsWith(path + QStringLiteral(": ")), qPrintable(message));
        QVERIFY2(message.size() > path.size() + 10, qPrintable(message));  // and says why
        QCOMPARE(window_.pageCount(), before);

        failed.clear();
        window_.openFile(dir.filePath(QStringLiteral("missing.pt")));
        QVERIFY(failed.wait(30000));
        QVERIFY(failed.first().first().toString().contains(QStringLiteral("missing.pt")));
    }

    void opensDroppedFiles() {
        WS_REQUIRE_FIXTURE(file, "pytorch/float16_tensor.pt");
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(file)});
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton,
                              Qt::NoModifier);
        QApplication::sendEvent(&window_, &enter);
        QVERIFY(enter.isAccepted());
        QSignalSpy added(&window_, &MainWindow::pageAdded);
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&window_, &drop);
        QVERIFY(added.wait(30000));
        QCOMPARE(window_.currentPage()->model()->filePath,
                 QFileInfo(file).absoluteFilePath().toStdString());
    }

    void remembersRecentFiles() {
        WS_REQUIRE_FIXTURE(a, "pytorch/mlp_state_dict.pth");
        WS_REQUIRE_FIXTURE(b, "pytorch/float16_tensor.pt");
        QVERIFY(openAndWait(window_, a));
        QVERIFY(openAndWait(window_, b));
        const QStringList recent = window_.recentFiles();
        QVERIFY(recent.size() >= 2);
        QCOMPARE(recent.at(0), QFileInfo(b).absoluteFilePath());
        QCOMPARE(recent.at(1), QFileInfo(a).absoluteFilePath());
        QVERIFY(openAndWait(window_, a));  // reopening moves it to the front, no duplicate
        QCOMPARE(window_.recentFiles().at(0), QFileInfo(a).absoluteFilePath());
        QCOMPARE(window_.recentFiles().count(QFileInfo(a).absoluteFilePath()), 1);
    }

    // Help > About: the version, the licence, the formats read, the Qt and HDF5 versions in
    // use, and every library of packaging/licenses.json with its licence.
    void aboutNamesVersionLicencesAndLibraries() {
        auto* action = window_.findChild<QAction*>(QStringLiteral("actionAbout"));
        QVERIFY(action);
        action->trigger();
        auto* dialog = window_.findChild<AboutDialog*>();
        QVERIFY(dialog);
        QVERIFY(dialog->isVisible());
        QVERIFY(!dialog->isModal());
        const QString text = dialog->plainText();
        QVERIFY2(text.contains(QStringLiteral("Weightsmith %1").arg(about::version())),
                 qPrintable(text));
        QVERIFY(text.contains(QString::fromStdString(about::project().license)));
        QVERIFY(text.contains(QString::fromLatin1(qVersion())));
        QVERIFY(text.contains(QString::fromStdString(about::hdf5Version())));
        for (const about::Format& f : about::formatsRead())
            QVERIFY2(text.contains(QString::fromStdString(f.name)), f.name.c_str());
        QVERIFY(about::libraries().size() >= 5);
        for (const about::Library& lib : about::libraries()) {
            QVERIFY2(text.contains(QString::fromStdString(lib.name)), lib.name.c_str());
            QVERIFY2(text.contains(QString::fromStdString(lib.license)), lib.license.c_str());
        }
        dialog->close();  // WA_DeleteOnClose
        QTRY_VERIFY(!window_.findChild<AboutDialog*>());
    }

  private:
    void checkTreeMatchesModel(ModelPage* page) {
        std::int64_t tensors = 0, params = 0;
        page->model()->forEachTensor([&](Node& n) {
            ++tensors;
            params += n.tensor->numel();
        });
        const ModelTreeModel::Totals t = page->treeModel()->totals(page->model()->root.get());
        QCOMPARE(t.tensors, tensors);
        QCOMPARE(t.parameters, params);
        QVERIFY(tensors > 0);
        QCOMPARE(page->treeModel()->rowCount(), int(page->model()->root->children.size()));
        // Every node is reachable through the Qt model, with a consistent parent().
        QList<QModelIndex> rows;
        collectRows(page->treeModel(), {}, rows);
        int all = 0;
        page->model()->forEachNode([&](Node& n) { all += n.parent != nullptr; });
        QCOMPARE(rows.size(), all);
        for (const QModelIndex& i : rows) {
            const Node* n = page->treeModel()->nodeAt(i);
            QCOMPARE(page->treeModel()->parent(i), page->treeModel()->indexOf(n->parent));
        }
    }

    MainWindow window_;
};

WS_QTEST_MAIN(MainWindowTest)
#include "test_main_window.moc"
