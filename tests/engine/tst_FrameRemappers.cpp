// A run whose camera length the data file gives per frame: each frame is remapped with its own geometry, so a
// ring at a fixed q (drawn in the test from the closed-form q of each frame's camera length) lands in the same
// q bin on every frame; one remap table per distinct value.

#include <QtTest>
#include <cmath>
#include <fxs/polar/FrameRemappers.h>
#include <fxs/geometry/GeomParser.h>
#include <numbers>

using namespace fxs;

namespace {

constexpr int kSide = 64;
constexpr double kRes = 1e4; // pixels per metre
constexpr double kEnergyEv = 9000.0;
constexpr double kQ0 = 0.0825; // ring centre, 1/A: the middle of bin 12 of the grid below
constexpr double kSigma = 0.004;

const char* kGeom = "res = 10000\nphoton_energy = 9000 eV\nclen = /entry/clen_mm\n"
                    "p/min_fs = 0\np/max_fs = 63\np/min_ss = 0\np/max_ss = 63\np/corner_x = -32\np/corner_y = -32\n";

// The ring as seen by a flat panel normal to the beam at `clenM` (pixel centres, CrystFEL convention).
Frame ringFrame(double clenM, std::int64_t shot)
{
    const double lambda = 12398.419843320026 / kEnergyEv;
    Frame f = Frame::zeros(kSide, kSide, PixelType::Float32);
    f.shotIndex = shot;
    auto px = f.as<float>();
    for (int ss = 0; ss < kSide; ++ss) {
        for (int fs = 0; fs < kSide; ++fs) {
            const double r = std::hypot((fs + 0.5 - 32) / kRes, (ss + 0.5 - 32) / kRes);
            const double q = 4.0 * std::numbers::pi * std::sin(0.5 * std::atan2(r, clenM)) / lambda;
            px[std::size_t(ss) * kSide + fs] = float(1000.0 * std::exp(-0.5 * std::pow((q - kQ0) / kSigma, 2)));
        }
    }
    return f;
}

// The q bin holding the most intensity, averaged over φ (bins of no coverage left out).
int peakBin(const PolarFrame& p)
{
    int best = -1;
    double bestValue = -1.0;
    for (int iq = 0; iq < p.nQ; ++iq) {
        double sum = 0.0, w = 0.0;
        for (int ip = 0; ip < p.nPhi; ++ip) {
            const std::size_t i = std::size_t(iq) * p.nPhi + ip;
            sum += p.weight[i] > 0.0f ? p.intensity[i] : 0.0;
            w += p.weight[i] > 0.0f ? 1.0 : 0.0;
        }
        if (w > 0.0 && sum / w > bestValue) {
            bestValue = sum / w;
            best = iq;
        }
    }
    return best;
}

} // namespace

class tst_FrameRemappers : public QObject {
    Q_OBJECT

private slots:
    void remapFollowsTheCameraLength()
    {
        auto t = GeomParser::parseTemplateText(kGeom, "ring.geom");
        QVERIFY(t.ok());
        const std::vector<double> clenMm { 100.0, 140.0, 100.0, 140.0 };
        GeomDataValues data { { "/entry/clen_mm", clenMm } };
        PolarGrid grid { 20, 16, 0.02, 0.12 };
        RemapOptions opt;
        opt.solidAngleCorrection = false;
        opt.polarisationCorrection = false;
        FrameRemappers remappers(*t, {}, data, grid, opt);
        QVERIFY(remappers.perFrame());
        const int ringBin = int((kQ0 - grid.qMinInvA) / ((grid.qMaxInvA - grid.qMinInvA) / grid.nQ));
        QCOMPARE(ringBin, 12);
        for (std::int64_t i = 0; i < std::int64_t(clenMm.size()); ++i) {
            const Frame f = ringFrame(clenMm[std::size_t(i)] * 1e-3, i);
            auto r = remappers.forFrame(i);
            QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
            auto polar = (*r)->remap(f);
            QVERIFY(polar.ok());
            QCOMPARE(peakBin(*polar), ringBin);
        }
        QCOMPARE(remappers.distinctGeometries(), std::size_t(2));

        // The first frame's geometry on the second frame puts the ring elsewhere: the per-frame remap matters.
        auto first = remappers.forFrame(0);
        QVERIFY(first.ok());
        auto wrong = (*first)->remap(ringFrame(0.140, 1));
        QVERIFY(wrong.ok());
        QVERIFY(peakBin(*wrong) != ringBin);

        auto beyond = remappers.forFrame(4);
        QVERIFY(!beyond.ok());
        QVERIFY(beyond.error().message.find("/entry/clen_mm") != std::string::npos);
    }

    void userValueWinsOverPerFrameData()
    {
        auto t = GeomParser::parseTemplateText(kGeom, "ring.geom");
        QVERIFY(t.ok());
        GeomOverrides o;
        o.cameraLengthM = 0.12;
        FrameRemappers remappers(*t, o, { { "/entry/clen_mm", { 100.0, 140.0 } } }, { 20, 16, 0.02, 0.12 });
        QVERIFY(!remappers.perFrame());
        for (std::int64_t i = 0; i < 2; ++i) {
            auto r = remappers.forFrame(i);
            QVERIFY(r.ok());
        }
        QCOMPARE(remappers.distinctGeometries(), std::size_t(1));
        auto g = t->resolve(o, { { "/entry/clen_mm", { 100.0, 140.0 } } }, 1);
        QVERIFY(g.ok());
        QCOMPARE(g->cameraLengthM, 0.12);
        QCOMPARE(g->cameraLengthSource, ValueSource::User);
    }
};

QTEST_GUILESS_MAIN(tst_FrameRemappers)
#include "tst_FrameRemappers.moc"
