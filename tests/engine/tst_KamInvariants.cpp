// Kam invariants against closed forms (FXS_SPEC §7): a dumbbell's C2 written out with j_0 only, the point-
// scatterer formula for B_L, and a sphere run through the real C2 engine.
#include "KamClosedForm.h"

#include <QtTest>
#include <cmath>
#include <complex>
#include <fxs/correlation/C2Accumulator.h>
#include <fxs/correlation/C2Snapshot.h>
#include <fxs/invariants/KamInvariants.h>
#include <numbers>
#include <random>

using namespace fxs;

namespace {

constexpr double kPi = std::numbers::pi;

double j0(double x) { return std::abs(x) < 1e-12 ? 1.0 : std::sin(x) / x; }

// Dumbbell of unit points at ±d/2 (FXS_SPEC §7): C2 = 4[1 + j0(qd) + j0(q'd) + ½ j0(d|q+q'|) + ½ j0(d|q−q'|)], with
// the angle ψ between the two Ewald-sphere q-vectors; the SAXS curve is S(q) = 2(1 + j0(qd)).
// With N particles per shot (FXS_SPEC §3) the intra-shot C2 is N C2⁽¹⁾ + N(N−1) S(q) S(q') and the mean image N S.
C2Snapshot dumbbellSnapshot(
    const PolarGrid& g, double lambda, double d, bool ringMean, double maskedFraction, double particles = 1.0)
{
    C2Snapshot s;
    s.nQ = g.nQ;
    s.nPhi = g.nPhi;
    s.nMax = g.nPhi / 2;
    s.ringMeanSubtracted = ringMean;
    s.c2.assign(static_cast<std::size_t>(g.nQ) * g.nQ * g.nPhi, 0.0);
    s.flags.assign(s.c2.size(), C2Snapshot::Valid);
    s.meanImage.assign(static_cast<std::size_t>(g.nQ) * g.nPhi, 0.0);
    s.fourier.assign(static_cast<std::size_t>(s.nMax + 1) * g.nQ * g.nQ, {});
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> u(0, 1);
    for (int a = 0; a < g.nQ; ++a) {
        const double q = g.qCentre(a), th = std::acos(-q * lambda / (4 * kPi));
        for (int k = 0; k < g.nPhi; ++k) {
            s.meanImage[static_cast<std::size_t>(a) * g.nPhi + k] = particles * 2.0 * (1.0 + j0(q * d));
        }
        for (int b = 0; b < g.nQ; ++b) {
            const double qp = g.qCentre(b), thp = std::acos(-qp * lambda / (4 * kPi));
            std::vector<double> row(g.nPhi);
            for (int k = 0; k < g.nPhi; ++k) {
                const double cpsi
                    = std::cos(th) * std::cos(thp) + std::sin(th) * std::sin(thp) * std::cos(2 * kPi * k / g.nPhi);
                const double plus = std::sqrt(std::max(0.0, q * q + qp * qp + 2 * q * qp * cpsi));
                const double minus = std::sqrt(std::max(0.0, q * q + qp * qp - 2 * q * qp * cpsi));
                const double single = 4.0 * (1.0 + j0(q * d) + j0(qp * d) + 0.5 * j0(d * plus) + 0.5 * j0(d * minus));
                const double saxs = 4.0 * (1.0 + j0(q * d)) * (1.0 + j0(qp * d));
                row[k] = particles * single + particles * (particles - 1.0) * saxs;
            }
            double mean = 0;
            for (double v : row) {
                mean += v / g.nPhi;
            }
            for (int k = 0; k < g.nPhi; ++k) {
                const std::size_t e = s.at(a, b, k);
                s.c2[e] = row[k] - (ringMean ? mean : 0.0);
                if (u(rng) < maskedFraction) {
                    s.flags[e] = C2Snapshot::Masked;
                    s.c2[e] = 1e3; // must be ignored
                }
            }
            // C_n = (1/N) Σ_k c2 e^{−inΔ_k}, so that c2 = Σ_n C_n e^{inΔ}.
            for (int n = 0; n <= s.nMax; ++n) {
                std::complex<double> c = 0;
                for (int k = 0; k < g.nPhi; ++k) {
                    c += (row[k] - (ringMean ? mean : 0.0)) * std::polar(1.0, -2 * kPi * n * k / g.nPhi);
                }
                s.fourier[s.atFourier(n, a, b)] = c / double(g.nPhi);
            }
        }
    }
    return s;
}

double relativeFrobenius(const KamInvariants& got, const std::vector<double>& want, int l, double* wantNorm)
{
    double d = 0, w = 0;
    for (int i = 0; i < got.nQ; ++i) {
        for (int j = 0; j < got.nQ; ++j) {
            const double x = got.b[got.at(l, i, j)], y = want[got.at(l, i, j)];
            d += (x - y) * (x - y);
            w += y * y;
        }
    }
    *wantNorm = std::sqrt(w);
    return w > 0 ? std::sqrt(d / w) : std::sqrt(d);
}

} // namespace

