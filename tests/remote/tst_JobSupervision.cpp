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

} // namespace

class TestJobSupervision : public QObject {
    Q_OBJECT

private:
    RemoteServer* m_server = nullptr;

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
        QCOMPARE(int(end->state()), int(fxs::v1::JOB_STATE_SUCCEEDED));
        QTemporaryDir tmp;
        const auto path = tmp.filePath("r.fxs1").toStdString();
        QVERIFY(m_server->session->fetch(id, path).ok());
        auto got = fxs::remote::SumsFile::read(path);
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
        m_server = new RemoteServer;
        // Slow shots so that a test can act mid-run; a 2 s heartbeat timeout so that the watchdog test is quick.
        m_server->extraArgs = { "--debug-slowdown-per-shot", "0.01", "--heartbeat-timeout", "2" };
        QString error;
        QVERIFY2(m_server->start(error), qPrintable(error));
    }
    void cleanupTestCase()
    {
        if (m_server) {
            QCOMPARE(m_server->stop(), 0);
            delete m_server;
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
        QVERIFY2(msg.contains("rank 1") && msg.contains("heartbeat"), qPrintable(msg));
        QVERIFY(!alive(victim)); // the stopped rank was killed too
        QVERIFY(processesMentioning(jobDir(id)).isEmpty());
        resumeAndCompare(id, spec);
    }

    void cancelLeavesNoProcessBehind()
    {
        auto* rng = QRandomGenerator::global();
        for (int i = 0; i < 6; ++i) {
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
