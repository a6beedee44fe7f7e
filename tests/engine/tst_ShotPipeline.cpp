// The one shot path (ShotPipeline + runShots) on a real CXI file written here through the HDF5 C API with
// deflate-compressed chunks: 1, 2 and 4 pipeline threads give the brute-force C2 of exactly the shots that should
// be in it, the same ledger, every shot once; a frame holding NaN is refused with its index and changes nothing;
// a run stopped early and resumed from its checkpoint ends where one run ends.

#include "C2BruteForce.h"

#include <QTemporaryDir>
#include <QTest>

#include <fxs/geometry/DetectorGeometry.h>
#include <fxs/pipeline/ShotPipeline.h>
#include <fxs/pipeline/ShotRun.h>
#include <fxs/polar/PolarRemapper.h>
#include <fxs/sources/CxiFileSource.h>

#include <cmath>
#include <hdf5.h>
#include <numbers>
#include <filesystem>
#include <optional>
#include <random>
#include <set>
#include <tuple>

using namespace fxs;

namespace {

constexpr int kShots = 16;
constexpr int kSlow = 48;
constexpr int kFast = 40;
constexpr int kNaNShot = 5;
constexpr std::size_t kNaNPixel = 1000;
const std::set<std::int64_t> kDim { 3, 8 }; // vetoed by the minimum sum
const std::set<std::int64_t> kManual { 11, 12 }; // vetoed by hand

// Shot s, pixel i: smooth rings plus noise; dim shots at 1 %; one NaN in shot kNaNShot.
std::vector<float> framePixels(int s)
{
    std::mt19937 rng(1000u + static_cast<unsigned>(s));
    std::uniform_real_distribution<float> noise(0.0f, 4.0f);
    std::vector<float> v(static_cast<std::size_t>(kSlow) * kFast);
    for (int y = 0; y < kSlow; ++y) {
        for (int x = 0; x < kFast; ++x) {
            const double r = std::hypot(y - kSlow / 2.0, x - kFast / 2.0);
            const double phi = std::atan2(y - kSlow / 2.0, x - kFast / 2.0);
            const double val = 20.0 + 8.0 * std::sin(0.4 * r + s) * (1.0 + 0.5 * std::cos(2.0 * phi + 0.3 * s));
            v[static_cast<std::size_t>(y) * kFast + x] = static_cast<float>(val) + noise(rng);
        }
    }
    if (kDim.count(s)) {
        for (float& p : v) {
            p *= 0.01f;
        }
    }
    if (s == kNaNShot) {
        v[kNaNPixel] = std::nanf("");
    }
    return v;
}

// How the test file's chunks are compressed (by the HDF5 library and its filter plugins, not by fxs).
// None: unfiltered chunks of one frame; Contiguous: one contiguous block (both read in place, with pread);
// BigEndian: contiguous float32 big-endian (HDF5 converts it, so it is not read in place).
enum class Compression { Deflate, Lz4, BitshuffleLz4, None, Contiguous, BigEndian };

// The stack as a CXI file, (N, ss, fs) float32 in chunks of one frame (compressed or not) or contiguous.
bool writeCxi(const std::string& path, Compression compression)
{
    const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file < 0) {
        return false;
    }
    const hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    const hsize_t dims[3] = { kShots, kSlow, kFast };
    const hsize_t chunk[3] = { 1, kSlow, kFast };
    const hid_t space = H5Screate_simple(3, dims, nullptr);
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    const bool contiguous = compression == Compression::Contiguous || compression == Compression::BigEndian;
    if (!contiguous) {
        H5Pset_chunk(dcpl, 3, chunk);
    }
    if (contiguous || compression == Compression::None) {
    } else if (compression == Compression::Deflate) {
        H5Pset_deflate(dcpl, 4);
    } else if (compression == Compression::Lz4) {
        H5Pset_filter(dcpl, 32004, H5Z_FLAG_MANDATORY, 0, nullptr);
    } else {
        const unsigned values[2] = { 0, 2 }; // automatic block size, LZ4
        H5Pset_filter(dcpl, 32008, H5Z_FLAG_MANDATORY, 2, values);
    }
    const hid_t fileType = compression == Compression::BigEndian ? H5T_IEEE_F32BE : H5T_IEEE_F32LE;
    const hid_t ds = H5Dcreate2(file, "/entry_1/data_1/data", fileType, space, lcpl, dcpl, H5P_DEFAULT);
    std::vector<float> all;
    for (int s = 0; s < kShots; ++s) {
        const auto f = framePixels(s);
        all.insert(all.end(), f.begin(), f.end());
    }
    const bool ok = ds >= 0 && H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, all.data()) >= 0;
    H5Dclose(ds);
    H5Pclose(dcpl);
    H5Sclose(space);
    H5Pclose(lcpl);
    H5Fclose(file);
    return ok;
}

