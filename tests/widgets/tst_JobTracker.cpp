// JobTracker: a worker's value comes back on the GUI thread; a replaced or discarded job's results, even those
// already queued, never arrive; cancel() stops the job and still delivers what it returns.
#include <JobTracker.h>
#include <QSignalSpy>
#include <QThread>
#include <QtTest>
#include <atomic>
#include <chrono>
#include <memory>

using fxs::widgets::JobTracker;

// The GUI object the tracker delivers to: every delivery becomes a signal that QSignalSpy can wait for.
class Receiver : public QObject {
    Q_OBJECT
signals:
    void progress(qint64 value, quint64 job);
    void result(qint64 value, quint64 job, bool onGuiThread);
    void done();
};

class tst_JobTracker : public QObject {
    Q_OBJECT
private slots:
    void deliversTheValueOnTheGuiThread();
    void aReplacedJobsQueuedResultsAreDropped();
    void cancelStopsTheJobAndKeepsItsResult();
    void discardDropsWhatIsQueued();
    void destroyingTheTrackerDropsEverything();
    void aJobWithoutValueReportsItsEnd();
};

namespace {

bool onGuiThread() { return QThread::currentThread() == qApp->thread(); }

// Posts 1, 2, 3, … as progress every millisecond until cancelled; returns how many it posted (−1 after 60 s).
auto countUntilCancelled(Receiver* r, std::shared_ptr<std::atomic<int>> posted)
{
    return [r, posted](const JobTracker::Job& job) -> qint64 {
        const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        qint64 n = 0;
        while (!job.cancelled()) {
            if (std::chrono::steady_clock::now() > end) {
                return -1;
            }
            ++n;
            job.post([r, n, id = job.id()] { emit r->progress(n, id); });
            ++*posted;
            QThread::msleep(1);
        }
        return n;
    };
}

auto emitResult(Receiver* r, JobTracker* tracker)
{
    return [r, tracker](qint64 v) { emit r->result(v, tracker->current().id(), onGuiThread()); };
}

// A receiver, spies on what it gets, and a tracker that delivers to it.
struct Harness {
    Receiver r;
    QSignalSpy results { &r, &Receiver::result };
    QSignalSpy progress { &r, &Receiver::progress };
    std::shared_ptr<std::atomic<int>> posted = std::make_shared<std::atomic<int>>(0);
    std::unique_ptr<JobTracker> tracker = std::make_unique<JobTracker>(&r);

    // Starts a job that counts until cancelled.
    void startCounting() { tracker->start(countUntilCancelled(&r, posted), emitResult(&r, tracker.get())); }
    // Waits, without running the event loop (so that all it posts stays queued), until the job posted n times.
    void waitForPosts(int n) const
    {
        while (posted->load() < n) {
            QThread::msleep(1);
        }
    }
};

} // namespace

void tst_JobTracker::deliversTheValueOnTheGuiThread()
{
    Harness h;
    std::atomic<bool> workedOffGui { false };
    const qint64 n = 100000;
    h.tracker->start(
        [&workedOffGui, n](const JobTracker::Job&) {
            workedOffGui = !onGuiThread();
            qint64 sum = 0;
            for (qint64 i = 1; i <= n; ++i) {
                sum += i;
            }
            return sum;
        },
        emitResult(&h.r, h.tracker.get()));
    QVERIFY(h.tracker->running());
    QVERIFY(h.results.wait(10000));
    QCOMPARE(h.results.count(), 1);
    QCOMPARE(h.results[0][0].toLongLong(), n * (n + 1) / 2); // Gauss: 5,000,050,000
    QCOMPARE(h.results[0][1].toULongLong(), quint64(1));
    QVERIFY(h.results[0][2].toBool()); // delivered on the GUI thread
    QVERIFY(workedOffGui.load()); // computed on the worker
    QVERIFY(!h.tracker->running());
}

