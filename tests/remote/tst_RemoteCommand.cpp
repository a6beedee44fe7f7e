// `fxs remote` against a real fxs-server on 127.0.0.1: every subcommand says who it acts as (the token file's
// entry, written here), and a role that does not allow an action ends with exit code 3 and the server's word;
// `watch` prints progress lines until the job ends and `fetch` brings its results file home (read with h5py) and
// its sums (equal to an accumulation of the same shots in this process); `cancel` and `resume` stop a running job and
// continue it to sums equal to an uninterrupted accumulation.
#include "RemoteFixture.h"

#include <H5pyResults.h>
#include <QRegularExpression>

using namespace fxs::test;

namespace {

struct Run {
    int code = -1;
    QString out;
};

Run fxsRemote(const QStringList& args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(binDir() + "/fxs", QStringList { "remote" } + args);
    Run r;
    if (p.waitForFinished(60000)) {
        r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    }
    r.out = QString::fromUtf8(p.readAll());
    return r;
}

} // namespace

class TestRemoteCommand : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<RemoteServer> m_server;
    QTemporaryDir m_tokens;
    std::string m_job;

    QString tokenFile(const QString& name, const QString& token)
    {
        QFile f(m_tokens.filePath(name));
        f.open(QIODevice::WriteOnly);
        f.write(token.toUtf8() + "\n");
        f.close();
        f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        return f.fileName();
    }
    QStringList common(const QString& file, int port = 0) const
    {
        return { "--server", QStringLiteral("127.0.0.1:%1").arg(port ? port : m_server->port), "--token-file", file };
    }

