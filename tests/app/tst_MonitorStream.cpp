// fxs-monitor (offscreen) watching a detector stream: tests/app/stream_peer.py replays the recorded EIGER2 R 500K
// Stream V2 messages of ../shared/data/stream2 on 127.0.0.1, after a start message that carries the geometry (an
// off-centre beam). Oracles: the same images decoded by cbor2 + bitshuffle in Python (not our decoder), remapped on
// the geometry the start message describes and correlated by brute force (tests/common/C2BruteForce.h), against the
// C2 the window shows; the publishers' own counts against the ledger and stream counts of the window's results file
// (h5py). The second case starts the window before any publisher, kills the first mid-series and restarts it; the
// third reads Debian's Karabo bridge with a geometry file.
#include "C2BruteForce.h"
#include "H5pyResults.h"
#include "StreamPeer.h"

#include <QtTest>
#include <cmath>
#include <cstring>
#include <fxs/geometry/DetectorGeometry.h>
#include <fxs/polar/PolarRemapper.h>
#include <numeric>
#include <thread>

namespace {

constexpr int kNQ = 6;
constexpr int kNPhi = 32;
constexpr int kImages = 10; // in the recorded series
// The start message's geometry (DECTRIS Stream V2 keys): 75 µm pixels, 0.1 m, 12 keV, the beam off the middle.
const char* kStartGeometry = R"({"pixel_size_x": 7.5e-05, "pixel_size_y": 7.5e-05, "beam_center_x": 400.0,
    "beam_center_y": 200.0, "detector_translation": [0.0, 0.0, 0.1], "incident_energy": 12000.0})";

QString recorded()
{
    return qEnvironmentVariable("FXS_SOURCE_DIR") + QStringLiteral("/../shared/data/stream2/r500k_bm_bslz4_16bit");
}

// The recorded images as cbor2 + bitshuffle decode them (stream_peer.py decode: not our decoder), in file order.
std::vector<fxs::Frame> decodedInPython(const QString& rawPath)
{
    const auto r = fxs::test::runPeer({ "decode", "0", recorded(), "--out", rawPath });
    std::vector<fxs::Frame> frames;
    const QJsonArray shape = QJsonDocument::fromJson(r.out).object().value("shape").toArray();
    QFile f(rawPath);
    if (!r.ok() || shape.size() != 2 || !f.open(QIODevice::ReadOnly)) {
        qWarning() << r.err;
        return frames;
    }
    const QByteArray all = f.readAll();
    const int h = shape[0].toInt();
    const int w = shape[1].toInt();
    const qsizetype bytes = qsizetype(h) * w * 2;
    for (qsizetype off = 0; off + bytes <= all.size(); off += bytes) {
        fxs::Frame frame = fxs::Frame::zeros(h, w, fxs::PixelType::UInt16);
        std::memcpy(frame.pixels.data(), all.constData() + off, std::size_t(bytes));
        frames.push_back(std::move(frame));
    }
    return frames;
}

// The images' polar frames on the grid the window uses (--nq, --nphi; q 0.05 … 0.70 Å⁻¹) and the flat detector
// the start message describes; shot indices in arrival order.
std::vector<fxs::PolarFrame> polarFrames(const std::vector<const fxs::Frame*>& frames)
{
    fxs::SinglePanelSpec spec;
    spec.nSlow = frames.front()->nSlow;
    spec.nFast = frames.front()->nFast;
    spec.pixelSizeM = 75e-6;
    spec.beamCentreFastPx = 400.0;
    spec.beamCentreSlowPx = 200.0;
    spec.distanceM = 0.1;
    spec.photonEnergyEv = 12000.0;
    auto geometry = fxs::DetectorGeometry::singlePanel(spec);
    auto remapper = fxs::PolarRemapper::create(*geometry, fxs::PolarGrid { kNQ, kNPhi, 0.05, 0.70 });
    std::vector<fxs::PolarFrame> out;
    for (const fxs::Frame* f : frames) {
        auto p = remapper->remap(*f);
        p->shotIndex = std::int64_t(out.size());
        out.push_back(std::move(*p));
    }
    return out;
}

