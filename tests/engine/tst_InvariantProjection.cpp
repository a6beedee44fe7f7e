// The M-TIP invariant projection (FXS_SPEC §5): its output reproduces the data B_l, and it is idempotent.
#include <QtTest>
#include <cmath>
#include <fxs/reconstruction/InvariantProjection.h>
#include <fxs/invariants/SphericalHarmonics.h>
#include <random>

using namespace fxs;

namespace {

// B_l = X Xᵀ for X of n × d (row-major).
void setGram(KamInvariants& k, int l, const std::vector<double>& x, int d)
{
    for (int i = 0; i < k.nQ; ++i) {
        for (int j = 0; j < k.nQ; ++j) {
            double s = 0;
            for (int t = 0; t < d; ++t) {
                s += x[i * d + t] * x[j * d + t];
            }
            k.b[k.at(l, i, j)] = s;
        }
    }
}

// Random data invariants B_l = X Xᵀ with X of n × (2l+1): positive semidefinite of rank ≤ 2l+1 by construction.
KamInvariants randomInvariants(int n, int lMax, std::mt19937& rng)
{
    std::normal_distribution<double> g;
    std::vector<double> q;
    for (int i = 0; i < n; ++i) {
        q.push_back(0.05 + 0.02 * i);
    }
    KamInvariants k = KamInvariants::zeros(q, lMax);
    for (int l = 0; l <= lMax; l += 2) {
        const int d = 2 * l + 1;
        std::vector<double> x(static_cast<std::size_t>(n) * d);
        for (auto& v : x) {
            v = g(rng);
        }
        setGram(k, l, x, d);
    }
    return k;
}

} // namespace

class tst_InvariantProjection : public QObject {
    Q_OBJECT
private slots:
    void projectionIsIdempotentAndMatchesData_data()
    {
        QTest::addColumn<int>("shells");
        QTest::addColumn<bool>("weights");
        QTest::newRow("more shells than 2l+1") << 24 << true;
        QTest::newRow("fewer shells than 2l+1") << 6 << true;
        QTest::newRow("unweighted") << 12 << false;
    }
    void projectionIsIdempotentAndMatchesData()
    {
        QFETCH(int, shells);
        QFETCH(bool, weights);
        std::mt19937 rng(11);
        const int lMax = 8;
        const KamInvariants data = randomInvariants(shells, lMax, rng);
        const InvariantProjection p(data, weights);
        const std::size_t stride = SphericalHarmonics::evenCount(lMax);
        std::vector<double> c(stride * shells);
        std::normal_distribution<double> g;
        for (auto& v : c) {
            v = g(rng);
        }
        std::vector<double> once = c;
        p.project(once.data(), stride);
        std::vector<double> twice = once;
        p.project(twice.data(), stride);
        double diff = 0, norm = 0;
        for (std::size_t i = 0; i < c.size(); ++i) {
            diff = std::max(diff, std::abs(twice[i] - once[i]));
            norm = std::max(norm, std::abs(once[i]));
        }
        QVERIFY2(diff < 1e-10 * norm, qPrintable(QString::number(diff / norm)));
        // Σ_m I_lm(q) I_lm(q') of the projected coefficients equals the data B_l (independent check: direct sums).
        for (int l = 0; l <= lMax; l += 2) {
            const std::size_t off = SphericalHarmonics::evenOffset(l);
            double err = 0, scale = 0;
            for (int i = 0; i < shells; ++i) {
                for (int j = 0; j < shells; ++j) {
                    double s = 0;
                    for (int t = 0; t < 2 * l + 1; ++t) {
                        s += once[i * stride + off + t] * once[j * stride + off + t];
                    }
                    err = std::max(err, std::abs(s - data.b[data.at(l, i, j)]));
                    scale = std::max(scale, std::abs(data.b[data.at(l, i, j)]));
                }
            }
            QVERIFY2(err < 1e-9 * scale, qPrintable(QString("l = %1: %2").arg(l).arg(err / scale)));
        }
        const auto errors = p.invariantErrors(once.data(), stride);
        QCOMPARE(static_cast<int>(errors.size()), lMax / 2 + 1);
        for (double e : errors) {
            QVERIFY(e < 1e-9);
        }
    }

    void procrustesKeepsCoefficientsAlreadyConsistent()
    {
        // Coefficients that already have the data's invariants (I_l = C_l U for an orthogonal U) are fixed points:
        // build them as X·Q with a random rotation Q of the m index, with B_l = X Xᵀ.
        std::mt19937 rng(5);
        std::normal_distribution<double> g;
        const int n = 10, l = 4, d = 2 * l + 1;
        std::vector<double> x(static_cast<std::size_t>(n) * d);
        for (auto& v : x) {
            v = g(rng);
        }
        KamInvariants k = KamInvariants::zeros(std::vector<double>(n, 0.1), l);
        setGram(k, l, x, d);
        const InvariantProjection p(k);
        // A Givens rotation of m components 1 and 3 keeps X Xᵀ.
        std::vector<double> y = x;
        const double a = 0.7;
        for (int i = 0; i < n; ++i) {
            y[i * d + 1] = std::cos(a) * x[i * d + 1] - std::sin(a) * x[i * d + 3];
            y[i * d + 3] = std::sin(a) * x[i * d + 1] + std::cos(a) * x[i * d + 3];
        }
        std::vector<double> z = y;
        p.projectL(l, z.data());
        double diff = 0;
        for (std::size_t i = 0; i < y.size(); ++i) {
            diff = std::max(diff, std::abs(z[i] - y[i]));
        }
        QVERIFY2(diff < 1e-9, qPrintable(QString::number(diff)));
    }
};

QTEST_GUILESS_MAIN(tst_InvariantProjection)
#include "tst_InvariantProjection.moc"
