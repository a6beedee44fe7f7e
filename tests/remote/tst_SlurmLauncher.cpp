// fxs-server --launcher slurm against a real one-node Slurm on 127.0.0.1 (scripts/slurm-local.sh starts it; the
// suite skips, saying why, when it cannot): a job runs as a Slurm allocation with srun --mpi=pmix ranks and its
// sums equal a single-process computation; Slurm itself (scontrol) confirms the allocation's name, partition, time
// limit, tasks and end state; a rank killed with SIGKILL fails the job naming the rank, the host and the signal;
// cancel is scancel, and leaves no process behind.
#include "RemoteFixture.h"

#include <QDirIterator>
#include <QJsonDocument>
#include <QJsonObject>

using namespace fxs::test;

namespace {

QString run(const QString& program, const QStringList& args, int* rc = nullptr)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    p.waitForFinished(60000);
    if (rc) {
        *rc = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    }
    return QString::fromUtf8(p.readAll());
}

// Slurm's own record of a job: "scontrol show job ID" as key=value pairs.
QMap<QString, QString> slurmJob(const std::string& id)
{
    QMap<QString, QString> out;
    const QString text = run("scontrol", { "show", "job", QString::fromStdString(id) });
    for (const QString& word : text.split(QRegularExpression("\\s+"), Qt::SkipEmptyParts)) {
        const int eq = word.indexOf('=');
        if (eq > 0 && !out.contains(word.left(eq))) {
            out[word.left(eq)] = word.mid(eq + 1);
        }
    }
    return out;
}

QList<qint64> processesMentioning(const QString& needle)
{
    QList<qint64> out;
    QDirIterator it(QStringLiteral("/proc"), QDir::Dirs | QDir::NoDotAndDotDot);
    while (it.hasNext()) {
        it.next();
        bool ok = false;
        const qint64 pid = it.fileName().toLongLong(&ok);
        QFile f(it.filePath() + QStringLiteral("/cmdline"));
        if (ok && alive(pid) && f.open(QIODevice::ReadOnly) && f.readAll().replace('\0', ' ').contains(needle.toUtf8())) {
            out << pid;
        }
    }
    return out;
}

} // namespace

class TestSlurmLauncher : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<RemoteServer> m_server;
    QString m_host;

    QString jobDir(const std::string& id) const { return m_server->stateDir() + "/jobs/" + QString::fromStdString(id); }

    qint64 rankPid(const std::string& id, int rank) const
    {
        QFile f(jobDir(id) + QStringLiteral("/ranks/rank-%1.json").arg(rank));
        return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object().value("pid").toInteger() : 0;
    }

    // Submits a long job (400 shots at 10 ms over 2 ranks: ~2 s of shots) and waits until both ranks beat.
    std::string startLongJob()
    {
        auto st = m_server->session->submit(smallSpec(2, 400));
        if (!st) {
            qWarning() << st.error().message.c_str();
            return {};
        }
        for (int i = 0; i < 400 && (rankPid(st->job_id(), 0) == 0 || rankPid(st->job_id(), 1) == 0); ++i) {
            QTest::qWait(50);
        }
        return st->job_id();
    }

