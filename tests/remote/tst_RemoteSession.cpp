// RemoteSession against a real fxs-server on 127.0.0.1 with real mpirun + fxs-worker ranks: results equal a
// single-process C2Accumulator over the same shots; authentication, argument checks, chunked fetch, watchers,
// and a server restart.
#include "RemoteFixture.h"

#include <C2BruteForce.h>
#include <QCryptographicHash>
#include <fxs/correlation/C2Snapshot.h>
#include <fxs/sources/CxiFileSource.h>
#include <fxs/results/CxiWriter.h>
#include <fxs/geometry/GeomParser.h>
#include <fxs/gpu/GpuC2Accumulator.h>
#include <fxs/polar/PolarRemapper.h>
#include <thread>

using namespace fxs::test;
using fxs::v1::JobState;

class TestRemoteSession : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<RemoteServer> m_server;

    fxs::v1::JobStatus runToEnd(const fxs::v1::JobSpec& spec, std::vector<fxs::remote::RemoteSnapshot>* snaps = nullptr)
    {
        auto st = m_server->session->submit(spec);
        if (!st) {
            qWarning() << st.error().message.c_str();
            return {};
        }
        std::function<void(const fxs::remote::RemoteSnapshot&)> onSnap;
        if (snaps) {
            onSnap = [snaps](const fxs::remote::RemoteSnapshot& s) { snaps->push_back(s); };
        }
        auto end = m_server->session->watch(st->job_id(), {}, onSnap);
        if (!end) {
            qWarning() << end.error().message.c_str();
            return {};
        }
        return *end;
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(binDir() + "/fxs-worker"), "FXS_BIN_DIR must hold fxs-worker");
        QString error;
        m_server = startServer(error);
        QVERIFY2(m_server, qPrintable(error));
    }
    void cleanupTestCase()
    {
        if (m_server) {
            QCOMPARE(m_server->stop(), 0); // SIGTERM drains and exits 0
        }
    }

    void healthServing() { QVERIFY2(m_server->session->health().ok(), m_server->session->health().message().c_str()); }

    void endToEndEqualsLocalEngine_data()
    {
        QTest::addColumn<int>("ranks");
        QTest::addColumn<int>("shots");
        QTest::addColumn<int>("threads");
        QTest::newRow("2 ranks, 200 shots") << 2 << 200 << 1;
        QTest::newRow("3 ranks, 301 shots (short last unit)") << 3 << 301 << 1;
        QTest::newRow("2 ranks x 2 threads") << 2 << 160 << 2;
    }
    void endToEndEqualsLocalEngine()
    {
        QFETCH(int, ranks);
        QFETCH(int, shots);
        QFETCH(int, threads);
        auto spec = smallSpec(ranks, shots, 32, 64);
        spec.set_threads_per_rank(threads);
        std::vector<fxs::remote::RemoteSnapshot> snaps;
        const auto end = runToEnd(spec, &snaps);
        QCOMPARE(int(end.state()), int(fxs::v1::JOB_STATE_SUCCEEDED));
        QCOMPARE(end.shots_done(), qint64(shots));
        QVERIFY(end.has_result());

        QTemporaryDir tmp;
        const auto path = tmp.filePath("result.fxs1").toStdString();
        const auto fetched = m_server->session->fetch(end.job_id(), path);
        QVERIFY2(fetched.ok(), fetched.message().c_str());
        auto remote = fxs::SumsFile::read(path);
        QVERIFY2(remote.ok(), remote ? "" : remote.error().message.c_str());
        const fxs::C2Sums local = localSums(spec);
        QCOMPARE(remote->sums.shots[0], local.shots[0]); // every shot exactly once, in the right half
        QCOMPARE(remote->sums.shots[1], local.shots[1]);
        QCOMPARE(remote->sums.totalShots(), qint64(shots));
        const double err = sumsError(remote->sums, local);
        QVERIFY2(err <= 1e-12, qPrintable(QString("relative error %1").arg(err)));
        // The squares behind the standard errors travel through the MPI reduction like the other sums.
        QVERIFY(remote->sums.hasVariance() && local.hasVariance());
        double worst = 0, scale = 0;
        for (int n = 0; n <= local.nMax; ++n) {
            for (int q = 0; q < local.nQ; ++q) {
                for (int qp = 0; qp <= q; ++qp) {
                    const std::size_t i = local.at(n, q, qp);
                    worst = std::max(worst, std::abs(remote->sums.squares[i] - local.squares[i]));
                    scale = std::max(scale, local.squares[i]);
                }
            }
        }
        QVERIFY2(worst <= 1e-12 * scale, qPrintable(QString("squares: relative error %1").arg(worst / scale)));
        QCOMPARE(qint64(remote->unitsDone.size()), qint64((shots + 7) / 8));

        // The last snapshot a watcher assembled is the normalised C2 of the final sums.
        QVERIFY(!snaps.empty());
        const auto& last = snaps.back();
        QCOMPARE(last.shots, qint64(shots));
        const auto ref = fxs::C2Snapshot::compute(local);
        QCOMPARE(last.c2.size(), ref.c2.size());
        QVERIFY(relativeError(last.c2, ref.c2) < 1e-9);
    }

    // backend "gpu": each rank binds to a GPU by its node-local rank, or falls back to the CPU and says why; the
    // sums are the same either way, and every rank reports what correlated on it.
    void gpuBackendRanksReportTheirDevice()
    {
        auto spec = smallSpec(2, 120, 32, 64);
        spec.set_backend("gpu");
        spec.set_double_precision(false); // the GPU backend is single precision
        const auto end = runToEnd(spec, nullptr);
        QCOMPARE(int(end.state()), int(fxs::v1::JOB_STATE_SUCCEEDED));
        QCOMPARE(end.ranks_size(), 2);
        const bool gpu = fxs::GpuC2Accumulator::available();
        for (const auto& r : end.ranks()) {
            const QString d = QString::fromStdString(r.device());
            QVERIFY2(gpu ? d.startsWith("GPU ") : (d.startsWith("CPU") && d.contains("GPU correlation unavailable")),
                qPrintable(d));
        }
        QTemporaryDir tmp;
        const auto path = tmp.filePath("result.fxs1").toStdString();
        QVERIFY(m_server->session->fetch(end.job_id(), path).ok());
        auto remote = fxs::SumsFile::read(path);
        QVERIFY(remote.ok());
        const double err = sumsError(remote->sums, localSums(spec));
        QVERIFY2(err <= 1e-5, qPrintable(QString("relative error %1").arg(err))); // float batches, other split
    }

    void remoteC2EqualsBruteForce()
    {
        // The direct φ-loop of seed eq. 1 (no FFT, no BLAS, no MPI) over the same shots.
        const auto spec = smallSpec(3, 45, 6, 16);
        const auto end = runToEnd(spec);
        QCOMPARE(int(end.state()), int(fxs::v1::JOB_STATE_SUCCEEDED));
        QTemporaryDir tmp;
        QVERIFY(m_server->session->fetch(end.job_id(), tmp.filePath("r").toStdString()).ok());
        auto remote = fxs::SumsFile::read(tmp.filePath("r").toStdString());
        QVERIFY(remote.ok());
        const auto snap = fxs::C2Snapshot::compute(remote->sums);
        const fxs::remote::SyntheticPolarSource src(6, 16, 42, 0.1);
        std::vector<fxs::PolarFrame> frames;
        for (int i = 0; i < 45; ++i) {
            frames.push_back(src.frame(i));
        }
        const auto brute = bruteForce(frames, true);
        int compared = 0;
        for (std::size_t i = 0; i < snap.c2.size(); ++i) {
            if (snap.flags[i] == fxs::C2Snapshot::Masked) {
                continue;
            }
            const double expected = brute.numTotal(i) / brute.denTotal(i);
            QVERIFY2(std::abs(snap.c2[i] - expected) <= 1e-9 * (1.0 + std::abs(expected)),
                qPrintable(QString("element %1: %2 vs %3").arg(i).arg(snap.c2[i]).arg(expected)));
            ++compared;
        }
        QVERIFY(compared > int(snap.c2.size()) / 2);
    }

    void cxiInputEqualsLocalRemapAndEngine()
    {
        // A 48 x 48 float32 stack with rings and noise, and a single-panel .geom, written here.
        QTemporaryDir tmp;
        const std::string cxi = tmp.filePath("run.cxi").toStdString();
        const std::string geomPath = tmp.filePath("det.geom").toStdString();
        fxs::SinglePanelSpec panel;
        panel.nSlow = panel.nFast = 48;
        panel.beamCentreFastPx = panel.beamCentreSlowPx = 24.0;
        auto geometry = fxs::DetectorGeometry::singlePanel(panel);
        QVERIFY(geometry.ok());
        {
            QFile g(QString::fromStdString(geomPath));
            QVERIFY(g.open(QIODevice::WriteOnly));
            g.write(QByteArray::fromStdString(fxs::GeomParser::toGeomText(*geometry)));
        }
        auto writer = fxs::CxiWriter::create(cxi, fxs::SlabShape { 48, 48, fxs::PixelType::Float32 });
        QVERIFY(writer.ok());
        const int shots = 90;
        for (int j = 0; j < shots; ++j) {
            fxs::Frame f = fxs::Frame::zeros(48, 48);
            auto px = f.as<float>();
            for (int i = 0; i < 48 * 48; ++i) {
                const double x = i % 48 - 23.5, y = i / 48 - 23.5;
                px[i]
                    = float(100.0 + 50.0 * std::cos(0.5 * std::hypot(x, y)) * (1.0 + std::cos(2 * std::atan2(y, x) + j))
                        + (i * 7919 + j * 104729) % 13);
            }
            f.shotIndex = j;
            QVERIFY((*writer)->append(f).ok());
        }
        QVERIFY((*writer)->close().ok());

        fxs::v1::JobSpec spec = smallSpec(2, 0, 8, 32);
        spec.mutable_cxi()->add_paths(cxi);
        spec.mutable_cxi()->set_geometry_path(geomPath);
        spec.mutable_grid()->set_q_min_inv_angstrom(0.02);
        spec.mutable_grid()->set_q_max_inv_angstrom(0.15);
        const auto end = runToEnd(spec);
        QVERIFY2(end.state() == fxs::v1::JOB_STATE_SUCCEEDED, end.message().c_str());
        QCOMPARE(end.shots_total(), qint64(shots));
        QTemporaryDir out;
        QVERIFY(m_server->session->fetch(end.job_id(), out.filePath("r").toStdString()).ok());
        auto remote = fxs::SumsFile::read(out.filePath("r").toStdString());
        QVERIFY(remote.ok());

        // The same frames remapped and accumulated here, in one process.
        fxs::CxiSourceOptions so;
        so.validate = false;
        auto src = fxs::CxiFileSource::open(cxi, so);
        QVERIFY(src.ok());
        fxs::RemapOptions ro;
        ro.threads = 1;
        auto fromFile = fxs::GeomParser::parseFile(geomPath); // the worker's geometry is the file's, not ours
        QVERIFY(fromFile.ok());
        auto remap = fxs::PolarRemapper::create(*fromFile, fxs::PolarGrid { 8, 32, 0.02, 0.15 }, ro);
        QVERIFY(remap.ok());
        fxs::C2Config c;
        c.nQ = 8;
        c.nPhi = 32;
        c.precision = fxs::C2Precision::Double;
        fxs::C2Accumulator acc(c);
        for (;;) {
            auto f = (*src)->next();
            QVERIFY(f.ok());
            if (!*f) {
                break;
            }
            auto p = remap->remap(**f);
            QVERIFY(p.ok());
            QVERIFY(acc.add(*p).ok());
        }
        acc.flush();
        QCOMPARE(remote->sums.totalShots(), qint64(shots));
        const double err = sumsError(remote->sums, acc.sums());
        QVERIFY2(err <= 1e-12, qPrintable(QString("relative error %1").arg(err)));
    }

    void missingOrWrongTokenIsUnauthenticated_data()
    {
        QTest::addColumn<QString>("header");
        QTest::newRow("no token") << QString();
        QTest::newRow("wrong token") << QStringLiteral("Bearer test-token-0123456789abcdeX");
        QTest::newRow("not bearer") << QStringLiteral("test-token-0123456789abcdef");
    }
    void missingOrWrongTokenIsUnauthenticated()
    {
        QFETCH(QString, header);
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        if (!header.isEmpty()) {
            ctx.AddMetadata("authorization", header.toStdString());
        }
        fxs::v1::SubmitJobRequest req;
        *req.mutable_spec() = smallSpec(2, 10);
        fxs::v1::SubmitJobReply reply;
        const auto st = m_server->session->stub().SubmitJob(&ctx, req, &reply);
        QCOMPARE(int(st.error_code()), int(grpc::StatusCode::UNAUTHENTICATED));
        QVERIFY(reply.job_id().empty());
        grpc::ClientContext ctx2;
        ctx2.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        fxs::v1::ListJobsReply list;
        QCOMPARE(int(m_server->session->stub().ListJobs(&ctx2, {}, &list).error_code()),
            int(grpc::StatusCode::UNAUTHENTICATED));
    }

    void badArgumentsAreInvalidArgument_data()
    {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("field");
        QTest::newRow("no input") << 0 << "input";
        QTest::newRow("zero ranks") << 1 << "ranks";
        QTest::newRow("odd n_phi") << 2 << "n_phi";
        QTest::newRow("no shots") << 3 << "shots";
        QTest::newRow("no grid") << 4 << "grid";
        QTest::newRow("q range") << 5 << "q_max_inv_angstrom";
        QTest::newRow("masked fraction") << 6 << "masked_fraction";
        QTest::newRow("cxi file missing") << 7 << "cxi.paths";
        QTest::newRow("cxi without geometry") << 8 << "cxi.geometry_path";
        QTest::newRow("unknown backend") << 9 << "backend";
    }
    void badArgumentsAreInvalidArgument()
    {
        QFETCH(int, which);
        QFETCH(QString, field);
        auto spec = smallSpec(2, 50);
        switch (which) {
        case 0:
            spec.clear_synthetic();
            break;
        case 1:
            spec.set_ranks(0);
            break;
        case 2:
            spec.mutable_grid()->set_n_phi(33);
            break;
        case 3:
            spec.mutable_synthetic()->set_shots(0);
            break;
        case 4:
            spec.clear_grid();
            break;
        case 5:
            spec.mutable_grid()->set_q_max_inv_angstrom(0.05);
            break;
        case 6:
            spec.mutable_synthetic()->set_masked_fraction(1.5);
            break;
        case 7:
            // inside the data root (the fixture's temporary folder), so that the file's absence is what is refused
            spec.mutable_cxi()->add_paths((QDir::tempPath() + "/nonexistent.cxi").toStdString());
            spec.mutable_cxi()->set_geometry_path((QDir::tempPath() + "/nonexistent.geom").toStdString());
            break;
        case 8:
            spec.mutable_cxi()->add_paths((QDir::tempPath() + "/any.cxi").toStdString());
            break;
        case 9:
            spec.set_backend("tpu");
            break;
        }
        auto ctx = m_server->session->context(std::chrono::seconds(5));
        fxs::v1::SubmitJobRequest req;
        *req.mutable_spec() = spec;
        fxs::v1::SubmitJobReply reply;
        const auto st = m_server->session->stub().SubmitJob(ctx.get(), req, &reply);
        QCOMPARE(int(st.error_code()), int(grpc::StatusCode::INVALID_ARGUMENT));
        QVERIFY2(QString::fromStdString(st.error_message()).contains(field), st.error_message().c_str());
    }

    void unknownOrEmptyJobIds()
    {
        auto c = m_server->session->cancel("");
        QVERIFY(!c.ok());
        QVERIFY2(c.error().message.rfind("INVALID_ARGUMENT", 0) == 0, c.error().message.c_str());
        auto r = m_server->session->resume("job-that-does-not-exist");
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.rfind("NOT_FOUND", 0) == 0, r.error().message.c_str());
        QTemporaryDir tmp;
        const auto f = m_server->session->fetch("nope", tmp.filePath("x").toStdString());
        QVERIFY(f.message().rfind("NOT_FOUND", 0) == 0);
    }

    void fetchIsChunkedAndBitIdentical()
    {
        // 64 x 128 grid: the sums file is ~17 MB, i.e. 17 chunks of <= 1 MiB. FXS_REMOTE_FETCH_FULL=1 runs the
        // full size of a beamline grid, 300 q x 256 phi: each of the file's four 129 x 300 x 300 complex128
        // arrays is 186 MB (743 MB in all; too much memory and time for CI on 2 cores).
        const bool full = qEnvironmentVariableIntValue("FXS_REMOTE_FETCH_FULL") > 0;
        auto spec = full ? smallSpec(2, 8, 300, 256) : smallSpec(2, 24, 64, 128);
        const auto end = runToEnd(spec);
        QCOMPARE(int(end.state()), int(fxs::v1::JOB_STATE_SUCCEEDED));
        auto ctx = m_server->session->context(std::chrono::seconds(full ? 300 : 30));
        fxs::v1::FetchResultRequest req;
        req.set_job_id(end.job_id());
        auto reader = m_server->session->stub().FetchResult(ctx.get(), req);
        fxs::v1::ResultChunk c;
        QByteArray whole;
        qint64 n = 0;
        while (reader->Read(&c)) {
            QCOMPARE(c.index(), n++);
            QVERIFY(c.data().size() <= (1u << 20));
            whole.append(c.data().data(), qsizetype(c.data().size()));
        }
        QVERIFY(reader->Finish().ok());
        QVERIFY(n >= 16);
        qInfo("fetched %lld chunks, %lld bytes", static_cast<long long>(n), static_cast<long long>(whole.size()));
        QFile onDisk(m_server->stateDir() + "/jobs/" + QString::fromStdString(end.job_id()) + "/result.fxs1");
        QVERIFY(onDisk.open(QIODevice::ReadOnly));
        const QByteArray expected = onDisk.readAll();
        QCOMPARE(whole.size(), expected.size());
        QCOMPARE(QCryptographicHash::hash(whole, QCryptographicHash::Sha256),
            QCryptographicHash::hash(expected, QCryptographicHash::Sha256));
        QCOMPARE(QByteArray::fromStdString(c.sha256()),
            QCryptographicHash::hash(expected, QCryptographicHash::Sha256).toHex());
    }

    void severalWatchersSeeTheEnd()
    {
        auto st = m_server->session->submit(smallSpec(2, 200));
        QVERIFY(st.ok());
        std::vector<fxs::v1::JobStatus> ends(3);
        std::vector<std::thread> threads;
        for (int i = 0; i < 3; ++i) {
            threads.emplace_back([&, i] {
                fxs::remote::RemoteOptions o;
                o.target = "127.0.0.1:" + std::to_string(m_server->port);
                o.token = m_server->token.toStdString();
                fxs::remote::RemoteSession s(o);
                if (auto e = s.watch(st->job_id(), {}, [](const auto&) {})) {
                    ends[i] = *e;
                }
            });
        }
        for (auto& t : threads) {
            t.join();
        }
        for (const auto& e : ends) {
            QCOMPARE(int(e.state()), int(fxs::v1::JOB_STATE_SUCCEEDED));
            QCOMPARE(e.shots_done(), qint64(200));
        }
    }

    void jobsSurviveAServerRestart()
    {
        const auto end = runToEnd(smallSpec(2, 64));
        QVERIFY2(end.state() == fxs::v1::JOB_STATE_SUCCEEDED, end.message().c_str());
        QCOMPARE(m_server->stop(), 0);
        QString error;
        QVERIFY2(m_server->start(error), qPrintable(error));
        auto jobs = m_server->session->list();
        QVERIFY(jobs.ok());
        bool found = false;
        for (const auto& j : *jobs) {
            if (j.job_id() == end.job_id()) {
                found = true;
                QCOMPARE(int(j.state()), int(fxs::v1::JOB_STATE_SUCCEEDED));
                QCOMPARE(j.shots_done(), qint64(64));
            }
        }
        QVERIFY(found);
        QTemporaryDir tmp;
        QVERIFY(m_server->session->fetch(end.job_id(), tmp.filePath("r").toStdString()).ok());
    }
};

QTEST_GUILESS_MAIN(TestRemoteSession)
#include "tst_RemoteSession.moc"
