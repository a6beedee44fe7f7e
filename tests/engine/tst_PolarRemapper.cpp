#include <QtTest>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <fxs/geometry/DetectorGeometry.h>
#include <fxs/geometry/GeomParser.h>
#include <fxs/polar/PolarRemapper.h>
#include <numbers>
#include <random>

using namespace fxs;

namespace {

constexpr double kPi = std::numbers::pi;

// 300 (fs) × 400 (ss) flat panel, 172 µm pixels, 0.2 m, λ = 1 Å, beam off-centre inside the panel.
constexpr int kSlow = 400, kFast = 300;
constexpr double kPixel = 172e-6, kDist = 0.2, kLambda = 1.0, kBeamFs = 150.3, kBeamSs = 210.7;

DetectorGeometry panel()
{
    SinglePanelSpec s { kSlow, kFast, kPixel, kBeamFs, kBeamSs, kDist, kLambda };
    return *DetectorGeometry::singlePanel(s);
}

// Closed forms for pixel (ss, fs) of panel(), independent of the engine.
struct PixelTruth {
    double q, phi, omega, pol;
};
PixelTruth truth(int ss, int fs)
{
    const double x = (fs + 0.5 - kBeamFs) * kPixel, y = (ss + 0.5 - kBeamSs) * kPixel;
    const double tth = std::atan(std::hypot(x, y) / kDist);
    double phi = std::atan2(y, x);
    phi += phi < 0 ? 2 * kPi : 0;
    const double s2c = std::sin(tth) * std::cos(phi);
    return { 4 * kPi * std::sin(tth / 2) / kLambda, phi, std::pow(std::cos(tth), 3), 1 - s2c * s2c };
}

Frame randomFrame(PixelType type, std::uint32_t seed)
{
    Frame f = Frame::zeros(kSlow, kFast, type);
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> d(0, 4000);
    for (std::size_t i = 0; i < f.size(); ++i) {
        const int v = d(rng);
        switch (type) {
        case PixelType::UInt16:
            f.as<std::uint16_t>()[i] = static_cast<std::uint16_t>(v);
            break;
        case PixelType::Int32:
            f.as<std::int32_t>()[i] = v - 1000;
            break;
        case PixelType::UInt32:
            f.as<std::uint32_t>()[i] = static_cast<std::uint32_t>(v) + 70000u; // beyond uint16
            break;
        default:
            f.as<float>()[i] = v * 0.37f;
        }
    }
    return f;
}

// A frame whose pixel values are fn(truth) in float32.
template <class Fn> Frame imageOf(Fn&& fn)
{
    Frame f = Frame::zeros(kSlow, kFast, PixelType::Float32);
    for (int ss = 0; ss < kSlow; ++ss) {
        for (int fs = 0; fs < kFast; ++fs) {
            f.as<float>()[ss * kFast + fs] = static_cast<float>(fn(truth(ss, fs)));
        }
    }
    return f;
}

double smooth(const PixelTruth& t) { return 1000 + 300 * std::cos(6 * t.q) + 100 * t.q * std::cos(t.phi); }

// A frame of `type` on a real detector: random values on the pixels that feed bins; on every other pixel (gaps,
// masked and off-grid pixels, the lanes a chunk load reads beyond its run) a value that would show if it leaked in:
// NaN for float frames, the type's largest value otherwise. `nanAt`: used pixels set to NaN (float frames).
Frame realFrame(const DetectorGeometry& g, PixelType type, const std::vector<std::uint8_t>& used, std::uint32_t seed,
    const std::vector<std::size_t>& nanAt)
{
    Frame f = Frame::zeros(g.nSlow(), g.nFast(), type);
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t i = 0; i < f.size(); ++i) {
        const double x = u(rng);
        switch (type) {
        case PixelType::UInt16:
            f.as<std::uint16_t>()[i] = used[i] ? static_cast<std::uint16_t>(x * 65535) : 65535;
            break;
        case PixelType::Int16:
            f.as<std::int16_t>()[i] = used[i] ? static_cast<std::int16_t>(x * 60000 - 30000) : 32767;
            break;
        case PixelType::Int32:
            f.as<std::int32_t>()[i] = used[i] ? static_cast<std::int32_t>(x * 4e9 - 2e9) : 2147483647;
            break;
        case PixelType::UInt32: // beyond 2^24: float rounding of the pixel value itself is part of the check
            f.as<std::uint32_t>()[i] = used[i] ? static_cast<std::uint32_t>(x * 4.29e9) : 4294967295u;
            break;
        case PixelType::Float32:
            f.as<float>()[i] = used[i] ? static_cast<float>(x * 1e4 - 100) : static_cast<float>(nan);
            break;
        case PixelType::Float64:
            f.as<double>()[i] = used[i] ? x * 1e4 - 100 : nan;
            break;
        }
    }
    for (std::size_t i : nanAt) {
        if (type == PixelType::Float32) {
            f.as<float>()[i] = static_cast<float>(nan);
        } else if (type == PixelType::Float64) {
            f.as<double>()[i] = nan;
        }
    }
    return f;
}