private slots:
    void initTestCase()
    {
        int rc = 0;
        const QString out = run(qEnvironmentVariable("FXS_SOURCE_DIR") + "/scripts/slurm-local.sh", { "start" }, &rc);
        if (rc != 0) {
            QSKIP(qPrintable("no Slurm here: " + out.trimmed()));
        }
        const QString conf = out.trimmed().section('=', 1);
        qputenv("SLURM_CONF", conf.toUtf8()); // for fxs-server (inherited) and scontrol below
        m_host = run("hostname", { "-s" }).trimmed();
        m_server = std::make_unique<RemoteServer>();
        m_server->launcher = "slurm";
        m_server->extraArgs = { "--slurm-time", "5", "--debug-slowdown-per-shot", "0.01" };
        QString error;
        QVERIFY2(m_server->start(error), qPrintable(error));
    }
    void cleanupTestCase()
    {
        if (m_server) {
            QCOMPARE(m_server->stop(), 0);
        }
    }

    void aJobRunsAsASlurmAllocation()
    {
        auto spec = smallSpec(2, 64);
        spec.mutable_slurm()->set_partition("debug");
        auto st = m_server->session->submit(spec);
        QVERIFY2(st.ok(), st ? "" : st.error().message.c_str());
        auto end = m_server->session->watch(st->job_id(), {});
        QVERIFY(end.ok());
        QVERIFY2(end->state() == fxs::v1::JOB_STATE_SUCCEEDED, end->message().c_str());
        QTemporaryDir tmp;
        QVERIFY(m_server->session->fetch(end->job_id(), tmp.filePath("r").toStdString()).ok());
        auto got = fxs::SumsFile::read(tmp.filePath("r").toStdString());
        QVERIFY(got.ok());
        const auto local = localSums(spec);
        QCOMPARE(got->sums.shots[0] + got->sums.shots[1], local.shots[0] + local.shots[1]);
        QVERIFY(sumsError(got->sums, local) <= 1e-12);

        QVERIFY2(!end->slurm_job_id().empty(), "no Slurm job id in JobStatus");
        const auto job = slurmJob(end->slurm_job_id());
        QCOMPARE(job.value("JobName"), "fxs-" + QString::fromStdString(end->job_id()));
        QCOMPARE(job.value("Partition"), QString("debug"));
        QCOMPARE(job.value("TimeLimit"), QString("00:05:00")); // --slurm-time 5 (minutes)
        QCOMPARE(job.value("NumTasks"), QString("2"));
        QCOMPARE(job.value("JobState"), QString("COMPLETED"));
        for (const auto& r : end->ranks()) {
            QCOMPARE(QString::fromStdString(r.host()), m_host);
        }
    }

    void aKilledRankFailsTheJobNamingRankHostAndSignal()
    {
        const std::string id = startLongJob();
        QVERIFY(!id.empty());
        const qint64 victim = rankPid(id, 1);
        QVERIFY(victim > 0);
        QCOMPARE(::kill(pid_t(victim), SIGKILL), 0);
        auto end = m_server->session->watch(id, {});
        QVERIFY(end.ok());
        QCOMPARE(int(end->state()), int(fxs::v1::JOB_STATE_FAILED));
        const QString msg = QString::fromStdString(end->message());
        QVERIFY2(msg.contains("rank 1") && msg.contains("on " + m_host) && msg.contains("signal 9"), qPrintable(msg));
        QVERIFY(end->resumable());
        QTRY_VERIFY_WITH_TIMEOUT(processesMentioning(jobDir(id)).isEmpty(), 5000);
        QVERIFY(slurmJob(end->slurm_job_id()).value("JobState") != "RUNNING");
    }

    void cancelIsScancelAndLeavesNothingBehind()
    {
        const std::string id = startLongJob();
        QVERIFY(!id.empty());
        auto c = m_server->session->cancel(id);
        QVERIFY2(c.ok(), c ? "" : c.error().message.c_str());
        QCOMPARE(int(c->state()), int(fxs::v1::JOB_STATE_CANCELLED));
        QVERIFY(!c->slurm_job_id().empty());
        QCOMPARE(slurmJob(c->slurm_job_id()).value("JobState"), QString("CANCELLED"));
        QVERIFY(processesMentioning(jobDir(id)).isEmpty());
    }

    void anOddSlurmFieldIsRefused()
    {
        auto spec = smallSpec(1, 16);
        spec.mutable_slurm()->set_partition("--uid=0");
        auto st = m_server->session->submit(spec);
        QVERIFY(!st.ok());
        QVERIFY2(st.error().message.rfind("INVALID_ARGUMENT", 0) == 0
                && st.error().message.find("slurm.partition") != std::string::npos,
            st.error().message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestSlurmLauncher)
#include "tst_SlurmLauncher.moc"
