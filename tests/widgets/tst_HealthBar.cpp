// HealthBar and Format: the numbers a tired scientist reads, with units and separators.
#include <Format.h>
#include <HealthBar.h>
#include <QtTest>

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
        for (const char* part : { "RUNNING", "in 120 Hz", "processed 120 Hz", "latency 35 ms", "display dropped 4,321",
                 "shots 12,000", "memory 1.2 GB" }) {
            QVERIFY2(t.contains(QString::fromUtf8(part)), qPrintable(t));
        }
        QVERIFY(HealthBar::stateColor(RunState::Failed) != HealthBar::stateColor(RunState::Running));
    }
};

QTEST_MAIN(TestHealthBar)
#include "tst_HealthBar.moc"
