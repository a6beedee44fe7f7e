// End to end: fxs-monitor runs the simulated source to N shots (offscreen), then what its C2 view shows is
// compared with a brute-force float64 C2 (seed eq. 1, masked and ring-mean subtracted) of the very polar
// frames it pushed into the engine.
#include <H5pyResults.h>
#include <PythonRunner.h>
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fxs/shots/VetoRules.h>
#include <nlohmann/json.hpp>
#include <vector>

namespace {

struct Polar {
    std::int64_t shot = 0;
    int nQ = 0;
    int nPhi = 0;
    std::vector<float> i;
    std::vector<float> w;
};

std::vector<Polar> readPolar(const QString& path)
{
    QFile f(path);
    std::vector<Polar> out;
    if (!f.open(QIODevice::ReadOnly)) {
        return out;
    }
    const QByteArray all = f.readAll();
    std::size_t off = 0;
    while (off + 16 <= std::size_t(all.size())) {
        Polar p;
        std::memcpy(&p.shot, all.constData() + off, 8);
        std::memcpy(&p.nQ, all.constData() + off + 8, 4);
        std::memcpy(&p.nPhi, all.constData() + off + 12, 4);
        off += 16;
        const std::size_t n = std::size_t(p.nQ) * p.nPhi;
        p.i.resize(n);
        p.w.resize(n);
        std::memcpy(p.i.data(), all.constData() + off, n * 4);
        std::memcpy(p.w.data(), all.constData() + off + n * 4, n * 4);
        off += 2 * n * 4;
        out.push_back(std::move(p));
    }
    return out;
}

// Σ_j Σ_φ δI(q, φ) δI(q', φ + Δ) / Σ_j Σ_φ w(q, φ) w(q', φ + Δ), δI = w (I − ring mean).
struct BruteC2 {
    std::vector<double> num;
    std::vector<double> den;
    int nQ = 0;
    int nPhi = 0;
    std::size_t at(int q, int qp, int k) const { return (std::size_t(q) * nQ + qp) * nPhi + k; }
};

BruteC2 bruteForce(const std::vector<Polar>& frames)
{
    BruteC2 b;
    b.nQ = frames.front().nQ;
    b.nPhi = frames.front().nPhi;
    b.num.assign(std::size_t(b.nQ) * b.nQ * b.nPhi, 0.0);
    b.den.assign(b.num.size(), 0.0);
    std::vector<double> d(std::size_t(b.nQ) * b.nPhi);
    for (const Polar& p : frames) {
        for (int q = 0; q < b.nQ; ++q) {
            double sw = 0.0;
            double swi = 0.0;
            for (int f = 0; f < b.nPhi; ++f) {
                sw += p.w[q * b.nPhi + f];
                swi += double(p.w[q * b.nPhi + f]) * p.i[q * b.nPhi + f];
            }
            const double mean = sw > 0 ? swi / sw : 0.0;
            for (int f = 0; f < b.nPhi; ++f) {
                d[q * b.nPhi + f] = p.w[q * b.nPhi + f] * (p.i[q * b.nPhi + f] - mean);
            }
        }
        for (int q = 0; q < b.nQ; ++q) {
            for (int qp = 0; qp < b.nQ; ++qp) {
                for (int k = 0; k < b.nPhi; ++k) {
                    double n = 0.0;
                    double m = 0.0;
                    for (int f = 0; f < b.nPhi; ++f) {
                        const int g = (f + k) % b.nPhi;
                        n += d[q * b.nPhi + f] * d[qp * b.nPhi + g];
                        m += double(p.w[q * b.nPhi + f]) * p.w[qp * b.nPhi + g];
                    }
                    b.num[b.at(q, qp, k)] += n;
                    b.den[b.at(q, qp, k)] += m;
                }
            }
        }
    }
    return b;
}

// A small simulated run: `shots` at `rateHz` (0: flat out) on a 64 × 64 detector and a 4 × 16 grid.
QStringList smallSimulatedRun(int shots, int rateHz)
{
    return { QStringLiteral("--fresh"), QStringLiteral("--shots"), QString::number(shots), QStringLiteral("--rate"),
        QString::number(rateHz), QStringLiteral("--size"), QStringLiteral("64"), QStringLiteral("--nq"),
        QStringLiteral("4"), QStringLiteral("--nphi"), QStringLiteral("16") };
}

// Starts fxs-monitor (from FXS_BIN_DIR) with `args` on Qt's offscreen platform (its default 800 × 600 screen).
void startOffscreen(QProcess& p, const QStringList& args)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    p.setProcessEnvironment(env);
    p.start(qEnvironmentVariable("FXS_BIN_DIR") + QStringLiteral("/fxs-monitor"), args);
}

