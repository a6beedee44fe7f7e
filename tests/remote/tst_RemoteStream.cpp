// A 2-rank remote job on a live DECTRIS Stream V2 publisher (tests/app/stream_peer.py on 127.0.0.1), and on Debian's
// Karabo bridge (karabo_bridge.ServerInThread in the same script), through a real
// fxs-server, mpirun and fxs-worker: every rank a consumer, the publisher's PUSH spreading the images over them.
// Oracles: what the publisher says it sent against the job's ledger (h5py), and the same frames read from the file
// (h5py wrote it) by the test, remapped through the detector the job's geometry describes (built here from its
// numbers) and accumulated in one C2Accumulator with the shot indices of the job's ledger: the sums equal.
#include "ProgramRunner.h"
#include "PythonRunner.h"
#include "RemoteFixture.h"
#include "StreamPeer.h"

#include <fxs/polar/PolarRemapper.h>
#include <fxs/sources/CxiFileSource.h>

using namespace fxs::test;

namespace {

constexpr int kFrames = 60;

// 60 frames of 48 × 48: rings with an anisotropic part that turns from frame to frame.
const char* kWriter = R"(
import h5py, sys, numpy as np
y, x = np.mgrid[0:48, 0:48] - 23.5
frames = [100 + 50 * np.cos(0.5 * np.hypot(x, y)) * (1 + np.cos(2 * np.arctan2(y, x) + j)) for j in range(60)]
with h5py.File(sys.argv[1], 'w') as f:
    f['/entry_1/data_1/data'] = np.array(frames, dtype=np.float32)
)";

// The job's ledger (shot index, frame number per shot) and stream counts, from its results file.
const char* kLedger = R"(
import h5py, json, sys
f = h5py.File(sys.argv[1], 'r')
print(json.dumps({'shots': f['ledger/shot_index'][()].tolist(), 'frames': f['ledger/frame_number'][()].tolist(),
  'series': f['ledger/series_id'][()].tolist(), 'counts': f['analysis/stream_counts'][()].tolist()}))
)";

} // namespace

class tst_RemoteStream : public QObject {
    Q_OBJECT
    std::unique_ptr<RemoteServer> m_server;
    QTemporaryDir m_dir;
    std::string m_cxi;
    std::string m_geom;

    fxs::v1::JobSpec streamSpec(int port) const
    {
        fxs::v1::JobSpec spec = smallSpec(2, 0, 8, 32);
        spec.clear_synthetic();
        auto* s = spec.mutable_stream();
        s->set_endpoint("tcp://127.0.0.1:" + std::to_string(port));
        s->set_protocol("dectris");
        s->set_geometry_path(m_geom);
        s->set_stop_at_end(true);
        s->set_connect_timeout_s(60);
        spec.mutable_grid()->set_q_min_inv_angstrom(0.01);
        spec.mutable_grid()->set_q_max_inv_angstrom(0.08);
        spec.set_reduce_interval_s(0.5);
        return spec;
    }

    // The file's frames through the job's detector, accumulated with the shot index the job's ledger gives each.
    fxs::C2Sums fileSums(const QMap<qint64, qint64>& shotOfFrame) const { return fileSums(m_cxi, shotOfFrame); }
    fxs::C2Sums fileSums(const std::string& path, const QMap<qint64, qint64>& shotOfFrame) const
    {
        auto geometry = fxs::DetectorGeometry::singlePanel(smallDetectorPanel());
        fxs::RemapOptions ro;
        ro.threads = 1;
        auto remap = fxs::PolarRemapper::create(*geometry, fxs::PolarGrid { 8, 32, 0.01, 0.08 }, ro);
        fxs::CxiSourceOptions so;
        so.validate = false;
        auto src = fxs::CxiFileSource::open(path, so);
        fxs::C2Config c;
        c.nQ = 8;
        c.nPhi = 32;
        c.precision = fxs::C2Precision::Double;
        fxs::C2Accumulator acc(c);
        for (qint64 i = 0;; ++i) {
            auto f = (*src)->next();
            if (!f || !*f) {
                break;
            }
            if (!shotOfFrame.contains(i)) {
                continue;
            }
            auto p = remap->remap(**f);
            p->shotIndex = shotOfFrame.value(i);
            (void)acc.add(*p);
        }
        acc.flush();
        return acc.sums();
    }