// The pixel value as the remap reads it: the pixel type's value rounded to float.
double asFloat(const Frame& f, std::size_t i)
{
    switch (f.type) {
    case PixelType::UInt16:
        return static_cast<float>(f.as<std::uint16_t>()[i]);
    case PixelType::Int16:
        return static_cast<float>(f.as<std::int16_t>()[i]);
    case PixelType::Int32:
        return static_cast<float>(f.as<std::int32_t>()[i]);
    case PixelType::UInt32:
        return static_cast<float>(f.as<std::uint32_t>()[i]);
    case PixelType::Float64:
        return static_cast<float>(f.as<double>()[i]);
    case PixelType::Float32:
        break;
    }
    return f.as<float>()[i];
}

} // namespace

Q_DECLARE_METATYPE(fxs::PixelType)
Q_DECLARE_METATYPE(fxs::RemapMode)

class tst_PolarRemapper : public QObject {
    Q_OBJECT
private slots:
    // Σ_b I_b · n_b equals the corrected sum of the valid pixels inside the grid (closed-form corrections).
    void conservation_data()
    {
        QTest::addColumn<RemapMode>("mode");
        QTest::addColumn<PixelType>("type");
        QTest::addColumn<bool>("corrections");
        QTest::addColumn<double>("qMax");
        QTest::newRow("split uint16") << RemapMode::Split << PixelType::UInt16 << true << 2.0;
        QTest::newRow("split int32 raw") << RemapMode::Split << PixelType::Int32 << false << 2.0;
        QTest::newRow("split uint32") << RemapMode::Split << PixelType::UInt32 << true << 2.0;
        QTest::newRow("split float32") << RemapMode::Split << PixelType::Float32 << true << 2.0;
        QTest::newRow("nearest uint16") << RemapMode::Nearest << PixelType::UInt16 << true << 2.0;
        QTest::newRow("nearest clipped grid") << RemapMode::Nearest << PixelType::Float32 << true << 0.8;
    }
    void conservation()
    {
        QFETCH(RemapMode, mode);
        QFETCH(PixelType, type);
        QFETCH(bool, corrections);
        QFETCH(double, qMax);
        const PolarGrid grid { 40, 32, 0.0, qMax };
        RemapOptions opt;
        opt.mode = mode;
        opt.solidAngleCorrection = opt.polarisationCorrection = corrections;
        // Mask a block of pixels and give them huge values: they must not leak into the polar frame.
        std::vector<std::uint8_t> mask(kSlow * kFast, 1);
        Frame f = randomFrame(type, 5);
        for (int ss = 50; ss < 90; ++ss) {
            for (int fs = 20; fs < 60; ++fs) {
                mask[ss * kFast + fs] = 0;
                if (type == PixelType::UInt16) {
                    f.as<std::uint16_t>()[ss * kFast + fs] = 65000;
                }
            }
        }
        auto r = PolarRemapper::create(panel(), grid, opt, mask);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        auto polar = r->remap(f);
        QVERIFY(polar.ok());
        double expected = 0.0;
        for (int ss = 0; ss < kSlow; ++ss) {
            for (int fs = 0; fs < kFast; ++fs) {
                const auto t = truth(ss, fs);
                if (mask[ss * kFast + fs] && t.q < qMax) {
                    expected += f.value(ss * kFast + fs) / (corrections ? t.omega * t.pol : 1.0);
                }
            }
        }
        double got = 0.0;
        for (std::size_t b = 0; b < polar->intensity.size(); ++b) {
            got += static_cast<double>(polar->intensity[b]) * r->binPixelCount()[b];
        }
        QVERIFY2(std::abs(got - expected) <= 1e-5 * std::abs(expected),
            qPrintable(QString("%1 vs %2").arg(got).arg(expected)));
    }

