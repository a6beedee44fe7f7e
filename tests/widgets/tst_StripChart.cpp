// StripChart: the rolling window keeps exactly the points a filter keeps; auto-range follows them.
#include <QtTest>
#include <StripChart.h>
#include <qcustomplot.h>
#include <cmath>

using namespace fxs::widgets;

class TestStripChart : public QObject {
    Q_OBJECT
private slots:
    void windowKeepsRecentPoints_data()
    {
        QTest::addColumn<double>("window");
        QTest::addColumn<int>("n");
        QTest::newRow("100 of 1000") << 100.0 << 1000;
        QTest::newRow("all") << 5000.0 << 300;
        QTest::newRow("tiny") << 0.5 << 50;
    }
    void windowKeepsRecentPoints()
    {
        QFETCH(double, window);
        QFETCH(int, n);
        StripChart chart(QStringLiteral("mean intensity"), QStringLiteral("ADU"));
        chart.setWindow(window);
        std::vector<std::pair<double, double>> all;
        for (int i = 0; i < n; ++i) {
            all.emplace_back(i, std::sin(i * 0.1) * 10.0 + i * 0.01);
        }
        chart.append(std::vector(all.begin(), all.begin() + n / 2)); // a batch, then single points
        for (int i = n / 2; i < n; ++i) {
            chart.append(all[i].first, all[i].second);
        }
        std::vector<std::pair<double, double>> expected;
        double lo = 1e300;
        double hi = -1e300;
        for (const auto& p : all) {
            if (p.first >= all.back().first - window) {
                expected.push_back(p);
                lo = std::min(lo, p.second);
                hi = std::max(hi, p.second);
            }
        }
        QCOMPARE(chart.points(), expected);
        const auto [rlo, rhi] = chart.valueRange();
        const double pad = hi > lo ? 0.05 * (hi - lo) : std::abs(hi) * 0.05;
        QVERIFY(std::abs(rlo - (lo - pad)) < 1e-9);
        QVERIFY(std::abs(rhi - (hi + pad)) < 1e-9);
    }

    // A percentage's axis stays within 0 … 100 (plus 1 % so that a line on 100 % is drawn): every shot a hit used to
    // give an axis from 95 to 102.5 %.
    void percentAxisStaysWithinItsBounds_data()
    {
        QTest::addColumn<double>("value0");
        QTest::addColumn<double>("value1");
        QTest::addColumn<double>("expectedLo");
        QTest::addColumn<double>("expectedHi");
        QTest::newRow("all 100 %") << 100.0 << 100.0 << 95.0 << 101.0; // pad 5 % of 100, cut at 101
        QTest::newRow("40 … 60 %: no bound reached") << 40.0 << 60.0 << 39.0 << 61.0;
        QTest::newRow("0 … 100 %") << 0.0 << 100.0 << -1.0 << 101.0;
    }
    void percentAxisStaysWithinItsBounds()
    {
        QFETCH(double, value0);
        QFETCH(double, value1);
        QFETCH(double, expectedLo);
        QFETCH(double, expectedHi);
        StripChart chart(QStringLiteral("hit rate"), QStringLiteral("%"));
        chart.setValueBounds(0.0, 100.0);
        chart.append(std::vector<std::pair<double, double>> { { 0.0, value0 }, { 1.0, value1 } });
        const auto [lo, hi] = chart.valueRange();
        QVERIFY2(std::abs(lo - expectedLo) < 1e-9 && std::abs(hi - expectedHi) < 1e-9,
            qPrintable(QStringLiteral("%1 … %2").arg(lo).arg(hi)));
        QCOMPARE(chart.plot()->yAxis->range().upper, hi); // the axis drawn is that range
    }

    // The x axis counts shots: its ticks are whole numbers, also for a chart of one point (a remote job's first
    // snapshot gave an axis of 48862.2, 48862.4 …).
    void shotTicksAreWholeNumbers_data()
    {
        QTest::addColumn<int>("points");
        QTest::newRow("one point") << 1;
        QTest::newRow("two close points") << 2;
        QTest::newRow("a long run") << 500;
    }
    void shotTicksAreWholeNumbers()
    {
        QFETCH(int, points);
        StripChart chart(QStringLiteral("shot rate"), QStringLiteral("Hz"));
        chart.resize(340, 120);
        for (int i = 0; i < points; ++i) {
            chart.append(48862.0 + 7.0 * i, 9000.0 + i);
        }
        chart.plot()->replot(); // lays out the ticks
        const QVector<double> ticks = chart.plot()->xAxis->tickVector();
        QVERIFY(!ticks.isEmpty());
        for (const double t : ticks) {
            QVERIFY2(t == std::round(t), qPrintable(QStringLiteral("tick at shot %1").arg(t, 0, 'f', 3)));
        }
    }

    void clearEmpties()
    {
        StripChart chart(QStringLiteral("shot rate"), QStringLiteral("Hz"));
        chart.append(1, 2);
        chart.clear();
        QVERIFY(chart.points().empty());
    }
};

QTEST_MAIN(TestStripChart)
#include "tst_StripChart.moc"
