#include <QtTest>
#include <cmath>
#include <fxs/geometry/DetectorGeometry.h>
#include <fxs/simulation/Simulator.h>
#include <numbers>

namespace {

// Uniform sphere intensity normalised to 1 at q = 0, written out independently of the engine.
double sphereIntensity(double q, double r)
{
    const double x = q * r;
    const double f = x < 1e-6 ? 1.0 : 3.0 * (std::sin(x) - x * std::cos(x)) / (x * x * x);
    return f * f;
}

fxs::Simulator makeSimulator(fxs::ParticleModel model, const fxs::SimulatorConfig& c)
{
    auto s = fxs::Simulator::create(std::move(model), c);
    if (!s.ok()) {
        qFatal("%s", s.error().message.c_str());
    }
    return std::move(*s);
}

fxs::SimulatorPixels polarPixels(const fxs::PolarGrid& g, double lambdaA)
{
    auto p = fxs::SimulatorPixels::polar(g, lambdaA);
    if (!p.ok()) {
        qFatal("%s", p.error().message.c_str());
    }
    return std::move(*p);
}

fxs::SimulatorConfig noiseless()
{
    fxs::SimulatorConfig c;
    c.poissonNoise = false;
    c.peakPhotons = 1.0;
    c.threads = 2;
    return c;
}

} // namespace

class tst_Simulator : public QObject {
    Q_OBJECT
private slots:
    void rotationsAreUniform()
    {
        fxs::SimulatorConfig c;
        c.meanParticles = 1;
        auto sim = makeSimulator(fxs::ParticleModel::sphere(10.0), c);
        const int n = 20000;
        const std::array<double, 3> v { 0.3 / 1.0, -0.5, 0.81 };
        const double norm = std::sqrt(0.09 + 0.25 + 0.81 * 0.81);
        double mean[3] = { 0, 0, 0 };
        double second[3][3] = {};
        double trace = 0.0, trace2 = 0.0;
        for (int s = 0; s < n; ++s) {
            const auto d = sim.drawShot(s);
            QCOMPARE(d.rotations.size(), std::size_t(1));
            const auto& r = d.rotations[0];
            QVERIFY(std::abs(r.determinant() - 1.0) < 1e-9);
            const auto rv = r.apply({ v[0] / norm, v[1] / norm, v[2] / norm });
            for (int i = 0; i < 3; ++i) {
                mean[i] += rv[i] / n;
                for (int j = 0; j < 3; ++j) {
                    second[i][j] += rv[i] * rv[j] / n;
                }
            }
            const double t = r.m[0] + r.m[4] + r.m[8];
            trace += t / n;
            trace2 += t * t / n;
        }
        // Uniform on S²: E[Rv] = 0 (σ ≈ 0.004 here), E[Rv Rvᵀ] = I/3 (σ ≈ 0.002).
        for (int i = 0; i < 3; ++i) {
            QVERIFY2(std::abs(mean[i]) < 0.02, qPrintable(QString::number(mean[i])));
            for (int j = 0; j < 3; ++j) {
                QVERIFY2(std::abs(second[i][j] - (i == j ? 1.0 / 3.0 : 0.0)) < 0.01,
                    qPrintable(QString("%1 %2: %3").arg(i).arg(j).arg(second[i][j])));
            }
        }
        // Haar measure on SO(3): E[tr R] = 0 and E[(tr R)²] = 1 (a biased axis or angle would show here).
        QVERIFY2(std::abs(trace) < 0.04, qPrintable(QString::number(trace)));
        QVERIFY2(std::abs(trace2 - 1.0) < 0.05, qPrintable(QString::number(trace2)));
    }