class tst_KamInvariants : public QObject {
    Q_OBJECT
private slots:
    void dumbbellMatchesPointScattererClosedForm_data()
    {
        QTest::addColumn<int>("method");
        QTest::addColumn<bool>("ringMean");
        QTest::addColumn<double>("masked");
        QTest::addColumn<double>("particles");
        QTest::addColumn<double>("tikhonov");
        const int ls = int(InvariantOptions::Method::LeastSquares);
        const int back = int(InvariantOptions::Method::BackSubstitution);
        QTest::newRow("least squares") << ls << false << 0.0 << 1.0 << 0.0;
        QTest::newRow("least squares, 30 % masked") << ls << false << 0.3 << 1.0 << 0.0;
        QTest::newRow("least squares, Tikhonov 1e-9") << ls << false << 0.3 << 1.0 << 1e-9;
        QTest::newRow("least squares, ring mean, SAXS B0") << ls << true << 0.3 << 1.0 << 0.0;
        QTest::newRow("least squares, 3 particles per shot") << ls << false << 0.3 << 3.0 << 0.0;
        QTest::newRow("least squares, ring mean, 3 particles") << ls << true << 0.0 << 3.0 << 0.0;
        QTest::newRow("back-substitution") << back << false << 0.0 << 1.0 << 0.0;
        QTest::newRow("back-substitution, ring mean, SAXS B0") << back << true << 0.0 << 1.0 << 0.0;
        QTest::newRow("back-substitution, 2.5 particles per shot") << back << false << 0.0 << 2.5 << 0.0;
    }
    void dumbbellMatchesPointScattererClosedForm()
    {
        QFETCH(int, method);
        QFETCH(bool, ringMean);
        QFETCH(double, masked);
        QFETCH(double, particles);
        QFETCH(double, tikhonov);
        // λ = 2 Å: at q = 0.8 Å⁻¹ the Ewald curvature tilts q-vectors by 7°, which a flat-detector fit would miss.
        const PolarGrid g { 10, 128, 0.05, 0.8 };
        const double lambda = 2.0, d = 16.0;
        const C2Snapshot s = dumbbellSnapshot(g, lambda, d, ringMean, masked, particles);
        InvariantOptions o;
        o.method = static_cast<InvariantOptions::Method>(method);
        o.lMax = 28;
        o.meanParticlesPerShot = particles;
        o.tikhonov = tikhonov;
        auto inv = KamInvariants::fromSnapshot(s, g, lambda, o);
        QVERIFY2(inv.ok(), inv.ok() ? "" : inv.error().message.c_str());
        std::vector<double> q;
        for (int i = 0; i < g.nQ; ++i) {
            q.push_back(g.qCentre(i));
        }
        const auto want = test::closedFormInvariants({ { 1, 0, { d / 2, 0, 0 } }, { 1, 0, { -d / 2, 0, 0 } } }, q, 28);
        double norm0 = 0;
        relativeFrobenius(*inv, want, 0, &norm0);
        int checked = 0;
        for (int l = 0; l <= 28; l += 2) {
            double norm = 0;
            const double err = relativeFrobenius(*inv, want, l, &norm);
            if (norm < 1e-6 * norm0) {
                continue; // B_l negligible at these q: nothing meaningful to compare
            }
            ++checked;
            QVERIFY2(err < 0.01, qPrintable(QString("l = %1: relative error %2").arg(l).arg(err)));
        }
        QVERIFY(checked >= 8);
    }

