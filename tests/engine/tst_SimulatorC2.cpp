// Simulated runs through the real C2 engine against closed forms (FXS_SPEC §7): a sphere's C2 is flat in Δ,
// a dumbbell's C2 is 4f⁴[1 + j0(qd) + j0(q'd) + ½ j0(d|q⃗+q⃗'|) + ½ j0(d|q⃗−q⃗'|)] with Ewald curvature.
#include <QtTest>
#include <cmath>
#include <fxs/correlation/C2Accumulator.h>
#include <fxs/correlation/C2Snapshot.h>
#include <fxs/simulation/Simulator.h>
#include <numbers>

namespace {

double sphJ0(double x) { return std::abs(x) < 1e-8 ? 1.0 : std::sin(x) / x; }

// FXS_SPEC §7: one point-dumbbell's orientation-averaged ⟨I(q⃗) I(q⃗')⟩ for f = 1, at azimuth difference Δ, with the
// Ewald curvature: cos ψ = cos θ_q cos θ_q' + sin θ_q sin θ_q' cos Δ, cos θ_q = −q λ / 4π.
double dumbbellC2(double q, double qp, double delta, double d, double lambda)
{
    const double ca = -q * lambda / (4 * std::numbers::pi), cb = -qp * lambda / (4 * std::numbers::pi);
    const double cosPsi = ca * cb + std::sqrt((1 - ca * ca) * (1 - cb * cb)) * std::cos(delta);
    const double plus = std::sqrt(std::max(0.0, q * q + qp * qp + 2 * q * qp * cosPsi));
    const double minus = std::sqrt(std::max(0.0, q * q + qp * qp - 2 * q * qp * cosPsi));
    return 4.0 * (1 + sphJ0(q * d) + sphJ0(qp * d) + 0.5 * sphJ0(d * plus) + 0.5 * sphJ0(d * minus));
}

double sphereIntensity(double q, double r)
{
    const double x = q * r;
    const double f = 3.0 * (std::sin(x) - x * std::cos(x)) / (x * x * x);
    return f * f;
}

fxs::C2Snapshot correlate(const fxs::Simulator& sim, const fxs::SimulatorPixels& px, int shots, bool subtractMean)
{
    fxs::C2Config c;
    c.nQ = px.nSlow;
    c.nPhi = px.nFast;
    c.precision = fxs::C2Precision::Double;
    c.subtractRingMean = subtractMean;
    fxs::C2Accumulator acc(c);
    for (int s = 0; s < shots; ++s) {
        if (auto st = acc.add(sim.polarFrame(px, s)); !st) {
            qFatal("%s", st.message().c_str());
        }
    }
    acc.flush();
    fxs::SnapshotOptions o;
    o.splitHalf = false;
    o.interShot = false;
    o.fourier = false;
    o.threads = 2;
    return fxs::C2Snapshot::compute(acc.sums(), o);
}

} // namespace

class tst_SimulatorC2 : public QObject {
    Q_OBJECT
private slots:
    void dumbbellMatchesClosedForm_data()
    {
        QTest::addColumn<int>("sampling");
        QTest::newRow("direct") << int(fxs::IntensitySampling::Direct);
        QTest::newRow("table") << int(fxs::IntensitySampling::Table);
    }
    void dumbbellMatchesClosedForm()
    {
        QFETCH(int, sampling);
        const double d = 30.0;
        const double lambda = 4.0; // long wavelength: the Ewald curvature matters (|cos θ_q| up to 0.13)
        fxs::SimulatorConfig c;
        c.poissonNoise = false;
        c.peakPhotons = 4.0; // I = 4 |F|² / F(0)² = |F|² with f = 1: 2(1 + cos q⃗·d⃗)
        c.sampling = static_cast<fxs::IntensitySampling>(sampling);
        c.threads = 1;
        auto sim = fxs::Simulator::create(fxs::ParticleModel::dumbbell(d), c);
        QVERIFY(sim.ok());
        const fxs::PolarGrid g { 8, 32, 0.04, 0.42 };
        auto px = fxs::SimulatorPixels::polar(g, lambda);
        QVERIFY(px.ok());
        const auto snap = correlate(*sim, *px, 20000, false);
        QCOMPARE(snap.shots, std::int64_t(20000));

        double d2 = 0, r2 = 0, worst = 0;
        for (int a = 0; a < g.nQ; ++a) {
            for (int b = 0; b < g.nQ; ++b) {
                const double q = g.qCentre(a), qp = g.qCentre(b);
                for (int k = 0; k < g.nPhi; ++k) {
                    const double ref = dumbbellC2(q, qp, k * g.phiStep(), d, lambda);
                    const double v = snap.c2[snap.at(a, b, k)];
                    d2 += (v - ref) * (v - ref);
                    r2 += ref * ref;
                    worst = std::max(worst, std::abs(v - ref) / ref);
                }
            }
        }
        const double rel = std::sqrt(d2 / r2);
        qInfo("dumbbell C2 vs closed form: relative rms %.4f, worst element %.4f", rel, worst);
        // The issue asks for 2 %; FXS_SPEC §7 for < 1 %. Ignoring the Ewald curvature would be off by 2.3 % here.
        QVERIFY2(rel < 0.01, qPrintable(QString::number(rel)));
        QVERIFY2(worst < 0.06, qPrintable(QString::number(worst)));
    }