// Starts fxs-monitor on the stream at `port`, to end at the series' end message and quit; `extra` adds options.
void startMonitor(QProcess& p, const QTemporaryDir& dir, int port, const QStringList& extra = {})
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    p.setProcessEnvironment(env);
    p.start(qEnvironmentVariable("FXS_BIN_DIR") + QStringLiteral("/fxs-monitor"),
        QStringList { QStringLiteral("--fresh"), QStringLiteral("--settings"), dir.filePath("s.ini"),
            QStringLiteral("--stream-endpoint"), QStringLiteral("tcp://127.0.0.1:%1").arg(port),
            QStringLiteral("--stream"), QStringLiteral("dectris"), QStringLiteral("--stop-at-end"),
            QStringLiteral("--nq"), QString::number(kNQ), QStringLiteral("--nphi"), QString::number(kNPhi),
            QStringLiteral("--dump-c2"), dir.filePath("c2.json"), QStringLiteral("--screenshots"), dir.filePath("png"),
            QStringLiteral("--results"), dir.filePath("results"), QStringLiteral("--quit-when-done") }
            + extra);
}

// The C2 curve the window showed at its cursor against the brute force over `polar`; "" when equal.
QString compareC2(const QString& dumpPath, const std::vector<fxs::PolarFrame>& polar)
{
    QFile jf(dumpPath);
    if (!jf.open(QIODevice::ReadOnly)) {
        return QStringLiteral("no C2 dump");
    }
    const QJsonObject o = QJsonDocument::fromJson(jf.readAll()).object();
    if (o.value("shots").toInt() != int(polar.size())) {
        return QStringLiteral("the window shows %1 shots, %2 were sent").arg(o.value("shots").toInt()).arg(polar.size());
    }
    const fxs::test::BruteC2 b = fxs::test::bruteForce(polar, true);
    const int q = o.value("q").toInt();
    const int qp = o.value("qp").toInt();
    const QJsonArray curve = o.value("c2").toArray();
    int compared = 0;
    for (int k = 0; k < curve.size() && k < b.nPhi; ++k) {
        if (curve[k].isNull()) {
            continue; // masked or the self-term
        }
        const double expected = b.numTotal(b.at(q, qp, k)) / b.denTotal(b.at(q, qp, k));
        if (!(std::abs(curve[k].toDouble() - expected) <= 1e-4 * std::abs(expected) + 1e-6)) {
            return QStringLiteral("Δ bin %1 at q %2, q' %3: shown %4, brute force %5")
                .arg(k)
                .arg(q)
                .arg(qp)
                .arg(curve[k].toDouble())
                .arg(expected);
        }
        ++compared;
    }
    return compared >= b.nPhi - 1 ? QString() : QStringLiteral("only %1 Δ bins shown").arg(compared);
}

QString onlyResultsFile(const QTemporaryDir& dir)
{
    const QStringList files = QDir(dir.filePath("results")).entryList({ QStringLiteral("fxs-run-*.h5") });
    return files.size() == 1 ? dir.filePath("results/" + files.first()) : QString();
}

} // namespace

class tst_MonitorStream : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::vector<fxs::Frame> m_images; // decoded in Python

    // The window's C2 against the brute force over the images `sent` (indices of the decoded images, in arrival
    // order), and its results file's ledger (`ledger`, `results`); "" when they agree.
    QString checkRun(const QTemporaryDir& dir, const std::vector<int>& sent, QJsonObject& ledger, QString& results) const
    {
        std::vector<const fxs::Frame*> frames;
        for (int i : sent) {
            frames.push_back(&m_images[std::size_t(i)]);
        }
        if (const QString c2 = compareC2(dir.filePath("c2.json"), polarFrames(frames)); !c2.isEmpty()) {
            return c2;
        }
        results = onlyResultsFile(dir);
        if (results.isEmpty()) {
            return QStringLiteral("not one results file in %1").arg(dir.filePath("results"));
        }
        ledger = fxs::test::streamLedger(results);
        return {};
    }