    void ignoringEwaldCurvatureIsDetected()
    {
        // The same data solved as if λ → 0 (flat Ewald sphere): the fit must then miss the closed form by > 1 %,
        // which shows that the 1 % test above really checks the curvature.
        const PolarGrid g { 10, 128, 0.05, 0.8 };
        const C2Snapshot s = dumbbellSnapshot(g, 2.0, 16.0, false, 0.0);
        InvariantOptions o;
        o.lMax = 28;
        auto inv = KamInvariants::fromSnapshot(s, g, 1e-6, o);
        QVERIFY(inv.ok());
        std::vector<double> q;
        for (int i = 0; i < g.nQ; ++i) {
            q.push_back(g.qCentre(i));
        }
        const auto want = test::closedFormInvariants({ { 1, 0, { 8, 0, 0 } }, { 1, 0, { -8, 0, 0 } } }, q, 28);
        double norm = 0;
        QVERIFY(relativeFrobenius(*inv, want, 2, &norm) > 0.01);
    }

    void strongTikhonovShrinksTheInvariants()
    {
        const PolarGrid g { 10, 128, 0.05, 0.8 };
        const C2Snapshot s = dumbbellSnapshot(g, 2.0, 16.0, true, 0.0);
        InvariantOptions o;
        o.lMax = 28;
        auto plain = KamInvariants::fromSnapshot(s, g, 2.0, o);
        o.tikhonov = 10.0;
        auto ridge = KamInvariants::fromSnapshot(s, g, 2.0, o);
        QVERIFY(plain.ok() && ridge.ok());
        double a = 0, b = 0;
        for (int i = 0; i < g.nQ * g.nQ; ++i) {
            a += std::pow(plain->matrix(2)[i], 2);
            b += std::pow(ridge->matrix(2)[i], 2);
        }
        QVERIFY2(b < 0.5 * a, qPrintable(QString("%1 vs %2").arg(b).arg(a)));
    }

    void sphereThroughTheC2EngineHasOnlyB0_data()
    {
        QTest::addColumn<int>("method");
        QTest::newRow("least squares") << int(InvariantOptions::Method::LeastSquares);
        QTest::newRow("back-substitution") << int(InvariantOptions::Method::BackSubstitution);
    }
    void sphereThroughTheC2EngineHasOnlyB0()
    {
        QFETCH(int, method);
        const PolarGrid g { 12, 64, 0.02, 0.5 };
        const double radius = 25.0, lambda = 1.5;
        C2Config c;
        c.nQ = g.nQ;
        c.nPhi = g.nPhi;
        c.precision = C2Precision::Double;
        c.subtractRingMean = false;
        C2Accumulator acc(c);
        std::mt19937 rng(3);
        std::uniform_real_distribution<double> u(0, 1);
        std::vector<double> intensity(g.nQ);
        for (int i = 0; i < g.nQ; ++i) {
            const double x = g.qCentre(i) * radius;
            const double f = 3 * (std::sin(x) - x * std::cos(x)) / (x * x * x);
            intensity[i] = 1000.0 * f * f;
        }
        for (int shot = 0; shot < 40; ++shot) {
            PolarFrame f = PolarFrame::zeros(g.nQ, g.nPhi, shot);
            for (int i = 0; i < g.nQ; ++i) {
                for (int p = 0; p < g.nPhi; ++p) {
                    f.intensity[f.at(i, p)] = static_cast<float>(intensity[i]);
                    // A gap at φ ≈ 90° and 10 % random bad bins per shot.
                    const bool bad = (p >= 14 && p < 18) || u(rng) < 0.1;
                    f.weight[f.at(i, p)] = bad ? 0.0f : 1.0f;
                }
            }
            acc.add(f);
        }
        acc.flush();
        const C2Snapshot s = C2Snapshot::compute(acc.sums());
        InvariantOptions o;
        o.method = static_cast<InvariantOptions::Method>(method);
        o.particleDiameterA = 2 * radius; // L = q_max D = 25
        auto inv = KamInvariants::fromSnapshot(s, g, lambda, o);
        QVERIFY2(inv.ok(), inv.ok() ? "" : inv.error().message.c_str());
        QCOMPARE(inv->lMax, 26);
        double b0 = 0, b0Err = 0, higher = 0;
        for (int i = 0; i < g.nQ; ++i) {
            for (int j = 0; j < g.nQ; ++j) {
                const double want = 4 * kPi * intensity[i] * intensity[j];
                b0 += want * want;
                b0Err += std::pow(inv->b[inv->at(0, i, j)] - want, 2);
                for (int l = 2; l <= inv->lMax; l += 2) {
                    higher += std::pow(inv->b[inv->at(l, i, j)], 2);
                }
            }
        }
        QVERIFY2(std::sqrt(b0Err / b0) < 1e-6, qPrintable(QString::number(std::sqrt(b0Err / b0))));
        QVERIFY2(std::sqrt(higher / b0) < 1e-6, qPrintable(QString::number(std::sqrt(higher / b0))));
    }

