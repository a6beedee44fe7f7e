// C2SliceView: slices against direct indexing of the snapshot arrays; the shared cursor.
#include <C2SliceView.h>
#include <QtTest>
#include <cmath>
#include <qcustomplot.h>

using namespace fxs::widgets;

namespace {

// A snapshot whose every element encodes its own index: c2 = 1000 q + 10 q' + k / 100.
fxs::C2Snapshot codedSnapshot(int nQ, int nPhi)
{
    fxs::C2Snapshot s;
    s.nQ = nQ;
    s.nPhi = nPhi;
    s.shots = 12345;
    const std::size_t n = std::size_t(nQ) * nQ * nPhi;
    s.c2.resize(n);
    s.c2Inter.resize(n);
    s.c2Difference.resize(n);
    s.flags.assign(n, fxs::C2Snapshot::Valid);
    for (int q = 0; q < nQ; ++q) {
        for (int qp = 0; qp < nQ; ++qp) {
            for (int k = 0; k < nPhi; ++k) {
                const std::size_t i = (std::size_t(q) * nQ + qp) * nPhi + k;
                s.c2[i] = 1000.0 * q + 10.0 * qp + k / 100.0;
                s.c2Inter[i] = 0.5;
                s.c2Difference[i] = s.c2[i] - 0.5;
            }
        }
        s.flags[(std::size_t(q) * nQ + q) * nPhi] = fxs::C2Snapshot::SelfTerm;
    }
    s.flags[(std::size_t(2) * nQ + 3) * nPhi + 5] = fxs::C2Snapshot::Masked;
    return s;
}

} // namespace

class TestC2SliceView : public QObject {
    Q_OBJECT
private slots:
    void versusDeltaIndexesDirectly()
    {
        const auto s = codedSnapshot(6, 16);
        const C2Curve c = C2Slices::versusDelta(s, 2, 3);
        QCOMPARE(int(c.c2.size()), 16);
        for (int k = 0; k < 16; ++k) {
            QCOMPARE(c.deltaDeg[k], k * 360.0 / 16);
            if (k == 5) {
                QVERIFY(std::isnan(c.c2[k])); // masked
            } else {
                QCOMPARE(c.c2[k], 2000.0 + 30.0 + k / 100.0);
                QCOMPARE(c.difference[k], 2000.0 + 30.0 + k / 100.0 - 0.5);
            }
        }
        QVERIFY(std::isnan(C2Slices::versusDelta(s, 4, 4).c2[0])); // self-term hidden
    }

    void mapsIndexDirectly()
    {
        const auto s = codedSnapshot(5, 8);
        const auto pair = C2Slices::mapAtDelta(s, 3, C2Quantity::C2);
        const auto diag = C2Slices::diagonal(s, C2Quantity::Difference);
        for (int q = 0; q < 5; ++q) {
            for (int qp = 0; qp < 5; ++qp) {
                QCOMPARE(pair[std::size_t(q) * 5 + qp], s.c2[(std::size_t(q) * 5 + qp) * 8 + 3]);
            }
            for (int k = 1; k < 8; ++k) {
                QCOMPARE(diag[std::size_t(q) * 8 + k], s.c2Difference[(std::size_t(q) * 5 + q) * 8 + k]);
            }
            QVERIFY(std::isnan(diag[std::size_t(q) * 8]));
        }
    }

    void viewShowsTheCursorSlice()
    {
        C2SliceView view;
        view.resize(800, 700);
        view.setGrid({ 6, 16, 0.1, 0.7 });
        view.setSnapshot(std::make_shared<fxs::C2Snapshot>(codedSnapshot(6, 16)));
        QSignalSpy spy(&view, &C2SliceView::cursorChanged);
        view.setCursor({ 4, 1, 7 });
        QCOMPARE(spy.count(), 1);
        const auto data = view.curvePlot()->graph(0)->data();
        QCOMPARE(data->size(), 16);
        for (int k = 0; k < 16; ++k) {
            QCOMPARE(data->at(k)->value, 4000.0 + 10.0 + k / 100.0);
        }
        // The (q, q') map shows Δ bin 7: cell (q = 2, q' = 5) holds element (2, 5, 7).
        QCOMPARE(view.pairMap()->data()->cell(2, 5), 2000.0 + 50.0 + 0.07);
        // The diagonal map shows C2(q, q, Δ) with Δ along x.
        QCOMPARE(view.diagonalMap()->data()->cell(9, 3), 3000.0 + 30.0 + 0.09);
        view.setCursor({ 99, -3, 40 }); // clamped to the grid
        QCOMPARE(view.cursor(), (C2Cursor { 5, 0, 15 }));
    }
};

QTEST_MAIN(TestC2SliceView)
#include "tst_C2SliceView.moc"