// Runs fxs-monitor offscreen on a screen of `screen` pixels with `args` plus --dump-window and --quit-when-done;
// returns what the window showed when its run ended (empty when it did not finish).
QJsonObject runWindow(const QTemporaryDir& dir, QStringList args, QSize screen = { 1920, 1080 }, int timeoutMs = 90000)
{
    QFile config(dir.filePath("screen.json"));
    if (!config.open(QIODevice::WriteOnly)) {
        return {};
    }
    config.write(QStringLiteral(R"({"windowFrameMargins": false, "screens": [{"name": "control-room", "x": 0, "y": 0,
        "width": %1, "height": %2, "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]})")
                     .arg(screen.width())
                     .arg(screen.height())
                     .toUtf8());
    config.close();
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen:configfile=") + config.fileName());
    p.setProcessEnvironment(env);
    p.setProcessChannelMode(QProcess::MergedChannels);
    args << QStringLiteral("--settings") << dir.filePath("s.ini") << QStringLiteral("--results")
         << dir.filePath("results") << QStringLiteral("--dump-window") << dir.filePath("window.json")
         << QStringLiteral("--quit-when-done");
    p.start(qEnvironmentVariable("FXS_BIN_DIR") + QStringLiteral("/fxs-monitor"), args);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        qWarning("fxs-monitor did not finish");
        return {};
    }
    QFile output(dir.filePath("output.txt")); // what it said on the terminal, for the tests that read it
    if (output.open(QIODevice::WriteOnly)) {
        output.write(p.readAll());
    }
    QFile dump(dir.filePath("window.json"));
    if (!dump.open(QIODevice::ReadOnly)) {
        qWarning("no window dump: %s", p.readAll().constData());
        return {};
    }
    return QJsonDocument::fromJson(dump.readAll()).object();
}

} // namespace

// The nice value of each thread of process `pid`, from the kernel (/proc/PID/task/TID/stat, field 19), by thread id.
QMap<qint64, int> threadNiceValues(qint64 pid)
{
    QMap<qint64, int> out;
    const QDir tasks(QStringLiteral("/proc/%1/task").arg(pid));
    for (const QString& tid : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile f(tasks.filePath(tid + QStringLiteral("/stat")));
        if (!f.open(QIODevice::ReadOnly)) {
            continue; // the thread ended meanwhile
        }
        const QByteArray line = f.readAll();
        const int close = line.lastIndexOf(')'); // the name may hold spaces
        const QList<QByteArray> fields = line.mid(close + 2).split(' '); // from field 3 (state) on
        if (fields.size() > 16) {
            out.insert(tid.toLongLong(), fields[16].toInt());
        }
    }
    return out;
}