    fxs::v1::JobStatus statusOf(const std::string& id) const
    {
        if (auto jobs = m_server->session->list()) {
            for (const auto& j : *jobs) {
                if (j.job_id() == id) {
                    return j;
                }
            }
        }
        return {};
    }

    // The job's results file read back: its ledger (shot index by frame number) and stream counts.
    QJsonObject fetchLedger(const std::string& id, const QTemporaryDir& out) const
    {
        if (!m_server->session->fetch(id, out.filePath("r").toStdString()).ok()
            || !m_server->session->fetch(id, out.filePath("r.h5").toStdString(), fxs::v1::RESULT_KIND_RESULTS_H5).ok()) {
            return {};
        }
        const auto read = runPython(kLedger, { out.filePath("r.h5") });
        return read.ok() ? QJsonDocument::fromJson(read.out).object() : QJsonObject {};
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(binDir() + "/fxs-worker"), "FXS_BIN_DIR must hold fxs-worker");
        for (const char* m : { "h5py", "zmq", "cbor2", "bitshuffle" }) {
            if (!pythonHas(m)) {
                QSKIP(qPrintable(QString("python3 module %1 is missing (packaging/install-deps)").arg(m)));
            }
        }
        m_cxi = m_dir.filePath("frames.cxi").toStdString();
        m_geom = m_dir.filePath("det.geom").toStdString();
        QVERIFY(runPython(kWriter, { QString::fromStdString(m_cxi) }).ok());
        QFile g(QString::fromStdString(m_geom));
        QVERIFY(g.open(QIODevice::WriteOnly));
        g.write(smallDetectorGeom());
        g.close();
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

    // Two ranks consume one series to its end message: every image the publisher sent is in the ledger once, and
    // the sums are the file's.
    void twoRanksConsumeOneSeries()
    {
        StreamPeer peer({ "dectris", "0", QString::fromStdString(m_cxi), "--pace-hz", "100" });
        const int port = peer.port();
        QVERIFY(port > 0);
        auto st = m_server->session->submit(streamSpec(port));
        QVERIFY2(st.ok(), st.ok() ? "" : st.error().message.c_str());
        auto end = m_server->session->watch(st->job_id(), {}, {});
        QVERIFY(end.ok());
        QVERIFY2(end->state() == fxs::v1::JOB_STATE_SUCCEEDED, end->message().c_str());
        QCOMPARE(peer.summary().value("sent").toArray().size(), kFrames);

        QTemporaryDir out;
        const QJsonObject l = fetchLedger(end->job_id(), out);
        const QList<qint64> shots = jsonInts(l["shots"]);
        QList<qint64> frames = jsonInts(l["frames"]);
        QCOMPARE(shots.size(), kFrames);
        QMap<qint64, qint64> shotOfFrame;
        for (int i = 0; i < shots.size(); ++i) {
            shotOfFrame.insert(frames[i], shots[i]);
        }
        std::sort(frames.begin(), frames.end());
        QList<qint64> every;
        for (int i = 0; i < kFrames; ++i) {
            every.append(i);
        }
        QCOMPARE(frames, every); // each image once, whichever rank took it
        // Rank r numbers its k-th frame attempt + k · ranks + r: both ranks consumed (the publisher paces its images).
        const auto byRank1 = std::count_if(shots.begin(), shots.end(), [](qint64 s) { return s % 2 == 1; });
        qInfo() << "rank 0 took" << kFrames - byRank1 << "images, rank 1" << byRank1;
        QVERIFY(byRank1 > 0 && byRank1 < kFrames);
        // start + 60 images + end over both ranks; 60 frames; nothing malformed or missing; one series.
        const QList<qint64> counts = jsonInts(l["counts"]);
        QCOMPARE(counts.size(), 7);
        QCOMPARE(counts[0], qint64(kFrames + 2));
        QCOMPARE(counts[1], qint64(kFrames));
        QCOMPARE(counts[2], qint64(0));
        QCOMPARE(counts[3], qint64(0));
        QCOMPARE(counts[5], qint64(1));

        auto remote = fxs::SumsFile::read(out.filePath("r").toStdString());
        QVERIFY(remote.ok());
        QCOMPARE(remote->sums.totalShots(), qint64(kFrames));
        const double err = sumsError(remote->sums, fileSums(shotOfFrame));
        QVERIFY2(err <= 1e-9, qPrintable(QString("relative error %1").arg(err)));
    }

