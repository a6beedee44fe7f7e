// `fxs correlate tcp://… --stream karabo|dectris` against real peers on 127.0.0.1: a DECTRIS Stream V2 publisher
// written in tests/app/stream_peer.py from the published message definitions (python3-zmq + cbor2 + bitshuffle),
// Debian's Karabo bridge (karabo_bridge.ServerInThread, karabo-bridge-server-sim), and a replay of recorded EIGER2
// messages. Oracles: the same frames read from the CXI file by `fxs correlate` (C2 sums equal), what the publisher
// says it sent, skipped and dropped, and h5py/cbor2/bitshuffle decoding of the recorded messages.
#include "H5pyResults.h"
#include "StreamPeer.h"

#include <QtTest>
#include <csignal>

namespace {

const char* kSmallGeom = "photon_energy = 9000\n"
                         "p0/min_fs = 0\np0/max_fs = 95\np0/min_ss = 0\np0/max_ss = 95\n"
                         "p0/fs = +1.0x +0.0y\np0/ss = +0.0x +1.0y\n"
                         "p0/corner_x = -48.3\np0/corner_y = -47.7\n"
                         "p0/res = 3333.3333333333335\np0/clen = 0.25\np0/coffset = 0.0\n";
constexpr int kShots = 48;

QString fxsBin() { return qEnvironmentVariable("FXS_BIN_DIR") + "/fxs"; }

using Run = fxs::test::ProcessRun;
using Peer = fxs::test::StreamPeer;
using fxs::test::streamLedger;

Run finish(QProcess& p, int timeoutMs = 60000) { return fxs::test::finishProcess(p, timeoutMs); }

QList<qint64> ints(const QJsonValue& v) { return fxs::test::jsonInts(v); }

} // namespace

class tst_StreamCli : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_cxi;
    QString m_geom;
    QString m_reference; // the same frames correlated from the file

    QStringList grid() const
    {
        return { "--n-q", "20", "--n-phi", "32", "--q-min", "0.05", "--q-max", "0.2", "--threads", "2" };
    }
    Run correlate(const QStringList& args, int timeoutMs = 60000)
    {
        QProcess p;
        p.start(fxsBin(), QStringList { "correlate" } + args + grid());
        return finish(p, timeoutMs);
    }
    QString streamArgsOut(const QString& name) const { return m_dir.filePath(name); }

private slots:
    void initTestCase()
    {
        QVERIFY(QFileInfo(fxsBin()).isExecutable());
        for (const char* m : { "h5py", "zmq", "cbor2", "bitshuffle", "karabo_bridge" }) {
            if (!fxs::test::pythonHas(m)) {
                QSKIP(qPrintable(QString("python3 module %1 is missing (packaging/install-deps)").arg(m)));
            }
        }
        m_geom = m_dir.filePath("small.geom");
        QFile g(m_geom);
        QVERIFY(g.open(QIODevice::WriteOnly));
        g.write(kSmallGeom);
        g.close();
        m_cxi = m_dir.filePath("run.cxi");
        QProcess sim;
        sim.start(fxsBin(), { "simulate", "--out", m_cxi, "--shots", QString::number(kShots), "--geometry", m_geom,
                                "--model", "triangle3", "--photons", "200" });
        QVERIFY2(finish(sim).exitCode == 0, "fxs simulate failed");
        m_reference = m_dir.filePath("reference.h5");
        const Run r = correlate({ m_cxi, "--geometry", m_geom, "--out", m_reference });
        QVERIFY2(r.exitCode == 0, r.err.constData());
    }