    // An image that depends only on q remaps to rings constant in φ on a tilted, rotated 4-panel detector.
    void ringsConstantInPhi()
    {
        QString text = "photon_energy = 12398.419843320026\nclen = 0.15\nres = 5000\n";
        // A pinwheel of 150 × 120 px panels that touch each other around a 16 × 16 px hole.
        const char* vec[4][2] = { { "x", "y" }, { "y", "-x" }, { "-x", "-y" }, { "-y", "x" } };
        const double corner[4][2] = { { 8, -8 }, { 8, 8 }, { -8, 8 }, { -8, -8 } };
        for (int p = 0; p < 4; ++p) {
            const QString n = QString("p%1/").arg(p);
            text += n + "min_fs = 0\n" + n + "max_fs = 149\n" + n + QString("min_ss = %1\n").arg(p * 120) + n
                + QString("max_ss = %1\n").arg(p * 120 + 119) + n + "fs = " + vec[p][0] + " +0.05z\n" + n
                + "ss = " + vec[p][1] + "\n" + n + QString("corner_x = %1\n").arg(corner[p][0]) + n
                + QString("corner_y = %1\n").arg(corner[p][1]);
        }
        auto g = GeomParser::parseText(text.toStdString(), "quad.geom");
        QVERIFY2(g.ok(), g.ok() ? "" : g.error().message.c_str());
        const PolarGrid grid { 30, 64, 0.3, 1.3 };
        RemapOptions opt;
        opt.solidAngleCorrection = opt.polarisationCorrection = false;
        auto r = PolarRemapper::create(*g, grid, opt);
        QVERIFY(r.ok());
        // The image from the geometry's lab positions, through an independent q formula.
        const auto pos = g->pixelPositionsM();
        Frame f = Frame::zeros(g->nSlow(), g->nFast(), PixelType::Float32);
        auto ringImage = [](double q) { return 500 + 400 * std::cos(5 * q); };
        for (std::size_t i = 0; i < f.size(); ++i) {
            const double q = 4 * kPi * std::sin(0.5 * std::atan2(std::hypot(pos[i][0], pos[i][1]), pos[i][2]));
            f.as<float>()[i] = static_cast<float>(ringImage(q));
        }
        auto polar = r->remap(f);
        QVERIFY(polar.ok());
        int rings = 0;
        double worst = 0.0;
        for (int iq = 0; iq < grid.nQ; ++iq) {
            double lo = 1e30, hi = -1e30;
            bool full = true;
            for (int j = 0; j < grid.nPhi; ++j) {
                full = full && polar->weight[polar->at(iq, j)] > 0.95f;
                lo = std::min<double>(lo, polar->intensity[polar->at(iq, j)]);
                hi = std::max<double>(hi, polar->intensity[polar->at(iq, j)]);
            }
            if (!full) {
                continue;
            }
            ++rings;
            worst = std::max(worst, hi - lo);
            // Constant in φ; equal to the image at the bin centre up to the curvature within one bin.
            QVERIFY2(hi - lo < 5e-3 * 500, qPrintable(QString("ring %1: %2 … %3").arg(iq).arg(lo).arg(hi)));
            QVERIFY(std::abs(0.5 * (hi + lo) - ringImage(grid.qCentre(iq))) < 0.01 * 500);
        }
        qInfo("%d fully covered rings, largest spread in φ %.3g (ring amplitude 400)", rings, worst);
        QVERIFY2(rings >= 10, qPrintable(QString("only %1 fully covered rings").arg(rings)));
    }