    // Two ranks on Debian's Karabo bridge (karabo_bridge.ServerInThread: REP, protocol 2.2, 4 pulses per train in the
    // online layout (fs, ss, pulses)), each rank with one request in flight, the job ending at its shot count: every
    // pulse of every train once in the ledger (train id as series, pulse index as frame), both ranks took trains,
    // and the sums are the file's over the same frames.
    void twoRanksOnAKaraboBridge()
    {
        if (!pythonHas("karabo_bridge")) {
            QSKIP("python3 module karabo_bridge is missing (packaging/install-deps)");
        }
        StreamPeer peer({ "karabo", "0", QString::fromStdString(m_cxi), "--pulses", "4", "--online", "--linger", "5" });
        const int port = peer.port();
        QVERIFY(port > 0);
        fxs::v1::JobSpec spec = streamSpec(port);
        spec.mutable_stream()->set_protocol("karabo");
        spec.mutable_stream()->set_stop_at_end(false);
        spec.mutable_stream()->set_max_shots(kFrames);
        spec.mutable_stream()->set_idle_timeout_s(30);
        auto st = m_server->session->submit(spec);
        QVERIFY2(st.ok(), st.ok() ? "" : st.error().message.c_str());
        auto end = m_server->session->watch(st->job_id(), {}, {});
        QVERIFY(end.ok());
        QVERIFY2(end->state() == fxs::v1::JOB_STATE_SUCCEEDED, end->message().c_str());
        QCOMPARE(peer.summary().value("trains").toInt(), kFrames / 4);

        QTemporaryDir out;
        const QJsonObject l = fetchLedger(end->job_id(), out);
        const QList<qint64> shots = jsonInts(l["shots"]);
        const QList<qint64> trains = jsonInts(l["series"]);
        const QList<qint64> pulses = jsonInts(l["frames"]);
        QCOMPARE(shots.size(), kFrames);
        QCOMPARE(trains.size(), kFrames);
        QMap<qint64, qint64> shotOfFrame; // file frame (train − 1000) · 4 + pulse → the job's shot index
        for (int i = 0; i < kFrames; ++i) {
            QVERIFY(trains[i] >= 1000 && trains[i] < 1000 + kFrames / 4 && pulses[i] >= 0 && pulses[i] < 4);
            shotOfFrame.insert((trains[i] - 1000) * 4 + pulses[i], shots[i]);
        }
        QCOMPARE(shotOfFrame.size(), kFrames); // each pulse once, whichever rank took its train
        const auto byRank1 = std::count_if(shots.begin(), shots.end(), [](qint64 s) { return s % 2 == 1; });
        qInfo() << "rank 0 took" << kFrames - byRank1 << "pulses, rank 1" << byRank1;
        QVERIFY(byRank1 > 0 && byRank1 < kFrames);

        auto remote = fxs::SumsFile::read(out.filePath("r").toStdString());
        QVERIFY(remote.ok());
        QCOMPARE(remote->sums.totalShots(), qint64(kFrames));
        const double err = sumsError(remote->sums, fileSums(shotOfFrame));
        QVERIFY2(err <= 1e-9, qPrintable(QString("relative error %1").arg(err)));
    }

