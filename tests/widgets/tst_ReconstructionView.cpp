// Reconstruction view: orthogonal slices and projections of a density against hand-computed sums of a linear
// density; the error curves hold each iteration's values.
#include "TetramerInvariants.h"
#include "WidgetScreenshot.h"

#include <QtTest>
#include <ReconstructionView.h>
#include <qcustomplot.h>

using namespace fxs;
using namespace fxs::widgets;

class tst_ReconstructionView : public QObject {
    Q_OBJECT
private slots:
    void screenshot();
    void slicesAndProjections_data();
    void slicesAndProjections();
    void errorCurves();
};

namespace {
constexpr int kN = 6;
// ρ(x, y, z) = x + 10 y + 100 z, stored x fastest.
std::vector<float> linearDensity()
{
    std::vector<float> d(kN * kN * kN);
    for (int z = 0; z < kN; ++z) {
        for (int y = 0; y < kN; ++y) {
            for (int x = 0; x < kN; ++x) {
                d[(z * kN + y) * kN + x] = float(x + 10 * y + 100 * z);
            }
        }
    }
    return d;
}
}

void tst_ReconstructionView::slicesAndProjections_data()
{
    QTest::addColumn<int>("axis");
    QTest::addColumn<bool>("projection");
    for (int axis = 0; axis < 3; ++axis) {
        QTest::addRow("slice %d", axis) << axis << false;
        QTest::addRow("projection %d", axis) << axis << true;
    }
}

void tst_ReconstructionView::slicesAndProjections()
{
    QFETCH(int, axis);
    QFETCH(bool, projection);
    ReconstructionView view;
    view.setDensityMode(
        projection ? ReconstructionView::DensityMode::Projections : ReconstructionView::DensityMode::Slices);
    view.setDensity(kN, linearDensity());
    const double coef[3] = { 1.0, 10.0, 100.0 };
    // Columns and rows are the two other axes in x, y, z order.
    const int colAxis = axis == 0 ? 1 : 0;
    const int rowAxis = axis == 2 ? 1 : 2;
    const double sumK = kN * (kN - 1) / 2.0;
    for (int row = 0; row < kN; ++row) {
        for (int col = 0; col < kN; ++col) {
            const double others = coef[colAxis] * col + coef[rowAxis] * row;
            const double expected = projection ? kN * others + coef[axis] * sumK : others + coef[axis] * (kN / 2);
            QCOMPARE(view.densityValue(axis, col, row), expected);
        }
    }
}

void tst_ReconstructionView::errorCurves()
{
    ReconstructionView view;
    for (int i = 1; i <= 5; ++i) {
        MtipProgress p;
        p.start = 1;
        p.starts = 2;
        p.iteration = i;
        p.iterations = 100;
        p.realSpaceError = 1.0 / i;
        p.invariantError = { 0.0, 0.5 / i, 0.25 / i };
        view.addProgress(p);
    }
    QCustomPlot* plot = view.errorPlot();
    QCOMPARE(plot->graphCount(), 3); // real space, l = 2, l = 4
    QCOMPARE(plot->graph(0)->dataCount(), 5);
    QCOMPARE(plot->graph(0)->data()->at(2)->key, 103.0); // start 1 of 100-iteration starts, iteration 3
    QCOMPARE(plot->graph(0)->data()->at(2)->value, 1.0 / 3);
    QCOMPARE(plot->graph(2)->data()->at(4)->value, 0.25 / 5);
    QVERIFY(view.status().contains(QStringLiteral("Start 2 of 2, iteration 5 of 100")));
}

void tst_ReconstructionView::screenshot()
{
    if (qEnvironmentVariableIsEmpty("FXS_SCREENSHOT_DIR")) {
        QSKIP("screenshot only (runs M-TIP for a few seconds): set FXS_SCREENSHOT_DIR");
    }
    ReconstructionView view;
    view.resize(520, 560);
    view.setInvariantsAvailable(true);
    MtipConfig c = view.config();
    c.particleDiameterA = 50.0;
    c.threads = 2;
    c.starts = 1;
    MtipControl control;
    control.progress = [&view](const MtipProgress& p) { view.addProgress(p); };
    auto result = MtipReconstructor(c).run(fxs::test::tetramerInvariants(32, 26), control);
    QVERIFY(result.ok());
    view.setFinished(*result);
    const QString shotError = fxs::test::saveWidgetScreenshot(view, QStringLiteral("monitor-reconstruction.png"));
    QVERIFY2(shotError.isEmpty(), qPrintable(shotError));
}

QTEST_MAIN(tst_ReconstructionView)
#include "tst_ReconstructionView.moc"