private slots:
    void initTestCase()
    {
        for (const char* m : { "numpy", "zmq", "cbor2", "bitshuffle", "h5py", "karabo_bridge" }) {
            if (!fxs::test::pythonHas(m)) {
                QSKIP(qPrintable(QString("python3 module %1 is missing (packaging/install-deps)").arg(m)));
            }
        }
        QVERIFY(QFileInfo(qEnvironmentVariable("FXS_BIN_DIR") + "/fxs-monitor").isExecutable());
        if (QFileInfo::exists(recorded() + "/000001.cbor")) {
            m_images = decodedInPython(m_dir.filePath("images.raw"));
            QCOMPARE(int(m_images.size()), kImages);
        }
    }
    void init()
    {
        if (m_images.empty() && QString(QTest::currentTestFunction()) != QLatin1String("karaboBridgeInTheWindow")) {
            QSKIP("../shared/data/stream2 is not present");
        }
    }

    // Debian's Karabo bridge (ServerInThread, trains of 4 pulses in the online layout) into the window with a
    // geometry file, stopped at 40 shots: the C2 shown is the brute force over the file's frames the ledger names
    // (train 1000 + i, pulse p: frame 4 i + p), remapped on the flat panel the geometry describes.
    void karaboBridgeInTheWindow()
    {
        QTemporaryDir dir;
        const QString cxi = dir.filePath("frames.cxi");
        const QString geom = dir.filePath("det.geom");
        const auto written = fxs::test::runPython(R"(
import h5py, sys, numpy as np
y, x = np.mgrid[0:48, 0:48] - 23.5
frames = [100 + 50 * np.cos(0.5 * np.hypot(x, y)) * (1 + np.cos(2 * np.arctan2(y, x) + j)) for j in range(96)]
with h5py.File(sys.argv[1], 'w') as f:
    f['/entry_1/data_1/data'] = np.array(frames, dtype=np.float32)
open(sys.argv[2], 'w').write(sys.argv[3])
)",
            { cxi, geom, fxs::test::smallDetectorGeom() });
        QVERIFY2(written.ok(), written.err.constData());
        fxs::test::StreamPeer peer({ "karabo", "0", cxi, "--pulses", "4", "--online", "--linger", "30" });
        const int port = peer.port();
        QVERIFY(port > 0);
        QProcess monitor;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        monitor.setProcessEnvironment(env);
        monitor.start(qEnvironmentVariable("FXS_BIN_DIR") + QStringLiteral("/fxs-monitor"),
            { "--fresh", "--settings", dir.filePath("s.ini"), "--stream-endpoint",
                QStringLiteral("tcp://127.0.0.1:%1").arg(port), "--stream", "karabo", "--geometry", geom, "--nq",
                QString::number(kNQ), "--nphi", QString::number(kNPhi), "--stop-at-shots", "40", "--dump-c2",
                dir.filePath("c2.json"), "--results", dir.filePath("results"), "--quit-when-done" });
        const auto r = fxs::test::finishProcess(monitor, 120000);
        QVERIFY2(r.exitCode == 0, (r.out + r.err).constData());
        const QString results = onlyResultsFile(dir);
        QVERIFY(!results.isEmpty());
        const QJsonObject l = fxs::test::streamLedger(results);
        const QList<qint64> trains = fxs::test::jsonInts(l["series"]);
        const QList<qint64> pulses = fxs::test::jsonInts(l["frames"]);
        QVERIFY2(trains.size() >= 40, qPrintable(QString::number(trains.size())));
        QCOMPARE(trains.front(), qint64(1000));
        // The frames the ledger names, read back from the file, through the geometry's flat panel.
        const auto frames = fxs::test::runPython(R"(
import h5py, sys
sys.stdout.buffer.write(h5py.File(sys.argv[1], 'r')['/entry_1/data_1/data'][()].astype('<f4').tobytes())
)",
            { cxi });
        QVERIFY(frames.ok());
        auto geometry = fxs::DetectorGeometry::singlePanel(fxs::test::smallDetectorPanel());
        auto remap = fxs::PolarRemapper::create(*geometry, fxs::PolarGrid { kNQ, kNPhi, 0.05, 0.70 });
        std::vector<fxs::PolarFrame> polar;
        for (int i = 0; i < trains.size(); ++i) {
            const qint64 index = (trains[i] - 1000) * 4 + pulses[i];
            fxs::Frame f = fxs::Frame::zeros(48, 48, fxs::PixelType::Float32);
            std::memcpy(f.pixels.data(), frames.out.constData() + index * 48 * 48 * 4, f.pixels.size());
            auto p = remap->remap(f);
            p->shotIndex = i;
            polar.push_back(std::move(*p));
        }
        const QString c2 = compareC2(dir.filePath("c2.json"), polar);
        QVERIFY2(c2.isEmpty(), qPrintable(c2));
    }

    // The whole recorded series: the window's C2 is the brute force over the images Python decoded, on the
    // geometry of the start message (no geometry file given); the ledger keeps every image id. The bitshuffle-LZ4
    // images are decoded on the receiving thread (auto on this machine's cores, or asked) or left compressed for
    // the shot pipeline's workers, as a machine of 8 or more cores does by default.
    void replayedSeriesInTheWindow_data()
    {
        QTest::addColumn<QStringList>("extra");
        QTest::newRow("default") << QStringList {};
        QTest::newRow("receiver decodes")
            << QStringList { QStringLiteral("--stream-decode"), QStringLiteral("receiver") };
        QTest::newRow("workers decode") << QStringList { QStringLiteral("--stream-decode"), QStringLiteral("workers") };
    }
    void replayedSeriesInTheWindow()
    {
        QFETCH(QStringList, extra);
        QTemporaryDir dir;
        fxs::test::StreamPeer peer({ "replay", "0", recorded(), "--geometry", kStartGeometry });
        const int port = peer.port();
        QVERIFY(port > 0);
        QProcess monitor;
        startMonitor(monitor, dir, port, extra);
        const auto r = fxs::test::finishProcess(monitor, 120000);
        QVERIFY2(r.exitCode == 0, (r.out + r.err).constData());
        QCOMPARE(peer.summary().value("sent").toInt(), kImages + 1); // the images and the end message
        // Where the images were decoded, as the run's description says (auto: the workers from 8 cores on).
        const bool onWorkers = extra.contains(QStringLiteral("workers"))
            || (extra.isEmpty() && std::thread::hardware_concurrency() >= 8);
        QVERIFY2(r.err.contains("fxs-monitor: running DECTRIS stream"), r.err.constData());
        QCOMPARE(r.err.contains("compressed images decoded on the shot pipeline's workers"), onWorkers);

        std::vector<int> sent(kImages);
        std::iota(sent.begin(), sent.end(), 0);
        QJsonObject l;
        QString results;
        const QString problem = checkRun(dir, sent, l, results);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QCOMPARE(fxs::test::jsonInts(l["frames"]), (QList<qint64> { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }));
        QCOMPARE(fxs::test::jsonInts(l["series"]), QList<qint64>(kImages, 1));
        // start + 10 images + end; 10 frames; nothing malformed, dropped or reconnected; one series; none left.
        QCOMPARE(fxs::test::jsonInts(l["counts"]), (QList<qint64> { kImages + 2, kImages, 0, 0, 0, 1, 0 }));
        // The camera length and energy came from the start message, and the file says so.
        const QString values = fxs::test::h5pyOnResults(results,
            QStringLiteral("v = c['geometry_values']\n"
                           "print(v['clen_source'], '|', v['photon_energy_source'], '|', c['stream']['protocol'])\n"));
        QCOMPARE(values.trimmed(), QStringLiteral("stream start message | stream start message | dectris"));
        QVERIFY(QFileInfo(dir.filePath("png/monitor-main.png")).size() > 10000);
    }

    // The window waits for a publisher that is not there yet; the first dies after 5 images (no end message), a new
    // one comes up on the same port and sends the whole series: every image of both is in the C2 and the ledger,
    // the 5 the first never sent are counted as dropped, and the reconnect is counted.
    void publisherRestartsMidSeries()
    {
        QTemporaryDir dir;
        const int port = fxs::test::freePort();
        QVERIFY(port > 0);
        QProcess monitor;
        startMonitor(monitor, dir, port);
        QVERIFY(monitor.waitForStarted());
        QTest::qWait(1000); // the window is up and waiting for the stream
        QVERIFY2(monitor.state() == QProcess::Running, monitor.readAllStandardError().constData());
        {
            fxs::test::StreamPeer first(
                { "replay", QString::number(port), recorded(), "--geometry", kStartGeometry, "--count", "5" });
            QCOMPARE(first.port(), port);
            QCOMPARE(first.summary().value("sent").toInt(), 5);
        }
        QTest::qWait(500);
        fxs::test::StreamPeer second({ "replay", QString::number(port), recorded(), "--geometry", kStartGeometry });
        QCOMPARE(second.port(), port);
        const auto r = fxs::test::finishProcess(monitor, 120000);
        QVERIFY2(r.exitCode == 0, (r.out + r.err).constData());
        QCOMPARE(second.summary().value("sent").toInt(), kImages + 1);

        std::vector<int> sent { 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }; // the first publisher's, the second's
        QJsonObject l;
        QString results;
        const QString problem = checkRun(dir, sent, l, results);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QCOMPARE(fxs::test::jsonInts(l["frames"]), (QList<qint64> { 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }));
        const QList<qint64> counts = fxs::test::jsonInts(l["counts"]);
        QCOMPARE(counts.size(), 7);
        QCOMPARE(counts[0], qint64(1 + 5 + 1 + kImages + 1)); // two starts, 15 images, one end
        QCOMPARE(counts[1], qint64(5 + kImages));
        QCOMPARE(counts[2], qint64(0));
        QCOMPARE(counts[3], qint64(kImages - 5)); // the first series announced 10 images and ended after 5
        QVERIFY2(counts[4] >= 1, "no reconnect counted");
        QCOMPARE(counts[5], qint64(2));
    }
};

QTEST_GUILESS_MAIN(tst_MonitorStream)
#include "tst_MonitorStream.moc"