class TestMonitorWindow : public QObject {
    Q_OBJECT
private slots:
    // The engine's threads (reader, shot pipeline and C2 workers, snapshots) run below the GUI thread's priority, so
    // that a saturated machine still gives the display its cores (fxs-bench gui: p99 67 ms at equal priority on 2
    // cores, 11 ms with the engine at nice 10). Oracle: the kernel's nice value of every thread of the running
    // monitor; the GUI thread is the process's first (tid = pid).
    void engineThreadsRunBelowTheDisplay()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QProcess p;
        startOffscreen(p,
            { QStringLiteral("--fresh"), QStringLiteral("--settings"), dir.filePath("s.ini"), QStringLiteral("--shots"),
                QStringLiteral("1000000"), QStringLiteral("--rate"), QStringLiteral("0"), QStringLiteral("--nq"),
                QStringLiteral("16"), QStringLiteral("--nphi"), QStringLiteral("64"), QStringLiteral("--size"),
                QStringLiteral("128"), QStringLiteral("--results"), dir.filePath("results") });
        QVERIFY(p.waitForStarted());
        const qint64 pid = p.processId();
        QMap<qint64, int> nice;
        int lowered = 0;
        QDeadlineTimer deadline(60000);
        while (!deadline.hasExpired() && p.state() == QProcess::Running) {
            nice = threadNiceValues(pid);
            lowered = int(std::count(nice.begin(), nice.end(), 10));
            if (lowered >= 3) {
                break;
            }
            QTest::qWait(100);
        }
        p.kill();
        p.waitForFinished();
        QVERIFY2(nice.contains(pid), "the monitor's threads were not found in /proc");
        QCOMPARE(nice.value(pid), 0); // the GUI thread
        QVERIFY2(lowered >= 3,
            qPrintable(QStringLiteral("%1 of %2 threads at nice 10 (reader, workers, snapshots expected)")
                           .arg(lowered)
                           .arg(nice.size())));
    }

    void c2ViewShowsTheEngineValues()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString exe = qEnvironmentVariable("FXS_BIN_DIR") + QStringLiteral("/fxs-monitor");
        if (!QFileInfo::exists(exe)) {
            QFAIL(qPrintable(QStringLiteral("fxs-monitor not built at ") + exe));
        }
        const int shots = 48;
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        startOffscreen(p,
            { QStringLiteral("--fresh"), QStringLiteral("--settings"), dir.filePath("s.ini"), QStringLiteral("--shots"),
                QString::number(shots), QStringLiteral("--rate"), QStringLiteral("0"), QStringLiteral("--nq"),
                QStringLiteral("6"), QStringLiteral("--nphi"), QStringLiteral("32"), QStringLiteral("--size"),
                QStringLiteral("96"), QStringLiteral("--dump-c2"), dir.filePath("c2.json"),
                QStringLiteral("--dump-polar"), dir.filePath("polar.bin"), QStringLiteral("--screenshots"),
                dir.filePath("png"), QStringLiteral("--results"), dir.filePath("results"),
                QStringLiteral("--quit-when-done") });
        QVERIFY2(p.waitForFinished(120000), "fxs-monitor did not finish");
        QVERIFY2(p.exitCode() == 0, p.readAll().constData());

        const auto frames = readPolar(dir.filePath("polar.bin"));
        QCOMPARE(int(frames.size()), shots);
        QFile jf(dir.filePath("c2.json"));
        QVERIFY(jf.open(QIODevice::ReadOnly));
        const QJsonObject o = QJsonDocument::fromJson(jf.readAll()).object();
        QCOMPARE(o.value("shots").toInt(), shots);
        const BruteC2 b = bruteForce(frames);
        const int q = o.value("q").toInt();
        const int qp = o.value("qp").toInt();
        const int k0 = o.value("k").toInt();
        const QJsonArray curve = o.value("c2").toArray();
        QCOMPARE(curve.size(), b.nPhi);
        int compared = 0;
        for (int k = 0; k < b.nPhi; ++k) {
            if (curve[k].isNull()) {
                continue; // masked or the self-term
            }
            const double expected = b.num[b.at(q, qp, k)] / b.den[b.at(q, qp, k)];
            QVERIFY2(std::abs(curve[k].toDouble() - expected) <= 1e-4 * std::abs(expected) + 1e-6,
                qPrintable(QStringLiteral("Δ bin %1: shown %2, brute force %3")
                               .arg(k)
                               .arg(curve[k].toDouble())
                               .arg(expected)));
            ++compared;
        }
        QVERIFY(compared >= b.nPhi - 1);
        const QJsonArray pair = o.value("pairMapAtK").toArray();
        QCOMPARE(pair.size(), b.nQ * b.nQ);
        int comparedMap = 0;
        for (int a = 0; a < b.nQ; ++a) {
            for (int c = 0; c < b.nQ; ++c) {
                const QJsonValue v = pair[a * b.nQ + c];
                if (!v.isNull()) {
                    const double expected = b.num[b.at(a, c, k0)] / b.den[b.at(a, c, k0)];
                    QVERIFY(std::abs(v.toDouble() - expected) <= 1e-4 * std::abs(expected) + 1e-6);
                    ++comparedMap;
                }
            }
        }
        // Every pair the detector covers well (mask correlation ≥ 1 % of the best) must be shown.
        const double maxDen = *std::max_element(b.den.begin(), b.den.end());
        int covered = 0;
        for (int a = 0; a < b.nQ; ++a) {
            for (int c = 0; c < b.nQ; ++c) {
                covered += (b.den[b.at(a, c, k0)] >= 0.01 * maxDen && !(a == c && k0 == 0)) ? 1 : 0;
            }
        }
        QVERIFY(covered >= 2);
        QVERIFY2(
            comparedMap >= covered, qPrintable(QStringLiteral("%1 shown, %2 covered").arg(comparedMap).arg(covered)));
        QVERIFY(QFileInfo(dir.filePath("png/monitor-main.png")).size() > 10000);
        // The run's results file was written (an HDF5 file: its 8-byte signature) where the option said.
        const QStringList results = QDir(dir.filePath("results")).entryList({ QStringLiteral("fxs-run-*.h5") });
        QCOMPARE(results.size(), 1);
        QFile h5(dir.filePath("results/" + results.first()));
        QVERIFY(h5.open(QIODevice::ReadOnly));
        QCOMPARE(h5.read(8), QByteArray("\x89HDF\r\n\x1a\n", 8));
    }

    void shotRangeIsHonoured()
    {
        QTemporaryDir dir;
        QProcess p;
        startOffscreen(p,
            { QStringLiteral("--fresh"), QStringLiteral("--settings"), dir.filePath("s.ini"), QStringLiteral("--shots"),
                QStringLiteral("40"), QStringLiteral("--rate"), QStringLiteral("0"), QStringLiteral("--size"),
                QStringLiteral("64"), QStringLiteral("--nq"), QStringLiteral("4"), QStringLiteral("--nphi"),
                QStringLiteral("16"), QStringLiteral("--first"), QStringLiteral("10"), QStringLiteral("--last"),
                QStringLiteral("29"), QStringLiteral("--dump-polar"), dir.filePath("polar.bin"),
                QStringLiteral("--results"), dir.filePath("results"), QStringLiteral("--quit-when-done") });
        QVERIFY2(p.waitForFinished(60000), "fxs-monitor did not finish");
        QCOMPARE(p.exitCode(), 0);
        const auto frames = readPolar(dir.filePath("polar.bin"));
        QCOMPARE(int(frames.size()), 20);
        for (int i = 0; i < 20; ++i) {
            QCOMPARE(frames[i].shot, std::int64_t(10 + i));
        }
    }

    // Veto rules saved with the window's settings: the shots they veto never reach the C2, and the C2 shown is
    // the brute-force correlation of exactly the accepted shots.
    void vetoedShotsStayOutOfTheC2()
    {
        QTemporaryDir dir;
        {
            fxs::VetoRules rules;
            QVERIFY(rules.addRange(12, 21, "test: beam off").ok());
            const nlohmann::json state = { { "rules", rules.toJson() },
                { "sample_changes",
                    nlohmann::json::array({ { { "shot", 30 }, { "reason", "sample changed to B" } } }) } };
            QSettings s(dir.filePath("s.ini"), QSettings::IniFormat);
            s.setValue(QStringLiteral("run/source"), 0); // the simulated run
            s.setValue(QStringLiteral("decision/vetoes"), QByteArray::fromStdString(state.dump()));
        }
        QProcess p;
        startOffscreen(p,
            { QStringLiteral("--settings"), dir.filePath("s.ini"), QStringLiteral("--shots"), QStringLiteral("40"),
                QStringLiteral("--rate"), QStringLiteral("0"), QStringLiteral("--size"), QStringLiteral("64"),
                QStringLiteral("--nq"), QStringLiteral("4"), QStringLiteral("--nphi"), QStringLiteral("16"),
                QStringLiteral("--dump-c2"), dir.filePath("c2.json"), QStringLiteral("--dump-polar"),
                dir.filePath("polar.bin"), QStringLiteral("--results"), dir.filePath("results"),
                QStringLiteral("--quit-when-done") });
        QVERIFY2(p.waitForFinished(60000), "fxs-monitor did not finish");
        QCOMPARE(p.exitCode(), 0);
        const auto frames = readPolar(dir.filePath("polar.bin"));
        QCOMPARE(int(frames.size()), 30); // 40 shots, 10 vetoed
        for (const auto& f : frames) {
            QVERIFY2(f.shot < 12 || f.shot > 21, qPrintable(QString("vetoed shot %1 was correlated").arg(f.shot)));
        }
        // The results file keeps the rules and the sample change (read back with h5py) and the ledger's reasons.
        const QStringList files = QDir(dir.filePath("results")).entryList({ "*.h5" });
        QCOMPARE(files.size(), 1);
        const QString out = fxs::test::h5pyOnResults(dir.filePath("results/" + files.first()),
            QStringLiteral("v = c['vetoes']\n"
                           "print(v['sample_changes'][0]['shot'], v['sample_changes'][0]['reason'])\n"
                           "print(sum(1 for a in f['/ledger/accepted'][()] if not a))\n"));
        QVERIFY2(out.startsWith("30 sample changed to B\n10"), qPrintable(out));
    }

    // A very long message (a missing file deep in a folder tree, its path without spaces) does not widen the window
    // past the screen.
    void windowStaysOnTheScreen_data()
    {
        QTest::addColumn<QSize>("screen");
        QTest::newRow("1920 × 1080") << QSize(1920, 1080);
        QTest::newRow("1600 × 900") << QSize(1600, 900);
    }
    void windowStaysOnTheScreen()
    {
        QFETCH(QSize, screen);
        QTemporaryDir dir;
        QString path = dir.path();
        for (int i = 0; i < 12; ++i) {
            path += QStringLiteral("/run_0042_detector_stack_from_the_night_shift_%1").arg(i);
        }
        path += QStringLiteral("/missing.cxi");
        const QJsonObject w = runWindow(dir, { QStringLiteral("--fresh"), QStringLiteral("--open"), path }, screen);
        QVERIFY(!w.isEmpty());
        QCOMPARE(w["screenWidth"].toInt(), screen.width());
        QVERIFY2(w["message"].toString().contains(QStringLiteral("missing.cxi")), qPrintable(w["message"].toString()));
        QVERIFY2(w["windowWidth"].toInt() <= screen.width(),
            qPrintable(QStringLiteral("window %1 px wide on a %2 px screen")
                           .arg(w["windowWidth"].toInt())
                           .arg(screen.width())));
        QVERIFY2(w["windowHeight"].toInt() <= screen.height(),
            qPrintable(QStringLiteral("window %1 px tall on a %2 px screen")
                           .arg(w["windowHeight"].toInt())
                           .arg(screen.height())));
        QVERIFY2(w["contentMinimumWidth"].toInt() <= w["windowWidth"].toInt(),
            qPrintable(QStringLiteral("content at least %1 px wide in a %2 px window")
                           .arg(w["contentMinimumWidth"].toInt())
                           .arg(w["windowWidth"].toInt())));
        // Nor is a dock's content wider than its dock (the Vetoes panel's min, max and Clear were cut off).
        QVERIFY2(w["docksCutOff"].toArray().isEmpty(),
            qPrintable(QJsonDocument(w["docksCutOff"].toArray()).toJson(QJsonDocument::Compact)));
    }

    // Pausing the display during a run holds the shot shown (detector and history) while the run goes on.
    void pausedDisplayHoldsItsShot()
    {
        QTemporaryDir dir;
        const QJsonObject w = runWindow(dir,
            smallSimulatedRun(400, 100) + QStringList { QStringLiteral("--pause-display-at"), QStringLiteral("30") });
        QVERIFY(!w.isEmpty());
        // Keyboard focus is on the detector view (Space and the arrows step the display), not in a text box.
        QCOMPARE(w["focusWidget"].toString(), QStringLiteral("fxs::widgets::DiffractionView"));
        const qint64 paused = w["pausedShot"].toInteger();
        QVERIFY2(paused >= 0, "the display was never paused with a shot on it");
        QCOMPARE(w["shotsDone"].toInteger(), 400); // ~3.7 s of run after the pause
        QVERIFY(w["displayPaused"].toBool());
        QCOMPARE(w["shownShot"].toInteger(), paused);
        QCOMPARE(w["historyShot"].toInteger(), paused);
        QVERIFY2(w["historyText"].toString().contains(QStringLiteral("shot %1").arg(paused)),
            qPrintable(w["historyText"].toString()));
        // Dumped once the run ended: the bar no longer says that it goes on.
        QVERIFY2(!w["historyText"].toString().contains(QStringLiteral("goes on"))
                && w["historyText"].toString().contains(QStringLiteral("the run has ended")),
            qPrintable(w["historyText"].toString()));
    }

    // A change of source that fails to open leaves nothing of the previous run on screen, and writes no results
    // file of its own.
    void sourceChangeClearsEveryView()
    {
        QTemporaryDir dir;
        const QJsonObject w = runWindow(dir,
            smallSimulatedRun(40, 0)
                + QStringList { QStringLiteral("--then-open"), dir.filePath("absent/missing.cxi") });
        QVERIFY(!w.isEmpty());
        QVERIFY2(w["message"].toString().contains(QStringLiteral("missing.cxi")), qPrintable(w["message"].toString()));
        QCOMPARE(w["shownShot"].toInteger(), -1);
        QCOMPARE(w["historyKept"].toInt(), 0);
        QCOMPARE(w["c2Shots"].toInteger(), 0);
        QCOMPARE(w["convergencePoints"].toInt(), 0);
        QCOMPARE(w["stripChartPoints"].toInt(), 0);
        const QString health = w["health"].toString();
        // The counts come from the run's one counts model (read, in C2), as the Vetoes panel shows them: all zero.
        QVERIFY2(health.startsWith(QStringLiteral("FAILED")) && health.contains(QStringLiteral("read 0 "))
                && health.contains(QStringLiteral(" 0 shots in C2")),
            qPrintable(health));
        // One results file: the simulated run's, named after it.
        const QStringList files = QDir(dir.filePath("results")).entryList({ QStringLiteral("*.h5") });
        QCOMPARE(files.size(), 1);
        QVERIFY2(files.first().startsWith(QStringLiteral("fxs-run-"))
                && files.first().endsWith(QStringLiteral("-simulated.h5")),
            qPrintable(files.first()));
    }

    // Opening a file while a run goes on asks first (File ▸ Open, as a user would, answered by --answer). Cancel: the
    // run goes on to its last shot and writes one results file. Yes: the run stops and its results file holds the
    // shots it had in C2 (h5py), then the file's run goes to its end with a results file named after the file; no
    // results file is empty (the run used to be stopped unasked, with a 95 MB file of no shots).
    void openingAFileDuringARunAsksFirst_data()
    {
        QTest::addColumn<QString>("answer");
        QTest::newRow("cancel") << QStringLiteral("cancel");
        QTest::newRow("yes") << QStringLiteral("yes");
    }
    void openingAFileDuringARunAsksFirst()
    {
        QFETCH(QString, answer);
        QTemporaryDir dir;
        const QString cxi = dir.filePath("night.cxi");
        const auto written = fxs::test::runPython(QStringLiteral(R"(
import h5py, sys, numpy as np
data = np.random.default_rng(5).poisson(3.0, (60, 48, 48)).astype(np.float32)
with h5py.File(sys.argv[1], 'w') as f:
    f['/entry_1/data_1/data'] = data
)"),
            { cxi });
        QVERIFY2(written.ok(), written.err.constData());
        const QJsonObject w = runWindow(dir,
            smallSimulatedRun(400, 100)
                + QStringList { QStringLiteral("--open-during-run"), cxi, QStringLiteral("--answer"), answer,
                    QStringLiteral("--clen"), QStringLiteral("0.1"), QStringLiteral("--photon-energy"),
                    QStringLiteral("9000"), QStringLiteral("--pixel-size"), QStringLiteral("1e-4") });
        QFile f(dir.filePath("output.txt"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString output = QString::fromUtf8(f.readAll());
        QVERIFY2(!w.isEmpty(), qPrintable(output));
        QVERIFY2(output.contains(QStringLiteral("asked \"Stop the run and open a file?\"; answering ") + answer),
            qPrintable(output));
        // Shots in each results file, as h5py reads them.
        QMap<QString, qint64> shots;
        for (const QString& name : QDir(dir.filePath("results")).entryList({ QStringLiteral("*.h5") })) {
            shots[name] = fxs::test::h5pyOnResults(dir.filePath("results/" + name),
                QStringLiteral("s = f['/sums']\nprint(int(s.attrs['shots_even']) + int(s.attrs['shots_odd']))\n"))
                              .trimmed()
                              .toLongLong();
            QVERIFY2(shots[name] > 0, qPrintable(name + QStringLiteral(" holds no shot")));
        }
        const QStringList names = shots.keys();
        if (answer == QLatin1String("cancel")) {
            QCOMPARE(w["shotsDone"].toInteger(), 400); // the run was not touched
            QCOMPARE(names.size(), 1);
            QVERIFY2(names.first().endsWith(QStringLiteral("-simulated.h5")), qPrintable(names.first()));
            QCOMPARE(shots.first(), 400);
            return;
        }
        QCOMPARE(w["shotsDone"].toInteger(), 60); // the file's run, to its end
        QCOMPARE(names.size(), 2);
        const QString simulated = names.filter(QStringLiteral("-simulated.h5")).value(0);
        const QString file = names.filter(QStringLiteral("-night.h5")).value(0);
        QVERIFY2(!simulated.isEmpty() && !file.isEmpty(), qPrintable(names.join(", ")));
        QVERIFY2(shots[simulated] >= 20 && shots[simulated] < 400, qPrintable(QString::number(shots[simulated])));
        QCOMPARE(shots[file], 60);
    }

    // Any shot of a file run can be shown again after the run, read back from the file (the history's slider),
    // although the history kept only some: its pixels are the file's (numpy's sum of that frame).
    void anyFileShotIsReadBack()
    {
        QTemporaryDir dir;
        const QString cxi = dir.filePath("run.cxi");
        const auto written = fxs::test::runPython(QStringLiteral(R"(
import h5py, sys, numpy as np
rng = np.random.default_rng(11)
data = rng.poisson(3.0, (60, 48, 48)).astype(np.float32)
with h5py.File(sys.argv[1], 'w') as f:
    f['/entry_1/data_1/data'] = data
print(repr(float(data[17].astype(np.float64).sum())))
)"),
            { cxi });
        QVERIFY2(written.ok(), written.err.constData());
        const double expected = written.out.trimmed().toDouble();
        const QJsonObject w = runWindow(dir,
            { QStringLiteral("--fresh"), QStringLiteral("--open"), cxi, QStringLiteral("--clen"), QStringLiteral("0.1"),
                QStringLiteral("--photon-energy"), QStringLiteral("9000"), QStringLiteral("--pixel-size"),
                QStringLiteral("1e-4"), QStringLiteral("--nq"), QStringLiteral("4"), QStringLiteral("--nphi"),
                QStringLiteral("16"), QStringLiteral("--show-file-shot"), QStringLiteral("17") });
        QVERIFY(!w.isEmpty());
        QCOMPARE(w["shownShot"].toInteger(), 17);
        QVERIFY2(std::abs(w["shownSum"].toDouble() - expected) <= 1e-6 * expected,
            qPrintable(QStringLiteral("shown %1, numpy %2").arg(w["shownSum"].toDouble()).arg(expected)));
        QVERIFY2(w["historyText"].toString().contains(QStringLiteral("read from the file")),
            qPrintable(w["historyText"].toString()));
    }

    void badFileGivesAMessageAndNoCrash()
    {
        QTemporaryDir dir;
        QFile bad(dir.filePath("broken.cxi"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write(QByteArray("\x89HDF\r\n\x1a\n", 8) + QByteArray(4096, '\x5a')); // an HDF5 signature, then junk
        bad.close();
        QProcess p;
        startOffscreen(p,
            { QStringLiteral("--fresh"), QStringLiteral("--settings"), dir.filePath("s.ini"), QStringLiteral("--open"),
                bad.fileName(), QStringLiteral("--results"), dir.filePath("results"),
                QStringLiteral("--quit-when-done") });
        QVERIFY2(p.waitForFinished(60000), "fxs-monitor did not finish");
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QCOMPARE(p.exitStatus(), QProcess::NormalExit); // the window survived: no crash, an orderly exit
        QCOMPARE(p.exitCode(), 1); // the run failed
        QVERIFY2(err.contains(QStringLiteral("broken.cxi")), qPrintable(err)); // the message says which file
    }
};

QTEST_GUILESS_MAIN(TestMonitorWindow)
#include "tst_MonitorWindow.moc"
