#include <QtTest>
#include <cmath>
#include <fxs/shots/ShotStats.h>

using namespace fxs;

Q_DECLARE_METATYPE(fxs::PixelType)

namespace {

// 3 × 4 frame with values 0, 10, 20, …, 110 in the given type.
Frame ramp(PixelType type)
{
    Frame f = Frame::zeros(3, 4, type);
    for (int i = 0; i < 12; ++i) {
        switch (type) {
        case PixelType::UInt16:
            f.as<std::uint16_t>()[i] = static_cast<std::uint16_t>(10 * i);
            break;
        case PixelType::Int32:
            f.as<std::int32_t>()[i] = 10 * i;
            break;
        case PixelType::UInt32:
            f.as<std::uint32_t>()[i] = static_cast<std::uint32_t>(10 * i);
            break;
        case PixelType::Float64:
            f.as<double>()[i] = 10 * i;
            break;
        default:
            f.as<float>()[i] = static_cast<float>(10 * i);
        }
    }
    f.shotIndex = 42;
    return f;
}

} // namespace

class tst_ShotStats : public QObject {
    Q_OBJECT
private slots:
    void handComputed_data()
    {
        QTest::addColumn<PixelType>("type");
        QTest::newRow("uint16") << PixelType::UInt16;
        QTest::newRow("int32") << PixelType::Int32;
        QTest::newRow("uint32") << PixelType::UInt32;
        QTest::newRow("float32") << PixelType::Float32;
        QTest::newRow("float64") << PixelType::Float64;
    }
    void handComputed()
    {
        QFETCH(PixelType, type);
        // Pixels 0 and 11 (values 0 and 110) masked: valid values 10 … 100, sum 550, mean 55, max 100.
        std::vector<std::uint8_t> mask(12, 1);
        mask[0] = mask[11] = 0;
        ShotStatsOptions o;
        o.saturationAdu = 80; // 80, 90, 100 saturate
        o.photonThresholdAdu = 45; // 50 … 100 are lit: 6 of 10
        o.particleSumAdu = 100;
        o.backgroundSumAdu = 150; // (550 − 150) / 100 = 4 particles
        auto s = ShotStats::compute(ramp(type), mask, o);
        QVERIFY(s.ok());
        QCOMPARE(s->shotIndex, std::int64_t(42));
        QCOMPARE(s->validPixels, std::int64_t(10));
        QCOMPARE(s->sum, 550.0);
        QCOMPARE(s->mean, 55.0);
        QCOMPARE(s->max, 100.0);
        QCOMPARE(s->saturated, std::int64_t(3));
        QCOMPARE(s->maskedFraction, 2.0 / 12.0);
        QCOMPARE(s->hitScore, 0.6);
        QCOMPARE(s->particles, 4.0);
        QCOMPARE(s->get(ShotStatistic::HitScore), 0.6);
    }

    void perPixelSaturationAndNonFinite()
    {
        Frame f = ramp(PixelType::Float32);
        f.as<float>()[3] = std::numeric_limits<float>::quiet_NaN(); // value 30 replaced
        f.as<float>()[4] = std::numeric_limits<float>::infinity(); // value 40 replaced
        std::vector<float> sat(12, 1e9f);
        sat[1] = 5.0f; // pixel 1 (value 10) saturates on its own level
        auto s = ShotStats::compute(f, {}, {}, sat);
        QVERIFY(s.ok());
        QCOMPARE(s->validPixels, std::int64_t(10));
        QCOMPARE(s->sum, 660.0 - 30 - 40);
        QCOMPARE(s->saturated, std::int64_t(1));
        QCOMPARE(s->maskedFraction, 2.0 / 12.0);
        QVERIFY(std::isnan(s->particles)); // no calibration: no estimate
    }

