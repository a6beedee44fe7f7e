// Reconstruction view: orthogonal slices and projections of a density against hand-computed sums of a linear
// density; the error curves hold each iteration's values.
#include "KamClosedForm.h"

#include <QSet>
#include <QtTest>
#include <ReconstructionView.h>
#include <fxs/ParticleModel.h>
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

// Screenshots for docs/screenshots (only when FXS_SCREENSHOT_DIR is set); the image must not be blank.
static void saveScreenshot(QWidget& w, const QString& name)
{
    w.show();
    QCoreApplication::processEvents();
    for (auto* p : w.findChildren<QCustomPlot*>()) {
        p->replot();
    }
    const QImage img = w.grab().toImage();
    QSet<QRgb> colours;
    for (int y = 0; y < img.height(); y += 4) {
        for (int x = 0; x < img.width(); x += 4) {
            colours.insert(img.pixel(x, y));
        }
    }
    QVERIFY2(colours.size() > 20, "the rendered panel is blank");
    const QString dir = qEnvironmentVariable("FXS_SCREENSHOT_DIR");
    if (!dir.isEmpty()) {
        QVERIFY(img.save(dir + QLatin1Char('/') + name));
    }
}

namespace {
// Exact invariants of the built-in tetramer from the closed form (tests/common/KamClosedForm.h).
KamInvariants tetramerInvariants(int nQ, int lMax)
{
    auto model = ParticleModel::builtin("tetramer4");
    std::vector<fxs::test::Blob> blobs;
    for (const auto& s : model->scatterers()) {
        blobs.push_back({ s.amplitude, s.sigmaA, s.positionA });
    }
    std::vector<double> q;
    for (int i = 0; i < nQ; ++i) {
        q.push_back(0.02 + 0.48 * i / (nQ - 1));
    }
    KamInvariants inv = KamInvariants::zeros(q, lMax);
    inv.b = fxs::test::closedFormInvariants(blobs, q, lMax);
    return inv;
}
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
    auto result = MtipReconstructor(c).run(tetramerInvariants(32, 26), control);
    QVERIFY(result.ok());
    view.setFinished(*result);
    saveScreenshot(view, QStringLiteral("monitor-reconstruction.png"));
}

QTEST_MAIN(tst_ReconstructionView)
#include "tst_ReconstructionView.moc"
