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
    void headlineNamesTheSlowestQ_data();
    void headlineNamesTheSlowestQ();
    void curvesStayInsideTheAxes();
    void pairMapShowsEachPair();
    void screenshotFailingQ();

private:
    static void addTwoSpeedRun(ConvergenceView& view, double kHigh, int lastShots);
};

namespace {
// Grid of 10 q bins of 0.1 Å⁻¹ from 0.1: bin b has its centre at 0.15 + 0.1 b.
const fxs::PolarGrid kTenBins { 10, 16, 0.1, 1.1 };
constexpr double kLow = 100.0; // k of the converged low q (bins 0–4)
}

// Low q (bins 0–4) converged long ago (k = 100); high q (bins 5–9) slowly, k = kHigh · (b − 4) / 5, so bin 9 is
// the slowest; the overall correlation is dominated by low q (0.97 throughout).
void tst_ConvergenceView::addTwoSpeedRun(ConvergenceView& view, double kHigh, int lastShots)
{
    for (int n = 1000; n <= lastShots; n += 1000) {
        std::vector<double> perQ(10);
        for (int b = 0; b < 10; ++b) {
            const double k = b < 5 ? kLow : kHigh * (b - 4) / 5.0;
            perQ[b] = n / (n + k);
        }
        view.addPoint(n, 0.97, perQ);
    }
}


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
        QCOMPARE(cols.size(), 5); // shots, overall, full, the chosen q, the slowest q (bin 0: lowest values)
        QCOMPARE(cols[0].toDouble(), measured->data()->at(i - 1)->key);
        QCOMPARE(cols[1].toDouble(), measured->data()->at(i - 1)->value);
        QCOMPARE(cols[2].toDouble(), full->data()->at(i - 1)->value);
        QCOMPARE(cols[3].toDouble(), q->data()->at(i - 1)->value);
        // And against the numbers put in (independent of the plot).
        QCOMPARE(cols[1].toDouble(), 0.15 * i);
        QVERIFY(std::abs(cols[2].toDouble() - 2 * 0.15 * i / (1 + 0.15 * i)) < 1e-12);
        QVERIFY(std::abs(cols[3].toDouble() - (0.02 + 0.1 * i)) < 1e-12);
        QVERIFY(std::abs(cols[4].toDouble() - 0.1 * i) < 1e-12);
    }
    for (const char* name : { "conv.png", "conv.pdf" }) {
        const QString path = dir.filePath(name);
        QVERIFY2(PlotExport::exportTo(view.plot(), path, {}, &error), qPrintable(error));
        QVERIFY(QFileInfo(path).size() > 1000);
    }
}

void tst_ConvergenceView::headlineNamesTheSlowestQ_data()
{
    QTest::addColumn<double>("from");
    QTest::addColumn<double>("to");
    QTest::addColumn<QString>("expected");
    // Whole grid: bin 9 (q = 1.05), k = 100,000: N = 0.9 · 100,000 / 0.2 = 450,000, 445,000 after 5,000 shots.
    QTest::newRow("whole grid") << 0.1 << 1.1 << QStringLiteral("≈ 445,000 shots to go (slowest: q = 1.050 Å⁻¹)");
    // Up to bin 7 (q = 0.85), k = 60,000: N = 270,000, 265,000 to go.
    QTest::newRow("to 0.9") << 0.1 << 0.9 << QStringLiteral("≈ 265,000 shots to go (slowest: q = 0.850 Å⁻¹)");
    // Low q only (centres 0.15 … 0.55), k = 100: N = 450, reached.
    QTest::newRow("low q only") << 0.1 << 0.6 << QStringLiteral("Target 0.9 reached at every q of interest");
}

void tst_ConvergenceView::headlineNamesTheSlowestQ()
{
    QFETCH(double, from);
    QFETCH(double, to);
    QFETCH(QString, expected);
    ConvergenceView view;
    view.setGrid(kTenBins);
    view.setTarget(0.9);
    addTwoSpeedRun(view, 100000.0, 5000);
    view.setQRange(from, to);
    QCOMPARE(view.headline(), expected);
}

