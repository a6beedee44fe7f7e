// SimulatorSource and SimulatedRun: the stream, its pacing, CXI files read back by h5py (an independent reader),
// a live SWMR file followed by h5py while it is written, and a sphere run through the real file path
// (CXI → CxiFileSource → PolarRemapper → C2) giving a flat C2.
#include "PythonRunner.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <atomic>
#include <chrono>
#include <fxs/correlation/C2Accumulator.h>
#include <fxs/correlation/C2Snapshot.h>
#include <fxs/sources/CxiFileSource.h>
#include <fxs/geometry/DetectorGeometry.h>
#include <fxs/polar/PolarRemapper.h>
#include <fxs/simulation/SimulatedRun.h>
#include <fxs/simulation/SimulatorSource.h>
#include <thread>

using namespace fxs;

namespace {

std::shared_ptr<const Simulator> makeSim(ParticleModel model, SimulatorConfig c)
{
    auto s = Simulator::create(std::move(model), c);
    if (!s.ok()) {
        qFatal("%s", s.error().message.c_str());
    }
    return std::make_shared<const Simulator>(std::move(*s));
}

DetectorGeometry smallDetector(int nSlow, int nFast, double pixelM, double distanceM, std::vector<BadRegion> bad = {})
{
    SinglePanelSpec spec { nSlow, nFast, pixelM, nFast / 2.0, nSlow / 2.0, distanceM, 1.0 };
    auto g = DetectorGeometry::singlePanel(spec);
    auto withBad = DetectorGeometry::fromPanels(g->panels(), g->photonEnergyEv(), std::move(bad));
    if (!withBad.ok()) {
        qFatal("%s", withBad.error().message.c_str());
    }
    return std::move(*withBad);
}

// Per-frame pixel sums, computed here from the simulator's own frames (the reference for what a reader sees).
QStringList frameSums(const Simulator& sim, const SimulatorPixels& px, int first, int n)
{
    QStringList sums;
    for (int k = 0; k < n; ++k) {
        const Frame f = sim.detectorFrame(px, first + k);
        double s = 0;
        for (std::size_t i = 0; i < f.size(); ++i) {
            s += f.value(i);
        }
        sums << QString::number(static_cast<qint64>(s));
    }
    return sums;
}

double sphereIntensity(double x)
{
    const double f = 3.0 * (std::sin(x) - x * std::cos(x)) / (x * x * x);
    return f * f;
}

} // namespace

class tst_SimulatorSource : public QObject {
    Q_OBJECT
private slots:
    void sourceYieldsTheSimulatorsFrames()
    {
        SimulatorConfig c;
        c.peakPhotons = 50;
        c.outputType = PixelType::UInt16;
        auto sim = makeSim(*ParticleModel::builtin("triangle3"), c);
        const auto geom = smallDetector(32, 40, 200e-6, 0.1);
        auto px = SimulatorPixels::detector(geom);
        QVERIFY(px.ok());
        auto src = SimulatorSource::create(sim, geom, { 5, 0.0, 10, 0.0 });
        QVERIFY(src.ok());
        QCOMPARE((*src)->totalFrames().value_or(-1), std::int64_t(5));
        QCOMPARE((*src)->shape(), (SlabShape { 32, 40, PixelType::UInt16 }));
        QVERIFY(!(*src)->isLive());
        for (int k = 0; k < 5; ++k) {
            auto f = (*src)->next();
            QVERIFY(f.ok() && f->has_value());
            QCOMPARE((*f)->shotIndex, std::int64_t(10 + k));
            QVERIFY((*f)->pixels == sim->detectorFrame(*px, 10 + k).pixels);
            QCOMPARE((*f)->meta.photonEnergyEv, geom.photonEnergyEv());
        }
        for (int again = 0; again < 2; ++again) {
            auto end = (*src)->next();
            QVERIFY(end.ok() && !end->has_value());
        }
        QVERIFY((*src)->seek(12).ok());
        auto f = (*src)->next();
        QCOMPARE((*f)->shotIndex, std::int64_t(12));
        QVERIFY(!(*src)->seek(99).ok());
        QVERIFY(!(*src)->seek(3).ok());
    }