    // A job cancelled mid-series and resumed: it continues from its checkpoint with new shots numbered after the old
    // ones; the images it never correlated (in flight when it was cancelled, sent while it was down) are gaps in the
    // ledger's frame numbers and are counted as dropped; the sums are the file's over exactly the ledger's frames.
    void resumedJobContinuesWithNewShots()
    {
        StreamPeer peer({ "dectris", "0", QString::fromStdString(m_cxi), "--pace-hz", "20" });
        const int port = peer.port();
        auto st = m_server->session->submit(streamSpec(port));
        QVERIFY2(st.ok(), st.ok() ? "" : st.error().message.c_str());
        const std::string id = st->job_id();
        QTRY_VERIFY_WITH_TIMEOUT(statusOf(id).checkpoint_shots() >= 10, 30000);
        const std::int64_t before = statusOf(id).checkpoint_shots();
        QVERIFY(m_server->session->cancel(id).ok());
        QTRY_VERIFY_WITH_TIMEOUT(statusOf(id).state() == fxs::v1::JOB_STATE_CANCELLED, 30000);
        auto r = m_server->session->resume(id);
        QVERIFY2(r.ok(), r ? "" : r.error().message.c_str());
        QCOMPARE(r->attempt(), 2);
        auto end = m_server->session->watch(id, {});
        QVERIFY(end.ok());
        QVERIFY2(end->state() == fxs::v1::JOB_STATE_SUCCEEDED, end->message().c_str());
        QCOMPARE(peer.summary().value("sent").toArray().size(), kFrames);

        QTemporaryDir out;
        const QJsonObject l = fetchLedger(id, out);
        const QList<qint64> shots = jsonInts(l["shots"]);
        const QList<qint64> frames = jsonInts(l["frames"]);
        QVERIFY(shots.size() > before && shots.size() <= kFrames);
        QMap<qint64, qint64> shotOfFrame;
        for (int i = 0; i < shots.size(); ++i) {
            shotOfFrame.insert(frames[i], shots[i]);
        }
        QCOMPARE(shotOfFrame.size(), shots.size()); // no image twice
        const QList<qint64> counts = jsonInts(l["counts"]);
        QCOMPARE(counts.size(), 7);
        QVERIFY(counts[1] >= shots.size()); // frames decoded in both attempts (the cancelled one's last ones lost)
        QCOMPARE(counts[3], qint64(shotOfFrame.lastKey() + 1 - shots.size())); // the gaps: what the job never got
        qInfo() << "checkpoint" << before << "shots, then" << shots.size() - before << "new; gaps" << counts[3];
        auto remote = fxs::SumsFile::read(out.filePath("r").toStdString());
        QVERIFY(remote.ok());
        QCOMPARE(remote->sums.totalShots(), qint64(shots.size()));
        const double err = sumsError(remote->sums, fileSums(shotOfFrame));
        QVERIFY2(err <= 1e-9, qPrintable(QString("relative error %1").arg(err)));
    }