    // Weights: masking the half plane y < 0 empties the bins with φ ∈ [π, 2π); bins inside the panel are full.
    void weights()
    {
        const PolarGrid grid { 20, 32, 0.2, 0.7 };
        std::vector<std::uint8_t> mask(kSlow * kFast, 1);
        for (int ss = 0; ss < kSlow; ++ss) {
            for (int fs = 0; fs < kFast; ++fs) {
                mask[ss * kFast + fs] = truth(ss, fs).phi < kPi ? 1 : 0;
            }
        }
        for (RemapMode mode : { RemapMode::Split, RemapMode::Nearest }) {
            RemapOptions opt;
            opt.mode = mode;
            auto r = PolarRemapper::create(panel(), grid, opt, mask);
            QVERIFY(r.ok());
            // r(q = 0.7) = 0.2 tan(2 asin(0.7/4π)) = 22.4 mm = 130 px < the 150 px to the nearest edge.
            for (int iq = 0; iq < grid.nQ; ++iq) {
                for (int j = 0; j < grid.nPhi; ++j) {
                    const float w = r->binWeight()[iq * grid.nPhi + j];
                    // Bins next to the mask edge (j = 0, 15, 16, 31) are partly covered.
                    if (j > grid.nPhi / 2 && j < grid.nPhi - 1) {
                        QCOMPARE(w, 0.0f);
                    } else if (iq > 0 && j > 0 && j < grid.nPhi / 2 - 1) {
                        const float least = mode == RemapMode::Split ? 0.95f : 0.85f;
                        QVERIFY2(w > least, qPrintable(QString("bin %1,%2: %3").arg(iq).arg(j).arg(w)));
                    }
                }
            }
        }
    }

    // The bins a window mask drops: those fed by a masked pixel. Oracle: a second remapper built with the same
    // pixels masked (the table builder's own mask path); exactly the bins it covers less are the fed ones.
    void binsFedByMaskedPixels()
    {
        const PolarGrid grid { 20, 32, 0.2, 0.7 };
        std::vector<std::uint8_t> masked(kSlow * kFast, 0), usable(kSlow * kFast, 1);
        for (int ss = 250; ss < 262; ++ss) { // a 12 × 9 block and one lone pixel
            for (int fs = 180; fs < 189; ++fs) {
                masked[ss * kFast + fs] = 1;
            }
        }
        masked[100 * kFast + 40] = 1;
        for (std::size_t i = 0; i < masked.size(); ++i) {
            usable[i] = masked[i] ? 0 : 1;
        }
        for (RemapMode mode : { RemapMode::Split, RemapMode::Nearest }) {
            RemapOptions opt;
            opt.mode = mode;
            auto full = PolarRemapper::create(panel(), grid, opt);
            auto less = PolarRemapper::create(panel(), grid, opt, usable);
            QVERIFY(full.ok() && less.ok());
            const auto fed = full->binsFedBy(masked);
            QCOMPARE(int(fed.size()), grid.nQ * grid.nPhi);
            int n = 0;
            for (std::size_t b = 0; b < fed.size(); ++b) {
                const bool dropped = less->binWeight()[b] < full->binWeight()[b];
                QVERIFY2(bool(fed[b]) == dropped, qPrintable(QString("bin %1: fed %2, weight %3 → %4").arg(b).arg(fed[b])
                    .arg(full->binWeight()[b]).arg(less->binWeight()[b])));
                n += fed[b];
            }
            QVERIFY(n >= 2); // the block and the lone pixel
            QVERIFY(full->binsFedBy(std::vector<std::uint8_t>(7, 1)).empty()); // wrong size
        }
    }

    void splitAgreesWithNearestOnSmoothImage()
    {
        const PolarGrid grid { 25, 32, 0.2, 1.0 };
        const Frame f = imageOf(smooth);
        RemapOptions opt;
        auto split = PolarRemapper::create(panel(), grid, opt);
        opt.mode = RemapMode::Nearest;
        auto nearest = PolarRemapper::create(panel(), grid, opt);
        QVERIFY(split.ok() && nearest.ok());
        QVERIFY(split->nonZeros() > nearest->nonZeros());
        const auto a = split->remap(f), b = nearest->remap(f);
        for (std::size_t i = 0; i < a->intensity.size(); ++i) {
            if (a->weight[i] > 0.9f && b->weight[i] > 0.9f) {
                QVERIFY(std::abs(a->intensity[i] - b->intensity[i]) < 0.01 * std::abs(b->intensity[i]));
            }
        }
    }