private:
    // A whole series from the publisher `peerArgs` name, correlated with `streamArgs`: C2 equals the file's, every
    // image id is in the ledger with its series, and the counts are the messages sent (with start and end).
    // `err`, when given, receives what fxs correlate printed on stderr.
    void streamEqualsFile(const QStringList& peerArgs, const QStringList& streamArgs, QByteArray* err = nullptr)
    {
        Peer peer(peerArgs);
        const int port = peer.port();
        QVERIFY(port > 0);
        const QString out = m_dir.filePath(peerArgs.front() + ".h5");
        const Run r = correlate(QStringList { QString("tcp://127.0.0.1:%1").arg(port) } + streamArgs
            + QStringList { "--out", out, "--stop-at-end", "--idle-timeout", "10" });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(peer.summary().value("sent").toArray().size(), kShots);
        const double difference = fxs::test::h5pySumsDifference(m_reference, out);
        QVERIFY2(difference < 1e-5, qPrintable(QString::number(difference)));
        const QJsonObject l = streamLedger(out);
        QList<qint64> expect;
        for (int i = 0; i < kShots; ++i) {
            expect.append(i);
        }
        QCOMPARE(ints(l["frames"]), expect);
        QCOMPARE(ints(l["series"]), QList<qint64>(kShots, 1));
        QCOMPARE(ints(l["counts"]), (QList<qint64> { kShots + 2, kShots, 0, 0, 0, 1, 0 })); // + start and end
        if (err != nullptr) {
            *err = r.err;
        }
    }