    // A job that ends at max_shots while the publisher has already pushed the whole series at once: the frames the
    // ranks received and never correlated (queued, or still in ZeroMQ's buffers) are counted in
    // /analysis/stream_counts' left_uncorrelated and said in the job's final message. Oracle: the publisher's
    // summary, sent = correlated (the ledger) + left + dropped, and frames decoded = correlated + left; the sums are
    // the file's over the ledger's frames. (Before, the left frames were only printed on stderr: counts had 6 fields
    // and the message was empty.)
    void framesLeftAtTheEndAreCounted()
    {
        constexpr int kMax = 10;
        // --burst: the whole series leaves the publisher at once, before the job can have taken its 10 shots.
        StreamPeer peer({ "dectris", "0", QString::fromStdString(m_cxi), "--burst" });
        const int port = peer.port();
        QVERIFY(port > 0);
        fxs::v1::JobSpec spec = streamSpec(port);
        spec.mutable_stream()->set_max_shots(kMax);
        auto st = m_server->session->submit(spec);
        QVERIFY2(st.ok(), st.ok() ? "" : st.error().message.c_str());
        auto end = m_server->session->watch(st->job_id(), {}, {});
        QVERIFY(end.ok());
        QVERIFY2(end->state() == fxs::v1::JOB_STATE_SUCCEEDED, end->message().c_str());
        const qint64 sent = peer.summary().value("sent").toArray().size();
        QCOMPARE(sent, qint64(kFrames));

        QTemporaryDir out;
        const QJsonObject l = fetchLedger(end->job_id(), out);
        const QList<qint64> shots = jsonInts(l["shots"]);
        const QList<qint64> frames = jsonInts(l["frames"]);
        QCOMPARE(shots.size(), kMax);
        const QList<qint64> counts = jsonInts(l["counts"]);
        QCOMPARE(counts.size(), 7);
        const qint64 left = counts[6], dropped = counts[3];
        qInfo() << "sent" << sent << "correlated" << shots.size() << "left" << left << "dropped" << dropped;
        QCOMPARE(shots.size() + left + dropped, sent);
        QCOMPARE(counts[1], shots.size() + left);
        QVERIFY(left > 0);
        const std::string said = std::to_string(left) + " frames received after the job's end were not correlated";
        QVERIFY2(end->message().find(said) != std::string::npos, end->message().c_str());

        QMap<qint64, qint64> shotOfFrame;
        for (int i = 0; i < shots.size(); ++i) {
            shotOfFrame.insert(frames[i], shots[i]);
        }
        QCOMPARE(shotOfFrame.size(), kMax);
        auto remote = fxs::SumsFile::read(out.filePath("r").toStdString());
        QVERIFY(remote.ok());
        QCOMPARE(remote->sums.totalShots(), qint64(kMax));
        const double err = sumsError(remote->sums, fileSums(shotOfFrame));
        QVERIFY2(err <= 1e-9, qPrintable(QString("relative error %1").arg(err)));
    }