    void cacheAndErrors()
    {
        PolarRemapper::clearCache();
        const PolarGrid grid { 10, 16, 0.2, 1.0 };
        auto first = PolarRemapper::create(panel(), grid);
        QVERIFY(first.ok() && first->buildSeconds() > 0.0);
        auto second = PolarRemapper::create(panel(), grid);
        QCOMPARE(second->buildSeconds(), 0.0);
        QCOMPARE(PolarRemapper::cacheSize(), std::size_t(1));
        auto other = PolarRemapper::create(panel(), PolarGrid { 10, 16, 0.2, 0.9 });
        QVERIFY(other->buildSeconds() > 0.0);
        QCOMPARE(PolarRemapper::cacheSize(), std::size_t(2));

        auto wrong = first->remap(Frame::zeros(10, 10, PixelType::UInt16));
        QVERIFY(!wrong.ok());
        QVERIFY(wrong.error().message.find("400 × 300") != std::string::npos);
        QVERIFY(!PolarRemapper::create(panel(), grid, {}, std::vector<std::uint8_t>(7, 1)).ok());
        QVERIFY(!PolarRemapper::create(panel(), PolarGrid { 10, 16, 5.0, 6.0 }).ok());
        QVERIFY(!PolarRemapper::create(panel(), PolarGrid { 0, 16, 0.2, 1.0 }).ok());
    }

