// fxs-monitor's remote jobs, end to end: the window (offscreen) submits to a real fxs-server on 127.0.0.1 that runs
// real mpirun + fxs-worker ranks. The C2 the window shows equals the brute-force C2 (seed eq. 1, float64 φ-loop) of
// the same synthetic shots; the Ranks table ends with both ranks DONE; a bad token or a closed port gives a message
// naming the server and the cause; a cancel from the window ends the job CANCELLED with no fxs-worker left and its
// ranks shown CANCELLED; restarting the window on saved remote settings submits nothing; a restarted window resumes
// the last session's cancelled job from its checkpoint to sums equal to an uninterrupted run's; a stream job chosen in
// the form (every rank a consumer of a DECTRIS Stream V2 publisher) ends at the series' end with every image the
// publisher sent in its ledger.
#include "RemoteFixture.h"

#include <C2BruteForce.h>
#include <H5pyResults.h>
#include <MrcReadBack.h>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <StreamPeer.h>

using namespace fxs::test;

namespace {

constexpr std::uint64_t kSeed = 7;

struct MonitorRun {
    int exitCode = -1;
    QString output;
    QJsonObject ranks;
};

// Remote-job settings as the window keeps them, then fxs-monitor started on them (it quits when the job ends).
// `remoteExtra` replaces or adds keys of the remote settings, `settingsExtra` sets other keys ("grid/qMax"). With
// `submit` (--submit) the window submits the job on launch; without it, it only restores the settings.
void startMonitor(QProcess& p, const QTemporaryDir& dir, const QString& address, const QString& tokenFile,
    const QStringList& extra, const QJsonObject& remoteExtra = {}, const QVariantMap& settingsExtra = {},
    bool submit = true)
{
    {
        QSettings s(dir.filePath("s.ini"), QSettings::IniFormat);
        s.setValue(QStringLiteral("run/source"), 3); // Remote job (fxs-server)
        QJsonObject remote { { "address", address }, { "token_file", tokenFile }, { "ranks", 2 },
            { "threads_per_rank", 1 }, { "backend", "cpu" }, { "input", "synthetic" },
            { "seed", QString::number(kSeed) }, { "double_precision", true } };
        for (auto it = remoteExtra.begin(); it != remoteExtra.end(); ++it) {
            remote.insert(it.key(), it.value());
        }
        s.setValue(QStringLiteral("run/remote"), QJsonDocument(remote).toJson(QJsonDocument::Compact));
        for (auto it = settingsExtra.begin(); it != settingsExtra.end(); ++it) {
            s.setValue(it.key(), it.value());
        }
    }
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(binDir() + QStringLiteral("/fxs-monitor"),
        QStringList { QStringLiteral("--settings"), dir.filePath("s.ini"), QStringLiteral("--results"),
            dir.filePath("results"), QStringLiteral("--dump-ranks"), dir.filePath("ranks.json"),
            QStringLiteral("--quit-when-done") }
            + (submit ? QStringList { QStringLiteral("--submit") } : QStringList {}) + extra);
}

// Waits for fxs-monitor to end; its exit code (−1 for a crash or a hang), output and Ranks table.
MonitorRun finishMonitor(QProcess& p, const QTemporaryDir& dir, int timeoutMs = 60000)
{
    MonitorRun r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.output = QStringLiteral("fxs-monitor did not finish: ") + p.readAll();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.output = QString::fromUtf8(p.readAll());
    QFile f(dir.filePath("ranks.json"));
    if (f.open(QIODevice::ReadOnly)) {
        r.ranks = QJsonDocument::fromJson(f.readAll()).object();
    }
    return r;
}

MonitorRun runMonitor(
    const QTemporaryDir& dir, const QString& address, const QString& tokenFile, const QStringList& extra)
{
    QProcess p;
    startMonitor(p, dir, address, tokenFile, extra);
    return finishMonitor(p, dir);
}

// fxs-monitor on an offscreen screen of 1920 × 1080 pixels (the platform's default is 800 × 600).
void onControlRoomScreen(QProcess& p, const QTemporaryDir& dir)
{
    QFile config(dir.filePath("screen.json"));
    if (config.open(QIODevice::WriteOnly)) {
        config.write(R"({"windowFrameMargins": false, "screens": [{"name": "control-room", "x": 0, "y": 0,
            "width": 1920, "height": 1080, "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]})");
    }
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen:configfile=") + config.fileName());
    p.setProcessEnvironment(env);
}

// Every live fxs-worker process whose command line names a job folder under `stateDir`.
QStringList workersUnder(const QString& stateDir)
{
    QStringList found;
    for (const QString& pid : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        QFile f(QStringLiteral("/proc/%1/cmdline").arg(pid));
        if (pid.toLongLong() > 0 && f.open(QIODevice::ReadOnly)) {
            const QByteArray cmd = f.readAll().replace('\0', ' ');
            if (cmd.contains("fxs-worker") && cmd.contains(stateDir.toUtf8()) && alive(pid.toLongLong())) {
                found << pid + QStringLiteral(": ") + QString::fromUtf8(cmd);
            }
        }
    }
    return found;
}

} // namespace

