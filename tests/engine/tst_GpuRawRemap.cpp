// The GPU raw path (issue 19): raw uint16 detector frames uploaded once, remapped on the device with the CPU
// remap's own CSR weights, and correlated there. On a GPU: the device remap against PolarRemapper on the CPU
// (≤ 1e-5 relative per bin), C2 from raw frames against the CPU path's C2 of the CPU-remapped frames, and the real
// run (a CXI file of uint16 frames through ShotPipeline + runShots, vetoes included) with the device remap against
// the same run on the CPU. Without a GPU (CI) those skip; what runs everywhere is the shot pipeline's side of it:
// with deferRemap every accepted shot reaches the consumer as its detector frame (the values written to the file)
// with its statistics (against a brute-force sum) and no polar image, and only uint16 input offers its map.

#include <QTemporaryDir>
#include <QTest>

#include <fxs/correlation/C2Accumulator.h>
#include <fxs/geometry/DetectorGeometry.h>
#include <fxs/gpu/GpuBenchHooks.h>
#include <fxs/gpu/GpuC2Accumulator.h>
#include <fxs/pipeline/ShotPipeline.h>
#include <fxs/pipeline/ShotRun.h>
#include <fxs/polar/PolarRemapper.h>
#include <fxs/results/CxiWriter.h>
#include <fxs/sources/CxiFileSource.h>

#include <cmath>
#include <random>
#include <set>

using namespace fxs;

namespace {

constexpr int kPanelSs = 40, kPanelFs = 48;
constexpr int kSlow = 4 * kPanelSs, kFast = kPanelFs; // four panels stacked in the slab, 2 × 2 in the lab
constexpr int kShots = 45; // with batches of 8: five full batches and a partial one
const PolarGrid kGrid { 24, 32, 0.05, 0.45 };
const std::set<std::int64_t> kDim { 6, 17 }; // vetoed by the minimum sum

DetectorGeometry geometry()
{
    std::vector<DetectorPanel> panels;
    for (int m = 0; m < 4; ++m) {
        DetectorPanel p;
        p.name = "p" + std::to_string(m);
        p.minFs = 0;
        p.maxFs = kPanelFs - 1;
        p.minSs = m * kPanelSs;
        p.maxSs = (m + 1) * kPanelSs - 1;
        p.cornerXPx = (m % 2 == 0 ? -kPanelFs - 3.0 : 3.0);
        p.cornerYPx = (m / 2 == 0 ? -kPanelSs - 2.0 : 2.0);
        p.cameraLengthM = 0.05;
        panels.push_back(p);
    }
    return *DetectorGeometry::fromPanels(std::move(panels), 9500.0);
}

// A few dead pixels and a dead block on top of the geometry's own mask (nonzero = usable).
std::vector<std::uint8_t> extraMask()
{
    std::vector<std::uint8_t> m(static_cast<std::size_t>(kSlow) * kFast, 1);
    for (int y = 10; y < 16; ++y) {
        for (int x = 5; x < 12; ++x) {
            m[static_cast<std::size_t>(y) * kFast + x] = 0;
        }
    }
    for (std::size_t i = 77; i < m.size(); i += 997) {
        m[i] = 0;
    }
    return m;
}

// Shot s: rings plus noise up to the top of uint16's range at a few pixels; dim shots are ~1 % as bright.
Frame rawFrame(std::int64_t s)
{
    Frame f = Frame::zeros(kSlow, kFast, PixelType::UInt16);
    f.shotIndex = s;
    std::mt19937 rng(77u + static_cast<unsigned>(s));
    std::uniform_int_distribution<int> noise(0, 40);
    auto px = f.as<std::uint16_t>();
    for (int y = 0; y < kSlow; ++y) {
        for (int x = 0; x < kFast; ++x) {
            const double r = std::hypot(y % kPanelSs - 20.0, x - 24.0);
            double v = 300.0 + 200.0 * std::sin(0.3 * r + 0.5 * static_cast<double>(s)) + noise(rng);
            if (kDim.count(s)) {
                v *= 0.01;
            }
            px[static_cast<std::size_t>(y) * kFast + x] = static_cast<std::uint16_t>(v);
        }
    }
    px[static_cast<std::size_t>(s * 37) % px.size()] = 65535; // a saturated pixel somewhere
    return f;
}

PolarRemapper remapper()
{
    auto r = PolarRemapper::create(geometry(), kGrid, {}, extraMask());
    if (!r) {
        qFatal("%s", r.error().message.c_str());
    }
    return *r;
}

// The largest deviation between two sums' arrays, relative to the largest value of `b`.
double worstRelative(const std::vector<std::complex<double>>& a, const std::vector<std::complex<double>>& b)
{
    if (a.size() != b.size() || b.empty()) {
        return 1e300;
    }
    double worst = 0, scale = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!std::isfinite(a[i].real()) || !std::isfinite(a[i].imag())) {
            return 1e300;
        }
        worst = std::max(worst, std::abs(a[i] - b[i]));
        scale = std::max(scale, std::abs(b[i]));
    }
    return worst / std::max(scale, 1e-300);
}