private slots:
    void initTestCase()
    {
        m_server = std::make_unique<RemoteServer>();
        m_server->tokenFileText
            = "eve watch eve-token-0123456789ab\nbob operate bob-token-0123456789ab jobs=3 ranks=8\n";
        QString error;
        QVERIFY2(m_server->start(error), qPrintable(error));
        auto st = m_server->sessionWith("bob-token-0123456789ab")->submit(smallSpec(1, 16));
        QVERIFY(st.ok());
        m_job = st->job_id();
        QVERIFY(m_server->sessionWith("bob-token-0123456789ab")->watch(m_job, {}).ok());
    }
    void cleanupTestCase()
    {
        if (m_server) {
            QCOMPARE(m_server->stop(), 0);
        }
    }

    void whoamiShowsNameRoleAndLimits()
    {
        const Run r = fxsRemote(QStringList { "whoami" } + common(tokenFile("bob", "bob-token-0123456789ab")));
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("signed in as bob (operate)"), qPrintable(r.out));
        QVERIFY2(r.out.contains("limits: 3 running jobs, 8 ranks; in use: 0 jobs, 0 ranks"), qPrintable(r.out));
    }

    void listNamesTheRoleAndTheOwner()
    {
        const Run r = fxsRemote(QStringList { "list" } + common(tokenFile("eve", "eve-token-0123456789ab")));
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("signed in as eve (watch)"), qPrintable(r.out));
        QVERIFY2(
            r.out.contains(QString::fromStdString(m_job) + "  SUCCEEDED  16/16 shots  owner bob"), qPrintable(r.out));
    }

    void aForbiddenActionExitsWith3()
    {
        const Run r = fxsRemote(QStringList { "cancel", QString::fromStdString(m_job) }
            + common(tokenFile("eve", "eve-token-0123456789ab")));
        QCOMPARE(r.code, 3);
        QVERIFY2(r.out.contains("signed in as eve (watch)")
                && r.out.contains(
                    "PERMISSION_DENIED: CancelJob needs the role operate; the token 'eve' has the role watch"),
            qPrintable(r.out));
    }

    void watchFollowsAJobToItsEnd()
    {
        const fxs::v1::JobSpec spec = smallSpec(2, 4000, 16, 64);
        auto st = m_server->sessionWith("bob-token-0123456789ab")->submit(spec);
        QVERIFY(st.ok());
        const QString id = QString::fromStdString(st->job_id());
        const Run r = fxsRemote(
            QStringList { "watch", id, "--interval", "0" } + common(tokenFile("eve", "eve-token-0123456789ab")));
        QVERIFY2(r.code == 0, qPrintable(r.out));
        QVERIFY2(r.out.contains("signed in as eve (watch)"), qPrintable(r.out));
        // Progress lines: "[   1.2 s] ID  STATE  done/total shots ...", shots never going back, the last one complete.
        static const QRegularExpression line(R"(^\[\s*([0-9.]+) s\] (\S+)  ([A-Z]+)  (\d+)/(\d+) shots)");
        qint64 last = -1;
        QString lastState;
        int lines = 0;
        for (const QString& l : r.out.split('\n')) {
            const auto m = line.match(l);
            if (!m.hasMatch()) {
                continue;
            }
            QCOMPARE(m.captured(2), id);
            QCOMPARE(m.captured(5).toLongLong(), qint64(4000));
            QVERIFY2(m.captured(4).toLongLong() >= last, qPrintable(r.out));
            last = m.captured(4).toLongLong();
            lastState = m.captured(3);
            ++lines;
        }
        QVERIFY2(lines >= 2, qPrintable(r.out)); // at least one while it ran (or the first status) and the end
        QCOMPARE(lastState, QStringLiteral("SUCCEEDED"));
        QCOMPARE(last, qint64(4000));
        QVERIFY2(r.out.contains(id + "  SUCCEEDED  4000/4000 shots  owner bob"), qPrintable(r.out));
    }

    void fetchBringsTheResultsHome()
    {
        QTemporaryDir dir;
        const QString eve = tokenFile("eve", "eve-token-0123456789ab");
        const QString id = QString::fromStdString(m_job); // smallSpec(1, 16), finished in initTestCase
        const Run results = fxsRemote(QStringList { "fetch", id, "--out", dir.filePath("run.h5") } + common(eve));
        QVERIFY2(results.code == 0, qPrintable(results.out));
        QVERIFY2(results.out.contains("fetched the results of job " + id + " into " + dir.filePath("run.h5")),
            qPrintable(results.out));
        const Run sums
            = fxsRemote(QStringList { "fetch", id, "--kind", "sums", "--out", dir.filePath("run.fxs1") } + common(eve));
        QVERIFY2(sums.code == 0, qPrintable(sums.out));
        const Run bad
            = fxsRemote(QStringList { "fetch", id, "--kind", "pictures", "--out", dir.filePath("x") } + common(eve));
        QCOMPARE(bad.code, 2);
        QVERIFY2(bad.out.contains("--kind pictures: expected results, sums, density, checkpoint or log"),
            qPrintable(bad.out));

        // The oracle: the same 16 shots accumulated here, without MPI or the server.
        const fxs::C2Sums expected = localSums(smallSpec(1, 16));
        auto fetched = fxs::SumsFile::read(dir.filePath("run.fxs1").toStdString());
        QVERIFY(fetched.ok());
        QVERIFY(sumsError(fetched->sums, expected) < 1e-12);
        // h5py reads the results file: 16 shots, the grid, and the sums' signal as accumulated here.
        double norm = 0.0;
        for (int h = 0; h < 2; ++h) {
            for (const auto& v : expected.signal[h]) {
                norm += std::abs(v);
            }
        }
        const QString out = fxs::test::h5pyOnResults(dir.filePath("run.h5"),
            QStringLiteral("import numpy as np\n"
                           "s = f['/sums']\n"
                           "print(int(s.attrs['shots_even']) + int(s.attrs['shots_odd']), f['/c2/c2'].shape, "
                           "repr(float(np.abs(s['signal_even'][()]).sum() + np.abs(s['signal_odd'][()]).sum())))\n"))
                                .trimmed();
        const QStringList parts = out.split(' ');
        QVERIFY2(out.startsWith("16 (16, 16, 32) "), qPrintable(out));
        QVERIFY2(std::abs(parts.last().toDouble() - norm) <= 1e-9 * norm,
            qPrintable(out + " vs " + QString::number(norm, 'g', 17)));
    }

    // What the window's Stop and Resume do, from the CLI: `fxs remote cancel` stops a running job at its first
    // checkpoint (run from the watch's status callback as soon as there is one: no fixed waits), `fxs remote list`
    // shows it CANCELLED, `fxs remote resume` continues it (same job, attempt 2) and `fxs remote watch` follows it to
    // its end. The oracle: its fetched sums equal an accumulation of every shot once, in this process.
    //
    // The job runs on a server of its own whose ranks sleep 2 ms per shot (--debug-slowdown-per-shot), so that it
    // lasts ~20 s whatever the machine: a job at full speed on two busy cores ended before the `fxs remote cancel`
    // started from its first checkpoint got the CPU to connect (its start took 7-18 s beside two spinning ranks).
    void cancelThenResumeContinuesTheJob()
    {
        RemoteServer server;
        server.tokenFileText = m_server->tokenFileText;
        server.extraArgs = { "--debug-slowdown-per-shot", "0.002" };
        QString startError;
        QVERIFY2(server.start(startError), qPrintable(startError));
        const QString bob = tokenFile("bob", "bob-token-0123456789ab");
        const QString eve = tokenFile("eve", "eve-token-0123456789ab");
        const std::int64_t shots = 20000; // 2 ranks x 10,000 shots x 2 ms: ~20 s per attempt
        fxs::v1::JobSpec spec = smallSpec(2, shots, 16, 64);
        spec.set_shots_per_unit(64);
        spec.set_units_per_reduce(0); // rounds end by time only
        spec.set_reduce_interval_s(0.2);
        auto st = server.sessionWith("bob-token-0123456789ab")->submit(spec);
        QVERIFY(st.ok());
        const QString id = QString::fromStdString(st->job_id());
        Run cancel;
        std::int64_t checkpoint = -1;
        auto end = server.sessionWith("eve-token-0123456789ab")->watch(st->job_id(), [&](const fxs::v1::JobStatus& s) {
            if (checkpoint < 0 && s.state() == fxs::v1::JOB_STATE_RUNNING && s.checkpoint_shots() > 0) {
                checkpoint = s.checkpoint_shots();
                cancel = fxsRemote(QStringList { "cancel", id } + common(bob, server.port));
            }
        });
        QVERIFY(end.ok());
        QVERIFY2(checkpoint > 0, "the job ended before its first checkpoint");
        QVERIFY2(cancel.code == 0 && cancel.out.contains("signed in as bob (operate)")
                && cancel.out.contains(id + "  CANCELLED  "),
            qPrintable(cancel.out));
        QCOMPARE(int(end->state()), int(fxs::v1::JOB_STATE_CANCELLED));
        QVERIFY2(end->shots_done() < shots, qPrintable(QString::number(end->shots_done())));
        const Run list = fxsRemote(QStringList { "list" } + common(eve, server.port));
        QVERIFY2(list.code == 0 && list.out.contains(id + "  CANCELLED  "), qPrintable(list.out));

        const Run resume = fxsRemote(QStringList { "resume", id } + common(bob, server.port));
        QVERIFY2(resume.code == 0 && resume.out.contains(id + "  "), qPrintable(resume.out));
        const Run watch = fxsRemote(QStringList { "watch", id, "--interval", "0" } + common(eve, server.port));
        QVERIFY2(watch.code == 0, qPrintable(watch.out));
        QVERIFY2(watch.out.contains(QStringLiteral("%1  SUCCEEDED  %2/%2 shots").arg(id).arg(shots))
                && watch.out.contains("attempt 2"),
            qPrintable(watch.out));

        QTemporaryDir dir;
        const Run fetch = fxsRemote(QStringList { "fetch", id, "--kind", "sums", "--out", dir.filePath("run.fxs1") }
            + common(eve, server.port));
        QVERIFY2(fetch.code == 0, qPrintable(fetch.out));
        auto fetched = fxs::SumsFile::read(dir.filePath("run.fxs1").toStdString());
        QVERIFY(fetched.ok());
        QCOMPARE(fetched->sums.totalShots(), shots); // every shot once: none lost, none counted twice
        const double error = sumsError(fetched->sums, localSums(spec));
        QVERIFY2(error < 1e-10,
            qPrintable(QStringLiteral("resumed sums differ from an uninterrupted run by %1").arg(error)));
        QCOMPARE(server.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestRemoteCommand)
#include "tst_RemoteCommand.moc"
