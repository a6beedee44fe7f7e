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
        h.push(item(6)); // drops 1 and 2: stays on the oldest kept, 3
        QCOMPARE(h.current().shotIndex, 3);
        h.setPaused(false); // back to live: newest
        QCOMPARE(h.current().shotIndex, 6);
        QCOMPARE(spy.count(), 1);
    }

    void jumpFindsNearestShot()
    {
        FrameHistory h;
        h.setCapacity(50);
        for (int i = 0; i < 20; ++i) {
            h.push(item(10 * i));
        }
        QVERIFY(h.jumpTo(74));
        QCOMPARE(h.current().shotIndex, 70);
        QVERIFY(h.jumpTo(76));
        QCOMPARE(h.current().shotIndex, 80);
        QVERIFY(h.jumpTo(100000));
        QCOMPARE(h.current().shotIndex, 190);
        FrameHistory empty;
        QVERIFY(!empty.jumpTo(3));
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
