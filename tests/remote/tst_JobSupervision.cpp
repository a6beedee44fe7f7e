// fxs-server's supervision of real MPI jobs (mpirun + fxs-worker on 127.0.0.1): a rank killed with SIGKILL or
// stopped with SIGSTOP ends the job `failed` with its checkpoint, quickly, leaving no process behind; a resume
// then completes with every shot counted exactly once and sums equal to a single-process computation; cancel
// leaves no process behind.
#include "RemoteFixture.h"

#include <QDirIterator>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

using namespace fxs::test;

namespace {

// Every process whose command line mentions `needle` (the job folder): what "left behind" means here.
QList<qint64> processesMentioning(const QString& needle)
{
    QList<qint64> out;
    QDirIterator it(QStringLiteral("/proc"), QDir::Dirs | QDir::NoDotAndDotDot);
    while (it.hasNext()) {
        it.next();
        bool ok = false;
        const qint64 pid = it.fileName().toLongLong(&ok);
        if (!ok || !alive(pid)) {
            continue;
        }
        QFile f(it.filePath() + QStringLiteral("/cmdline"));
        if (f.open(QIODevice::ReadOnly) && f.readAll().replace('\0', ' ').contains(needle.toUtf8())) {
            out << pid;
        }
    }
    return out;
}

// Resident memory of a process (VmRSS), KiB.
qint64 rssKiB(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly)) {
        return 0;
    }
    for (const QByteArray& line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:")) {
            return line.mid(6).trimmed().split(' ').front().toLongLong();
        }
    }
    return 0;
}

} // namespace

class TestJobSupervision : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<RemoteServer> m_server;

    QString jobDir(const std::string& id) const { return m_server->stateDir() + "/jobs/" + QString::fromStdString(id); }

    // Pid of a rank from its heartbeat file (read here, not through the server), 0 if not there yet.
    qint64 rankPid(const std::string& id, int rank) const
    {
        QFile f(jobDir(id) + QStringLiteral("/ranks/rank-%1.json").arg(rank));
        if (!f.open(QIODevice::ReadOnly)) {
            return 0;
        }
        return QJsonDocument::fromJson(f.readAll()).object().value("pid").toInteger();
    }

    fxs::v1::JobStatus statusOf(const std::string& id)
    {
        auto jobs = m_server->session->list();
        if (jobs) {
            for (const auto& j : *jobs) {
                if (j.job_id() == id) {
                    return j;
                }
            }
        }
        return {};
    }

    // Waits until the job has a checkpoint and both ranks have reported; false on timeout.
    bool waitForCheckpoint(const std::string& id, int ranks)
    {
        for (int i = 0; i < 300; ++i) {
            const auto s = statusOf(id);
            bool allRanks = true;
            for (int r = 0; r < ranks; ++r) {
                allRanks = allRanks && rankPid(id, r) > 0;
            }
            if (s.checkpoint_shots() > 0 && allRanks && s.state() == fxs::v1::JOB_STATE_RUNNING) {
                return true;
            }
            QTest::qWait(50);
        }
        return false;
    }

    void resumeAndCompare(const std::string& id, const fxs::v1::JobSpec& spec)
    {
        auto r = m_server->session->resume(id);
        QVERIFY2(r.ok(), r ? "" : r.error().message.c_str());
        QCOMPARE(r->attempt(), 2);
        QVERIFY(r->checkpoint_shots() > 0); // it starts from the checkpoint, not from zero
        auto end = m_server->session->watch(id, {});
        QVERIFY2(end.ok(), end ? "" : end.error().message.c_str());
        QVERIFY2(end->state() == fxs::v1::JOB_STATE_SUCCEEDED, end->message().c_str());
        QTemporaryDir tmp;
        const auto path = tmp.filePath("r.fxs1").toStdString();
        QVERIFY(m_server->session->fetch(id, path).ok());
        auto got = fxs::SumsFile::read(path);
        QVERIFY(got.ok());
        const auto local = localSums(spec);
        QCOMPARE(got->sums.shots[0], local.shots[0]); // every shot exactly once
        QCOMPARE(got->sums.shots[1], local.shots[1]);
        QCOMPARE(qint64(got->unitsDone.size()), qint64((spec.synthetic().shots() + 7) / 8));
        const double err = sumsError(got->sums, local);
        QVERIFY2(err <= 1e-12, qPrintable(QString("relative error %1").arg(err)));
    }

