// PolarView: masked bins become gaps, the mean mode shows the mean, levels are the percentiles.
#include <PolarView.h>
#include <QtTest>
#include <algorithm>
#include <cmath>

using namespace fxs::widgets;

class TestPolarView : public QObject {
    Q_OBJECT
private slots:
    void currentFrameMasksZeroWeight()
    {
        PolarView view;
        view.setGrid({ 4, 8, 0.1, 0.5 });
        auto f = std::make_shared<fxs::PolarFrame>(fxs::PolarFrame::zeros(4, 8, 3));
        for (int q = 0; q < 4; ++q) {
            for (int p = 0; p < 8; ++p) {
                f->intensity[f->at(q, p)] = float(10 * q + p + 1);
                f->weight[f->at(q, p)] = (p == 2) ? 0.0f : 1.0f;
            }
        }
        view.setFrame(f);
        for (int q = 0; q < 4; ++q) {
            for (int p = 0; p < 8; ++p) {
                if (p == 2) {
                    QVERIFY(std::isnan(view.cellValue(q, p)));
                } else {
                    QCOMPARE(view.cellValue(q, p), double(10 * q + p + 1));
                }
            }
        }
        // Log scale: levels are the 1st and 99.5th percentiles of the 28 unmasked values (sorted oracle).
        std::vector<double> v;
        for (int q = 0; q < 4; ++q) {
            for (int p = 0; p < 8; ++p) {
                if (p != 2) {
                    v.push_back(10 * q + p + 1);
                }
            }
        }
        std::sort(v.begin(), v.end());
        const double pos = 0.995 * (v.size() - 1);
        const double high
            = v[std::size_t(pos)] + (pos - std::floor(pos)) * (v[std::size_t(pos) + 1] - v[std::size_t(pos)]);
        QVERIFY(std::abs(view.levels().high - high) < 1e-4);
    }

    void meanModeShowsMean()
    {
        PolarView view;
        view.setGrid({ 2, 4, 0.1, 0.5 });
        view.setMode(PolarView::Mode::Mean);
        view.setMean({ 1, 2, 3, 4, 5, 6, 7, 8 }, 100);
        QCOMPARE(view.cellValue(1, 2), 7.0);
        QVERIFY(std::isnan(view.cellValue(2, 0)));
    }
};

QTEST_MAIN(TestPolarView)
#include "tst_PolarView.moc"
