// Real spherical-harmonic analysis/synthesis on shells against std::sph_legendre (C++17 special functions).
#include <QtTest>
#include <cmath>
#include <fxs/reconstruction/ShellTransform.h>
#include <fxs/invariants/SphericalHarmonics.h>
#include <numbers>
#include <random>

using namespace fxs;

class tst_ShellTransform : public QObject {
    Q_OBJECT
private slots:
    void analysisFindsOneHarmonic_data()
    {
        QTest::addColumn<int>("l");
        QTest::addColumn<int>("m");
        QTest::addColumn<bool>("sine");
        QTest::newRow("Y00") << 0 << 0 << false;
        QTest::newRow("Y20") << 2 << 0 << false;
        QTest::newRow("Y43 cos") << 4 << 3 << false;
        QTest::newRow("Y65 sin") << 6 << 5 << true;
        QTest::newRow("Y1212 cos") << 12 << 12 << false;
        QTest::newRow("Y117 sin") << 11 << 7 << true; // odd l: not represented, its even coefficients must be 0
    }
    void analysisFindsOneHarmonic()
    {
        QFETCH(int, l);
        QFETCH(int, m);
        QFETCH(bool, sine);
        ShellTransform t(12, 2);
        std::vector<double> samples(t.samplesPerShell() * 2);
        for (int s = 0; s < 2; ++s) {
            for (int i = 0; i < t.nTheta(); ++i) {
                const double theta = std::acos(t.cosTheta(i));
                // std::sph_legendre(l, m, θ) = Y_lm(θ, 0), Condon–Shortley phase included.
                const double y = std::sph_legendre(l, m, theta) * (m == 0 ? 1.0 : std::numbers::sqrt2);
                for (int j = 0; j < t.nPhi(); ++j) {
                    const double ang = (sine ? std::sin(m * t.phi(j)) : std::cos(m * t.phi(j)));
                    samples[s * t.samplesPerShell() + i * t.nPhi() + j] = (s + 1) * y * (m == 0 ? 1.0 : ang);
                }
            }
        }
        std::vector<double> c(t.coefficientsPerShell() * 2);
        t.analyse(samples.data(), c.data(), 2);
        for (int s = 0; s < 2; ++s) {
            for (std::size_t k = 0; k < t.coefficientsPerShell(); ++k) {
                double want = 0;
                if (l % 2 == 0 && k == SphericalHarmonics::evenOffset(l) + (m == 0 ? 0 : 2 * m - (sine ? 0 : 1))) {
                    want = s + 1;
                }
                QVERIFY2(std::abs(c[s * t.coefficientsPerShell() + k] - want) < 1e-12,
                    qPrintable(
                        QString("shell %1 coefficient %2: %3").arg(s).arg(k).arg(c[s * t.coefficientsPerShell() + k])));
            }
        }
    }

    void synthesisInvertsAnalysis()
    {
        ShellTransform t(10, 3);
        std::mt19937 rng(2);
        std::normal_distribution<double> g;
        std::vector<double> c(t.coefficientsPerShell() * 3), samples(t.samplesPerShell() * 3), back(c.size());
        for (auto& v : c) {
            v = g(rng);
        }
        t.synthesise(c.data(), samples.data(), 1);
        // Spot check one node against a direct sum with std::sph_legendre.
        const int i = 5, j = 7, s = 1;
        const double theta = std::acos(t.cosTheta(i)), phi = t.phi(j);
        double direct = 0;
        for (int l = 0; l <= 10; l += 2) {
            const double* cl = c.data() + s * t.coefficientsPerShell() + SphericalHarmonics::evenOffset(l);
            direct += cl[0] * std::sph_legendre(l, 0, theta);
            for (int m = 1; m <= l; ++m) {
                const double y = std::numbers::sqrt2 * std::sph_legendre(l, m, theta);
                direct += y * (cl[2 * m - 1] * std::cos(m * phi) + cl[2 * m] * std::sin(m * phi));
            }
        }
        QVERIFY(std::abs(samples[s * t.samplesPerShell() + i * t.nPhi() + j] - direct) < 1e-12);
        t.analyse(samples.data(), back.data(), 1);
        for (std::size_t k = 0; k < c.size(); ++k) {
            QVERIFY(std::abs(back[k] - c[k]) < 1e-12);
        }
    }

    void lMaxFromDiameterIsEvenAndAtLeastQD()
    {
        QCOMPARE(SphericalHarmonics::evenLMaxForDiameter(0.5, 50.0), 26);
        QCOMPARE(SphericalHarmonics::evenLMaxForDiameter(1.0, 40.0), 40);
        QCOMPARE(SphericalHarmonics::evenLMaxForDiameter(0.01, 10.0), 2);
    }
};

QTEST_GUILESS_MAIN(tst_ShellTransform)
#include "tst_ShellTransform.moc"