private slots:
    void initTestCase()
    {
        // Slow shots so that a test can act mid-run. The stopped rank is seen in /proc (the watchdog does not wait
        // for the heartbeat timeout, left at its default), so a loaded machine's late heartbeats end no job here.
        QString error;
        m_server = startServer(error, { "--debug-slowdown-per-shot", "0.01" });
        QVERIFY2(m_server, qPrintable(error));
    }
    void cleanupTestCase()
    {
        if (m_server) {
            QCOMPARE(m_server->stop(), 0);
        }
    }

    void killedRankFailsThenResumeCompletes()
    {
        const auto spec = smallSpec(2, 400);
        auto st = m_server->session->submit(spec);
        QVERIFY(st.ok());
        const std::string id = st->job_id();
        QVERIFY2(waitForCheckpoint(id, 2), "no checkpoint");
        const qint64 victim = rankPid(id, 1);
        QElapsedTimer t;
        t.start();
        QCOMPARE(::kill(pid_t(victim), SIGKILL), 0);
        auto end = m_server->session->watch(id, {});
        QVERIFY(end.ok());
        QVERIFY2(t.elapsed() < 5000, qPrintable(QString("took %1 ms").arg(t.elapsed())));
        QCOMPARE(int(end->state()), int(fxs::v1::JOB_STATE_FAILED));
        const QString msg = QString::fromStdString(end->message());
        QVERIFY2(msg.contains("rank 1") && msg.contains("signal 9"), qPrintable(msg));
        QVERIFY(end->resumable());
        QVERIFY(end->checkpoint_shots() > 0 && end->checkpoint_shots() < 400);
        QVERIFY(processesMentioning(jobDir(id)).isEmpty());
        resumeAndCompare(id, spec);
    }

    void stoppedRankIsEndedByTheWatchdog()
    {
        const auto spec = smallSpec(3, 450);
        auto st = m_server->session->submit(spec);
        QVERIFY(st.ok());
        const std::string id = st->job_id();
        QVERIFY2(waitForCheckpoint(id, 3), "no checkpoint");
        const qint64 victim = rankPid(id, 1);
        QElapsedTimer t;
        t.start();
        QCOMPARE(::kill(pid_t(victim), SIGSTOP), 0); // Open MPI alone would wait for it forever
        auto end = m_server->session->watch(id, {});
        QVERIFY(end.ok());
        QVERIFY2(t.elapsed() < 2000 + 3000, qPrintable(QString("took %1 ms").arg(t.elapsed())));
        QCOMPARE(int(end->state()), int(fxs::v1::JOB_STATE_FAILED));
        const QString msg = QString::fromStdString(end->message());
        QVERIFY2(msg.contains("rank 1") && msg.contains("is stopped"), qPrintable(msg));
        QVERIFY(!alive(victim)); // the stopped rank was killed too
        QVERIFY(processesMentioning(jobDir(id)).isEmpty());
        resumeAndCompare(id, spec);
    }

    void cancelLeavesNoProcessBehind()
    {
        auto* rng = QRandomGenerator::global();
        // FXS_REMOTE_CANCELS=100 for the long version; 6 keeps the suite fast on 2 cores.
        const int n = qEnvironmentVariableIntValue("FXS_REMOTE_CANCELS") > 0
            ? qEnvironmentVariableIntValue("FXS_REMOTE_CANCELS")
            : 6;
        for (int i = 0; i < n; ++i) {
            auto st = m_server->session->submit(smallSpec(2 + i % 2, 400));
            QVERIFY(st.ok());
            QTest::qWait(int(rng->bounded(1500))); // before, during or after the ranks start
            auto c = m_server->session->cancel(st->job_id());
            QVERIFY2(c.ok(), c ? "" : c.error().message.c_str());
            QCOMPARE(int(c->state()), int(fxs::v1::JOB_STATE_CANCELLED));
            QVERIFY(c->resumable());
            const auto left = processesMentioning(jobDir(st->job_id()));
            QVERIFY2(left.isEmpty(), qPrintable(QString("%1 processes left").arg(left.size())));
        }
    }

    void watchSurvivesAServerRestartAndTheJobIsAdopted()
    {
        const auto spec = smallSpec(2, 300);
        auto st = m_server->session->submit(spec);
        QVERIFY(st.ok());
        const std::string id = st->job_id();
        QVERIFY(waitForCheckpoint(id, 2));
        // A separate client watches across the restart.
        fxs::remote::RemoteOptions o;
        o.target = "127.0.0.1:" + std::to_string(m_server->port);
        o.token = m_server->token.toStdString();
        o.reconnectWindow = std::chrono::seconds(20);
        fxs::remote::RemoteSession watcher(o);
        fxs::v1::JobStatus end;
        std::string error;
        std::atomic<int> updates { 0 };
        std::thread t([&] {
            auto r = watcher.watch(id, [&](const fxs::v1::JobStatus&) { ++updates; });
            if (r) {
                end = *r;
            } else {
                error = r.error().message;
            }
        });
        QTRY_VERIFY_WITH_TIMEOUT(updates > 0, 5000);
        QCOMPARE(m_server->stop(), 0); // drains: the job keeps running without its server
        QString startError;
        QVERIFY2(m_server->start(startError), qPrintable(startError));
        t.join();
        QVERIFY2(error.empty(), error.c_str());
        QCOMPARE(int(end.state()), int(fxs::v1::JOB_STATE_SUCCEEDED));
        QTemporaryDir tmp;
        QVERIFY(m_server->session->fetch(id, tmp.filePath("r").toStdString()).ok());
        auto got = fxs::SumsFile::read(tmp.filePath("r").toStdString());
        QVERIFY(got.ok());
        QCOMPARE(got->sums.totalShots(), qint64(300));
        QVERIFY(sumsError(got->sums, localSums(spec)) <= 1e-12);
    }

    void aStalledWatcherDoesNotGrowServerMemory()
    {
        // 37 snapshots of 2.4 MB each (90 MB if a server queued them for a watcher that does not read).
        auto spec = smallSpec(2, 600, 48, 128);
        spec.set_units_per_reduce(1);
        auto st = m_server->session->submit(spec);
        QVERIFY(st.ok());
        auto ctx = m_server->session->context(std::chrono::seconds(120));
        fxs::v1::WatchJobRequest req;
        req.set_job_id(st->job_id());
        req.set_include_snapshots(true);
        auto reader = m_server->session->stub().WatchJob(ctx.get(), req);
        fxs::v1::WatchUpdate u;
        QVERIFY(reader->Read(&u)); // one message, then this watcher stops reading
        const qint64 pid = m_server->process.processId();
        const qint64 before = rssKiB(pid);
        qint64 peak = before;
        for (int i = 0; i < 1800 && statusOf(st->job_id()).state() == fxs::v1::JOB_STATE_RUNNING; ++i) { // 90 s at most
            peak = std::max(peak, rssKiB(pid));
            QTest::qWait(50);
        }
        QCOMPARE(int(statusOf(st->job_id()).state()), int(fxs::v1::JOB_STATE_SUCCEEDED));
        QVERIFY(statusOf(st->job_id()).snapshot_version() >= 30);
        QVERIFY2(peak - before < 50 * 1024, qPrintable(QString("server grew by %1 MiB").arg((peak - before) / 1024)));
        ctx->TryCancel();
        while (reader->Read(&u)) { }
        reader->Finish();
    }

    // Each running rank reports its own rate. The oracle: Δshots / Δt of that rank between watch updates, timed by
    // this process's clock; the slowdown of 0.01 s per shot caps a rank at 100 Hz.
    void runningRanksReportTheirRate()
    {
        auto st = m_server->session->submit(smallSpec(2, 800));
        QVERIFY(st.ok());
        struct Seen {
            double t;
            qint64 shots;
            double reported;
        };
        std::map<int, std::vector<Seen>> seen;
        QElapsedTimer clock;
        clock.start();
        auto end = m_server->session->watch(st->job_id(), [&](const fxs::v1::JobStatus& s) {
            for (const auto& r : s.ranks()) {
                // While it accumulates: in the final reduction and results file its shots stand still, and a rate
                // measured over the last second lags behind that.
                if (s.state() == fxs::v1::JOB_STATE_RUNNING && r.phase() == "accumulating") {
                    seen[r.rank()].push_back(
                        { clock.nsecsElapsed() * 1e-9, r.shots_done() + r.shots_rejected(), r.shots_per_second() });
                }
            }
        });
        QVERIFY(end.ok());
        QCOMPARE(int(end->state()), int(fxs::v1::JOB_STATE_SUCCEEDED));
        QCOMPARE(int(seen.size()), 2);
        for (const auto& [rank, obs] : seen) {
            QVERIFY2(obs.size() >= 4 && obs.back().t - obs.front().t >= 2.0, qPrintable(QString("rank %1").arg(rank)));
            // Once the server has had a full second to measure: the reported rates, weighted by how long each was
            // the latest, against Δshots / Δt over the same span (a rate that lags a burst still integrates right).
            std::size_t first = 0;
            while (first < obs.size() && obs[first].t - obs.front().t < 1.5) {
                ++first;
            }
            QVERIFY(first + 2 < obs.size());
            const Seen& a = obs[first];
            const Seen& b = obs.back();
            const double oracle = double(b.shots - a.shots) / (b.t - a.t);
            double weighted = 0, span = 0, lowest = 1e300;
            for (std::size_t k = first; k + 1 < obs.size(); ++k) {
                weighted += obs[k].reported * (obs[k + 1].t - obs[k].t);
                span += obs[k + 1].t - obs[k].t;
                lowest = std::min(lowest, obs[k].reported);
            }
            const double mean = weighted / span;
            qInfo("rank %d: reported %.1f Hz (time-weighted mean), observed %.1f Hz", rank, mean, oracle);
            QVERIFY2(oracle > 10.0 && oracle <= 110.0, qPrintable(QString("observed %1 Hz").arg(oracle)));
            QVERIFY2(lowest > 0.0, qPrintable(QString("rank %1 reported %2 Hz").arg(rank).arg(lowest)));
            QVERIFY2(mean >= 0.6 * oracle && mean <= 1.4 * oracle,
                qPrintable(QString("rank %1: reported %2 Hz, observed %3 Hz").arg(rank).arg(mean).arg(oracle)));
        }
        for (const auto& r : end->ranks()) {
            QCOMPARE(r.shots_per_second(), 0.0); // a rank that is done runs at 0 Hz
        }
    }

    void resumeOfARunningJobIsRefused()
    {
        auto st = m_server->session->submit(smallSpec(2, 400));
        QVERIFY(st.ok());
        auto r = m_server->session->resume(st->job_id());
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.rfind("FAILED_PRECONDITION", 0) == 0, r.error().message.c_str());
        QVERIFY(m_server->session->cancel(st->job_id()).ok());
    }
};

QTEST_GUILESS_MAIN(TestJobSupervision)
#include "tst_JobSupervision.moc"
