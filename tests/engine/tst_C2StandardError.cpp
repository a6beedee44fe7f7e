// The standard errors of C2 (issue 24): the squares the accumulator keeps against a direct sum over shots of a
// direct DFT, the merge rule that drops them when some shots have none, and the predicted standard errors of c2
// and of C_n against the spread of many independent simulated runs.
#include <C2BruteForce.h>
#include <QtTest>
#include <cmath>
#include <complex>
#include <fxs/correlation/C2Accumulator.h>
#include <fxs/correlation/C2Snapshot.h>
#include <numbers>
#include <random>

using fxs::C2Accumulator;
using fxs::C2Config;
using fxs::C2Snapshot;
using fxs::C2Sums;
using fxs::PolarFrame;

namespace {

// A simulated shot: an anisotropic ring pattern (2- and 6-fold) at a random in-plane angle, times a fluence drawn
// uniformly in [1 − spread, 1 + spread], with Poisson counts; rings 1 and 3 have a gap (a static detector mask).
PolarFrame simulatedShot(int nQ, int nPhi, std::int64_t shot, double spread, std::mt19937_64& rng)
{
    std::uniform_real_distribution<double> u(0.0, 1.0);
    const double alpha = 2 * std::numbers::pi * u(rng);
    const double fluence = 1.0 + spread * (2 * u(rng) - 1);
    const double amp[] = { 40, 25, 15, 8, 30, 12 };
    const double twoFold[] = { 1, 0.5, -0.8, 0.3, 0.6, -0.4 };
    PolarFrame f = PolarFrame::zeros(nQ, nPhi, shot);
    for (int q = 0; q < nQ; ++q) {
        for (int p = 0; p < nPhi; ++p) {
            const double phi = 2 * std::numbers::pi * p / nPhi - alpha;
            const double mean
                = fluence * amp[q % 6] * (1 + 0.5 * twoFold[q % 6] * std::cos(2 * phi) + 0.3 * std::cos(6 * phi));
            std::poisson_distribution<int> counts(mean);
            f.intensity[f.at(q, p)] = static_cast<float>(counts(rng));
            const bool gap = (q == 1 && p >= 5 && p < 9) || (q == 3 && p >= 20 && p < 26);
            f.weight[f.at(q, p)] = gap ? 0.0f : 1.0f;
        }
    }
    return f;
}

// The runs' c2 and C_n against their predicted standard errors, element by element.
struct Spread {
    std::vector<double> sum, sumSq, predictedVar; // per c2 element over the runs
    std::vector<std::complex<double>> cSum;
    std::vector<double> cSumSq, cPredictedVar; // per C_n element: |C_n|² and the predicted E|δC_n|²
    int runs = 0;

    void add(const C2Snapshot& s)
    {
        if (sum.empty()) {
            sum.assign(s.c2.size(), 0.0);
            sumSq = predictedVar = sum;
            cSum.assign(s.fourier.size(), {});
            cSumSq.assign(s.fourier.size(), 0.0);
            cPredictedVar = cSumSq;
        }
        for (std::size_t i = 0; i < s.c2.size(); ++i) {
            sum[i] += s.c2[i];
            sumSq[i] += s.c2[i] * s.c2[i];
            predictedVar[i] += s.c2StdError[i] * s.c2StdError[i];
        }
        for (std::size_t i = 0; i < s.fourier.size(); ++i) {
            cSum[i] += s.fourier[i];
            cSumSq[i] += std::norm(s.fourier[i]);
            cPredictedVar[i] += s.fourierStdError[i] * s.fourierStdError[i];
        }
        ++runs;
    }
    double empiricalVar(std::size_t i) const { return (sumSq[i] - sum[i] * sum[i] / runs) / (runs - 1); }
    double empiricalFourierVar(std::size_t i) const { return (cSumSq[i] - std::norm(cSum[i]) / runs) / (runs - 1); }
};

} // namespace