class TestMonitorRemote : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<RemoteServer> m_server;
    QString address() const { return QStringLiteral("127.0.0.1:%1").arg(m_server->port); }

private slots:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(binDir() + "/fxs-monitor"), "FXS_BIN_DIR must hold fxs-monitor");
        QString error;
        m_server = startServer(error);
        QVERIFY2(m_server, qPrintable(error));
    }
    void cleanupTestCase()
    {
        if (m_server) {
            QCOMPARE(m_server->stop(), 0);
        }
    }

    void windowShowsTheRemoteC2()
    {
        QTemporaryDir dir;
        const int shots = 96;
        const int nQ = 6;
        const int nPhi = 16;
        const MonitorRun run = runMonitor(dir, address(), m_server->tokenFile(),
            { QStringLiteral("--shots"), QString::number(shots), QStringLiteral("--nq"), QString::number(nQ),
                QStringLiteral("--nphi"), QString::number(nPhi), QStringLiteral("--dump-c2"), dir.filePath("c2.json"),
                QStringLiteral("--dump-window"), dir.filePath("window.json"), QStringLiteral("--screenshots"),
                dir.filePath("png") });
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        QVERIFY2(run.output.contains(QStringLiteral("succeeded")), qPrintable(run.output));

        // Ranks table: both ranks, ended DONE, each with work done, summing to every shot.
        QCOMPARE(run.ranks.value("state").toString(), QStringLiteral("SUCCEEDED"));
        // The fixture's one-token file: an admin entry named "default", the job's owner.
        QCOMPARE(run.ranks.value("identity").toString(), QStringLiteral("default (admin)"));
        QCOMPARE(run.ranks.value("owner").toString(), QStringLiteral("default"));
        const QJsonArray ranks = run.ranks.value("ranks").toArray();
        QCOMPARE(ranks.size(), 2);
        qint64 sum = 0;
        for (int i = 0; i < 2; ++i) {
            const QJsonObject r = ranks[i].toObject();
            QCOMPARE(r.value("rank").toInt(), i);
            QCOMPARE(r.value("health").toString(), QStringLiteral("DONE"));
            sum += qint64(r.value("shots_done").toDouble());
        }
        QCOMPARE(sum, qint64(shots));

        // The oracle: the direct φ-loop over the very shots the synthetic input deals (no FFT, no MPI, no server).
        const fxs::remote::SyntheticPolarSource src(nQ, nPhi, kSeed, 0.0);
        std::vector<fxs::PolarFrame> frames;
        for (int i = 0; i < shots; ++i) {
            frames.push_back(src.frame(i));
        }
        const BruteC2 b = bruteForce(frames, true);
        QFile jf(dir.filePath("c2.json"));
        QVERIFY(jf.open(QIODevice::ReadOnly));
        const QJsonObject o = QJsonDocument::fromJson(jf.readAll()).object();
        QCOMPARE(o.value("shots").toInt(), shots);
        QCOMPARE(o.value("nQ").toInt(), nQ);
        const int q = o.value("q").toInt();
        const int qp = o.value("qp").toInt();
        const int k0 = o.value("k").toInt();
        const auto expect = [&](int a, int c, int k) { return b.numTotal(b.at(a, c, k)) / b.denTotal(b.at(a, c, k)); };
        const QJsonArray curve = o.value("c2").toArray();
        QCOMPARE(curve.size(), nPhi);
        int compared = 0;
        for (int k = 0; k < nPhi; ++k) {
            if (!curve[k].isNull()) {
                QVERIFY2(std::abs(curve[k].toDouble() - expect(q, qp, k)) <= 1e-9 * (1.0 + std::abs(expect(q, qp, k))),
                    qPrintable(QStringLiteral("Δ bin %1: shown %2, brute force %3")
                                   .arg(k)
                                   .arg(curve[k].toDouble())
                                   .arg(expect(q, qp, k))));
                ++compared;
            }
        }
        QVERIFY(compared >= nPhi - 1); // all but the self-term
        const QJsonArray pair = o.value("pairMapAtK").toArray();
        QCOMPARE(pair.size(), nQ * nQ);
        int comparedMap = 0;
        for (int a = 0; a < nQ; ++a) {
            for (int c = 0; c < nQ; ++c) {
                if (!pair[a * nQ + c].isNull()) {
                    QVERIFY(std::abs(pair[a * nQ + c].toDouble() - expect(a, c, k0))
                        <= 1e-9 * (1.0 + std::abs(expect(a, c, k0))));
                    ++comparedMap;
                }
            }
        }
        QVERIFY(comparedMap >= nQ * nQ - nQ);

        // The results came home: an HDF5 results file (read back with h5py) naming the server, the job and 2 ranks.
        // (beside the server's own, fxs-remote-<id>-server.h5)
        const QStringList h5
            = QDir(dir.filePath("results"))
                  .entryList({ QStringLiteral("fxs-remote-%1.h5").arg(run.ranks.value("job_id").toString()) });
        QCOMPARE(h5.size(), 1);
        QVERIFY(
            QFile::exists(dir.filePath("results/fxs-remote-%1-server.h5").arg(run.ranks.value("job_id").toString())));
        QVERIFY(run.output.contains(dir.filePath("results/" + h5.first())));
        const QString out = h5pyOnResults(dir.filePath("results/" + h5.first()),
            QStringLiteral("print(c['server'], c['job_id'], c['job_spec']['ranks'], c['state'])\n"))
                                .trimmed();
        QCOMPARE(out, QStringLiteral("%1 %2 2 SUCCEEDED").arg(address(), run.ranks.value("job_id").toString()));
        QVERIFY(QFileInfo(dir.filePath("png/monitor-remote-ranks.png")).size() > 2000);

        // The live snapshots carry what a local run shows: the standard errors of the job's last live snapshot (all
        // its shots) at the explorer's cursor are those of the fetched results file (h5py: /c2/c2_std_error), and the
        // explorer draws them as its band; the convergence view has its per-q curves (the headline's q has the file's
        // /c2/split_half_cc_per_q there) and its q × q′ map.
        const QString se = h5pyOnResults(dir.filePath("results/" + h5.first()),
            QStringLiteral("s = f['/c2/c2_std_error'][%1, %2, :]\n"
                           "cq = f['/c2/split_half_cc_per_q'][()]\n"
                           "print(' '.join(repr(float(x)) for x in s))\n"
                           "print(' '.join(repr(float(x)) for x in cq))\n")
                .arg(q)
                .arg(qp))
                               .trimmed();
        QVERIFY2(!se.startsWith("python failed"), qPrintable(se));
        const QStringList lines = se.split('\n');
        QCOMPARE(lines.size(), 2);
        const QStringList expectedSe = lines[0].split(' ');
        QCOMPARE(expectedSe.size(), nPhi);
        QFile wf(dir.filePath("window.json"));
        QVERIFY(wf.open(QIODevice::ReadOnly));
        const QJsonObject w = QJsonDocument::fromJson(wf.readAll()).object();
        QCOMPARE(w.value("remoteSnapshotShots").toInt(), shots);
        const QJsonArray liveSe = w.value("remoteSnapshotStdError").toArray();
        const QJsonArray shownSe = o.value("stdError").toArray();
        QVERIFY2(liveSe.size() == nPhi, "the last live snapshot has no standard errors");
        QCOMPARE(shownSe.size(), nPhi);
        int comparedSe = 0;
        for (int k = 0; k < nPhi; ++k) {
            if (curve[k].isNull()) {
                continue; // the self-term: no band, as no curve
            }
            const double e = expectedSe[k].toDouble();
            QVERIFY2(e > 0.0 && std::abs(liveSe[k].toDouble() - e) <= 1e-9 * e,
                qPrintable(QStringLiteral("live standard error at Δ bin %1: %2, results file %3")
                               .arg(k)
                               .arg(liveSe[k].toDouble())
                               .arg(e)));
            QVERIFY2(std::abs(shownSe[k].toDouble() - e) <= 1e-9 * (e + std::abs(curve[k].toDouble())),
                qPrintable(
                    QStringLiteral("band at Δ bin %1: %2, results file %3").arg(k).arg(shownSe[k].toDouble()).arg(e)));
            ++comparedSe;
        }
        QVERIFY(comparedSe >= nPhi - 1);
        const QStringList perQ = lines[1].split(' ');
        QCOMPARE(perQ.size(), nQ);
        const int bin = w.value("convergenceSlowestBin").toInt();
        QVERIFY2(bin >= 0 && bin < nQ, qPrintable(QString("headline q bin %1").arg(bin)));
        QVERIFY2(std::abs(w.value("convergenceSlowestCC").toDouble() - perQ[bin].toDouble()) <= 1e-9,
            qPrintable(QString("split-half at q bin %1: shown %2, results file %3")
                           .arg(bin)
                           .arg(w.value("convergenceSlowestCC").toDouble())
                           .arg(perQ[bin])));
        QVERIFY2(w.value("convergenceMapCells").toInt() >= nQ * nQ / 2,
            qPrintable(
                QString("%1 cells of the split-half map hold a value").arg(w.value("convergenceMapCells").toInt())));
    }

    // A particle simulated on the server, reconstructed there: the window follows the reconstruction to 100 %, brings
    // the density home as an MRC map that matches the model's truth, and fetches the server's results file (read
    // with h5py: a verdict for every shot, the density).
    // The Vetoes panel's hand-vetoed ranges and thresholds on any statistic go with the job (they used to stay in
    // the window): the server rejects exactly those shots, and its ledger gives the scientist's reasons.
    void vetoRulesTravelWithTheJob()
    {
        QTemporaryDir dir;
        const QString vetoes = QStringLiteral(
            R"({"rules":{"thresholds":[{"statistic":"masked_fraction","min":null,"max":0.5}],)"
            R"("ranges":[{"first":10,"last":19,"reason":"beam drop"},{"first":40,"last":44,"reason":"sample change"}]}})");
        QProcess p;
        startMonitor(p, dir, address(), m_server->tokenFile(),
            { QStringLiteral("--shots"), QStringLiteral("96"), QStringLiteral("--nq"), QStringLiteral("6"),
                QStringLiteral("--nphi"), QStringLiteral("16") },
            {}, { { QStringLiteral("decision/vetoes"), vetoes.toUtf8() } });
        const MonitorRun run = finishMonitor(p, dir);
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        QCOMPARE(run.ranks.value("state").toString(), QStringLiteral("SUCCEEDED"));
        QCOMPARE(run.ranks.value("shots_rejected").toInt(), 15);
        QCOMPARE(run.ranks.value("shots_accepted").toInt(), 81);

        const QString serverH5
            = dir.filePath("results/fxs-remote-%1-server.h5").arg(run.ranks.value("job_id").toString());
        QVERIFY2(run.output.contains(serverH5), qPrintable(run.output));
        const QString out = h5pyOnResults(serverH5,
            QStringLiteral("l = f['/ledger']\n"
                           "for s, a, r in zip(l['shot_index'][()], l['accepted'][()], l['reason'][()]):\n"
                           "    print(int(s), int(a), r.decode() if isinstance(r, bytes) else r)\n"))
                                .trimmed();
        const QStringList lines = out.split('\n');
        QCOMPARE(lines.size(), 96);
        for (const QString& line : lines) {
            const int shot = line.section(' ', 0, 0).toInt();
            const bool drop = shot >= 10 && shot <= 19, change = shot >= 40 && shot <= 44;
            QVERIFY2(line.section(' ', 1, 1).toInt() == (drop || change ? 0 : 1), qPrintable(line));
            QVERIFY2(!drop || line.contains(QStringLiteral("beam drop")), qPrintable(line));
            QVERIFY2(!change || line.contains(QStringLiteral("sample change")), qPrintable(line));
        }
    }

    void simulatorJobReconstructsOnTheServer()
    {
        QTemporaryDir dir;
        const int shots = 2000;
        const QJsonObject simulator { { "input", "simulator" }, { "model", "tetramer4" }, { "wavelength_a", 1.5 },
            { "peak_photons", 100.0 }, { "mean_particles", 1.0 },
            { "reconstruction",
                QJsonObject { { "enabled", true }, { "grid_size", 32 }, { "starts", 2 }, { "iterations", 400 } } } };
        QProcess p;
        startMonitor(p, dir, address(), m_server->tokenFile(),
            { QStringLiteral("--shots"), QString::number(shots), QStringLiteral("--nq"), QStringLiteral("32"),
                QStringLiteral("--nphi"), QStringLiteral("128"), QStringLiteral("--screenshots"), dir.filePath("png") },
            simulator, { { QStringLiteral("grid/qMin"), 0.02 }, { QStringLiteral("grid/qMax"), 0.5 } });
        const MonitorRun run = finishMonitor(p, dir, 120000);
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        QCOMPARE(run.ranks.value("state").toString(), QStringLiteral("SUCCEEDED"));
        QCOMPARE(run.ranks.value("shots_done").toInt(), shots);
        QCOMPARE(run.ranks.value("reconstruction_progress").toDouble(), 1.0);
        QCOMPARE(run.ranks.value("reconstruction_bar_percent").toInt(), 100);

        const QString id = run.ranks.value("job_id").toString();
        const QString mrc = dir.filePath("results/fxs-remote-%1-density.mrc").arg(id);
        QVERIFY2(run.output.contains(mrc), qPrintable(run.output)); // the window says where it is
        const DensityVerdict v = judgeMrc(mrc, "tetramer4", "pentamer5");
        QCOMPARE(v.n, 32);
        QVERIFY2(
            v.truth >= 0.85 && v.control < 0.85, qPrintable(QString("CC %1, control %2").arg(v.truth).arg(v.control)));

        const QString serverH5 = dir.filePath("results/fxs-remote-%1-server.h5").arg(id);
        QVERIFY2(run.output.contains(serverH5), qPrintable(run.output));
        const QString out = h5pyOnResults(
            serverH5, QStringLiteral("print(len(f['/ledger/shot_index']), f['/analysis/density'].shape)\n"))
                                .trimmed();
        QCOMPARE(out, QStringLiteral("%1 (32, 32, 32)").arg(shots));
    }

    // The form's "Detector stream" input: the window submits a 2-rank stream job on a DECTRIS Stream V2 publisher
    // (tests/app/stream_peer.py), it ends at the series' end message, and the job's ledger holds every image the
    // publisher says it sent, once (h5py on the results file the window fetched).
    void windowRunsAStreamJob()
    {
        for (const char* m : { "zmq", "cbor2", "bitshuffle" }) {
            if (!pythonHas(m)) {
                QSKIP(qPrintable(QString("python3 module %1 is missing (packaging/install-deps)").arg(m)));
            }
        }
        QTemporaryDir dir;
        const QString cxi = dir.filePath("frames.cxi"), geom = dir.filePath("det.geom");
        QVERIFY(runPython("import h5py, sys, numpy as np\n"
                          "y, x = np.mgrid[0:48, 0:48] - 23.5\n"
                          "f = [100 + 50 * np.cos(0.5 * np.hypot(x, y)) * (1 + np.cos(2 * np.arctan2(y, x) + j))"
                          " for j in range(40)]\n"
                          "h5py.File(sys.argv[1], 'w')['/entry_1/data_1/data'] = np.array(f, dtype=np.float32)\n",
            { cxi })
                    .ok());
        QFile g(geom);
        QVERIFY(g.open(QIODevice::WriteOnly));
        g.write(smallDetectorGeom());
        g.close();
        StreamPeer peer({ "dectris", "0", cxi, "--pace-hz", "50" });
        const int port = peer.port();
        QVERIFY(port > 0);
        const QJsonObject stream { { "input", "stream" },
            { "stream_endpoint", QStringLiteral("tcp://127.0.0.1:%1").arg(port) }, { "stream_protocol", "dectris" },
            { "stream_stop_at_end", true }, { "stream_idle_timeout_s", 60.0 }, { "server_geometry_path", geom } };
        QProcess p;
        startMonitor(p, dir, address(), m_server->tokenFile(),
            { QStringLiteral("--nq"), QStringLiteral("8"), QStringLiteral("--nphi"), QStringLiteral("32") }, stream,
            { { QStringLiteral("grid/qMin"), 0.01 }, { QStringLiteral("grid/qMax"), 0.08 } });
        const MonitorRun run = finishMonitor(p, dir, 120000);
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        QCOMPARE(run.ranks.value("state").toString(), QStringLiteral("SUCCEEDED"));
        const QJsonArray sent = peer.summary().value("sent").toArray();
        QCOMPARE(sent.size(), 40);
        QCOMPARE(run.ranks.value("shots_done").toInt(), 40);

        const QString serverH5
            = dir.filePath("results/fxs-remote-%1-server.h5").arg(run.ranks.value("job_id").toString());
        QVERIFY2(run.output.contains(serverH5), qPrintable(run.output));
        const QString frames
            = h5pyOnResults(serverH5, QStringLiteral("print(sorted(int(v) for v in f['/ledger/frame_number'][()]))\n"))
                  .trimmed();
        QStringList every;
        for (const auto& v : sent) {
            every << QString::number(v.toInt());
        }
        QCOMPARE(frames, QStringLiteral("[%1]").arg(every.join(QStringLiteral(", "))));
    }

    void serverProblemsAreNamed_data()
    {
        QTest::addColumn<bool>("wrongToken");
        QTest::addColumn<QString>("expected");
        QTest::newRow("wrong token") << true << QStringLiteral("UNAUTHENTICATED");
        QTest::newRow("nothing listening") << false << QStringLiteral("Cannot reach fxs-server at 127.0.0.1:1 ");
    }
    void serverProblemsAreNamed()
    {
        QFETCH(bool, wrongToken);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        QFile t(dir.filePath("token"));
        QVERIFY(t.open(QIODevice::WriteOnly));
        t.write("not-the-servers-token\n");
        t.close();
        t.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        const QString where = wrongToken ? address() : QStringLiteral("127.0.0.1:1");
        const auto before = m_server->session->list();
        QVERIFY(before.ok());
        const MonitorRun run = runMonitor(dir, where, t.fileName(), { QStringLiteral("--shots"), "64" });
        QCOMPARE(run.exitCode, 1); // an orderly exit of a failed run: no crash
        QVERIFY2(run.output.contains(expected), qPrintable(run.output));
        QVERIFY2(run.output.contains(QStringLiteral("fxs-server at ") + where), qPrintable(run.output));
        const auto after = m_server->session->list();
        QVERIFY(after.ok());
        QCOMPARE(after->size(), before->size()); // nothing was submitted
    }

    // A token that may only watch: the window says who it is, greys Start out saying why, and submits nothing.
    void aWatchTokenMayNotStart()
    {
        RemoteServer server;
        server.tokenFileText = "viewer watch viewer-token-0123456789\n";
        QString error;
        QVERIFY2(server.start(error), qPrintable(error));
        QTemporaryDir dir;
        QFile t(dir.filePath("token"));
        QVERIFY(t.open(QIODevice::WriteOnly));
        t.write("viewer-token-0123456789\n");
        t.close();
        t.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        const MonitorRun run = runMonitor(
            dir, QStringLiteral("127.0.0.1:%1").arg(server.port), t.fileName(), { QStringLiteral("--shots"), "64" });
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.output.contains("The token 'viewer' has the role watch"), qPrintable(run.output));
        QCOMPARE(run.ranks.value("identity").toString(), QStringLiteral("viewer (watch)"));
        QCOMPARE(run.ranks.value("start_enabled").toBool(), false);
        QVERIFY2(run.ranks.value("start_tooltip").toString().contains("submitting a job needs the role operate"),
            qPrintable(run.ranks.value("start_tooltip").toString()));
        const auto jobs = server.sessionWith("viewer-token-0123456789")->list();
        QVERIFY(jobs.ok());
        QVERIFY(jobs->empty());
        QCOMPARE(server.stop(), 0);
    }

    // The server restarts mid-job: the window says it is reconnecting, follows the adopted job to its end, and shows
    // its result.
    void serverRestartIsFollowed()
    {
        QTemporaryDir dir;
        QProcess p;
        startMonitor(p, dir, address(), m_server->tokenFile(),
            { QStringLiteral("--shots"), QStringLiteral("4000"), QStringLiteral("--nq"), QStringLiteral("64"),
                QStringLiteral("--nphi"), QStringLiteral("128") });
        // The restart must come while the window watches the job: wait until it was submitted (a loaded machine
        // takes seconds to start the window), not a fixed time.
        const auto running = [this] {
            auto jobs = m_server->session->list();
            return jobs && !jobs->empty() && jobs->front().state() == fxs::v1::JOB_STATE_RUNNING;
        };
        QTRY_VERIFY_WITH_TIMEOUT(running(), 30000);
        QVERIFY2(p.state() == QProcess::Running, p.readAll().constData()); // the job is still running
        QCOMPARE(m_server->stop(), 0);
        QString error;
        QVERIFY2(m_server->start(error), qPrintable(error)); // same port, same state folder: the job is adopted
        const MonitorRun run = finishMonitor(p, dir);
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        QVERIFY2(run.output.contains(QStringLiteral("Reconnecting to ") + address()), qPrintable(run.output));
        QCOMPARE(run.ranks.value("state").toString(), QStringLiteral("SUCCEEDED"));
        QCOMPARE(run.ranks.value("shots_done").toInt(), 4000);
    }

    // The job runs on a server of its own whose ranks sleep 2 ms per shot (--debug-slowdown-per-shot): 2,000,000
    // shots then last hours, so only the cancel ends it. At full speed, on two cores shared with other tests, the job
    // (~100,000 shots/s at this grid) ended before the window had pressed Stop.
    void cancelFromTheWindow()
    {
        RemoteServer server;
        server.extraArgs = { "--debug-slowdown-per-shot", "0.002" };
        QString startError;
        QVERIFY2(server.start(startError), qPrintable(startError));
        QTemporaryDir dir;
        QProcess p;
        onControlRoomScreen(p, dir);
        startMonitor(p, dir, QStringLiteral("127.0.0.1:%1").arg(server.port), server.tokenFile(),
            { QStringLiteral("--shots"), QStringLiteral("2000000"), QStringLiteral("--nq"), QStringLiteral("16"),
                QStringLiteral("--nphi"), QStringLiteral("64"), QStringLiteral("--stop-at-shots"), QStringLiteral("1"),
                QStringLiteral("--dump-window"), dir.filePath("window.json") });
        const MonitorRun run = finishMonitor(p, dir);
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        // The window with a cancelled job (the Resume button shown) keeps the 1,600 px it started with, and nothing is
        // cut off at its right edge or inside a dock (the button in a large font and the C2 title on one line made it
        // grow to 1,785 px while the job ran, cut off in between, and the remote form was cut off inside its dock).
        QFile dump(dir.filePath("window.json"));
        QVERIFY(dump.open(QIODevice::ReadOnly));
        const QJsonObject w = QJsonDocument::fromJson(dump.readAll()).object();
        QVERIFY2(w["contentMinimumWidth"].toInt() <= w["windowWidth"].toInt() && w["windowWidth"].toInt() <= 1600,
            qPrintable(QStringLiteral("content at least %1 px wide in a %2 px window")
                           .arg(w["contentMinimumWidth"].toInt())
                           .arg(w["windowWidth"].toInt())));
        QVERIFY2(w["docksCutOff"].toArray().isEmpty(),
            qPrintable(QJsonDocument(w["docksCutOff"].toArray()).toJson(QJsonDocument::Compact)));
        // While the job ran the Vetoes panel was frozen (its ranks veto with the rules it was submitted with: a veto
        // typed in the window would have reached nothing, silently); once cancelled, the rules may be changed again.
        QVERIFY2(
            w["vetoFrozenAtStop"].toString().contains(QStringLiteral("runs with the veto rules it was submitted with")),
            qPrintable(w["vetoFrozenAtStop"].toString()));
        QVERIFY2(w["vetoFrozen"].toString().isEmpty(), qPrintable(w["vetoFrozen"].toString()));
        // The history bar under the detector says where a remote job's images are (it said "no shots yet").
        QVERIFY2(w["historyText"].toString().contains(QStringLiteral("stay on its ranks")),
            qPrintable(w["historyText"].toString()));
        QCOMPARE(run.ranks.value("state").toString(), QStringLiteral("CANCELLED"));
        QVERIFY2(run.output.contains(QStringLiteral("cancelled")), qPrintable(run.output));
        const QString id = run.ranks.value("job_id").toString();
        QVERIFY(!id.isEmpty());
        const auto jobs = server.session->list();
        QVERIFY2(jobs.ok(), jobs.ok() ? "" : jobs.error().message.c_str());
        bool seen = false;
        for (const auto& j : *jobs) {
            if (QString::fromStdString(j.job_id()) == id) {
                seen = true;
                QCOMPARE(int(j.state()), int(fxs::v1::JOB_STATE_CANCELLED));
                QVERIFY(j.shots_done() < 2000000);
            }
        }
        QVERIFY(seen);
        const QJsonArray ranks = run.ranks.value("ranks").toArray();
        QVERIFY(!ranks.isEmpty());
        for (const auto r : ranks) {
            const qint64 pid = qint64(r.toObject().value("pid").toDouble());
            QVERIFY2(pid <= 0 || !alive(pid), qPrintable(QStringLiteral("rank pid %1 still alive").arg(pid)));
            // Stopped on purpose: the table says so rather than the watchdog's GONE of a rank that died.
            QCOMPARE(r.toObject().value("health").toString(), QStringLiteral("CANCELLED"));
        }
        // A cancelled job offers Resume (its checkpoint stays on the server).
        QCOMPARE(run.ranks.value("resume_visible").toBool(), true);
        QVERIFY2(workersUnder(server.stateDir()).isEmpty(), qPrintable(workersUnder(server.stateDir()).join("\n")));
        QCOMPARE(server.stop(), 0);
    }

    // Restarting fxs-monitor after a remote run restores its settings, never its actions: nothing is submitted
    // (it used to submit a new MPI job 1–2 s after start-up with nothing pressed).
    // Stop pressed while the server cannot be reached (it restarts; a keepalive lost on a loaded machine is the same
    // to the window): the cancel is asked again until the server answers, and the job ends CANCELLED with no "Cancel
    // failed" on the way (the window used to give up at the first UNAVAILABLE while the job ran on, or stopped after
    // all). The oracle is the server's own job list after the restart.
    void stopWhileTheServerIsDownGetsThrough()
    {
        RemoteServer server;
        server.extraArgs = { "--debug-slowdown-per-shot", "0.002" }; // hours for 2,000,000 shots: only a cancel ends it
        QString error;
        QVERIFY2(server.start(error), qPrintable(error));
        QTemporaryDir dir;
        QProcess p;
        startMonitor(p, dir, QStringLiteral("127.0.0.1:%1").arg(server.port), server.tokenFile(),
            { QStringLiteral("--shots"), QStringLiteral("2000000"), QStringLiteral("--nq"), QStringLiteral("16"),
                QStringLiteral("--nphi"), QStringLiteral("64"), QStringLiteral("--stop-when-reconnecting") });
        const auto running = [&server] {
            auto jobs = server.session->list();
            return jobs && !jobs->empty() && jobs->front().state() == fxs::v1::JOB_STATE_RUNNING;
        };
        QTRY_VERIFY_WITH_TIMEOUT(running(), 30000);
        QCOMPARE(server.stop(), 0); // the window's watch drops: it presses Stop, and the cancel cannot get through
        QString seen;
        QTRY_VERIFY2_WITH_TIMEOUT(
            (seen += QString::fromUtf8(p.readAll())).contains(QStringLiteral("asking again")), qPrintable(seen), 30000);
        QVERIFY2(server.start(error), qPrintable(error)); // same port and state folder: the job is adopted
        const MonitorRun run = finishMonitor(p, dir);
        const QString output = seen + run.output;
        QVERIFY2(run.exitCode == 0, qPrintable(output));
        QVERIFY2(output.contains(QStringLiteral("pressing Stop")) && !output.contains(QStringLiteral("Cancel failed")),
            qPrintable(output));
        QCOMPARE(run.ranks.value("state").toString(), QStringLiteral("CANCELLED"));
        const auto jobs = server.session->list();
        QVERIFY2(jobs.ok() && jobs->size() == 1, jobs.ok() ? "one job expected" : jobs.error().message.c_str());
        QCOMPARE(int(jobs->front().state()), int(fxs::v1::JOB_STATE_CANCELLED));
        QVERIFY(jobs->front().shots_done() < 2000000);
        QVERIFY2(workersUnder(server.stateDir()).isEmpty(), qPrintable(workersUnder(server.stateDir()).join("\n")));
        QCOMPARE(server.stop(), 0);
    }

    void restartSubmitsNothing()
    {
        QTemporaryDir dir;
        const auto before = m_server->session->list();
        QVERIFY(before.ok());
        QProcess p;
        startMonitor(p, dir, address(), m_server->tokenFile(), { QStringLiteral("--shots"), QStringLiteral("64") }, {},
            {}, false);
        QVERIFY(p.waitForStarted());
        QTest::qWait(6000); // a loaded machine takes seconds to start the window; the old submit came 1–2 s later
        const auto after = m_server->session->list();
        QVERIFY(after.ok());
        QVERIFY2(p.state() == QProcess::Running, p.readAll().constData()); // it waits for Start, not crashed
        p.terminate();
        if (!p.waitForFinished(10000)) {
            p.kill();
            p.waitForFinished();
        }
        QCOMPARE(after->size(), before->size()); // the server's job list is unchanged
    }

    // Resume in the window, after a restart: a window submits a job (a checkpoint every 0.2 s, the form's
    // "checkpoint every"), the job is cancelled on the server at its first checkpoint, the window ends; a new window
    // on the same settings submits nothing, looks the job up, offers Resume, and (pressed by --press-resume as a user
    // would) continues it from its checkpoint: the same job, attempt 2, from the checkpoint's shots, to every shot;
    // its fetched sums equal an uninterrupted accumulation of every shot. Event-driven: the cancel goes out from the
    // watch's status callback at the first checkpoint, no fixed waits.
    void resumeAfterRestartContinuesTheJob()
    {
        QTemporaryDir dir;
        const int shots = 200000; // ~3 s on a quiet machine; the first checkpoint comes after 0.2 s
        const int nQ = 16;
        const int nPhi = 64;
        const QStringList grid { QStringLiteral("--shots"), QString::number(shots), QStringLiteral("--nq"),
            QString::number(nQ), QStringLiteral("--nphi"), QString::number(nPhi) };
        const QJsonObject oftenCheckpointed { { "reduce_interval_s", 0.2 } };
        const auto before = m_server->session->list();
        QVERIFY(before.ok());
        QSet<QString> old;
        for (const auto& j : *before) {
            old.insert(QString::fromStdString(j.job_id()));
        }
        QProcess first;
        startMonitor(first, dir, address(), m_server->tokenFile(), grid, oftenCheckpointed);
        std::string id;
        const auto submitted = [&] {
            auto jobs = m_server->session->list();
            for (const auto& j : jobs ? *jobs : std::vector<fxs::v1::JobStatus> {}) {
                id = old.contains(QString::fromStdString(j.job_id())) ? id : j.job_id();
            }
            return !id.empty();
        };
        QTRY_VERIFY2_WITH_TIMEOUT(submitted(), qPrintable(first.readAll()), 60000);
        // Cancel from outside (a colleague, `fxs remote cancel`) at the first status with a checkpoint.
        auto watcher = m_server->sessionWith(m_server->token);
        std::int64_t checkpoint = -1;
        auto end = watcher->watch(id, [&](const fxs::v1::JobStatus& j) {
            if (checkpoint < 0 && j.state() == fxs::v1::JOB_STATE_RUNNING && j.checkpoint_shots() > 0) {
                auto c = m_server->session->cancel(id);
                checkpoint = c ? c->checkpoint_shots() : 0;
            }
        });
        QVERIFY(end.ok());
        QCOMPARE(int(end->state()), int(fxs::v1::JOB_STATE_CANCELLED));
        QVERIFY2(checkpoint > 0 && checkpoint < shots, qPrintable(QStringLiteral("checkpoint %1").arg(checkpoint)));
        QCOMPARE(end->checkpoint_shots(), checkpoint);
        const MonitorRun ended = finishMonitor(first, dir);
        QVERIFY2(ended.exitCode == 0, qPrintable(ended.output));
        QCOMPARE(ended.ranks.value("state").toString(), QStringLiteral("CANCELLED"));

        // A new window on the same settings, not told to submit: it finds the job and resumes it.
        QFile::remove(dir.filePath("ranks.json"));
        QProcess second;
        startMonitor(second, dir, address(), m_server->tokenFile(),
            grid + QStringList { QStringLiteral("--press-resume") }, oftenCheckpointed, {}, false);
        const MonitorRun run = finishMonitor(second, dir, 120000);
        QVERIFY2(run.exitCode == 0, qPrintable(run.output));
        QVERIFY2(run.output.contains(QStringLiteral("in an earlier session; pressing ⟳ Resume job ")
                     + QString::fromStdString(id) + QStringLiteral(" from its checkpoint")),
            qPrintable(run.output));
        QCOMPARE(run.ranks.value("job_id").toString(), QString::fromStdString(id)); // the same job, not a new one
        QCOMPARE(run.ranks.value("state").toString(), QStringLiteral("SUCCEEDED"));
        QCOMPARE(run.ranks.value("attempt").toInt(), 2);
        QCOMPARE(qint64(run.ranks.value("resumed_from_shots").toDouble()), checkpoint); // not from shot 0
        QCOMPARE(run.ranks.value("shots_done").toInt(), shots);
        const auto after = m_server->session->list();
        QVERIFY(after.ok());
        QCOMPARE(after->size(), before->size() + 1); // neither the restart nor Resume submitted anything new

        // The oracle: every shot accumulated once, in this process, without MPI, checkpoint or resume.
        auto fetched = fxs::SumsFile::read(
            dir.filePath("results/fxs-remote-%1.fxs1").arg(QString::fromStdString(id)).toStdString());
        QVERIFY2(fetched.ok(), fetched.ok() ? "" : fetched.error().message.c_str());
        fxs::v1::JobSpec spec;
        spec.mutable_synthetic()->set_shots(shots);
        spec.mutable_synthetic()->set_seed(kSeed);
        spec.mutable_grid()->set_n_q(nQ);
        spec.mutable_grid()->set_n_phi(nPhi);
        spec.set_ring_mean_subtracted(true);
        const fxs::C2Sums expected = localSums(spec);
        QCOMPARE(fetched->sums.totalShots(), std::int64_t(shots));
        const double error = sumsError(fetched->sums, expected);
        QVERIFY2(error < 1e-10,
            qPrintable(QStringLiteral("resumed sums differ from an uninterrupted run by %1").arg(error)));
    }
};

QTEST_GUILESS_MAIN(TestMonitorRemote)
#include "tst_MonitorRemote.moc"