    void polarBinsLieOnTheEwaldSphere()
    {
        const fxs::PolarGrid g { 5, 8, 0.1, 1.5 };
        const double lambda = 3.0;
        const auto p = polarPixels(g, lambda);
        const double k = 2.0 * std::numbers::pi / lambda;
        for (int iq = 0; iq < g.nQ; ++iq) {
            for (int ip = 0; ip < g.nPhi; ++ip) {
                const auto& q = p.qInvA[static_cast<std::size_t>(iq) * g.nPhi + ip];
                const double qc = g.qCentre(iq);
                QVERIFY(std::abs(std::sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2]) - qc) < 1e-5);
                // On the sphere |k_in + q| = k with k_in = k ẑ: q_z = −q² / 2k.
                QVERIFY(std::abs(q[2] + qc * qc / (2.0 * k)) < 1e-5);
                QVERIFY(
                    std::abs(std::atan2(q[1], q[0]) - std::remainder(g.phiCentre(ip), 2.0 * std::numbers::pi)) < 1e-5);
            }
        }
        QVERIFY(!fxs::SimulatorPixels::polar({ 5, 8, 0.1, 5.0 }, 3.0).ok()); // beyond 4π/λ
    }

    void sphereIntensityIsClosedForm_data()
    {
        QTest::addColumn<int>("sampling");
        QTest::addColumn<double>("tolerance");
        QTest::newRow("direct") << int(fxs::IntensitySampling::Direct) << 1e-5;
        QTest::newRow("table") << int(fxs::IntensitySampling::Table) << 0.01;
    }
    void sphereIntensityIsClosedForm()
    {
        QFETCH(int, sampling);
        QFETCH(double, tolerance);
        auto c = noiseless();
        c.sampling = static_cast<fxs::IntensitySampling>(sampling);
        const double r = 30.0;
        auto sim = makeSimulator(fxs::ParticleModel::sphere(r, 7.0), c);
        const fxs::PolarGrid g { 40, 16, 0.02, 0.6 };
        const auto f = sim.polarFrame(polarPixels(g, 1.5), 3);
        QCOMPARE(f.nQ, g.nQ);
        for (int iq = 0; iq < g.nQ; ++iq) {
            const double ref = sphereIntensity(g.qCentre(iq), r);
            for (int ip = 0; ip < g.nPhi; ++ip) {
                const double v = f.intensity[f.at(iq, ip)];
                // Relative to the local envelope 9/(qR)⁴ of the oscillation: interpolation errors near the zeros
                // scale with it, not with the (vanishing) value.
                const double qr = g.qCentre(iq) * r;
                const double envelope = std::min(1.0, 9.0 / (qr * qr * qr * qr));
                QVERIFY2(std::abs(v - ref) <= tolerance * envelope,
                    qPrintable(QString("q %1: %2 vs %3").arg(g.qCentre(iq)).arg(v).arg(ref)));
                QCOMPARE(f.weight[f.at(iq, ip)], 1.0f);
            }
        }
    }

    void tableMatchesDirectEvaluation_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<double>("qMax");
        QTest::newRow("helix6") << "helix6" << 0.6;
        QTest::newRow("tetramer4") << "tetramer4" << 0.6;
        QTest::newRow("dumbbell") << "dumbbell" << 0.6;
        QTest::newRow("helix6, capped table (q ≤ 1.2)") << "helix6" << 1.2;
    }
    void tableMatchesDirectEvaluation()
    {
        // The tabulated |F|² against Σ over scatterers (ParticleModel::amplitude, itself checked against closed
        // forms in tst_ParticleModel) at the same rotated q-vectors: the default table step keeps ~1 %.
        QFETCH(QString, model);
        QFETCH(double, qMax);
        auto m = fxs::ParticleModel::builtin(model.toStdString());
        QVERIFY(m.ok());
        auto c = noiseless();
        c.meanParticles = 2;
        auto table = makeSimulator(*m, c);
        c.sampling = fxs::IntensitySampling::Direct;
        auto direct = makeSimulator(*m, c);
        const auto px = polarPixels({ 60, 64, 0.02, qMax }, 1.0);
        double d2 = 0, r2 = 0;
        for (int shot = 0; shot < 4; ++shot) {
            const auto t = table.polarFrame(px, shot);
            const auto d = direct.polarFrame(px, shot);
            for (std::size_t i = 0; i < t.intensity.size(); ++i) {
                d2 += (t.intensity[i] - d.intensity[i]) * double(t.intensity[i] - d.intensity[i]);
                r2 += d.intensity[i] * double(d.intensity[i]);
            }
        }
        const double rel = std::sqrt(d2 / r2);
        qInfo("%s: table vs direct relative rms %.4f", qPrintable(model), rel);
        QVERIFY2(rel < 0.01, qPrintable(QString::number(rel)));
    }

    void particlesAddIncoherentlyAndWaterRingAdds()
    {
        auto c = noiseless();
        c.meanParticles = 3;
        c.peakPhotons = 50.0;
        c.waterRingPhotons = 4.0;
        c.waterRingQInvA = 0.4;
        c.waterRingWidthInvA = 0.1;
        c.sampling = fxs::IntensitySampling::Direct;
        const double r = 20.0;
        auto sim = makeSimulator(fxs::ParticleModel::sphere(r), c);
        const fxs::PolarGrid g { 20, 8, 0.05, 0.8 };
        const auto f = sim.polarFrame(polarPixels(g, 1.0), 11);
        for (int iq = 0; iq < g.nQ; ++iq) {
            const double q = g.qCentre(iq);
            const double dq = q - 0.4;
            const double ref = 3 * 50.0 * sphereIntensity(q, r) + 4.0 * std::exp(-dq * dq / (2 * 0.01));
            QVERIFY2(std::abs(f.intensity[f.at(iq, 5)] - ref) < 1e-4 * ref + 1e-5,
                qPrintable(QString("%1 vs %2").arg(f.intensity[f.at(iq, 5)]).arg(ref)));
        }
    }

    void poissonNoiseHasPoissonStatistics_data()
    {
        QTest::addColumn<double>("peak");
        QTest::newRow("λ ≈ 0.3 (sparse)") << 0.3;
        QTest::newRow("λ ≈ 3") << 3.0;
        QTest::newRow("λ ≈ 40 (rejection sampler)") << 40.0;
    }
    void poissonNoiseHasPoissonStatistics()
    {
        QFETCH(double, peak);
        fxs::SimulatorConfig c;
        c.peakPhotons = peak;
        c.sampling = fxs::IntensitySampling::Direct;
        c.threads = 2;
        const double r = 10.0;
        auto sim = makeSimulator(fxs::ParticleModel::sphere(r), c);
        const fxs::PolarGrid g { 32, 64, 0.01, 0.15 };
        const auto px = polarPixels(g, 1.0);
        double sumK = 0, sumL = 0, sumD2 = 0;
        for (int shot = 0; shot < 40; ++shot) {
            const auto f = sim.polarFrame(px, shot);
            for (int iq = 0; iq < g.nQ; ++iq) {
                const double lambda = peak * sphereIntensity(g.qCentre(iq), r);
                for (int ip = 0; ip < g.nPhi; ++ip) {
                    const double k = f.intensity[f.at(iq, ip)];
                    QCOMPARE(k, std::round(k));
                    sumK += k;
                    sumL += lambda;
                    sumD2 += (k - lambda) * (k - lambda);
                }
            }
        }
        // 82k samples: the mean ratio has σ ≈ 1/√Σλ, the variance ratio σ ≈ √(2/n).
        const double meanRatio = sumK / sumL;
        const double varRatio = sumD2 / sumL;
        QVERIFY2(std::abs(meanRatio - 1.0) < 5.0 / std::sqrt(sumL), qPrintable(QString::number(meanRatio)));
        QVERIFY2(std::abs(varRatio - 1.0) < 0.03, qPrintable(QString::number(varRatio)));
    }

    void deterministicForASeedWhateverTheThreads()
    {
        fxs::SimulatorConfig c;
        c.peakPhotons = 20.0;
        c.meanParticles = 2;
        c.poissonParticles = true;
        c.fluenceJitter = 0.3;
        c.threads = 1;
        auto one = makeSimulator(*fxs::ParticleModel::builtin("tetramer4"), c);
        c.threads = 2;
        auto two = makeSimulator(*fxs::ParticleModel::builtin("tetramer4"), c);
        c.seed = 2;
        auto other = makeSimulator(*fxs::ParticleModel::builtin("tetramer4"), c);
        const auto px = polarPixels({ 200, 256, 0.02, 0.5 }, 1.0); // 51200 pixels: several blocks
        const auto a = one.polarFrame(px, 17);
        QVERIFY(a.intensity == two.polarFrame(px, 17).intensity);
        QVERIFY(a.intensity == one.polarFrame(px, 17).intensity);
        QVERIFY(a.intensity != one.polarFrame(px, 18).intensity);
        QVERIFY(a.intensity != other.polarFrame(px, 17).intensity);
    }

    void fluenceJitterAndParticleCountsFollowTheirLaws()
    {
        fxs::SimulatorConfig c;
        c.fluenceJitter = 0.2;
        c.meanParticles = 2.5;
        c.poissonParticles = true;
        auto sim = makeSimulator(fxs::ParticleModel::sphere(10.0), c);
        const int n = 20000;
        double f1 = 0, f2 = 0, n1 = 0, n2 = 0;
        for (int s = 0; s < n; ++s) {
            const auto d = sim.drawShot(s);
            f1 += d.fluence / n;
            f2 += d.fluence * d.fluence / n;
            n1 += static_cast<double>(d.rotations.size()) / n;
            n2 += static_cast<double>(d.rotations.size() * d.rotations.size()) / n;
        }
        QVERIFY2(std::abs(f1 - 1.0) < 0.01, qPrintable(QString::number(f1)));
        QVERIFY2(std::abs(std::sqrt(f2 - f1 * f1) - 0.2) < 0.01, qPrintable(QString::number(std::sqrt(f2 - f1 * f1))));
        QVERIFY2(std::abs(n1 - 2.5) < 0.06, qPrintable(QString::number(n1)));
        QVERIFY2(std::abs(n2 - n1 * n1 - 2.5) < 0.15, qPrintable(QString::number(n2 - n1 * n1)));
    }

    void detectorFrameHasCorrectionsAndMask_data()
    {
        QTest::addColumn<int>("type");
        QTest::newRow("float32") << int(fxs::PixelType::Float32);
        QTest::newRow("uint16") << int(fxs::PixelType::UInt16);
    }
    void detectorFrameHasCorrectionsAndMask()
    {
        QFETCH(int, type);
        fxs::SinglePanelSpec spec { 48, 64, 1e-3, 30.0, 20.0, 0.05, 1.0 };
        auto single = fxs::DetectorGeometry::singlePanel(spec);
        QVERIFY(single.ok());
        fxs::BadRegion beamstop;
        beamstop.labXY = false;
        beamstop.minFs = 27, beamstop.maxFs = 33, beamstop.minSs = 17, beamstop.maxSs = 23;
        auto geom = fxs::DetectorGeometry::fromPanels(single->panels(), single->photonEnergyEv(), { beamstop });
        QVERIFY2(geom.ok(), geom.ok() ? "" : geom.error().message.c_str());
        std::vector<std::uint8_t> extra(48 * 64, 1);
        extra[5 * 64 + 7] = 0; // a bad pixel
        auto px = fxs::SimulatorPixels::detector(*geom, {}, extra);
        QVERIFY(px.ok());

        auto c = noiseless();
        c.peakPhotons = 1000.0;
        c.outputType = static_cast<fxs::PixelType>(type);
        c.sampling = fxs::IntensitySampling::Direct;
        const double r = 4.0;
        auto sim = makeSimulator(fxs::ParticleModel::sphere(r), c);
        const auto f = sim.detectorFrame(*px, 9);
        QCOMPARE(f.nSlow, 48);
        QCOMPARE(f.nFast, 64);
        QCOMPARE(int(f.type), type);
        for (int ss = 0; ss < 48; ++ss) {
            for (int fs = 0; fs < 64; ++fs) {
                const double x = (fs + 0.5 - 30.0) * 1e-3;
                const double y = (ss + 0.5 - 20.0) * 1e-3;
                const double tt = std::atan2(std::hypot(x, y), 0.05);
                const double q = 4.0 * std::numbers::pi * std::sin(tt / 2.0) / 1.0;
                const double cphi = std::cos(std::atan2(y, x));
                const double pol = 1.0 - std::sin(tt) * std::sin(tt) * cphi * cphi;
                const bool masked = (fs >= 27 && fs <= 33 && ss >= 17 && ss <= 23) || (ss == 5 && fs == 7);
                double ref = masked ? 0.0 : 1000.0 * sphereIntensity(q, r) * std::pow(std::cos(tt), 3) * pol;
                if (type == int(fxs::PixelType::UInt16)) {
                    ref = std::round(ref);
                }
                const double v = f.value(static_cast<std::size_t>(ss) * 64 + fs);
                QVERIFY2(std::abs(v - ref) <= 1e-3 * ref + 0.51 * (type == int(fxs::PixelType::UInt16)) + 1e-6,
                    qPrintable(QString("(%1, %2): %3 vs %4").arg(ss).arg(fs).arg(v).arg(ref)));
            }
        }
    }

    void rejectsBadConfigurations()
    {
        fxs::SimulatorConfig c;
        c.meanParticles = -1;
        QVERIFY(!fxs::Simulator::create(fxs::ParticleModel::sphere(10), c).ok());
        c = {};
        c.outputType = fxs::PixelType::Int32;
        QVERIFY(!fxs::Simulator::create(fxs::ParticleModel::sphere(10), c).ok());
        c = {};
        c.peakPhotons = std::nan("");
        QVERIFY(!fxs::Simulator::create(fxs::ParticleModel::sphere(10), c).ok());
    }
};

QTEST_GUILESS_MAIN(tst_Simulator)
#include "tst_Simulator.moc"