    // The remap kernel (the AVX2 chunk loop where the CPU has it, the scalar CSR loop otherwise or under
    // FXS_REMAP_KERNEL=scalar) against a brute-force sum in double over the published matrix (csr()), on real
    // facility geometries and random frames of every pixel type. Pixels that feed no bin hold NaN or the type's
    // largest value, so a chunk that read one of them into its sum shows; a few used pixels are NaN in float frames,
    // whose bins must come out empty. Also: remapInto (worker pool, its own block boundaries) gives the same bits
    // as remapIntoAlone.
    void kernelAgainstBruteForce_data()
    {
        QTest::addColumn<QString>("geom");
        QTest::addColumn<double>("clenM");
        QTest::addColumn<double>("energyEv");
        QTest::addColumn<RemapMode>("mode");
        QTest::addColumn<PixelType>("type");
        QTest::addColumn<double>("qFraction"); // of the largest valid pixel's q, the grid's end
        QTest::newRow("ePix10k2M split uint16") << "lcls_mfx_epix10k2M.geom" << 0.35 << 12000.0 << RemapMode::Split
                                                << PixelType::UInt16 << 0.9;
        QTest::newRow("ePix10k2M split float32") << "lcls_mfx_epix10k2M.geom" << 0.35 << 12000.0 << RemapMode::Split
                                                 << PixelType::Float32 << 0.9;
        QTest::newRow("ePix10k2M nearest int16") << "lcls_mfx_epix10k2M.geom" << 0.35 << 12000.0
                                                 << RemapMode::Nearest << PixelType::Int16 << 1.0001;
        QTest::newRow("Jungfrau4M split uint32") << "lcls_cxi_jungfrau4M.geom" << 0.48 << 9500.0 << RemapMode::Split
                                                 << PixelType::UInt32 << 0.9;
        QTest::newRow("Jungfrau4M split int32") << "lcls_cxi_jungfrau4M.geom" << 0.48 << 9500.0 << RemapMode::Split
                                                << PixelType::Int32 << 1.0001;
        QTest::newRow("Jungfrau4M nearest float64") << "lcls_cxi_jungfrau4M.geom" << 0.48 << 9500.0
                                                    << RemapMode::Nearest << PixelType::Float64 << 1.0001;
    }
    void kernelAgainstBruteForce()
    {
        QFETCH(QString, geom);
        QFETCH(double, clenM);
        QFETCH(double, energyEv);
        QFETCH(RemapMode, mode);
        QFETCH(PixelType, type);
        QFETCH(double, qFraction);
        const bool forcedScalar = qEnvironmentVariable("FXS_REMAP_KERNEL") == "scalar";
        const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        QCOMPARE(QString(PolarRemapper::kernelName()), QString(avx2 && !forcedScalar ? "avx2-chunks" : "scalar"));
        const QString path = qEnvironmentVariable("FXS_SOURCE_DIR") + "/../shared/data/geometry/" + geom;
        if (!QFile::exists(path)) {
            QSKIP(qPrintable(path + " is not present"));
        }
        GeomParseOptions po;
        po.cameraLengthM = clenM;
        po.photonEnergyEv = energyEv;
        auto g = GeomParser::parseFile(path.toStdString(), po);
        QVERIFY2(g.ok(), g.ok() ? "" : g.error().message.c_str());
        const auto q = g->qInvAngstrom();
        const auto valid = g->validMask();
        double qMax = 0.0;
        for (std::size_t i = 0; i < q.size(); ++i) {
            qMax = valid[i] ? std::max<double>(qMax, q[i]) : qMax;
        }
        // 0.9 q_max: the outer corners are off the grid, so valid pixels next to used ones feed nothing; the whole
        // range: the slab's last pixels feed bins, so runs end within 8 pixels of the frame's end.
        const PolarGrid grid { 300, 256, 0.02, qFraction * qMax };
        RemapOptions opt;
        opt.mode = mode;
        auto r = PolarRemapper::create(*g, grid, opt);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        const RemapCsr csr = r->csr();
        QCOMPARE(csr.coef.size(), r->nonZeros());
        std::vector<std::uint8_t> used(g->pixelCount(), 0);
        for (std::uint32_t p : csr.pixel) {
            used[p] = 1;
        }
        const bool tailUsed = std::find(used.end() - 8, used.end(), 1) != used.end();
        QVERIFY(tailUsed || qFraction < 1.0);
        std::vector<std::size_t> nanAt;
        for (std::size_t i = 0; i < used.size() && nanAt.size() < 5; i += used.size() / 7) {
            while (i < used.size() && !used[i]) {
                ++i;
            }
            if (i < used.size()) {
                nanAt.push_back(i);
            }
        }
        const bool floatFrame = type == PixelType::Float32 || type == PixelType::Float64;
        for (std::uint32_t seed : { 11u, 12u }) {
            const Frame f = realFrame(*g, type, used, seed, nanAt);
            PolarFrame alone, pooled;
            QVERIFY(r->remapIntoAlone(f, alone).ok());
            QVERIFY(r->remapInto(f, pooled).ok());
            QVERIFY(std::memcmp(alone.intensity.data(), pooled.intensity.data(), alone.intensity.size() * 4) == 0);
            QVERIFY(std::memcmp(alone.weight.data(), pooled.weight.data(), alone.weight.size() * 4) == 0);
            int emptied = 0;
            double worst = 0.0;
            for (std::size_t b = 0; b + 1 < csr.rowStart.size(); ++b) {
                double sum = 0.0, scale = 0.0;
                for (std::uint32_t k = csr.rowStart[b]; k < csr.rowStart[b + 1]; ++k) {
                    const double term = static_cast<double>(csr.coef[k]) * asFloat(f, csr.pixel[k]);
                    sum += term;
                    scale += std::abs(term);
                }
                if (!std::isfinite(sum)) {
                    ++emptied;
                    QCOMPARE(alone.intensity[b], 0.0f);
                    QCOMPARE(alone.weight[b], 0.0f);
                    continue;
                }
                QCOMPARE(alone.weight[b], csr.weight[b]);
                const double err = std::abs(alone.intensity[b] - sum);
                QVERIFY2(err <= 1e-5 * scale + 1e-30,
                    qPrintable(QString("bin %1: %2, brute force %3").arg(b).arg(alone.intensity[b]).arg(sum, 0, 'g', 10)));
                worst = std::max(worst, scale > 0 ? err / scale : 0.0);
            }
            QCOMPARE(emptied > 0, floatFrame);
            if (seed == 11u) {
                qInfo("%s: %zu contributions, %d bins emptied by NaN pixels, worst |error| / sum |terms| %.1e",
                    PolarRemapper::kernelName(), csr.pixel.size(), emptied, worst);
            }
        }
    }