DetectorGeometry geometry()
{
    SinglePanelSpec spec;
    spec.nSlow = kSlow;
    spec.nFast = kFast;
    spec.pixelSizeM = 1e-3;
    spec.beamCentreFastPx = kFast / 2.0;
    spec.beamCentreSlowPx = kSlow / 2.0;
    spec.distanceM = 0.1;
    spec.wavelengthA = 1.0;
    return *DetectorGeometry::singlePanel(spec);
}

const PolarGrid kGrid { 6, 16, 0.2, 1.2 };

ShotRunSettings settings()
{
    ShotRunSettings s;
    s.pipeline.accumulator = C2Config { kGrid.nQ, kGrid.nPhi, -1, C2Precision::Double, 4, 32, true };
    s.pipeline.threads = 2;
    s.checkpointEveryS = 1e9;
    VetoRules rules;
    rules.addThreshold({ ShotStatistic::Sum, 1000.0 }); // a normal shot sums to ~4e4, a dim one to ~4e2
    rules.addRange(*kManual.begin(), *kManual.rbegin(), "manual");
    s.veto = rules;
    return s;
}

// The largest deviation between two sums' signal and mask arrays, relative to the largest value.
double sumsDifference(const C2Sums& a, const C2Sums& b)
{
    double worst = 0, scale = 0;
    for (int h = 0; h < 2; ++h) {
        for (const auto* arrays : { &a.signal[h], &a.mask[h] }) {
            const auto& other = arrays == &a.signal[h] ? b.signal[h] : b.mask[h];
            if (other.size() != arrays->size()) {
                return 1e300;
            }
            for (std::size_t i = 0; i < arrays->size(); ++i) {
                worst = std::max(worst, std::abs((*arrays)[i] - other[i]));
                scale = std::max(scale, std::abs(other[i]));
            }
        }
    }
    return worst / std::max(scale, 1e-300);
}


} // namespace