private slots:
    // --max-shots below what the publisher pushed at once (--burst): the images received and not correlated are
    // counted (left_uncorrelated, the 7th stream count) and printed. Oracle: the publisher's summary, sent =
    // correlated + left + dropped, and frames decoded = correlated + left. (Before: 6 counts, the left ones lost.)
    void framesLeftAtMaxShotsAreCounted()
    {
        constexpr int kMax = 5;
        Peer peer({ "dectris", "0", m_cxi, "--burst" });
        const int port = peer.port();
        QVERIFY(port > 0);
        const QString out = m_dir.filePath("left.h5");
        const Run r = correlate({ QString("tcp://127.0.0.1:%1").arg(port), "--stream", "dectris", "--geometry", m_geom,
            "--out", out, "--max-shots", QString::number(kMax), "--idle-timeout", "10" });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const qint64 sent = peer.summary().value("sent").toArray().size();
        QCOMPARE(sent, qint64(kShots));
        const QJsonObject l = streamLedger(out);
        const QList<qint64> counts = ints(l["counts"]);
        QCOMPARE(counts.size(), 7);
        QCOMPARE(ints(l["frames"]).size(), kMax);
        qInfo() << "sent" << sent << "correlated" << kMax << "left" << counts[6] << "dropped" << counts[3];
        QCOMPARE(kMax + counts[6] + counts[3], sent);
        QCOMPARE(counts[1], kMax + counts[6]);
        QVERIFY2(r.out.contains(QByteArray::number(counts[6]) + " received after the run's end and not correlated"),
            r.out.constData());
    }

    // DECTRIS Stream V2 with bitshuffle-LZ4 images and a geometry file, the images decoded on the receiving thread
    // or left compressed to the shot pipeline's workers (--stream-decode).
    void dectrisStreamEqualsFile_data()
    {
        QTest::addColumn<QString>("decode");
        QTest::newRow("receiver") << "receiver";
        QTest::newRow("workers") << "workers";
    }
    void dectrisStreamEqualsFile()
    {
        QFETCH(QString, decode);
        QByteArray err;
        streamEqualsFile({ "dectris", "0", m_cxi },
            { "--stream", "dectris", "--geometry", m_geom, "--stream-decode", decode }, &err);
        if (QTest::currentTestFailed()) {
            return;
        }
        // The run's description says where the images were decoded.
        QCOMPARE(err.contains("compressed images decoded on the shot pipeline's workers"), decode == "workers");
    }

    // DECTRIS Stream V1 (multipart JSON + binary) in its three encodings, the geometry and energy from the
    // dheader's detector configuration.
    void dectrisV1EqualsFile_data()
    {
        QTest::addColumn<QString>("encoding");
        QTest::newRow("bitshuffle-lz4") << "bs16-lz4<";
        QTest::newRow("lz4") << "lz4<";
        QTest::newRow("raw") << "<";
    }
    void dectrisV1EqualsFile()
    {
        QFETCH(QString, encoding);
        const QString geometry = R"({"x_pixel_size": 0.0003, "y_pixel_size": 0.0003, "beam_center_x": 48.3,
            "beam_center_y": 47.7, "detector_distance": 0.25, "photon_energy": 9000.0})";
        streamEqualsFile({ "dectris1", "0", m_cxi, "--encoding", encoding, "--geometry", geometry },
            { "--stream", "dectris1" });
    }

    // Malformed messages (not CBOR, wrong size, unknown pixel type, a truncated block) are counted and skipped;
    // image ids the publisher skipped are counted as dropped; the run completes with every good image.
    void dectrisMalformedAndSkippedAreCounted()
    {
        Peer peer({ "dectris", "0", m_cxi, "--garbage", "--skip", "5,9" });
        const int port = peer.port();
        const QString out = m_dir.filePath("garbage.h5");
        const Run r = correlate({ QString("tcp://127.0.0.1:%1").arg(port), "--stream", "dectris", "--geometry", m_geom,
            "--out", out, "--stop-at-end", "--idle-timeout", "10" });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject s = peer.summary();
        const QJsonObject l = streamLedger(out);
        QCOMPARE(ints(l["frames"]), ints(s["sent"]));
        const QList<qint64> counts = ints(l["counts"]);
        QCOMPARE(counts[2], qint64(s["garbage"].toInt()));
        QVERIFY(counts[2] > 0);
        QCOMPARE(counts[3], qint64(2));
        QVERIFY2(r.err.contains("image 998") && r.err.contains("unknown pixel type"), r.err.constData());
    }

    // Raw (uncompressed) images, and the geometry and energy taken from the start message instead of a file.
    void dectrisRawWithGeometryFromStart()
    {
        const QString geometry = R"({"pixel_size_x": 0.0003, "pixel_size_y": 0.0003, "beam_center_x": 48.3,
            "beam_center_y": 47.7, "detector_translation": [0.0, 0.0, 0.25], "incident_energy": 9000.0})";
        Peer peer({ "dectris", "0", m_cxi, "--raw", "--geometry", geometry });
        const int port = peer.port();
        const QString out = m_dir.filePath("raw.h5");
        const Run r = correlate({ QString("tcp://127.0.0.1:%1").arg(port), "--stream", "dectris", "--out", out,
            "--stop-at-end", "--idle-timeout", "10" });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const double difference = fxs::test::h5pySumsDifference(m_reference, out);
        QVERIFY2(difference < 1e-5, qPrintable(QString::number(difference)));
    }

    // The publisher dies after half the series and a new one (series 2) comes up on the same port.
    void dectrisPublisherRestarts()
    {
        auto first = std::make_unique<Peer>(QStringList { "dectris", "0", m_cxi, "--count", "24" });
        const int port = first->port();
        QProcess fxs;
        const QString out = m_dir.filePath("restart.h5");
        fxs.start(fxsBin(), QStringList { "correlate", QString("tcp://127.0.0.1:%1").arg(port), "--stream", "dectris",
                                "--geometry", m_geom, "--out", out, "--max-shots", QString::number(kShots),
                                "--idle-timeout", "20" }
                + grid());
        QCOMPARE(first->summary().value("sent").toArray().size(), 24);
        first.reset();
        QTest::qWait(500);
        Peer second({ "dectris", QString::number(port), m_cxi, "--first", "24", "--series", "2" });
        QCOMPARE(second.port(), port);
        const Run r = finish(fxs);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const double difference = fxs::test::h5pySumsDifference(m_reference, out);
        QVERIFY2(difference < 1e-5, qPrintable(QString::number(difference)));
        const QJsonObject l = streamLedger(out);
        QCOMPARE(ints(l["series"]).count(1), 24);
        QCOMPARE(ints(l["series"]).count(2), 24);
        QVERIFY2(ints(l["counts"])[4] >= 1, "no reconnect counted");
    }

    // The consumer stalls (SIGSTOP) while a publisher that cannot wait drops what does not fit: every image it
    // dropped is counted, every image it sent is in the ledger.
    void stalledConsumerDropsAreCounted()
    {
        // 256 × 256 frames (the built-in detector), so that the kernel's socket buffers cannot hide the stall.
        const QString big = m_dir.filePath("big.cxi");
        QProcess sim;
        sim.start(fxsBin(), { "simulate", "--out", big, "--shots", "48", "--geometry", "builtin", "--photons", "200" });
        QVERIFY2(finish(sim).exitCode == 0, "fxs simulate failed");
        Peer peer({ "dectris", "0", big, "--nonblocking", "--raw", "--repeat", "8", "--pace-hz", "150" });
        const int port = peer.port();
        QProcess fxs;
        const QString out = m_dir.filePath("stall.h5");
        fxs.start(fxsBin(), QStringList { "correlate", QString("tcp://127.0.0.1:%1").arg(port), "--stream", "dectris",
                                "--geometry", "builtin", "--out", out, "--stop-at-end", "--idle-timeout", "10" }
                + grid());
        QVERIFY(fxs.waitForStarted());
        QByteArray err; // stall once frames flow (the line after the first frame)
        QTRY_VERIFY_WITH_TIMEOUT((err += fxs.readAllStandardError()).contains("->"), 20000);
        ::kill(static_cast<pid_t>(fxs.processId()), SIGSTOP);
        QTest::qWait(1500);
        ::kill(static_cast<pid_t>(fxs.processId()), SIGCONT);
        const QJsonObject s = peer.summary();
        const Run r = finish(fxs);
        QVERIFY2(r.exitCode == 0, (err + r.err).constData());
        const QJsonObject l = streamLedger(out);
        QCOMPARE(ints(l["frames"]), ints(s["sent"]));
        QCOMPARE(ints(l["counts"])[3], qint64(s["dropped"].toArray().size()));
        QVERIFY2(!s["dropped"].toArray().isEmpty(), "the stall made the publisher drop nothing: nothing was tested");
        qInfo() << "publisher dropped" << s["dropped"].toArray().size() << "of" << 8 * kShots << "images in the stall";
    }

    // Karabo bridge (ServerInThread, protocol 2.2, online layout (fs, ss, pulses)): C2 equals the file's; train ids
    // and pulse indices are in the ledger.
    void karaboStreamEqualsFile()
    {
        Peer peer({ "karabo", "0", m_cxi, "--pulses", "4", "--online" });
        const int port = peer.port();
        QVERIFY(port > 0);
        const QString out = m_dir.filePath("karabo.h5");
        const Run r = correlate({ QString("tcp://127.0.0.1:%1").arg(port), "--stream", "karabo", "--geometry", m_geom,
            "--out", out, "--max-shots", QString::number(kShots), "--idle-timeout", "10" });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(peer.summary().value("trains").toInt(), kShots / 4);
        const double difference = fxs::test::h5pySumsDifference(m_reference, out);
        QVERIFY2(difference < 1e-5, qPrintable(QString::number(difference)));
        const QJsonObject l = streamLedger(out);
        QList<qint64> series, frames;
        for (int i = 0; i < kShots; ++i) {
            series.append(1000 + i / 4);
            frames.append(i % 4);
        }
        QCOMPARE(ints(l["series"]), series);
        QCOMPARE(ints(l["frames"]), frames);
    }

    // Debian's Karabo bridge simulator (AGIPD module, raw, 64 pulses per train in the online layout): two trains.
    void karaboSimulator()
    {
        const QString port = QString::number(fxs::test::freePort());
        QVERIFY(port != "0");
        QProcess sim;
        sim.start("karabo-bridge-server-sim", { port, "-d", "AGIPDModule", "-r" });
        QVERIFY(sim.waitForStarted());
        const QString geom = m_dir.filePath("agipd-module.geom");
        QFile g(geom);
        QVERIFY(g.open(QIODevice::WriteOnly));
        g.write("photon_energy = 9300\nm0/min_fs = 0\nm0/max_fs = 127\nm0/min_ss = 0\nm0/max_ss = 511\n"
                "m0/fs = +1.0x +0.0y\nm0/ss = +0.0x +1.0y\nm0/corner_x = -64\nm0/corner_y = -256\n"
                "m0/res = 5000\nm0/clen = 0.5\nm0/coffset = 0.0\n");
        g.close();
        const QString out = m_dir.filePath("sim.h5");
        const Run r = correlate({ QString("tcp://127.0.0.1:%1").arg(port), "--stream", "karabo", "--geometry", geom,
                                    "--out", out, "--max-shots", "128", "--connect-timeout", "30" },
            120000);
        sim.kill();
        sim.waitForFinished();
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject l = streamLedger(out);
        const QList<qint64> series = ints(l["series"]);
        QCOMPARE(series.size(), 128);
        QCOMPARE(series.front(), qint64(10000000000)); // the simulator's first train id
        QCOMPARE(series.back(), qint64(10000000001));
        QCOMPARE(ints(l["frames"]).mid(60, 8), (QList<qint64> { 60, 61, 62, 63, 0, 1, 2, 3 }));
        QCOMPARE(l["shots"].toInt(), 128);
    }

    // The recorded EIGER2 R 500K series (../shared/data/stream2): every image decodes, and each shot's pixel sum
    // equals the sum of cbor2 + bitshuffle's decoding of the same message.
    void recordedEiger2Replay()
    {
        const QString folder
            = qEnvironmentVariable("FXS_SOURCE_DIR") + "/../shared/data/stream2/r500k_bm_bslz4_16bit";
        if (!QFileInfo::exists(folder + "/000001.cbor")) {
            QSKIP("../shared/data/stream2 is not present");
        }
        const QString geom = m_dir.filePath("r500k.geom");
        QFile g(geom);
        QVERIFY(g.open(QIODevice::WriteOnly));
        g.write("photon_energy = 12000\np/min_fs = 0\np/max_fs = 1029\np/min_ss = 0\np/max_ss = 513\n"
                "p/fs = +1.0x +0.0y\np/ss = +0.0x +1.0y\np/corner_x = -515\np/corner_y = -257\n"
                "p/res = 13333.333\np/clen = 0.1\np/coffset = 0.0\n");
        g.close();
        Peer peer({ "replay", "0", folder });
        const int port = peer.port();
        const QString out = m_dir.filePath("replay.h5");
        const Run r = correlate({ QString("tcp://127.0.0.1:%1").arg(port), "--stream", "dectris", "--geometry", geom,
            "--out", out, "--stop-at-end", "--idle-timeout", "10" });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto decoded = fxs::test::runPeer({ "decode", "0", folder, "--out", m_dir.filePath("recorded.raw") });
        QVERIFY2(decoded.ok(), decoded.err.constData());
        const QJsonArray sums = QJsonDocument::fromJson(decoded.out).object().value("sums").toArray();
        const char* script = R"(
import h5py, json, numpy as np, sys
st = h5py.File(sys.argv[1], 'r')['analysis/shot_statistics'][()]
sums = np.array(json.loads(sys.argv[2]))
print(len(sums), len(st), float(np.abs(st[:, 1] - sums).max()))
)";
        const auto check = fxs::test::runPython(script, { out, QJsonDocument(sums).toJson(QJsonDocument::Compact) });
        QVERIFY2(check.ok(), check.err.constData());
        QCOMPARE(check.out.trimmed(), QByteArray("10 10 0.0"));
        QCOMPARE(ints(streamLedger(out)["counts"])[2], qint64(0));
    }
};

QTEST_GUILESS_MAIN(tst_StreamCli)
#include "tst_StreamCli.moc"