void tst_ConvergenceView::curvesStayInsideTheAxes()
{
    // The slowest q's curve (bin 9, r from 1000/101000 ≈ 0.0099 up) and the chosen q's must be drawn inside the
    // y axis although the overall correlation sits at 0.97.
    ConvergenceView view;
    view.setGrid(kTenBins);
    view.setChosenQ({ 0.65 }); // bin 5, k = 20,000
    addTwoSpeedRun(view, 100000.0, 5000);
    const QCPRange y = view.plot()->yAxis->range();
    const double lowest = 1000.0 / (1000.0 + 100000.0);
    QVERIFY2(y.lower <= lowest && y.upper >= 0.97, qPrintable(QStringLiteral("%1 … %2").arg(y.lower).arg(y.upper)));
    int curves = 0;
    for (int g = 0; g < view.plot()->graphCount(); ++g) {
        for (auto it = view.plot()->graph(g)->data()->constBegin(); it != view.plot()->graph(g)->data()->constEnd();
             ++it) {
            QVERIFY2(y.contains(it->value), qPrintable(view.plot()->graph(g)->name()));
        }
        curves += view.plot()->graph(g)->name().contains(QStringLiteral("q = 1.050")) ? 1 : 0;
    }
    QCOMPARE(curves, 1); // the slowest q is drawn and named
    // Not converging at all: a q whose correlation never turned positive is named, not an estimate.
    ConvergenceView noise;
    noise.setGrid(kTenBins);
    for (int n = 1000; n <= 3000; n += 1000) {
        std::vector<double> perQ(10, 0.95);
        perQ[7] = -0.02 * n / 1000.0;
        noise.addPoint(n, 0.95, perQ);
    }
    QCOMPARE(noise.headline(), QStringLiteral("Not converging yet at q = 0.850 Å⁻¹"));
    QVERIFY(noise.plot()->yAxis->range().contains(-0.06));
}

void tst_ConvergenceView::pairMapShowsEachPair()
{
    // Cell (q, q′) holds r = 1 − 0.1 |q − q′| − 0.01 (q + q′) (symmetric), at q centres 0.15 … 1.05 Å⁻¹.
    ConvergenceView view;
    view.setGrid(kTenBins);
    std::vector<double> values(100);
    for (int q = 0; q < 10; ++q) {
        for (int qp = 0; qp < 10; ++qp) {
            values[q * 10 + qp] = 1.0 - 0.1 * std::abs(q - qp) - 0.01 * (q + qp);
        }
    }
    view.setPairMap(values, 10);
    QCPColorMapData* d = view.pairMap()->data();
    QCOMPARE(d->keySize(), 10);
    for (int q = 0; q < 10; ++q) {
        for (int qp = 0; qp < 10; ++qp) {
            int kc = -1, vc = -1;
            d->coordToCell(0.15 + 0.1 * q, 0.15 + 0.1 * qp, &kc, &vc); // by q in Å⁻¹, not by index
            QCOMPARE(kc, q);
            QCOMPARE(vc, qp);
            QVERIFY(std::abs(d->cell(kc, vc) - (1.0 - 0.1 * std::abs(q - qp) - 0.01 * (q + qp))) < 1e-12);
        }
    }
    view.clear();
    QVERIFY(view.pairMap()->data()->isEmpty()); // a new run's map starts empty
}

void tst_ConvergenceView::screenshotFailingQ()
{
    // A run whose low q converged while q ≥ 0.6 Å⁻¹ has not: the headline names the failing q.
    fxs::PolarGrid grid { 60, 128, 0.05, 0.95 };
    ConvergenceView view;
    view.resize(900, 420);
    view.setGrid(grid);
    view.setChosenQ({ 0.2 });
    std::vector<double> pairs(60 * 60);
    for (int n = 100; n <= 1100; n += 100) {
        std::vector<double> perQ(60);
        for (int b = 0; b < 60; ++b) {
            const double q = grid.qCentre(b);
            const double k = q < 0.5 ? 40.0 : 40.0 * std::exp(10.0 * (q - 0.5));
            perQ[b] = n / (n + k);
        }
        view.addPoint(n, 0.98 * n / (n + 15.0), perQ);
        for (int a = 0; a < 60; ++a) {
            for (int b = 0; b < 60; ++b) {
                pairs[a * 60 + b] = std::sqrt(std::max(0.0, perQ[a] * perQ[b]));
            }
        }
    }
    view.setPairMap(pairs, 60);
    QVERIFY2(view.headline().contains(QStringLiteral("slowest: q = 0.94")), qPrintable(view.headline()));
    const QString shotError
        = fxs::test::saveWidgetScreenshot(view, QStringLiteral("monitor-convergence-failing-q.png"));
    QVERIFY2(shotError.isEmpty(), qPrintable(shotError));
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