    // A NaN pixel in a float frame empties its bins for that frame only.
    void nonFinitePixels()
    {
        const PolarGrid grid { 10, 16, 0.2, 1.0 };
        RemapOptions opt;
        opt.mode = RemapMode::Nearest;
        auto r = PolarRemapper::create(panel(), grid, opt);
        Frame f = randomFrame(PixelType::Float32, 3);
        const auto t = truth(300, 200);
        const int bin = static_cast<int>((t.q - 0.2) / 0.08) * 16 + static_cast<int>(t.phi / (2 * kPi / 16));
        f.as<float>()[300 * kFast + 200] = std::numeric_limits<float>::quiet_NaN();
        auto polar = r->remap(f);
        int empty = 0;
        for (std::size_t b = 0; b < polar->weight.size(); ++b) {
            QVERIFY(std::isfinite(polar->intensity[b]));
            empty += polar->weight[b] == 0.0f && r->binWeight()[b] > 0.0f;
        }
        QCOMPARE(empty, 1);
        QCOMPARE(polar->weight[bin], 0.0f);
    }

    // Against pyFAI's integrate2d (full pixel splitting) on the same panel and image: within 1 % per bin.
    void againstPyFai_data()
    {
        QTest::addColumn<bool>("corrections");
        QTest::newRow("raw") << false;
        QTest::newRow("solid angle + polarisation") << true;
    }
    void againstPyFai()
    {
        QFETCH(bool, corrections);
        const QString py = QFile::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        if (QProcess::execute(py, { "-c", "import pyFAI" }) != 0) {
            QSKIP("python3-pyfai is not installed");
        }
        QTemporaryDir dir;
        const Frame f = imageOf(smooth);
        const QString img = dir.filePath("img.f32"), out = dir.filePath("out.f64");
        std::ofstream(img.toStdString(), std::ios::binary)
            .write(reinterpret_cast<const char*>(f.pixels.data()), static_cast<std::streamsize>(f.pixels.size()));
        const PolarGrid grid { 40, 48, 0.15, 1.15 };
        QProcess proc;
        proc.start(py,
            { qEnvironmentVariable("FXS_SOURCE_DIR") + "/tests/engine/pyfai_integrate2d.py", img,
                QString::number(kSlow), QString::number(kFast), QString::number(kPixel), QString::number(kDist),
                QString::number(kBeamSs * kPixel, 'g', 17), QString::number(kBeamFs * kPixel, 'g', 17),
                QString::number(kLambda), QString::number(grid.nQ), QString::number(grid.nPhi),
                QString::number(grid.qMinInvA), QString::number(grid.qMaxInvA), corrections ? "1" : "0", out });
        QVERIFY(proc.waitForFinished(120000));
        QVERIFY2(proc.exitCode() == 0, proc.readAllStandardError().constData());
        std::vector<double> ref(grid.size());
        std::ifstream(out.toStdString(), std::ios::binary)
            .read(reinterpret_cast<char*>(ref.data()), static_cast<std::streamsize>(ref.size() * sizeof(double)));
        RemapOptions opt;
        opt.solidAngleCorrection = opt.polarisationCorrection = corrections;
        auto polar = PolarRemapper::create(panel(), grid, opt)->remap(f);
        int compared = 0;
        double worst = 0.0;
        for (std::size_t b = 0; b < ref.size(); ++b) {
            if (polar->weight[b] > 0.5f && ref[b] > 0.0) {
                worst = std::max(worst, std::abs(polar->intensity[b] - ref[b]) / ref[b]);
                ++compared;
            }
        }
        qInfo("compared %d bins with pyFAI, worst relative difference %.2e", compared, worst);
        QVERIFY(compared > static_cast<int>(ref.size()) / 2);
        QVERIFY2(worst < 0.01, qPrintable(QString::number(worst)));
    }
};

QTEST_GUILESS_MAIN(tst_PolarRemapper)
#include "tst_PolarRemapper.moc"