    void pacedSourceKeepsItsRateAndCancels()
    {
        auto sim = makeSim(ParticleModel::sphere(10), {});
        const auto geom = smallDetector(16, 16, 200e-6, 0.1);
        auto paced = SimulatorSource::create(sim, geom, { 6, 50.0, 0, 0.0 });
        QVERIFY(paced.ok() && (*paced)->isLive());
        const auto t0 = std::chrono::steady_clock::now();
        for (int k = 0; k < 6; ++k) {
            QVERIFY((*paced)->next()->has_value());
        }
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        QVERIFY2(s >= 0.099, qPrintable(QString::number(s))); // 5 intervals of 20 ms after the first frame
        // The rate as people write it (the window's status line shows this description).
        const std::string d = (*paced)->description();
        QVERIFY2(d.ends_with(", 50 Hz") && d.find("50.0") == std::string::npos, d.c_str());

        auto slow = SimulatorSource::create(sim, geom, { -1, 0.5, 0, 0.0 });
        QVERIFY(slow.ok() && !(*slow)->totalFrames().has_value());
        QVERIFY2((*slow)->description().ends_with(", 0.5 Hz"), (*slow)->description().c_str());
        QVERIFY((*slow)->next()->has_value());
        std::thread canceller([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            (*slow)->cancel();
        });
        const auto t1 = std::chrono::steady_clock::now();
        auto r = (*slow)->next(); // due in 2 s, cancelled after 50 ms
        canceller.join();
        QVERIFY(r.ok() && !r->has_value());
        QVERIFY(std::chrono::steady_clock::now() - t1 < std::chrono::milliseconds(1000));
    }

    void writtenRunReadsBackWithH5py()
    {
        if (!test::pythonHas("h5py")) {
            QSKIP("python3-h5py is not installed");
        }
        QTemporaryDir dir;
        const QString path = dir.filePath("sim.cxi");
        SimulatorConfig c;
        c.peakPhotons = 300;
        c.waterRingPhotons = 2;
        c.waterRingQInvA = 0.6;
        c.outputType = PixelType::UInt16;
        auto sim = makeSim(*ParticleModel::builtin("pentamer5"), c);
        const auto geom = smallDetector(48, 64, 200e-6, 0.08);
        auto src = SimulatorSource::create(sim, geom, { 6, 0.0, 0, 0.0 });
        QVERIFY(src.ok());
        auto n = SimulatedRun::writeCxi(**src, path.toStdString(), {});
        QVERIFY2(n.ok(), n.ok() ? "" : n.error().message.c_str());
        QCOMPARE(*n, std::int64_t(6));

        const auto r = test::runPython(R"(
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    d = f["/entry_1/data_1/data"]
    print(d.shape, d.dtype)
    print(" ".join(str(int(d[k].astype("int64").sum())) for k in range(d.shape[0])))
)",
            { path });
        QVERIFY2(r.ok(), r.err.constData());
        const auto lines = QString::fromUtf8(r.out).trimmed().split('\n');
        QCOMPARE(lines.value(0), QString("(6, 48, 64) uint16"));
        auto px = SimulatorPixels::detector(geom);
        QCOMPARE(lines.value(1), frameSums(*sim, *px, 0, 6).join(' '));

