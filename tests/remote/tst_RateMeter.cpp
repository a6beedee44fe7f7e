// The server's rate meter (JobStatus.shots_per_second and each rank's): counts sampled at the writer's times, fed in
// the order a busy server reads them. The oracle is the count's own slope, worked out by hand for each case.
#include "RateMeter.h"

#include <QtTest>

using fxs::remote::RateMeter;

class TestRateMeter : public QObject {
    Q_OBJECT

private slots:
    // 100 shots/s sampled every 0.25 s: nothing before a second of shots, then exactly 100.
    void steadyRateAfterASecond()
    {
        RateMeter m;
        for (int k = 0; k <= 3; ++k) {
            m.update(25 * k, 10.0 + 0.25 * k);
            QCOMPARE(m.perSecond(), 0.0);
        }
        for (int k = 4; k <= 40; ++k) {
            m.update(25 * k, 10.0 + 0.25 * k);
            QCOMPARE(m.perSecond(), 100.0);
        }
    }

    // Heartbeats stamped at irregular times (a rank's thread descheduled, a server that reads late): the slope of
    // the samples is 40/s whatever the spacing, and re-reading the same heartbeat changes nothing.
    void irregularSamplesGiveTheSlope()
    {
        RateMeter m;
        const double times[] = { 0.0, 0.1, 1.0, 1.05, 2.9, 3.0, 3.0, 3.4, 5.9, 6.0 };
        for (double t : times) {
            m.update(std::int64_t(1 + 40 * t), 100.0 + t);
        }
        QVERIFY(std::abs(m.perSecond() - 40.0) < 1e-9);
        m.update(10, 106.0); // an older count stamped with the same time: the same heartbeat, ignored
        QVERIFY(std::abs(m.perSecond() - 40.0) < 1e-9);
    }

    // A rank that waits 1.5 s in a reduction: the rate falls to what the last two seconds held, never to 0.
    // 100/s until t = 4, then no shots until 5.5, sampled every 0.25 s. At t = 5.5 the window starts at 3.5:
    // 50 shots in 2 s = 25/s.
    void aShortWaitIsNotAStall()
    {
        RateMeter m;
        double lowest = 1e300;
        for (int k = 0; k <= 22; ++k) {
            const double t = 0.25 * k;
            m.update(1 + std::int64_t(100 * std::min(t, 4.0)), t);
            if (t >= 1.0) {
                lowest = std::min(lowest, m.perSecond());
            }
        }
        QCOMPARE(m.perSecond(), 25.0);
        QCOMPARE(lowest, 25.0);
    }

    // A real stall (no shot for more than the window) reads 0, and the rate comes back with the shots.
    void aLongStallReadsZero()
    {
        RateMeter m;
        for (int k = 0; k <= 8; ++k) {
            m.update(1 + 50 * k, 0.5 * k); // 100/s until t = 4
        }
        QCOMPARE(m.perSecond(), 100.0);
        for (int k = 9; k <= 14; ++k) {
            m.update(401, 0.5 * k); // nothing until t = 7
        }
        QCOMPARE(m.perSecond(), 0.0);
        m.update(461, 7.5); // 120/s again: window from 5.5 (401) to 7.5 (461) = 30/s
        QCOMPARE(m.perSecond(), 30.0);
    }

    // Start-up (MPI, opening a file) does not dilute the first rate; a count that goes back (a new attempt) starts
    // over at 0.
    void startUpAndRestart()
    {
        RateMeter m;
        for (int k = 0; k <= 20; ++k) {
            m.update(0, 0.5 * k); // 10 s of start-up
        }
        m.update(30, 10.5);
        QCOMPARE(m.perSecond(), 0.0); // half a second of shots is not a rate yet
        m.update(60, 11.0);
        QCOMPARE(m.perSecond(), 60.0); // 60 shots in the second since the last 0
        m.update(5, 11.5);
        QCOMPARE(m.perSecond(), 0.0);
        m.update(25, 12.5);
        QCOMPARE(m.perSecond(), 20.0);
    }
};

QTEST_APPLESS_MAIN(TestRateMeter)
#include "tst_RateMeter.moc"