double worstRelative(const std::vector<double>& a, const std::vector<double>& b)
{
    if (a.size() != b.size() || b.empty()) {
        return 1e300;
    }
    double worst = 0, scale = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        worst = std::max(worst, std::abs(a[i] - b[i]));
        scale = std::max(scale, std::abs(b[i]));
    }
    return worst / std::max(scale, 1e-300);
}

// Signal, mask and mean-image sums of the GPU against the reference; the shot counts must be equal.
void compareSums(const C2Sums& gpu, const C2Sums& ref)
{
    for (int h = 0; h < 2; ++h) {
        QCOMPARE(gpu.shots[h], ref.shots[h]);
        const double signal = worstRelative(gpu.signal[h], ref.signal[h]);
        const double mask = worstRelative(gpu.mask[h], ref.mask[h]);
        qInfo("half %d: signal %.3g, mask %.3g (relative to the largest value)", h, signal, mask);
        QVERIFY2(signal <= 1e-5, qPrintable(QString("signal half %1 differs by %2").arg(h).arg(signal)));
        QVERIFY2(mask <= 1e-5, qPrintable(QString("mask half %1 differs by %2").arg(h).arg(mask)));
    }
    QVERIFY(worstRelative(gpu.weightedIntensity, ref.weightedIntensity) <= 1e-5);
    QVERIFY(worstRelative(gpu.weightSum, ref.weightSum) <= 1e-5);
}

std::string gpuMissing()
{
    std::string why;
    return GpuC2Accumulator::available(&why) ? std::string {} : "no GPU: " + why;
}

} // namespace