class TestShotPipeline : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::string m_file; // deflate
    std::vector<std::pair<std::string, std::string>> m_files; // (what, path): every compression written

    std::unique_ptr<ShotPipeline> open(int threads, bool keepMean = false, const std::string& file = {})
    {
        CxiSourceOptions o;
        o.validate = false; // written above; fxs-probe has its own tests
        o.deferDecode = true;
        auto src = CxiFileSource::open(file.empty() ? m_file : file, o);
        if (!src) {
            qFatal("%s", src.error().message.c_str());
        }
        // LZ4 and bitshuffle-LZ4 chunks are read raw and decoded on the pipeline's workers; deflate by HDF5.
        // Uncompressed little-endian frames (unfiltered chunks, contiguous) are read in place by the workers.
        const auto& filters = (*src)->info().filters;
        const std::string name = file.empty() ? m_file : file;
        const bool inPlace = name.find("/plain") != std::string::npos || name.find("/contiguous") != std::string::npos;
        if ((*src)->defersDecode() != (!filters.empty() && filters.front() != 1) || (*src)->readsInPlace() != inPlace) {
            qFatal("%s: raw chunk or in-place reading not chosen as expected", (*src)->description().c_str());
        }
        const DetectorGeometry g = geometry();
        auto remapper = PolarRemapper::create(g, kGrid);
        if (!remapper) {
            qFatal("%s", remapper.error().message.c_str());
        }
        ShotPipelineConfig c;
        c.threads = threads;
        c.keepMean = keepMean;
        c.memoryBudgetBytes = 64 * 1024; // a few frames in flight: the reader waits for the workers
        return std::make_unique<ShotPipeline>(std::move(*src), std::move(*remapper), g.validMask(), c);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_file = m_dir.filePath("deflate.cxi").toStdString();
        QVERIFY(writeCxi(m_file, Compression::Deflate));
        m_files.emplace_back("deflate", m_file);
        for (const auto& [what, c] : { std::pair { "plain", Compression::None },
                 std::pair { "contiguous", Compression::Contiguous }, std::pair { "big-endian", Compression::BigEndian } }) {
            const std::string path = m_dir.filePath(QString(what) + ".cxi").toStdString();
            QVERIFY(writeCxi(path, c));
            m_files.emplace_back(what, path);
        }
        // The LZ4 and bitshuffle filters come from Debian's hdf5-filter-plugin (packaging/install-deps).
        for (const auto& [what, c, id] : { std::tuple { "lz4", Compression::Lz4, 32004 },
                 std::tuple { "bitshuffle-lz4", Compression::BitshuffleLz4, 32008 } }) {
            const std::string path = m_dir.filePath(QString(what) + ".cxi").toStdString();
            if (H5Zfilter_avail(id) > 0 && writeCxi(path, c)) {
                m_files.emplace_back(what, path);
            } else {
                qWarning("HDF5 filter %d not available: the %s file is not tested", id, what);
            }
        }
    }

    void sameC2AndLedgerAtEveryThreadCount()
    {
        // The oracle: the shots that should be in C2, remapped one by one, correlated by brute force.
        const DetectorGeometry g = geometry();
        auto remapper = PolarRemapper::create(g, kGrid);
        QVERIFY(remapper.ok());
        std::vector<PolarFrame> expected;
        std::vector<double> meanSum(static_cast<std::size_t>(kSlow) * kFast, 0.0);
        for (int s = 0; s < kShots; ++s) {
            if (s == kNaNShot) {
                continue;
            }
            const auto px = framePixels(s);
            for (std::size_t i = 0; i < px.size(); ++i) {
                meanSum[i] += px[i];
            }
            if (kDim.count(s) || kManual.count(s)) {
                continue;
            }
            Frame f = Frame::zeros(kSlow, kFast, PixelType::Float32);
            f.shotIndex = s;
            std::copy(px.begin(), px.end(), f.as<float>().begin());
            expected.push_back(*remapper->remap(f));
        }
        const auto ref = test::bruteForce(expected, true);

        std::optional<ShotRunOutcome> first;
        for (const auto& [what, file] : m_files)
        for (int threads : { 1, 2, 4 }) {
            qInfo("%s, %d threads", what.c_str(), threads);
            auto pipe = open(threads, true, file);
            auto run = runShots(*pipe, settings());
            QVERIFY2(run.ok(), run.ok() ? "" : run.error().message.c_str());
            QCOMPARE(run->accepted, std::int64_t(expected.size()));
            QCOMPARE(run->refused, std::int64_t(1));
            QCOMPARE(run->vetoed, std::int64_t(kDim.size() + kManual.size()));
            // Every shot once, in order, with its verdict.
            QCOMPARE(run->ledger.shotIndex.size(), std::size_t(kShots));
            for (int s = 0; s < kShots; ++s) {
                QCOMPARE(run->ledger.shotIndex[s], std::int64_t(s));
                const bool in = s != kNaNShot && !kDim.count(s) && !kManual.count(s);
                QCOMPARE(run->ledger.accepted[s], std::uint8_t(in ? 1 : 0));
            }
            const std::string& why = run->ledger.reason[kNaNShot];
            QVERIFY2(why.find("refused") != std::string::npos && why.find("shot 5") != std::string::npos
                    && why.find("NaN") != std::string::npos && why.find(std::to_string(kNaNPixel)) != std::string::npos,
                why.c_str());
            QVERIFY(run->ledger.reason[3].find("sum") != std::string::npos);
            QVERIFY(run->ledger.reason[11].find("manual") != std::string::npos);
            QCOMPARE(run->shotLedger.size(), std::size_t(kShots));
            // The C2 is the brute-force C2 of the accepted shots.
            const double err = test::halfSumsError(run->sums, ref);
            QVERIFY2(err <= 1e-9, qPrintable(QString("%1 threads: C2 off the oracle by %2").arg(threads).arg(err)));
            // The mean image: every frame but the refused one, in double.
            QCOMPARE(pipe->framesInMean(), std::int64_t(kShots - 1));
            const auto mean = pipe->meanDetector();
            QCOMPARE(mean.size(), meanSum.size());
            for (std::size_t i = 0; i < mean.size(); ++i) {
                QVERIFY(std::abs(mean[i] - meanSum[i] / (kShots - 1)) <= 1e-5 * (1.0 + std::abs(mean[i])));
            }
            if (!first) {
                first = std::move(*run);
            } else {
                const double d = sumsDifference(run->sums, first->sums);
                QVERIFY2(d <= 1e-10, qPrintable(QString("%1 threads differ from 1 by %2").arg(threads).arg(d)));
                QCOMPARE(run->ledger.reason, first->ledger.reason);
            }
        }
    }

    // The same stack read as polar images (n_q = 48, n_phi = 40): the shot holding a NaN is refused naming its bin,
    // once ("shot 5: ", not twice), and the others keep their pixels and statistics (oracle: framePixels() summed
    // here). With a weight of 0 on that bin the shot is accepted, its NaN left out of the statistics.
    void polarStackRefusesAWeightedNaN()
    {
        for (const bool maskTheNaN : { false, true }) {
            CxiSourceOptions o;
            o.validate = false;
            o.deferDecode = true;
            auto src = CxiFileSource::open(m_dir.filePath("plain.cxi").toStdString(), o);
            QVERIFY2(src.ok(), src.ok() ? "" : src.error().message.c_str());
            std::vector<float> weights(static_cast<std::size_t>(kSlow) * kFast, 1.0f);
            if (maskTheNaN) {
                weights[kNaNPixel] = 0.0f;
            }
            ShotPipelineConfig c;
            c.threads = 2;
            ShotPipeline pipe(std::move(*src), weights, nullptr, c);
            std::vector<PipelineShot> shots;
            auto st = pipe.run([&](PipelineShot& shot) {
                shots.push_back(std::move(shot));
                return true;
            });
            QVERIFY2(st, st.message().c_str());
            QCOMPARE(int(shots.size()), kShots);
            for (const PipelineShot& shot : shots) {
                const auto px = framePixels(static_cast<int>(shot.shotIndex));
                if (shot.shotIndex == kNaNShot && !maskTheNaN) {
                    QCOMPARE(int(shot.outcome), int(ShotOutcome::Refused));
                    QCOMPARE(QString::fromStdString(shot.refusal),
                        QString("shot %1: non-finite value in polar bin %2").arg(kNaNShot).arg(kNaNPixel));
                    continue;
                }
                long double sum = 0;
                for (std::size_t i = 0; i < px.size(); ++i) {
                    sum += weights[i] > 0.0f ? px[i] : 0.0f;
                }
                QCOMPARE(int(shot.outcome), int(ShotOutcome::Ready));
                QVERIFY(std::abs(shot.stats.sum - static_cast<double>(sum)) <= 1e-12 * std::abs(double(sum)));
                QCOMPARE(shot.polar.nQ, kSlow);
                QVERIFY(shot.shotIndex == kNaNShot // NaN != NaN
                    || shot.polar.intensity == std::vector<float>(px.begin(), px.end()));
            }
        }
    }

    void fileTruncatedWhileReadRefusesTheFramesItLost()
    {
        // A contiguous stack read in place whose file loses its tail after opening (a disk or a copy gone wrong):
        // the frames still there are taken, each lost one is refused with its shot index, and nothing crashes.
        const std::string path = m_dir.filePath("contiguous-cut.cxi").toStdString();
        QVERIFY(writeCxi(path, Compression::Contiguous));
        haddr_t dataAt = HADDR_UNDEF; // where HDF5 put the pixels, asked of HDF5 itself
        {
            const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
            const hid_t d = H5Dopen2(f, "/entry_1/data_1/data", H5P_DEFAULT);
            dataAt = H5Dget_offset(d);
            H5Dclose(d);
            H5Fclose(f);
        }
        QVERIFY(dataAt != HADDR_UNDEF);
        constexpr int kKept = 9;
        auto pipe = open(2, false, path);
        std::filesystem::resize_file(path, dataAt + std::uintmax_t(kKept) * kSlow * kFast * sizeof(float) + 100);
        auto run = runShots(*pipe, settings());
        QVERIFY2(run.ok(), run.ok() ? "" : run.error().message.c_str());
        QCOMPARE(run->ledger.shotIndex.size(), std::size_t(kShots));
        for (int s = kKept; s < kShots; ++s) {
            const std::string& why = run->ledger.reason[static_cast<std::size_t>(s)];
            QVERIFY2(!run->ledger.accepted[static_cast<std::size_t>(s)], why.c_str());
            QVERIFY2(why.find("shot " + std::to_string(s)) != std::string::npos
                    && why.find("short") != std::string::npos && why.find(path) != std::string::npos,
                why.c_str());
        }
        // Shots 0..8: all but the NaN one, the dim one (3, 8) are judged as usual.
        std::int64_t expectedIn = 0;
        for (int s = 0; s < kKept; ++s) {
            expectedIn += (s != kNaNShot && !kDim.count(s) && !kManual.count(s)) ? 1 : 0;
        }
        QCOMPARE(run->accepted, expectedIn);
    }

    void resumedRunEndsWhereOneRunEnds()
    {
        auto whole = runShots(*open(2), settings());
        QVERIFY(whole.ok());
        ShotRunSettings part = settings();
        part.checkpointPath = m_dir.filePath("run.ckpt").toStdString();
        part.maxShots = 7;
        auto first = runShots(*open(2), part);
        QVERIFY(first.ok());
        QCOMPARE(first->ledger.shotIndex.size(), std::size_t(7));
        part.maxShots = -1;
        part.resume = true;
        auto rest = runShots(*open(3), part);
        QVERIFY2(rest.ok(), rest.ok() ? "" : rest.error().message.c_str());
        QCOMPARE(rest->resumed, first->accepted);
        QCOMPARE(rest->accepted, whole->accepted);
        QCOMPARE(rest->ledger.shotIndex.size(), std::size_t(kShots));
        const double d = sumsDifference(rest->sums, whole->sums);
        QVERIFY2(d <= 1e-10, qPrintable(QString("resumed run differs by %1").arg(d)));
    }

    void stopRequestKeepsWhatWasAccumulated()
    {
        ShotRunHooks hooks;
        std::int64_t seen = 0;
        hooks.progress = [&](std::int64_t s, std::int64_t, std::int64_t, std::int64_t) { seen = s; };
        hooks.stopRequested = [&] { return seen >= 4; };
        auto run = runShots(*open(2), settings(), hooks);
        QVERIFY(run.ok());
        QVERIFY(run->interrupted);
        QCOMPARE(run->ledger.shotIndex.size(), std::size_t(4));
        QCOMPARE(run->accepted, std::int64_t(3)); // shots 0, 1, 2
    }
};

QTEST_GUILESS_MAIN(TestShotPipeline)
#include "tst_ShotPipeline.moc"