    void refusals()
    {
        QVERIFY(!ShotStats::compute(ramp(PixelType::UInt16), std::vector<std::uint8_t>(5, 1)).ok());
        Frame broken = ramp(PixelType::UInt16);
        broken.pixels.resize(7);
        QVERIFY(!ShotStats::compute(broken, {}).ok());
        // Everything masked: zeros, not NaN, and a masked fraction of 1.
        auto s = ShotStats::compute(ramp(PixelType::UInt16), std::vector<std::uint8_t>(12, 0));
        QVERIFY(s.ok());
        QCOMPARE(s->maskedFraction, 1.0);
        QCOMPARE(s->mean, 0.0);
    }

    // A polar image's statistics (the polar input path): bins of weight 0 are the masked ones, whatever they hold;
    // a NaN or inf in a bin that weighs in C2 is an error naming that bin. The oracle: the definitions summed bin by
    // bin in long double, on 300 x 257 bins (an odd count, so the vector loop has a tail).
    void polarAgainstBinByBinSums()
    {
        PolarFrame p = PolarFrame::zeros(300, 257, 7);
        std::uint32_t seed = 12345;
        const auto next = [&seed] { return (seed = seed * 1664525u + 1013904223u) >> 8; };
        for (std::size_t i = 0; i < p.intensity.size(); ++i) {
            p.intensity[i] = static_cast<float>(next() % 100000) * 0.013f;
            const auto w = next() % 10;
            p.weight[i] = w == 0 ? 0.0f : (w == 1 ? 0.5f : 1.0f);
        }
        p.weight[5] = 0.0f;
        p.intensity[5] = std::numeric_limits<float>::quiet_NaN(); // masked: ignored
        p.weight[77] = 0.0f;
        p.intensity[77] = std::numeric_limits<float>::infinity();
        p.weight.back() = 1.0f;
        p.intensity.back() = 5000.0f; // the largest, in the tail
        ShotStatsOptions o;
        o.saturationAdu = 1200.0;
        o.photonThresholdAdu = 300.0;
        long double sum = 0;
        double max = -1;
        std::int64_t valid = 0, sat = 0, lit = 0;
        for (std::size_t i = 0; i < p.intensity.size(); ++i) {
            if (p.weight[i] > 0.0f) {
                const double v = p.intensity[i];
                sum += v;
                max = std::max(max, v);
                ++valid;
                sat += v >= o.saturationAdu;
                lit += v > o.photonThresholdAdu;
            }
        }
        auto s = ShotStats::ofPolar(p, o);
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
        QCOMPARE(s->validPixels, valid);
        QVERIFY(std::abs(s->sum - static_cast<double>(sum)) <= 1e-12 * static_cast<double>(sum));
        QCOMPARE(s->max, 5000.0);
        QCOMPARE(s->max, max);
        QCOMPARE(s->saturated, sat);
        QVERIFY(std::abs(s->hitScore - static_cast<double>(lit) / static_cast<double>(valid)) < 1e-15);
        QVERIFY(std::abs(s->maskedFraction - (1.0 - static_cast<double>(valid) / 77100.0)) < 1e-15);
        QCOMPARE(s->shotIndex, std::int64_t(7));

        p.weight[60000] = 0.5f;
        p.intensity[60000] = -std::numeric_limits<float>::infinity();
        p.weight[61234] = 1.0f;
        p.intensity[61234] = std::numeric_limits<float>::quiet_NaN();
        auto bad = ShotStats::ofPolar(p, o);
        QVERIFY(!bad.ok());
        QCOMPARE(QString::fromStdString(bad.error().message), QString("shot 7: non-finite value in polar bin 60000"));
    }

    void names()
    {
        for (auto st : { ShotStatistic::Sum, ShotStatistic::Mean, ShotStatistic::Max, ShotStatistic::Saturated,
                 ShotStatistic::MaskedFraction, ShotStatistic::HitScore, ShotStatistic::Particles }) {
            QCOMPARE(ShotStats::fromName(ShotStats::name(st)), std::optional<ShotStatistic>(st));
        }
        QCOMPARE(QString(ShotStats::name(ShotStatistic::MaskedFraction)), QString("masked_fraction"));
        QVERIFY(!ShotStats::fromName("brightness"));
    }
};

QTEST_GUILESS_MAIN(tst_ShotStats)
#include "tst_ShotStats.moc"