    void clippingLeavesPositiveSemidefiniteMatricesOfBoundedRank()
    {
        // B_2 = Σ_e λ_e u_e u_eᵀ with one negative λ, plus an antisymmetric part: the clean-up must symmetrise, drop
        // the negative part and, with the rank limit 2l+1 = 5, keep the 5 largest eigen-components.
        const int n = 12;
        std::mt19937 rng(5);
        std::normal_distribution<double> gauss;
        KamInvariants k = KamInvariants::zeros(std::vector<double>(n, 0.1), 2);
        std::vector<double> ref(static_cast<std::size_t>(n) * n, 0.0);
        // Orthonormal basis by Gram–Schmidt: eigenvalues 3, 2, 1, 0.5, 0.25, 0.2, 0.1, −0.5.
        std::vector<std::vector<double>> basis;
        while (basis.size() < 8) {
            std::vector<double> v(n);
            for (auto& x : v) {
                x = gauss(rng);
            }
            for (const auto& b : basis) {
                double dot = 0;
                for (int i = 0; i < n; ++i) {
                    dot += v[i] * b[i];
                }
                for (int i = 0; i < n; ++i) {
                    v[i] -= dot * b[i];
                }
            }
            double nrm = 0;
            for (double x : v) {
                nrm += x * x;
            }
            for (auto& x : v) {
                x /= std::sqrt(nrm);
            }
            basis.push_back(v);
        }
        const double lambdas[8] = { 3, 2, 1, 0.5, 0.25, 0.2, 0.1, -0.5 };
        for (int e = 0; e < 8; ++e) {
            for (int i = 0; i < n; ++i) {
                for (int j = 0; j < n; ++j) {
                    k.b[k.at(2, i, j)]
                        += lambdas[e] * basis[e][i] * basis[e][j] + (i < j ? 0.01 : (i > j ? -0.01 : 0.0));
                    if (e < 5) {
                        ref[i * n + j] += lambdas[e] * basis[e][i] * basis[e][j];
                    }
                }
            }
        }
        k.makePositiveSemidefinite(true);
        double err = 0;
        for (int i = 0; i < n; ++i) {
            for (int j = 0; j < n; ++j) {
                err = std::max(err, std::abs(k.b[k.at(2, i, j)] - ref[i * n + j]));
            }
        }
        // The antisymmetric ±0.01 part vanishes on symmetrisation, so the truncation is exact.
        QVERIFY2(err < 1e-10, qPrintable(QString::number(err)));
    }

    void rejectsInconsistentInput()
    {
        const PolarGrid g { 6, 32, 0.05, 0.5 };
        const C2Snapshot s = dumbbellSnapshot(g, 1.0, 10.0, false, 0.0);
        InvariantOptions o;
        o.lMax = 8;
        QVERIFY(!KamInvariants::fromSnapshot(s, g, -1.0, o).ok());
        QVERIFY(!KamInvariants::fromSnapshot(s, g, 30.0, o).ok()); // qλ/4π > 1
        QVERIFY(!KamInvariants::fromSnapshot(s, PolarGrid { 7, 32, 0.05, 0.5 }, 1.0, o).ok());
        o.lMax = 40; // more unknowns than 32 Δ bins can fit
        QVERIFY(!KamInvariants::fromSnapshot(s, g, 1.0, o).ok());
        C2Snapshot bad = s;
        bad.c2[bad.at(2, 3, 5)] = std::nan("");
        o.lMax = 8;
        QVERIFY(!KamInvariants::fromSnapshot(bad, g, 1.0, o).ok());
        o.lMax = -1;
        auto r = KamInvariants::fromSnapshot(s, g, 1.0, o);
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.find("diameter") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(tst_KamInvariants)
#include "tst_KamInvariants.moc"
