// The shots-to-go estimate against the closed form of the model on synthetic ρ(N), and export: the CSV holds
// the plotted numbers, PNG and PDF are written.
#include "WidgetScreenshot.h"

#include <ConvergenceModel.h>
#include <ConvergenceView.h>
#include <PlotExport.h>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <qcustomplot.h>

using namespace fxs::widgets;

class tst_ConvergenceView : public QObject {
    Q_OBJECT
private slots:
    void screenshot();
    void estimateMatchesClosedForm_data();
    void estimateMatchesClosedForm();
    void noEstimateWithoutSignal();
    void headlineSaysShotsToGo();
    void exportCsvEqualsPlottedData();
};

void tst_ConvergenceView::estimateMatchesClosedForm_data()
{
    QTest::addColumn<double>("k");
    QTest::addColumn<double>("target");
    QTest::addColumn<int>("lastShots");
    QTest::newRow("k=5000, 0.9") << 5000.0 << 0.9 << 4000;
    QTest::newRow("k=20000, 0.95") << 20000.0 << 0.95 << 10000;
    QTest::newRow("k=100, 0.5 (reached)") << 100.0 << 0.5 << 3000;
}

void tst_ConvergenceView::estimateMatchesClosedForm()
{
    QFETCH(double, k);
    QFETCH(double, target);
    QFETCH(int, lastShots);
    // Synthetic split-half curve of the model, r(N) = N / (N + k), measured every 500 shots.
    ConvergenceView view;
    view.setTarget(target);
    for (int n = 500; n <= lastShots; n += 500) {
        view.addPoint(n, double(n) / (double(n) + k));
    }
    // Hand-derived: ρ = 2r/(1+r) = 2N/(2N+k) = t  ⇔  N = t k / (2 (1 − t)).
    const double needed = target * k / (2.0 * (1.0 - target));
    const double expected = std::max(0.0, needed - lastShots);
    QVERIFY(view.shotsToGo().has_value());
    QVERIFY2(std::abs(*view.shotsToGo() - expected) <= 1e-6 * std::max(1.0, expected),
        qPrintable(QStringLiteral("%1 vs %2").arg(*view.shotsToGo()).arg(expected)));
}

void tst_ConvergenceView::noEstimateWithoutSignal()
{
    ConvergenceView view;
    view.addPoint(1000, -0.02);
    view.addPoint(2000, 0.0);
    QVERIFY(!view.shotsToGo().has_value());
    QVERIFY(view.headline().contains(QStringLiteral("Not enough")));
}

void tst_ConvergenceView::headlineSaysShotsToGo()
{
    // k = 9000, target 0.9: N = 0.9 · 9000 / 0.2 = 40,500; after 4,000 shots 36,500 to go.
    ConvergenceView view;
    view.setTarget(0.9);
    view.addPoint(2000, 2000.0 / 11000.0);
    view.addPoint(4000, 4000.0 / 13000.0);
    QCOMPARE(view.headline(), QStringLiteral("≈ 36,500 shots to go"));
}

void tst_ConvergenceView::exportCsvEqualsPlottedData()
{
    fxs::PolarGrid grid { 10, 16, 0.1, 1.1 };
    ConvergenceView view;
    view.setGrid(grid);
    view.setChosenQ({ 0.35 }); // bin 2
    std::vector<double> perQ(10);
    for (int i = 1; i <= 5; ++i) {
        for (int b = 0; b < 10; ++b) {
            perQ[b] = 0.01 * b + 0.1 * i;
        }
        view.addPoint(1000 * i, 0.15 * i, perQ);
    }
    QTemporaryDir dir;
    QString error;
    const QString csvPath = dir.filePath("conv.csv");
    QVERIFY2(PlotExport::exportTo(
                 view.plot(), csvPath, [&] { return view.csv(); }, &error),
        qPrintable(error));
    QFile f(csvPath);
    QVERIFY(f.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 6);
    const QCPGraph* measured = view.plot()->graph(0);
    const QCPGraph* full = view.plot()->graph(2);
    const QCPGraph* q = view.plot()->graph(3);
    for (int i = 1; i <= 5; ++i) {
        const QStringList cols = lines[i].split(',');
        QCOMPARE(cols.size(), 4);
        QCOMPARE(cols[0].toDouble(), measured->data()->at(i - 1)->key);
        QCOMPARE(cols[1].toDouble(), measured->data()->at(i - 1)->value);
        QCOMPARE(cols[2].toDouble(), full->data()->at(i - 1)->value);
        QCOMPARE(cols[3].toDouble(), q->data()->at(i - 1)->value);
        // And against the numbers put in (independent of the plot).
        QCOMPARE(cols[1].toDouble(), 0.15 * i);
        QVERIFY(std::abs(cols[2].toDouble() - 2 * 0.15 * i / (1 + 0.15 * i)) < 1e-12);
        QVERIFY(std::abs(cols[3].toDouble() - (0.02 + 0.1 * i)) < 1e-12);
    }
    for (const char* name : { "conv.png", "conv.pdf" }) {
        const QString path = dir.filePath(name);
        QVERIFY2(PlotExport::exportTo(view.plot(), path, {}, &error), qPrintable(error));
        QVERIFY(QFileInfo(path).size() > 1000);
    }
}

void tst_ConvergenceView::screenshot()
{
    // A live-looking history: the model with k = 30,000 plus a little measurement noise, every 1,000 shots.
    fxs::PolarGrid grid { 100, 128, 0.05, 0.7 };
    ConvergenceView view;
    view.resize(460, 360);
    view.setGrid(grid);
    view.setChosenQ({ 0.2, 0.45 });
    std::uint64_t state = 5;
    auto noise = [&state] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return (double(state >> 11) / double(1ULL << 53) - 0.5) * 0.02;
    };
    for (int n = 1000; n <= 24000; n += 1000) {
        std::vector<double> perQ(100);
        for (int b = 0; b < 100; ++b) {
            const double k = 30000.0 * (0.5 + b / 50.0);
            perQ[b] = n / (n + k) + noise();
        }
        view.addPoint(n, n / (n + 30000.0) + noise(), perQ);
    }
    const QString shotError = fxs::test::saveWidgetScreenshot(view, QStringLiteral("monitor-convergence.png"));
    QVERIFY2(shotError.isEmpty(), qPrintable(shotError));
}

QTEST_MAIN(tst_ConvergenceView)
#include "tst_ConvergenceView.moc"