class tst_GpuRawRemap : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::string m_uint16File, m_floatFile;

    std::unique_ptr<ShotPipeline> open(const std::string& path, int threads)
    {
        CxiSourceOptions o;
        o.validate = false; // written here; fxs-probe has its own tests
        o.deferDecode = true;
        auto src = CxiFileSource::open(path, o);
        if (!src) {
            qFatal("%s", src.error().message.c_str());
        }
        const DetectorGeometry g = geometry();
        std::vector<std::uint8_t> valid = g.validMask();
        const auto extra = extraMask();
        for (std::size_t i = 0; i < valid.size(); ++i) {
            valid[i] = valid[i] && extra[i];
        }
        ShotPipelineConfig c;
        c.threads = threads;
        return std::make_unique<ShotPipeline>(std::move(*src), remapper(), valid, c);
    }

    ShotRunSettings settings(C2Backend backend, DeviceRemap deviceRemap) const
    {
        ShotRunSettings s;
        const bool gpu = backend != C2Backend::Cpu;
        s.pipeline.accumulator = C2Config { kGrid.nQ, kGrid.nPhi, -1, gpu ? C2Precision::Single : C2Precision::Double,
            16, 4096, true, false };
        s.pipeline.threads = 2;
        s.pipeline.backend = backend;
        s.pipeline.deviceRemap = deviceRemap;
        s.pipeline.rawBatchFrames = 8;
        s.checkpointEveryS = 1e9;
        VetoRules rules;
        rules.addThreshold({ ShotStatistic::Sum, 3e5 }); // a normal shot sums to ~2e6, a dim one to ~1e5 at most
        s.veto = rules;
        return s;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_uint16File = m_dir.filePath("raw.cxi").toStdString();
        m_floatFile = m_dir.filePath("float.cxi").toStdString();
        CxiWriterOptions wo;
        wo.flushEachFrame = false;
        auto w = CxiWriter::create(m_uint16File, { kSlow, kFast, PixelType::UInt16 }, wo);
        QVERIFY(w.ok());
        for (int s = 0; s < kShots; ++s) {
            QVERIFY((*w)->append(rawFrame(s)).ok());
        }
        QVERIFY((*w)->close().ok());
        auto wf = CxiWriter::create(m_floatFile, { kSlow, kFast, PixelType::Float32 }, wo);
        QVERIFY(wf.ok());
        Frame f = Frame::zeros(kSlow, kFast, PixelType::Float32);
        for (int s = 0; s < 3; ++s) {
            f.shotIndex = s;
            QVERIFY((*wf)->append(f).ok());
        }
        QVERIFY((*wf)->close().ok());
    }

    // Everywhere (CI too): the shot pipeline hands raw frames over when the device is to remap them.
    void deferredShotsCarryTheirFrames()
    {
        auto pipe = open(m_uint16File, 2);
        QVERIFY(pipe->rawRemapper().has_value());
        QCOMPARE(pipe->rawRemapper()->nonZeros(), remapper().nonZeros());
        pipe->config().deferRemap = true;
        const DetectorGeometry g = geometry();
        const auto extra = extraMask();
        std::int64_t seen = 0;
        const Status st = pipe->run([&](PipelineShot& s) {
            const Frame expected = rawFrame(s.shotIndex);
            if (s.outcome != ShotOutcome::Ready || !s.frame || !s.polar.intensity.empty()
                || s.frame->pixels != expected.pixels) {
                qWarning("shot %lld: not handed over raw", static_cast<long long>(s.shotIndex));
                return false;
            }
            double sum = 0; // brute force over the usable pixels
            const auto px = expected.as<std::uint16_t>();
            const auto valid = g.validMask();
            for (std::size_t i = 0; i < px.size(); ++i) {
                sum += (valid[i] && extra[i]) ? px[i] : 0.0;
            }
            if (std::abs(s.stats.sum - sum) > 1e-9 * sum) {
                qWarning("shot %lld: sum %.17g, brute force %.17g", static_cast<long long>(s.shotIndex), s.stats.sum,
                    sum);
                return false;
            }
            ++seen;
            return true;
        });
        QVERIFY2(st.ok(), st.message().c_str());
        QCOMPARE(seen, std::int64_t(kShots));
        QVERIFY(!open(m_floatFile, 1)->rawRemapper().has_value()); // the device remap takes uint16 only
    }

    // Everywhere: asked for the device remap on a machine where the GPU is not usable, the run says why it ran on
    // the CPU, and its C2 is the CPU run's.
    void withoutAGpuTheRunSaysSo()
    {
        if (gpuMissing().empty()) {
            QSKIP("a GPU is present: the GPU tests below cover this machine");
        }
        auto cpu = runShots(*open(m_uint16File, 2), settings(C2Backend::Cpu, DeviceRemap::Off));
        auto asked = runShots(*open(m_uint16File, 2), settings(C2Backend::Gpu, DeviceRemap::On));
        QVERIFY(cpu.ok() && asked.ok());
        QVERIFY2(asked->backend.find("CPU, 2 threads (GPU correlation unavailable") == 0, asked->backend.c_str());
        QCOMPARE(asked->accepted, std::int64_t(kShots - kDim.size()));
        compareSums(asked->sums, cpu->sums);
    }

    void deviceRemapMatchesCpuRemap()
    {
        if (const std::string why = gpuMissing(); !why.empty()) {
            QSKIP(why.c_str());
        }
        const PolarRemapper r = remapper();
        GpuC2Config g;
        g.c2 = C2Config { kGrid.nQ, kGrid.nPhi };
        g.batchFrames = 8;
        auto acc = GpuC2Accumulator::create(g);
        QVERIFY2(acc.ok(), acc.ok() ? "" : acc.error().message.c_str());
        QVERIFY((*acc)->setDeviceRemap(r).ok());
        QVERIFY((*acc)->remapsOnDevice());
        const int frames = 7; // a partial batch: flush() sends it
        for (int s = 0; s < frames; ++s) {
            const Status st = (*acc)->addRaw(rawFrame(s));
            QVERIFY2(st.ok(), st.message().c_str());
        }
        (*acc)->flush();
        auto device = GpuBenchHooks::lastBatchIntensities(**acc);
        QVERIFY2(device.ok(), device.ok() ? "" : device.error().message.c_str());
        QCOMPARE(device->size(), static_cast<std::size_t>(frames) * kGrid.size());
        double worst = 0;
        for (int s = 0; s < frames; ++s) {
            auto cpu = r.remap(rawFrame(s));
            QVERIFY(cpu.ok());
            for (std::size_t b = 0; b < cpu->intensity.size(); ++b) {
                const double d = (*device)[static_cast<std::size_t>(s) * kGrid.size() + b];
                const double c = cpu->intensity[b];
                worst = std::max(worst, std::abs(d - c) / std::max(std::abs(c), 1.0));
            }
        }
        qInfo("device remap vs PolarRemapper: worst relative difference %.3g", worst);
        QVERIFY2(worst <= 1e-5, qPrintable(QString("worst relative difference %1").arg(worst)));
        // A frame of the wrong type or shape is refused and changes nothing.
        Frame wrong = Frame::zeros(kSlow, kFast, PixelType::Float32);
        QVERIFY(!(*acc)->addRaw(wrong).ok());
        QCOMPARE((*acc)->shotsAdded(), std::int64_t(frames));
    }

    void rawC2MatchesCpuC2()
    {
        if (const std::string why = gpuMissing(); !why.empty()) {
            QSKIP(why.c_str());
        }
        const PolarRemapper r = remapper();
        C2Config c { kGrid.nQ, kGrid.nPhi, -1, C2Precision::Double, 16, 4096, true, false };
        C2Accumulator cpu(c);
        GpuC2Config g;
        g.c2 = c;
        g.c2.precision = C2Precision::Single;
        g.batchFrames = 8;
        g.poisonScratch = true;
        auto acc = GpuC2Accumulator::create(g);
        QVERIFY(acc.ok());
        QVERIFY((*acc)->setDeviceRemap(r).ok());
        for (int s = 0; s < kShots; ++s) {
            const Frame f = rawFrame(s);
            QVERIFY((*acc)->addRaw(f).ok());
            QVERIFY(cpu.add(*r.remap(f)).ok());
        }
        (*acc)->flush();
        cpu.flush();
        compareSums((*acc)->sums(), cpu.sums());
    }

    // The real run: uint16 CXI file → ShotPipeline → runShots with the GPU remapping raw frames, against the CPU.
    void runShotsRemapsOnTheDevice()
    {
        if (const std::string why = gpuMissing(); !why.empty()) {
            QSKIP(why.c_str());
        }
        auto cpu = runShots(*open(m_uint16File, 2), settings(C2Backend::Cpu, DeviceRemap::Off));
        auto device = runShots(*open(m_uint16File, 2), settings(C2Backend::Gpu, DeviceRemap::On));
        auto polar = runShots(*open(m_uint16File, 2), settings(C2Backend::Gpu, DeviceRemap::Off));
        auto chosen = runShots(*open(m_uint16File, 2), settings(C2Backend::Gpu, DeviceRemap::Auto));
        QVERIFY(cpu.ok() && device.ok() && polar.ok() && chosen.ok());
        qInfo("device: %s", device->backend.c_str());
        qInfo("auto: %s", chosen->backend.c_str());
        QVERIFY2(device->backend.find("GPU 0 (") == 0
                && device->backend.find(", raw frames remapped on the device") != std::string::npos,
            device->backend.c_str());
        QVERIFY2(polar->backend.find("remapped") == std::string::npos, polar->backend.c_str());
        QVERIFY2(chosen->backend.find("remapped on the") != std::string::npos
                && chosen->backend.find("faster here: about ") != std::string::npos,
            chosen->backend.c_str());
        const std::int64_t expected = kShots - static_cast<std::int64_t>(kDim.size());
        for (const auto* run : { &*device, &*polar, &*chosen }) {
            QCOMPARE(run->accepted, expected);
            QCOMPARE(run->vetoed, std::int64_t(kDim.size()));
            QCOMPARE(run->ledger.accepted, cpu->ledger.accepted);
            compareSums(run->sums, cpu->sums);
        }
    }
};

QTEST_GUILESS_MAIN(tst_GpuRawRemap)
#include "tst_GpuRawRemap.moc"
