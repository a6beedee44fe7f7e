// Invariants view: the map shows exactly the B_l values given, per l; the SAXS curve is the φ average of the
// mean image over the bins that were ever valid (hand-computed).
#include "TetramerInvariants.h"
#include "WidgetScreenshot.h"

#include <InvariantsView.h>
#include <QtTest>
#include <cmath>
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

void tst_InvariantsView::screenshot()
{
    const KamInvariants inv = fxs::test::tetramerInvariants(48, 12);
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
    const QString shotError = fxs::test::saveWidgetScreenshot(view, QStringLiteral("monitor-invariants.png"));
    QVERIFY2(shotError.isEmpty(), qPrintable(shotError));
}

QTEST_MAIN(tst_InvariantsView)
#include "tst_InvariantsView.moc"
