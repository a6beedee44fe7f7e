// Invariants view: the map shows exactly the B_l values given, per l; the SAXS curve is the φ average of the
// mean image over the bins that were ever valid (hand-computed).
#include "KamClosedForm.h"

#include <InvariantsView.h>
#include <QSet>
#include <QtTest>
#include <cmath>
#include <fxs/ParticleModel.h>
#include <qcustomplot.h>

using namespace fxs;
using namespace fxs::widgets;

class tst_InvariantsView : public QObject {
    Q_OBJECT
private slots:
    void screenshot();
    void mapShowsValues_data();
    void mapShowsValues();
    void csvHoldsValues();
    void saxsFromSnapshot();
};

namespace {
double formula(int l, int q, int qp) { return (l + 1) * 100.0 + q * 7.0 - qp * 0.5; }

KamInvariants makeInvariants()
{
    KamInvariants inv = KamInvariants::zeros({ 0.1, 0.2, 0.3, 0.4, 0.5 }, 6);
    for (int l = 0; l <= 6; l += 2) {
        for (int q = 0; q < 5; ++q) {
            for (int qp = 0; qp < 5; ++qp) {
                inv.b[inv.at(l, q, qp)] = formula(l, q, qp);
            }
        }
    }
    return inv;
}
}

void tst_InvariantsView::mapShowsValues_data()
{
    QTest::addColumn<int>("l");
    QTest::newRow("l=0") << 0;
    QTest::newRow("l=2") << 2;
    QTest::newRow("l=6") << 6;
}

void tst_InvariantsView::mapShowsValues()
{
    QFETCH(int, l);
    InvariantsView view;
    view.setInvariants(makeInvariants());
    view.setL(l);
    QCOMPARE(view.l(), l);
    for (int q = 0; q < 5; ++q) {
        for (int qp = 0; qp < 5; ++qp) {
            QCOMPARE(view.mapValue(q, qp), formula(l, q, qp));
        }
    }
}

void tst_InvariantsView::csvHoldsValues()
{
    InvariantsView view;
    view.setInvariants(makeInvariants());
    view.setL(4);
    const QStringList lines = view.mapCsv().split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 26);
    const QStringList row = lines[1 + 3 * 5 + 2].split(',');
    QCOMPARE(row[0].toDouble(), 0.4);
    QCOMPARE(row[1].toDouble(), 0.3);
    QCOMPARE(row[2].toDouble(), formula(4, 3, 2));
}

void tst_InvariantsView::saxsFromSnapshot()
{
    const PolarGrid grid { 3, 4, 0.1, 0.4 };
    C2Snapshot s;
    s.nQ = 3;
    s.nPhi = 4;
    s.meanImage = { 1, 2, 3, 6, /**/ 0, 5, 0, 7, /**/ 0, 0, 0, 0 };
    const auto [q, intensity] = InvariantsView::saxsFromSnapshot(s, grid);
    QCOMPARE(q.size(), std::size_t(2)); // the last ring was never valid
    QVERIFY(std::abs(q[0] - 0.15) < 1e-12);
    QVERIFY(std::abs(q[1] - 0.25) < 1e-12);
    QCOMPARE(intensity[0], 3.0);
    QCOMPARE(intensity[1], 6.0);
    InvariantsView view;
    view.setSaxs(q, intensity);
    QCOMPARE(view.saxsPlot()->graph(0)->dataCount(), 2);
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

void tst_InvariantsView::screenshot()
{
    const KamInvariants inv = tetramerInvariants(48, 12);
    InvariantsView view;
    view.resize(640, 330);
    view.setInvariants(inv);
    view.setL(2);
    std::vector<double> saxs;
    for (int i = 0; i < inv.nQ; ++i) {
        saxs.push_back(std::sqrt(inv.b[inv.at(0, i, i)] / (4.0 * M_PI))); // B_0 = 4π S(q)²
    }
    view.setSaxs(inv.qInvA, saxs);
    QCOMPARE(view.mapValue(10, 20), inv.b[inv.at(2, 10, 20)]);
    saveScreenshot(view, QStringLiteral("monitor-invariants.png"));
}

QTEST_MAIN(tst_InvariantsView)
#include "tst_InvariantsView.moc"