    // A 2-rank job follows a live SWMR file on the server while `fxs simulate --live` writes it (120 frames at 20
    // per second, /fxs_live/state marking the end): rank r takes frames r, r + 2, …; the job ends at the writer's
    // close. Oracles: the ledger holds every frame 0 … 119 exactly once (shot index = frame index), the progress
    // reported frames seen while the writer was still writing, and the sums equal, over the same frames, the finished
    // file's read by CxiFileSource into one double-precision C2Accumulator (≤ 1e-9) and `fxs correlate` of the
    // finished file (its single precision: ≤ 1e-5). (Before, cxi.follow did not exist: the field was unknown.)
    void followsALiveFile()
    {
        constexpr int kLive = 120;
        const QString live = m_dir.filePath("live.cxi");
        QProcess writer;
        writer.start(binPath("fxs"),
            { "simulate", "--out", live, "--shots", QString::number(kLive), "--geometry",
                QString::fromStdString(m_geom), "--model", "triangle3", "--photons", "200", "--rate", "20", "--live" });
        QVERIFY(writer.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(live), 20000);
        QTest::qWait(300); // the writer switches the new file to SWMR mode before a reader may open it
        fxs::v1::JobSpec spec = streamSpec(1);
        spec.clear_stream();
        spec.mutable_cxi()->add_paths(live.toStdString());
        spec.mutable_cxi()->set_geometry_path(m_geom);
        spec.mutable_cxi()->set_follow(true);
        spec.mutable_cxi()->set_follow_idle_timeout_s(30);
        auto st = m_server->session->submit(spec);
        QVERIFY2(st.ok(), st.ok() ? "" : st.error().message.c_str());
        const std::string id = st->job_id();
        // Progress while the writer writes: the frames seen so far, fewer than it will write.
        qint64 seenWhileWriting = 0;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const auto s = statusOf(id);
                if (writer.state() == QProcess::Running && s.shots_total() > 0 && s.shots_total() < kLive) {
                    seenWhileWriting = s.shots_total();
                }
                return seenWhileWriting > 0 || s.state() != fxs::v1::JOB_STATE_RUNNING;
            }(),
            60000);
        auto end = m_server->session->watch(id, {}, {});
        QVERIFY(end.ok());
        QVERIFY2(end->state() == fxs::v1::JOB_STATE_SUCCEEDED, end->message().c_str());
        QVERIFY(writer.state() == QProcess::NotRunning || writer.waitForFinished(30000));
        QCOMPARE(writer.exitCode(), 0);
        qInfo() << "progress while the writer wrote:" << seenWhileWriting << "frames seen of" << kLive;
        QVERIFY(seenWhileWriting > 0);
        QCOMPARE(end->shots_total(), qint64(kLive));

        QTemporaryDir out;
        QVERIFY(m_server->session->fetch(id, out.filePath("r").toStdString()).ok());
        QVERIFY(m_server->session->fetch(id, out.filePath("r.h5").toStdString(), fxs::v1::RESULT_KIND_RESULTS_H5).ok());
        const auto ledger = runPython("import h5py, sys, json\n"
                                      "print(json.dumps(h5py.File(sys.argv[1], 'r')['ledger/shot_index'][()].tolist()))",
            { out.filePath("r.h5") });
        QVERIFY2(ledger.ok(), ledger.err.constData());
        QList<qint64> shots = jsonInts(QJsonDocument::fromJson(ledger.out).array());
        std::sort(shots.begin(), shots.end());
        QList<qint64> every;
        QMap<qint64, qint64> shotOfFrame;
        for (int i = 0; i < kLive; ++i) {
            every.append(i);
            shotOfFrame.insert(i, i);
        }
        QCOMPARE(shots, every); // every frame once, whichever rank took it

        auto remote = fxs::SumsFile::read(out.filePath("r").toStdString());
        QVERIFY(remote.ok());
        QCOMPARE(remote->sums.totalShots(), qint64(kLive));
        const double err = sumsError(remote->sums, fileSums(live.toStdString(), shotOfFrame));
        const QString cliOut = m_dir.filePath("live-closed.h5");
        const auto cli = runFxs({ "correlate", live, "--geometry", QString::fromStdString(m_geom), "--n-q", "8",
            "--n-phi", "32", "--q-min", "0.01", "--q-max", "0.08", "--out", cliOut });
        QVERIFY2(cli.ok(), cli.err.constData());
        auto cliSums = fxs::SumsFile::read((cliOut + ".ckpt").toStdString());
        QVERIFY(cliSums.ok());
        const double errCli = sumsError(remote->sums, cliSums->sums);
        qInfo() << "vs the finished file (double)" << err << "| vs fxs correlate (single precision)" << errCli;
        QVERIFY2(err <= 1e-9, qPrintable(QString("relative error %1").arg(err)));
        QVERIFY2(errCli <= 1e-5, qPrintable(QString("relative error vs fxs correlate %1").arg(errCli)));
    }

    // The follow settings without cxi.follow are refused, naming the field.
    void followSettingsNeedFollow()
    {
        fxs::v1::JobSpec spec = streamSpec(1);
        spec.clear_stream();
        spec.mutable_cxi()->add_paths(m_cxi);
        spec.mutable_cxi()->set_geometry_path(m_geom);
        spec.mutable_cxi()->set_follow_idle_timeout_s(5);
        auto refused = m_server->session->submit(spec);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message.find("cxi.follow") != std::string::npos, refused.error().message.c_str());
    }

    // A stream job without a geometry file is refused at once, naming the field.
    void streamJobNeedsAGeometry()
    {
        auto spec = streamSpec(1);
        spec.mutable_stream()->clear_geometry_path();
        auto refused = m_server->session->submit(spec);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message.find("stream.geometry_path") != std::string::npos,
            refused.error().message.c_str());
    }
};

QTEST_GUILESS_MAIN(tst_RemoteStream)
#include "tst_RemoteStream.moc"