class tst_C2StandardError : public QObject {
    Q_OBJECT

private slots:
    void squaresMatchDirectSummation_data()
    {
        QTest::addColumn<bool>("doublePrecision");
        QTest::addColumn<int>("nMax");
        QTest::addColumn<int>("batchShots");
        QTest::addColumn<bool>("sink");
        QTest::newRow("single, all frequencies, partial batches") << false << -1 << 8 << false;
        QTest::newRow("double, n_max 3, partial batches") << true << 3 << 8 << false;
        QTest::newRow("single, two workers into one sink") << false << 5 << 16 << true;
        QTest::newRow("double, one batch") << true << -1 << 256 << false;
    }
    void squaresMatchDirectSummation()
    {
        QFETCH(bool, doublePrecision);
        QFETCH(int, nMax);
        QFETCH(int, batchShots);
        QFETCH(bool, sink);
        const int nQ = 5, nPhi = 16, shots = 37; // odd counts: the halves' rows leave gaps in a batch
        const auto frames = fxs::test::randomFrames(nQ, nPhi, shots, 21);
        C2Config c;
        c.nQ = nQ;
        c.nPhi = nPhi;
        c.nMax = nMax;
        c.batchShots = batchShots;
        c.foldShots = 2 * batchShots; // several folds of the float partial sums
        c.precision = doublePrecision ? fxs::C2Precision::Double : fxs::C2Precision::Single;
        C2Sums got;
        if (sink) {
            fxs::C2Sink totals;
            totals.sums = C2Sums::zeros(nQ, nPhi, c.effectiveNMax(), true, true);
            C2Accumulator a(c, totals), b(c, totals);
            for (const auto& f : frames) {
                QVERIFY((f.shotIndex % 3 == 0 ? b : a).add(f).ok());
            }
            C2Accumulator::flushTogether({ &a, &b });
            got = totals.sums;
        } else {
            C2Accumulator acc(c);
            for (const auto& f : frames) {
                QVERIFY(acc.add(f).ok());
            }
            acc.flush();
            got = acc.sums();
        }
        QVERIFY(got.hasVariance());
        QCOMPARE(got.totalShots(), std::int64_t(shots));
        const double err = fxs::test::squaresError(got, fxs::test::directSquares(frames, c.effectiveNMax()));
        QVERIFY2(err < (doublePrecision ? 1e-11 : 1e-5), qPrintable(QString::number(err)));
    }

    void withoutVarianceTheSumsSayNoErrorBars()
    {
        C2Config c;
        c.nQ = 4;
        c.nPhi = 12;
        c.variance = false;
        C2Accumulator acc(c);
        for (const auto& f : fxs::test::randomFrames(4, 12, 9, 5)) {
            QVERIFY(acc.add(f).ok());
        }
        acc.flush();
        QVERIFY(!acc.sums().hasVariance());
        const C2Snapshot s = C2Snapshot::compute(acc.sums());
        QVERIFY(!s.hasStdError() && s.fourierStdError.empty()); // no band of zeros: none at all
    }

    // Squares survive a merge only when every shot has them; sums holding no shot are neutral.
    void mergeKeepsSquaresOnlyWhenEveryShotHasThem()
    {
        C2Sums with = C2Sums::zeros(3, 8, 4, true, true);
        std::fill(with.squares.begin(), with.squares.end(), 2.0);
        with.shots[0] = 3;
        C2Sums emptyWithout = C2Sums::zeros(3, 8, 4, true, false);
        QVERIFY(emptyWithout.merge(with).ok());
        QVERIFY(emptyWithout.hasVariance() && emptyWithout.squares[7] == 2.0);
        C2Sums again = with;
        QVERIFY(again.merge(with).ok());
        QCOMPARE(again.squares[7], 4.0);
        C2Sums without = C2Sums::zeros(3, 8, 4, true, false);
        without.shots[1] = 5;
        QVERIFY(again.merge(without).ok());
        QVERIFY(!again.hasVariance());
        QCOMPARE(again.totalShots(), std::int64_t(11));
    }