    void poissonParticleCountsFollowSection3()
    {
        // FXS_SPEC §3: C2_intra = ⟨N⟩ C2⁽¹⁾ + ⟨N(N−1)⟩ S(q) S(q'); Poisson N with mean μ: ⟨N⟩ = μ, ⟨N(N−1)⟩ = μ².
        const double d = 30.0, lambda = 4.0, mu = 1.5;
        fxs::SimulatorConfig c;
        c.poissonNoise = false;
        c.peakPhotons = 4.0;
        c.meanParticles = mu;
        c.poissonParticles = true;
        c.threads = 1;
        auto sim = fxs::Simulator::create(fxs::ParticleModel::dumbbell(d), c);
        QVERIFY(sim.ok());
        const fxs::PolarGrid g { 6, 32, 0.04, 0.42 };
        auto px = fxs::SimulatorPixels::polar(g, lambda);
        QVERIFY(px.ok());
        const auto snap = correlate(*sim, *px, 20000, false);
        // The moments of the counts actually drawn: the count noise (~1.3 % here) then cancels.
        double n1 = 0, n2 = 0;
        for (int s = 0; s < 20000; ++s) {
            const double n = static_cast<double>(sim->drawShot(s).rotations.size());
            n1 += n / 20000;
            n2 += n * (n - 1) / 20000;
        }
        QVERIFY(std::abs(n1 / mu - 1) < 0.03 && std::abs(n2 / (mu * mu) - 1) < 0.05);
        double d2 = 0, r2 = 0;
        for (int a = 0; a < g.nQ; ++a) {
            for (int b = 0; b < g.nQ; ++b) {
                const double q = g.qCentre(a), qp = g.qCentre(b);
                const double sq = 2.0 * (1 + sphJ0(q * d)), sqp = 2.0 * (1 + sphJ0(qp * d));
                for (int k = 0; k < g.nPhi; ++k) {
                    const double ref = n1 * dumbbellC2(q, qp, k * g.phiStep(), d, lambda) + n2 * sq * sqp;
                    const double v = snap.c2[snap.at(a, b, k)];
                    d2 += (v - ref) * (v - ref);
                    r2 += ref * ref;
                }
            }
        }
        const double rel = std::sqrt(d2 / r2);
        qInfo("Poisson N (μ = %.1f) C2 vs ⟨N⟩C2⁽¹⁾ + ⟨N(N−1)⟩SS': relative rms %.4f", mu, rel);
        QVERIFY2(rel < 0.01, qPrintable(QString::number(rel)));
    }

    void sphereC2IsFlat()
    {
        // Poisson noise, fluence jitter and polarisation off in the polar path: C2 = ⟨I(q) I(q')⟩, flat in Δ,
        // with the Poisson self-term only at q = q', Δ = 0.
        const double r = 25.0;
        fxs::SimulatorConfig c;
        c.peakPhotons = 400.0;
        c.threads = 2;
        c.sampling = fxs::IntensitySampling::Direct; // exact: what is left is Poisson noise only
        auto sim = fxs::Simulator::create(fxs::ParticleModel::sphere(r), c);
        QVERIFY(sim.ok());
        const fxs::PolarGrid g { 10, 64, 0.02, 0.16 };
        auto px = fxs::SimulatorPixels::polar(g, 1.0);
        QVERIFY(px.ok());
        const auto raw = correlate(*sim, *px, 1000, false);
        const auto sub = correlate(*sim, *px, 1000, true);
        double worstRaw = 0, worstSub = 0;
        for (int a = 0; a < g.nQ; ++a) {
            for (int b = 0; b < g.nQ; ++b) {
                const double ref = 400.0 * sphereIntensity(g.qCentre(a), r) * 400.0 * sphereIntensity(g.qCentre(b), r);
                for (int k = (a == b ? 1 : 0); k < g.nPhi; ++k) {
                    worstRaw = std::max(worstRaw, std::abs(raw.c2[raw.at(a, b, k)] / ref - 1.0));
                    worstSub = std::max(worstSub, std::abs(sub.c2[sub.at(a, b, k)]) / ref);
                }
            }
        }
        qInfo("sphere: worst |C2/(I I') − 1| = %.4f, worst |mean-subtracted C2| / (I I') = %.5f", worstRaw, worstSub);
        QVERIFY2(worstRaw < 0.02, qPrintable(QString::number(worstRaw)));
        QVERIFY2(worstSub < 0.01, qPrintable(QString::number(worstSub)));
    }
};

QTEST_GUILESS_MAIN(tst_SimulatorC2)
#include "tst_SimulatorC2.moc"