void tst_JobTracker::aReplacedJobsQueuedResultsAreDropped()
{
    Harness h;
    Receiver* rp = &h.r;
    JobTracker& tracker = *h.tracker;
    // Job 1 posts progress 1 … 3 and returns 111; wait() joins it, so all four deliveries are queued (the event
    // loop has not run) when job 2 replaces it.
    tracker.start(
        [rp](const JobTracker::Job& job) {
            for (qint64 i = 1; i <= 3; ++i) {
                job.post([rp, i, id = job.id()] { emit rp->progress(i, id); });
            }
            return qint64(111);
        },
        emitResult(rp, &tracker));
    tracker.wait();
    QVERIFY(tracker.running()); // finished, but not delivered yet
    tracker.start(
        [rp](const JobTracker::Job& job) {
            job.post([rp, id = job.id()] { emit rp->progress(7, id); });
            return qint64(222);
        },
        emitResult(rp, &tracker));
    QCOMPARE(tracker.current().id(), quint64(2));
    QVERIFY(h.results.wait(10000));
    QVERIFY(!h.results.wait(300)); // nothing else comes
    QCOMPARE(h.results.count(), 1);
    QCOMPARE(h.results[0][0].toLongLong(), qint64(222));
    QCOMPARE(h.results[0][1].toULongLong(), quint64(2));
    QCOMPARE(h.progress.count(), 1); // job 1's three are dropped, job 2's one arrives
    QCOMPARE(h.progress[0][0].toLongLong(), qint64(7));
    QCOMPARE(h.progress[0][1].toULongLong(), quint64(2));
    QVERIFY(!tracker.running());
}

void tst_JobTracker::cancelStopsTheJobAndKeepsItsResult()
{
    Harness h;
    h.startCounting();
    QVERIFY(h.progress.wait(10000)); // running: the first progress arrived
    QVERIFY(!h.tracker->current().cancelled());
    h.tracker->cancel();
    QVERIFY(h.tracker->current().cancelled());
    QVERIFY(h.results.wait(10000));
    QCOMPARE(h.results.count(), 1);
    const qint64 n = h.results[0][0].toLongLong();
    QVERIFY(n >= 1); // stopped by the cancel, not by the 60 s guard
    // The same job stays current: every progress it posted before returning arrived, in order, before the result.
    QCOMPARE(qint64(h.posted->load()), n);
    QCOMPARE(qint64(h.progress.count()), n);
    for (qint64 i = 0; i < n; ++i) {
        QCOMPARE(h.progress[int(i)][0].toLongLong(), i + 1);
    }
    QVERIFY(!h.tracker->running());
}

void tst_JobTracker::discardDropsWhatIsQueued()
{
    Harness h;
    h.startCounting();
    h.waitForPosts(3);
    h.tracker->discard();
    QVERIFY(!h.tracker->running());
    QVERIFY(h.tracker->current().cancelled());
    h.tracker->wait(); // the worker saw the cancel and returned: its result is queued behind its progress
    QVERIFY(!h.results.wait(300)); // runs the event loop over all of it
    QCOMPARE(h.results.count(), 0);
    QCOMPARE(h.progress.count(), 0);
    QVERIFY(h.posted->load() >= 3);
}

void tst_JobTracker::destroyingTheTrackerDropsEverything()
{
    Harness h;
    h.startCounting();
    h.waitForPosts(3);
    h.tracker.reset(); // the destructor discards the job and waits for it
    QVERIFY(!h.results.wait(300));
    QCOMPARE(h.results.count(), 0);
    QCOMPARE(h.progress.count(), 0);
    QVERIFY(h.posted->load() >= 3);
}

void tst_JobTracker::aJobWithoutValueReportsItsEnd()
{
    Receiver r;
    JobTracker tracker(&r);
    QSignalSpy done(&r, &Receiver::done);
    auto squares = std::make_shared<std::vector<int>>();
    tracker.start(
        [squares](const JobTracker::Job&) {
            for (int i = 0; i < 10; ++i) {
                squares->push_back(i * i);
            }
        },
        [&r] { emit r.done(); });
    QVERIFY(done.wait(10000));
    QCOMPARE(done.count(), 1);
    QCOMPARE(squares->size(), std::size_t(10));
    QCOMPARE(squares->at(9), 81);
    QVERIFY(!tracker.running());
}

QTEST_MAIN(tst_JobTracker)
#include "tst_JobTracker.moc"