    // 200 independent runs of 50 shots: the empirical standard deviation of c2 and of C_n across the runs against
    // the root mean square of the standard errors each run predicted. "noise": Poisson counts of a pattern at random
    // angles, where the estimator's assumptions hold, so each element is checked; "fluence ±30 %": a common
    // shot-to-shot factor (correlated across frequencies, fixed phase), where only the Δ-average holds.
    void stdErrorMatchesSpreadOfRuns_data()
    {
        QTest::addColumn<double>("fluenceSpread");
        QTest::addColumn<bool>("perElement");
        QTest::newRow("noise") << 0.0 << true;
        QTest::newRow("fluence ±30 %") << 0.3 << false;
    }
    void stdErrorMatchesSpreadOfRuns()
    {
        QFETCH(double, fluenceSpread);
        QFETCH(bool, perElement);
        const int nQ = 4, nPhi = 32, runs = 200, shots = 50;
        C2Config c;
        c.nQ = nQ;
        c.nPhi = nPhi;
        fxs::SnapshotOptions o;
        o.threads = 1;
        o.splitHalf = o.interShot = false;
        std::mt19937_64 rng(2024);
        Spread spread;
        for (int r = 0; r < runs; ++r) {
            C2Accumulator acc(c);
            for (int j = 0; j < shots; ++j) {
                QVERIFY(acc.add(simulatedShot(nQ, nPhi, j, fluenceSpread, rng)).ok());
            }
            acc.flush();
            const C2Snapshot s = C2Snapshot::compute(acc.sums(), o);
            QVERIFY(s.hasStdError());
            spread.add(s);
        }
        // c2: off-diagonal pairs, and the diagonal without the Poisson self-term; variances summed over elements.
        double emp[2] = { 0, 0 }, pred[2] = { 0, 0 };
        int inside = 0, elements = 0;
        for (int q = 0; q < nQ; ++q) {
            for (int qp = 0; qp < nQ; ++qp) {
                for (int k = (q == qp ? 1 : 0); k < nPhi; ++k) {
                    const std::size_t i = (static_cast<std::size_t>(q) * nQ + qp) * nPhi + k;
                    const double e = spread.empiricalVar(i), p = spread.predictedVar[i] / runs;
                    emp[q == qp] += e;
                    pred[q == qp] += p;
                    const double ratio = std::sqrt(e / p);
                    inside += (ratio > 0.8 && ratio < 1.2) ? 1 : 0;
                    ++elements;
                }
            }
        }
        for (int d = 0; d < 2; ++d) {
            const double ratio = std::sqrt(emp[d] / pred[d]);
            QVERIFY2(std::abs(ratio - 1) < 0.1,
                qPrintable(
                    QStringLiteral("%1: spread over runs / predicted = %2").arg(d ? "diagonal" : "q ≠ q'").arg(ratio)));
        }
        if (perElement) {
            QVERIFY2(inside >= 0.9 * elements,
                qPrintable(QStringLiteral("%1 of %2 elements within 20 %").arg(inside).arg(elements)));
        }
        // C_n for n ≥ 1 (C_0 vanishes with full rings' mean subtracted), √(E|δC_n|²).
        double cEmp = 0, cPred = 0;
        for (std::size_t i = static_cast<std::size_t>(nQ) * nQ; i < spread.cSum.size(); ++i) {
            cEmp += spread.empiricalFourierVar(i);
            cPred += spread.cPredictedVar[i] / runs;
        }
        const double cRatio = std::sqrt(cEmp / cPred);
        qInfo("spread over runs / predicted: q != q' %.3f, diagonal %.3f, C_n %.3f; %d of %d elements within 20 %%",
            std::sqrt(emp[0] / pred[0]), std::sqrt(emp[1] / pred[1]), cRatio, inside, elements);
        QVERIFY2(std::abs(cRatio - 1) < 0.1, qPrintable(QStringLiteral("C_n: spread / predicted = %1").arg(cRatio)));
    }
};

QTEST_GUILESS_MAIN(tst_C2StandardError)
#include "tst_C2StandardError.moc"
