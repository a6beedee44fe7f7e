// HealthBar and Format: the numbers a tired scientist reads, with units and separators.
#include <Format.h>
#include <HealthBar.h>
#include <QtTest>
#include <cmath>

using namespace fxs::widgets;

class TestHealthBar : public QObject {
    Q_OBJECT
private slots:
    void formats_data()
    {
        QTest::addColumn<QString>("got");
        QTest::addColumn<QString>("expected");
        QTest::newRow("count") << Format::count(1234567) << "1,234,567";
        QTest::newRow("small count") << Format::count(12) << "12";
        QTest::newRow("rate") << Format::rateHz(118.2) << "118 Hz";
        QTest::newRow("slow rate") << Format::rateHz(0.45) << "0.5 Hz";
        QTest::newRow("kHz") << Format::rateHz(2500) << "2.5 kHz";
        QTest::newRow("latency") << Format::durationMs(35.4) << "35 ms";
        QTest::newRow("seconds") << Format::durationMs(1500) << "1.5 s";
        QTest::newRow("GB") << Format::bytes(1.2e9) << "1.2 GB";
        QTest::newRow("percent") << Format::percent(0.875) << "87.5 %";
    }
    void formats()
    {
        QFETCH(QString, got);
        QFETCH(QString, expected);
        QCOMPARE(got, expected);
    }

    void barShowsFigures()
    {
        HealthBar bar;
        HealthFigures f;
        f.inputHz = 120;
        f.processedHz = 119.6;
        f.latencyMs = 35;
        f.droppedDisplayFrames = 4321;
        f.shotsDone = 12000;
        f.memoryBytes = 1.2e9;
        f.state = RunState::Running;
        bar.setFigures(f);
        const QString t = bar.text();
        for (const char* part : { "RUNNING", "in 120 Hz", "processed 120 Hz", "latency 35 ms",
                 "display frames skipped 4,321", "shots 12,000", "memory 1.2 GB" }) {
            QVERIFY2(t.contains(QString::fromUtf8(part)), qPrintable(t));
        }
        // Skipped display frames are not lost data, and the bar says so: no bare "dropped", a tooltip that explains.
        QVERIFY2(!t.contains(QStringLiteral("dropped")), qPrintable(t));
        QVERIFY2(bar.toolTipText().contains(QStringLiteral("No data is lost")), qPrintable(bar.toolTipText()));
        QVERIFY(HealthBar::stateColor(RunState::Failed) != HealthBar::stateColor(RunState::Running));
    }

    void ratesAndCountsForPeople_data()
    {
        QTest::addColumn<double>("hz");
        QTest::addColumn<QString>("expected");
        QTest::newRow("20") << 20.0 << "20 Hz";
        QTest::newRow("119.6") << 119.6 << "120 Hz";
        QTest::newRow("0.5") << 0.5 << "0.5 Hz";
        QTest::newRow("1500") << 1500.0 << "1.5 kHz";
        QTest::newRow("NaN") << std::nan("") << "– Hz";
    }
    void ratesAndCountsForPeople()
    {
        QFETCH(double, hz);
        QFETCH(QString, expected);
        QCOMPARE(Format::rateHz(hz), expected);
        HealthBar bar;
        HealthFigures f;
        f.inputHz = hz;
        f.shotsDone = 1234567;
        bar.setFigures(f);
        QVERIFY2(bar.text().contains(QStringLiteral("in ") + expected), qPrintable(bar.text()));
        QVERIFY2(bar.text().contains(QStringLiteral("shots 1,234,567")), qPrintable(bar.text()));
    }
};

QTEST_MAIN(TestHealthBar)
#include "tst_HealthBar.moc"
