// C2SliceView: slices against direct indexing of the snapshot arrays; the shared cursor; the standard error band.
#include <C2SliceView.h>
#include <QtTest>
#include <ShotCountsModel.h>
#include <WidgetScreenshot.h>
#include <cmath>
#include <fxs/correlation/C2Accumulator.h>
#include <numbers>
#include <qcustomplot.h>
#include <random>

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

    // The title's count is the run's (the counts model); when the curves come from an older snapshot, or from none
    // yet (a remote job before its first reduction: empty axes under "60,225 shots in C2"), it says so.
    void titleSaysWhatIsDrawn()
    {
        C2SliceView view;
        view.setGrid({ 6, 16, 0.1, 0.7 });
        ShotCountsModel counts;
        view.setCountsModel(&counts);
        fxs::VetoCounts c;
        c.read = c.inC2 = 60225;
        counts.setCounts(c);
        QVERIFY2(view.title().contains(QStringLiteral("60,225 shots in C2 (nothing drawn yet: waiting for the first C2 "
                                                      "snapshot)")),
            qPrintable(view.title()));
        view.setSnapshot(std::make_shared<fxs::C2Snapshot>(codedSnapshot(6, 16))); // 12,345 shots
        QVERIFY2(view.title().contains(QStringLiteral("60,225 shots in C2 (drawn from 12,345)")), qPrintable(view.title()));
        c.read = c.inC2 = 12345;
        counts.setCounts(c);
        QVERIFY2(view.title().endsWith(QStringLiteral("12,345 shots in C2")), qPrintable(view.title()));
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

    // The band is C2 ± the snapshot's standard error at every Δ, with a gap where C2 is masked, and its legend
    // entry says what it is; a snapshot without standard errors shows no band and says so.
    void bandIsOneStandardErrorAroundC2()
    {
        auto s = codedSnapshot(6, 16);
        s.c2StdError.resize(s.c2.size());
        for (std::size_t i = 0; i < s.c2.size(); ++i) {
            s.c2StdError[i] = 0.5 + double(i % 16) / 10.0;
        }
        C2SliceView view;
        view.resize(800, 700);
        view.setGrid({ 6, 16, 0.1, 0.7 });
        view.setSnapshot(std::make_shared<fxs::C2Snapshot>(s));
        view.setCursor({ 2, 3, 1 });
        const auto low = view.bandLow()->data(), high = view.bandHigh()->data();
        QCOMPARE(high->size(), 16);
        for (int k = 0; k < 16; ++k) {
            const double c2 = 2000.0 + 30.0 + k / 100.0, se = 0.5 + k / 10.0;
            if (k == 5) {
                QVERIFY(std::isnan(low->at(k)->value) && std::isnan(high->at(k)->value)); // masked: a gap
            } else {
                QCOMPARE(low->at(k)->value, c2 - se);
                QCOMPARE(high->at(k)->value, c2 + se);
            }
        }
        QVERIFY(view.bandHigh()->visible());
        QVERIFY(view.curvePlot()->legend->hasItemWithPlottable(view.bandHigh()));
        QVERIFY(!view.curvePlot()->legend->hasItemWithPlottable(view.bandLow()));
        QVERIFY2(view.bandHigh()->name().contains("± 1 standard error") && view.bandHigh()->name().contains("12,345"),
            qPrintable(view.bandHigh()->name()));
        // The legend hides no data: drawn, it lies outside the axes' rectangle, and every entry is on screen.
        view.show();
        view.curvePlot()->replot();
        QCPLegend* legend = view.curvePlot()->legend;
        const QRect axes = view.curvePlot()->axisRect()->rect();
        QVERIFY2(!legend->outerRect().intersects(axes),
            qPrintable(QString("legend (%1, %2, %3 × %4) over the axes (%5, %6, %7 × %8)")
                           .arg(legend->outerRect().x())
                           .arg(legend->outerRect().y())
                           .arg(legend->outerRect().width())
                           .arg(legend->outerRect().height())
                           .arg(axes.x())
                           .arg(axes.y())
                           .arg(axes.width())
                           .arg(axes.height())));
        QVERIFY(view.curvePlot()->rect().contains(legend->outerRect()));
        QVERIFY(legend->outerRect().height() > 5 && axes.height() > 100);
        view.setSnapshot(std::make_shared<fxs::C2Snapshot>(codedSnapshot(6, 16)));
        QVERIFY(!view.bandHigh()->visible() && view.bandHigh()->data()->isEmpty());
        QVERIFY2(view.bandHigh()->name().contains("no error bars"), qPrintable(view.bandHigh()->name()));
    }

    // docs/screenshots/monitor-c2-error-bands.png: an early moment of a simulated run, 150 shots of a weak 2- and
    // 6-fold pattern at random angles with Poisson counts of a few photons and a detector gap, in the explorer.
    void errorBandScreenshot()
    {
        const int nQ = 24, nPhi = 90, shots = 150;
        fxs::C2Config c;
        c.nQ = nQ;
        c.nPhi = nPhi;
        fxs::C2Accumulator acc(c);
        std::mt19937_64 rng(7);
        std::uniform_real_distribution<double> u(0.0, 1.0);
        for (int j = 0; j < shots; ++j) {
            const double alpha = 2 * std::numbers::pi * u(rng);
            fxs::PolarFrame f = fxs::PolarFrame::zeros(nQ, nPhi, j);
            for (int q = 0; q < nQ; ++q) {
                for (int p = 0; p < nPhi; ++p) {
                    const double phi = 2 * std::numbers::pi * p / nPhi - alpha;
                    const double mean = 8.0 * std::exp(-q / 10.0)
                        * (1 + 0.3 * std::cos(2 * phi + 0.2 * q) + 0.2 * std::cos(6 * phi));
                    f.intensity[f.at(q, p)] = float(std::poisson_distribution<int>(mean)(rng));
                    f.weight[f.at(q, p)] = (p >= 40 && p < 46) ? 0.0f : 1.0f; // a panel gap
                }
            }
            QVERIFY(acc.add(f).ok());
        }
        acc.flush();
        auto snap = std::make_shared<fxs::C2Snapshot>(fxs::C2Snapshot::compute(acc.sums()));
        QVERIFY(snap->hasStdError());
        C2SliceView view;
        view.resize(900, 760);
        view.setGrid({ nQ, nPhi, 0.1, 0.7 });
        view.setSnapshot(snap);
        view.setCursor({ 10, 12, 20 });
        const QString shotError = fxs::test::saveWidgetScreenshot(view, QStringLiteral("monitor-c2-error-bands.png"));
        QVERIFY2(shotError.isEmpty(), qPrintable(shotError));
    }
};

QTEST_MAIN(TestC2SliceView)
#include "tst_C2SliceView.moc"
