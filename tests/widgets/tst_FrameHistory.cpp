// FrameHistory: the display pauses, steps and jumps over exactly the shots a plain list model predicts.
#include <FrameHistory.h>
#include <QtTest>
#include <deque>

using namespace fxs::widgets;

namespace {
HistoryItem item(std::int64_t shot) { return { shot, nullptr, nullptr }; }
}

class TestFrameHistory : public QObject {
    Q_OBJECT
private slots:
    void liveShowsEveryPush()
    {
        FrameHistory h;
        h.setCapacity(5);
        QSignalSpy spy(&h, &FrameHistory::itemSelected);
        for (int i = 0; i < 12; ++i) {
            h.push(item(100 + i));
        }
        QCOMPARE(spy.count(), 12);
        QCOMPARE(h.size(), 5);
        QCOMPARE(h.current().shotIndex, 111);
    }

    void pausedStepsOverKeptShots_data()
    {
        QTest::addColumn<QString>("moves");
        QTest::addColumn<qlonglong>("expected");
        // 10 shots 0, 3, 6, … 27 pushed with capacity 6: kept 12 … 27.
        QTest::newRow("back twice") << "bb" << 21LL;
        QTest::newRow("back past the oldest") << "bbbbbbbbbb" << 12LL;
        QTest::newRow("first then forward") << "hf" << 15LL;
        QTest::newRow("end") << "hbe" << 27LL;
        QTest::newRow("forward at newest") << "f" << 27LL;
    }
    void pausedStepsOverKeptShots()
    {
        QFETCH(QString, moves);
        QFETCH(qlonglong, expected);
        FrameHistory h;
        h.setCapacity(6);
        for (int i = 0; i < 10; ++i) {
            h.push(item(3 * i));
        }
        for (const QChar m : moves) {
            if (m == 'b') {
                h.stepBack();
            } else if (m == 'f') {
                h.stepForward();
            } else if (m == 'h') {
                h.first();
            } else if (m == 'e') {
                h.last();
            }
        }
        QVERIFY(h.isPaused());
        QCOMPARE(h.current().shotIndex, expected);
    }

    void pausedPushesDoNotMoveTheDisplay()
    {
        FrameHistory h;
        h.setCapacity(4);
        for (int i = 0; i < 4; ++i) {
            h.push(item(i));
        }
        h.setPaused(true);
        h.stepBack(); // shows shot 2
        QSignalSpy spy(&h, &FrameHistory::itemSelected);
        h.push(item(4)); // drops 0; still on 2
        QCOMPARE(spy.count(), 0);
        QCOMPARE(h.current().shotIndex, 2);
        h.push(item(5));
        h.push(item(6)); // drops 1 and 2: shot 2 stays shown although no longer kept
        QCOMPARE(spy.count(), 0);
        QCOMPARE(h.current().shotIndex, 2);
        QVERIFY2(h.text().contains(QStringLiteral("shot 2 (not among the 4 kept)")), qPrintable(h.text()));
        for (int i = 7; i < 200; ++i) { // a long pause during a fast run: the shown shot never changes
            h.push(item(i));
            QCOMPARE(h.current().shotIndex, 2);
        }
        QCOMPARE(spy.count(), 0);
        h.setPaused(false); // back to live: newest
        QCOMPARE(h.current().shotIndex, 199);
        QCOMPARE(spy.count(), 1);
    }

    void jumpShowsOnlyTheShotAsked()
    {
        FrameHistory h;
        h.setCapacity(50);
        for (int i = 0; i < 20; ++i) {
            h.push(item(10 * i));
        }
        QVERIFY(h.jumpTo(70));
        QCOMPARE(h.current().shotIndex, 70);
        QSignalSpy spy(&h, &FrameHistory::itemSelected);
        // Shot 74 was never kept (every 10th): nothing else is shown in its place, and the bar says so.
        QVERIFY(!h.jumpTo(74));
        QCOMPARE(h.current().shotIndex, 70);
        QCOMPARE(spy.count(), 0);
        QVERIFY2(h.text().contains(QStringLiteral("shot 74 is not kept (kept: 0 … 190)")), qPrintable(h.text()));
        QVERIFY(!h.jumpTo(100000));
        QVERIFY(h.text().contains(QStringLiteral("shot 100,000 is not kept")));
        QVERIFY(h.jumpTo(190));
        QCOMPARE(spy.count(), 1);
        FrameHistory empty;
        QVERIFY(!empty.jumpTo(3));
    }

    void capacityFollowsTheMemoryBudget_data()
    {
        QTest::addColumn<double>("budgetBytes");
        QTest::addColumn<double>("bytesPerShot");
        QTest::addColumn<int>("expected");
        QTest::newRow("1 GB default, 4 Mpx × 8 B") << 0.0 << 32e6 << 32; // 1,024 MB / 32 MB
        QTest::newRow("1 GB default, 1 Mpx × 8 B") << 0.0 << 8e6 << 128; // past the old cap of 64
        QTest::newRow("4 GB, 1 Mpx") << 4096e6 << 8e6 << 512;
        QTest::newRow("small budget: at least 8") << 64e6 << 32e6 << 8;
    }
    void capacityFollowsTheMemoryBudget()
    {
        QFETCH(double, budgetBytes);
        QFETCH(double, bytesPerShot);
        QFETCH(int, expected);
        FrameHistory h;
        if (budgetBytes > 0.0) {
            h.setMemoryBudget(budgetBytes);
        }
        h.setBytesPerShot(bytesPerShot);
        QCOMPARE(h.capacity(), expected);
        for (int i = 0; i < 1000; ++i) {
            h.push(item(i));
        }
        QCOMPARE(h.size(), expected);
    }

    // The bar says the run goes on only while it does: once it ended, a paused display says so instead.
    void barFollowsTheRunsEnd()
    {
        FrameHistory h;
        h.setRunGoing(true);
        for (int i = 0; i < 5; ++i) {
            h.push(item(i));
        }
        QVERIFY2(h.text().startsWith(QStringLiteral("live — shot 4")), qPrintable(h.text()));
        h.stepBack();
        QVERIFY2(h.text().contains(QStringLiteral("shot 3")) && h.text().contains(QStringLiteral("the run goes on")),
            qPrintable(h.text()));
        h.setRunGoing(false);
        QVERIFY2(!h.text().contains(QStringLiteral("goes on")) && h.text().contains(QStringLiteral("the run has ended")),
            qPrintable(h.text()));
        h.setPaused(false);
        QVERIFY2(h.text().startsWith(QStringLiteral("run ended — shot 4")), qPrintable(h.text()));
    }

    void playReachesNewestAndStops()
    {
        FrameHistory h;
        for (int i = 0; i < 5; ++i) {
            h.push(item(i));
        }
        h.first();
        QSignalSpy spy(&h, &FrameHistory::itemSelected);
        h.play(200.0);
        QTRY_COMPARE_WITH_TIMEOUT(h.current().shotIndex, 4LL, 2000);
        QCOMPARE(spy.count(), 4); // 1, 2, 3, 4
        QVERIFY(h.isPaused());
    }
};

QTEST_MAIN(TestFrameHistory)
#include "tst_FrameHistory.moc"
