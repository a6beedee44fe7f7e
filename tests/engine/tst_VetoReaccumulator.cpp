// Re-accumulation after a veto change: the old sums plus the correction equal sums accumulated directly from
// the shots accepted under the new rules; shots past the ring are counted as unreachable.
#include <QtTest>
#include <fxs/shots/VetoReaccumulator.h>
#include <cmath>
#include <complex>
#include <random>

using namespace fxs;

class tst_VetoReaccumulator : public QObject {
    Q_OBJECT
private slots:
    void correctionEqualsDirectAccumulation();
    void unreachableOutsideRing();
};

namespace {
constexpr int kQ = 5;
constexpr int kPhi = 16;

std::vector<PolarFrame> makeFrames(int n)
{
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(0.0f, 10.0f);
    std::vector<PolarFrame> frames;
    for (int s = 0; s < n; ++s) {
        PolarFrame f = PolarFrame::zeros(kQ, kPhi, s);
        for (std::size_t i = 0; i < f.intensity.size(); ++i) {
            f.intensity[i] = u(rng);
            f.weight[i] = (i + s) % 11 == 0 ? 0.0f : 1.0f;
        }
        frames.push_back(f);
    }
    return frames;
}

C2Config config()
{
    C2Config c;
    c.nQ = kQ;
    c.nPhi = kPhi;
    c.precision = C2Precision::Double;
    c.batchShots = 8;
    return c;
}

double maxAbsDiff(const std::vector<std::complex<double>>& a, const std::vector<std::complex<double>>& b)
{
    double d = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        d = std::max(d, std::abs(a[i] - b[i]));
    }
    return d;
}

double maxAbs(const std::vector<std::complex<double>>& a)
{
    double m = 0.0;
    for (const auto& v : a) {
        m = std::max(m, std::abs(v));
    }
    return m;
}
}

void tst_VetoReaccumulator::correctionEqualsDirectAccumulation()
{
    const auto frames = makeFrames(60);
    auto firstRule = [](std::int64_t s) { return s % 7 != 3; }; // initially vetoed: 3, 10, 17, …
    auto newRule = [](std::int64_t s) { return s % 5 != 0 && !(s >= 20 && s <= 29); };

    C2Accumulator live(config());
    VetoReaccumulator re(config(), 1 << 30);
    for (const auto& f : frames) {
        const bool in = firstRule(f.shotIndex);
        if (in) {
            QVERIFY(live.add(f).ok());
        }
        re.keep(f, in);
    }
    auto correction = re.correction(newRule);
    QVERIFY(correction.ok());
    QVERIFY(live.merge(*correction).ok());
    live.flush();

    C2Accumulator direct(config());
    std::int64_t expectedShots = 0;
    for (const auto& f : frames) {
        if (newRule(f.shotIndex)) {
            QVERIFY(direct.add(f).ok());
            ++expectedShots;
        }
    }
    direct.flush();
    const C2Sums& a = live.sums();
    const C2Sums& b = direct.sums();
    QCOMPARE(a.totalShots(), expectedShots);
    QCOMPARE(a.shots[0], b.shots[0]);
    for (int h = 0; h < 2; ++h) {
        QVERIFY(maxAbsDiff(a.signal[h], b.signal[h]) <= 1e-10 * maxAbs(b.signal[h]));
        QVERIFY(maxAbsDiff(a.mask[h], b.mask[h]) <= 1e-10 * maxAbs(b.mask[h]));
    }
    for (std::size_t i = 0; i < a.weightSum.size(); ++i) {
        QVERIFY(std::abs(a.weightSum[i] - b.weightSum[i]) < 1e-9);
        QVERIFY(std::abs(a.weightedIntensity[i] - b.weightedIntensity[i]) < 1e-6);
    }
    // A second correction with the same rule changes nothing.
    auto none = re.correction(newRule);
    QVERIFY(none.ok());
    QCOMPARE(none->totalShots(), 0);
    QCOMPARE(maxAbs(none->signal[0]), 0.0);
}

void tst_VetoReaccumulator::unreachableOutsideRing()
{
    const auto frames = makeFrames(30);
    const std::size_t perFrame = 2 * sizeof(float) * kQ * kPhi;
    VetoReaccumulator re(config(), 10 * perFrame);
    for (const auto& f : frames) {
        re.keep(f, true);
    }
    QCOMPARE(re.size(), std::size_t(10));
    QCOMPARE(re.oldestShot(), 20);
    QCOMPARE(re.unreachable({ 3, 15, 19, 20, 25, 29 }), 3);
}

QTEST_MAIN(tst_VetoReaccumulator)
#include "tst_VetoReaccumulator.moc"