        CxiSourceOptions o;
        o.validate = false; // a file this program wrote
        auto back = CxiFileSource::open(path.toStdString(), o);
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message.c_str());
        auto f3 = (*back)->seek(3).ok() ? (*back)->next() : Result<std::optional<Frame>> { Error { "seek" } };
        QVERIFY(f3.ok() && f3->has_value());
        QVERIFY((*f3)->pixels == sim->detectorFrame(*px, 3).pixels);
    }

    void liveSwmrRunIsFollowedByH5py()
    {
        if (!test::pythonHas("h5py")) {
            QSKIP("python3-h5py is not installed");
        }
        QTemporaryDir dir;
        const QString path = dir.filePath("live.cxi");
        SimulatorConfig c;
        c.peakPhotons = 100;
        c.outputType = PixelType::UInt16;
        auto sim = makeSim(*ParticleModel::builtin("dumbbell"), c);
        const auto geom = smallDetector(32, 32, 200e-6, 0.1);
        auto src = SimulatorSource::create(sim, geom, { 30, 20.0, 0, 0.0 });
        QVERIFY(src.ok());
        // The writer holds after frame 1 until the reader has the file open, so that even on a loaded machine the
        // reader watches frames 2 … 30 arrive (20 Hz) rather than finding the run finished.
        std::atomic<bool> readerReady { false };
        SimulatedRunOptions o;
        o.writer.swmr = true;
        o.progress = [&](std::int64_t n) {
            for (int waited = 0; n == 1 && !readerReady && waited < 3000; ++waited) {
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
            return true;
        };
        auto run = SimulatedRun::start(std::move(*src), path.toStdString(), o);
        QVERIFY2(run.ok(), run.ok() ? "" : run.error().message.c_str());

        // h5py as an independent SWMR reader: polls the extent until the writer marks the file closed.
        QProcess reader;
        reader.start(test::debianPython(),
            { "-c", R"(
import sys, time, h5py
f = h5py.File(sys.argv[1], "r", libver="latest", swmr=True)
d = f["/entry_1/data_1/data"]
state = f["/fxs_live/state"]
print("ready", flush=True)
seen = []
t0 = time.time()
while time.time() - t0 < 30:
    d.refresh(); state.refresh()
    n = d.shape[0]
    if not seen or seen[-1] != n:
        seen.append(n)
    if state[1] == 1:
        d.refresh()
        break
    time.sleep(0.01)
print(" ".join(map(str, seen)))
print(d.shape[0], int(state[0]), int(state[1]))
print(" ".join(str(int(d[k].astype("int64").sum())) for k in range(d.shape[0])))
)",
                path });
        QVERIFY(reader.waitForReadyRead(30000));
        QCOMPARE(reader.readLine().trimmed(), QByteArray("ready"));
        readerReady = true;
        QVERIFY(reader.waitForFinished(60000));
        test::PythonResult r;
        r.exitCode = reader.exitStatus() == QProcess::NormalExit ? reader.exitCode() : -1;
        r.out = reader.readAllStandardOutput();
        r.err = reader.readAllStandardError();
        auto written = (*run)->wait();
        QVERIFY2(written.ok(), written.ok() ? "" : written.error().message.c_str());
        QCOMPARE(*written, std::int64_t(30));
        QVERIFY2(r.ok(), r.err.constData());
        const auto lines = QString::fromUtf8(r.out).trimmed().split('\n');
        const auto seen = lines.value(0).split(' ');
        qInfo("the SWMR reader saw the extents %s", qPrintable(lines.value(0)));
        // At 20 Hz over 1.5 s the reader must have watched the stack grow, not just found it finished.
        QVERIFY2(seen.size() >= 10, qPrintable(lines.value(0)));
        QCOMPARE(lines.value(1), QString("30 30 1"));
        auto px = SimulatorPixels::detector(geom);
        QCOMPARE(lines.value(2), frameSums(*sim, *px, 0, 30).join(' '));
    }

    void truthIsWrittenBesideTheRun()
    {
        QTemporaryDir dir;
        const std::string run = dir.filePath("run.cxi").toStdString();
        auto model = ParticleModel::builtin("tetramer4");
        auto paths = SimulatedRun::writeTruth(*model, run, 48);
        QVERIFY2(paths.ok(), paths.ok() ? "" : paths.error().message.c_str());
        auto back = ParticleModel::fromFile(run + ".model.json");
        QVERIFY(back.ok());
        QCOMPARE(back->scatterers().size(), model->scatterers().size());
        QCOMPARE(back->scatterers()[2].positionA, model->scatterers()[2].positionA);
        if (!test::pythonHas("mrcfile")) {
            QSKIP("python3-mrcfile is not installed");
        }
        // mrcfile as the independent reader: shape, voxel size, and the density's integral = Σ amplitudes.
        const auto r = test::runPython(R"(
import sys, mrcfile
with mrcfile.open(sys.argv[1]) as m:
    v = float(m.voxel_size.x)
    print(m.data.shape, float(m.data.astype('float64').sum()) * v ** 3)
)",
            { QString::fromStdString(run + ".truth.mrc") });
        QVERIFY2(r.ok(), r.err.constData());
        const auto out = QString::fromUtf8(r.out).trimmed();
        QVERIFY2(out.startsWith("(48, 48, 48) "), qPrintable(out));
        QVERIFY2(std::abs(out.section(' ', -1).toDouble() - model->forwardAmplitude()) < 1e-3, qPrintable(out));
    }

    void sphereRunThroughFilesGivesFlatC2()
    {
        // A gapped detector (a 4-pixel vertical gap and a beamstop): the normalised C2 must still be flat.
        QTemporaryDir dir;
        const QString path = dir.filePath("sphere.cxi");
        BadRegion gap;
        gap.labXY = false;
        gap.minFs = 62, gap.maxFs = 65, gap.minSs = 0, gap.maxSs = 127;
        BadRegion stop;
        stop.labXY = false;
        stop.minFs = 58, stop.maxFs = 70, stop.minSs = 58, stop.maxSs = 70;
        const auto geom = smallDetector(128, 128, 100e-6, 0.2, { gap, stop });
        SimulatorConfig c;
        c.peakPhotons = 2000;
        c.outputType = PixelType::UInt16;
        c.threads = 2;
        const double radius = 15.0;
        auto sim = makeSim(ParticleModel::sphere(radius), c);
        auto src = SimulatorSource::create(sim, geom, { 300, 0.0, 0, 0.0 });
        QVERIFY(src.ok());
        QVERIFY(SimulatedRun::writeCxi(**src, path.toStdString(), {}).ok());

        CxiSourceOptions o;
        o.validate = false;
        auto in = CxiFileSource::open(path.toStdString(), o);
        QVERIFY(in.ok());
        const PolarGrid grid { 8, 32, 0.03, 0.19 };
        auto remap = PolarRemapper::create(geom, grid);
        QVERIFY2(remap.ok(), remap.ok() ? "" : remap.error().message.c_str());
        C2Config cc;
        cc.nQ = grid.nQ;
        cc.nPhi = grid.nPhi;
        cc.precision = C2Precision::Double;
        cc.subtractRingMean = false;
        C2Accumulator acc(cc);
        int frames = 0;
        for (;;) {
            auto f = (*in)->next();
            QVERIFY(f.ok());
            if (!f->has_value()) {
                break;
            }
            auto polar = remap->remap(**f);
            QVERIFY(polar.ok());
            QVERIFY(acc.add(*polar).ok());
            ++frames;
        }
        QCOMPARE(frames, 300);
        acc.flush();
        SnapshotOptions so;
        so.splitHalf = so.interShot = so.fourier = false;
        const auto snap = C2Snapshot::compute(acc.sums(), so);
        double worst = 0;
        int compared = 0;
        for (int a = 0; a < grid.nQ; ++a) {
            for (int b = 0; b < grid.nQ; ++b) {
                double mean = 0;
                int n = 0;
                for (int k = 0; k < grid.nPhi; ++k) {
                    if (snap.flags[snap.at(a, b, k)] == C2Snapshot::Valid) {
                        mean += snap.c2[snap.at(a, b, k)];
                        ++n;
                    }
                }
                QVERIFY(n > grid.nPhi / 2);
                mean /= n;
                for (int k = 0; k < grid.nPhi; ++k) {
                    if (snap.flags[snap.at(a, b, k)] == C2Snapshot::Valid) {
                        worst = std::max(worst, std::abs(snap.c2[snap.at(a, b, k)] / mean - 1.0));
                        ++compared;
                    }
                }
                // The level is I(q) I(q') of the sphere (corrections undone by the remapper), to bin averaging.
                const double ia = 2000 * sphereIntensity(grid.qCentre(a) * radius);
                const double ib = 2000 * sphereIntensity(grid.qCentre(b) * radius);
                QVERIFY2(std::abs(mean / (ia * ib) - 1.0) < 0.05,
                    qPrintable(QString("q %1, q' %2: %3 vs %4").arg(a).arg(b).arg(mean).arg(ia * ib)));
            }
        }
        qInfo("sphere through CXI + remap: worst |C2(Δ)/⟨C2⟩_Δ − 1| = %.4f over %d elements", worst, compared);
        QVERIFY2(worst < 0.02, qPrintable(QString::number(worst)));
    }
};

QTEST_GUILESS_MAIN(tst_SimulatorSource)
#include "tst_SimulatorSource.moc"
