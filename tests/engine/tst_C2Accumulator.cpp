// The C2 engine against the float64 direct φ-loop of seed eq. 1 (tests/common/C2BruteForce.h).
#include "C2BruteForce.h"

#include <QtTest>
#include <atomic>
#include <chrono>
#include <cmath>
#include <fxs/correlation/C2Accumulator.h>
#include <fxs/pipeline/C2Pipeline.h>
#include <fxs/correlation/C2Snapshot.h>
#include <limits>
#include <thread>

using namespace fxs;

extern "C" int openblas_get_num_threads(void);
extern "C" int openblas_get_num_procs(void);

namespace {

C2Snapshot run(const std::vector<PolarFrame>& frames, C2Config c, const SnapshotOptions& o = {})
{
    C2Accumulator acc(c);
    for (const auto& f : frames) {
        if (!acc.add(f)) {
            qFatal("frame refused");
        }
    }
    acc.flush();
    return C2Snapshot::compute(acc.sums(), o);
}

// ‖C − C_ref‖ / ‖C_ref‖ over the elements valid in the snapshot; also checks that the snapshot masks exactly
// the elements whose reference mask correlation is below its threshold.
double relativeError(const C2Snapshot& s, const test::BruteC2& ref, int* compared = nullptr)
{
    double d2 = 0, r2 = 0;
    int count = 0;
    for (std::size_t i = 0; i < s.c2.size(); ++i) {
        const double den = ref.denTotal(i);
        const bool refValid = den > s.maskThreshold * 1.001;
        if (s.flags[i] == C2Snapshot::Masked) {
            if (den > s.maskThreshold * 1.001) {
                return std::numeric_limits<double>::infinity(); // masked although well covered
            }
            continue;
        }
        if (!refValid) {
            continue;
        }
        const double c = ref.numTotal(i) / den;
        d2 += (s.c2[i] - c) * (s.c2[i] - c);
        r2 += c * c;
        ++count;
    }
    if (compared) {
        *compared = count;
    }
    return std::sqrt(d2 / r2);
}

} // namespace

class tst_C2Accumulator : public QObject {
    Q_OBJECT
private slots:
    void matchesBruteForce_data()
    {
        QTest::addColumn<int>("nQ");
        QTest::addColumn<int>("nPhi");
        QTest::addColumn<int>("shots");
        QTest::addColumn<bool>("subtractMean");
        QTest::addColumn<bool>("staticMask");
        QTest::addColumn<int>("precision");
        QTest::addColumn<int>("batch");
        QTest::addColumn<double>("tolerance");
        const int D = int(C2Precision::Double), S = int(C2Precision::Single);
        QTest::newRow("double, mean-subtracted") << 7 << 16 << 50 << true << false << D << 8 << 1e-10;
        QTest::newRow("double, raw, odd nQ, partial batch") << 5 << 12 << 23 << false << false << D << 64 << 1e-10;
        QTest::newRow("double, static mask") << 6 << 20 << 40 << true << true << D << 16 << 1e-10;
        QTest::newRow("single, mean-subtracted") << 7 << 16 << 300 << true << false << S << 64 << 1e-5;
        QTest::newRow("single, static mask") << 6 << 32 << 300 << true << true << S << 64 << 1e-5;
    }
    void matchesBruteForce()
    {
        QFETCH(int, nQ);
        QFETCH(int, nPhi);
        QFETCH(int, shots);
        QFETCH(bool, subtractMean);
        QFETCH(bool, staticMask);
        QFETCH(int, precision);
        QFETCH(int, batch);
        QFETCH(double, tolerance);
        const auto frames = test::randomFrames(nQ, nPhi, shots, 42u + nQ, 0.2, staticMask);
        C2Config c { nQ, nPhi, -1, C2Precision(precision), batch, 4 * batch, subtractMean };
        const C2Snapshot s = run(frames, c);
        const auto ref = test::bruteForce(frames, subtractMean);
        int compared = 0;
        const double err = relativeError(s, ref, &compared);
        QVERIFY2(err <= tolerance, qPrintable(QString("relative error %1").arg(err)));
        QVERIFY(compared > int(s.c2.size() / 2));
        QCOMPARE(s.shots, qint64(shots));
        // The mask correlation is the number of valid pixel pairs.
        for (std::size_t i = 0; i < s.c2.size(); i += 7) {
            QVERIFY(std::abs(s.maskCorrelation[i] - ref.denTotal(i)) <= 1e-4 * (1 + ref.denTotal(i)));
        }
        // Poisson self-term flagged.
        for (int q = 0; q < nQ; ++q) {
            QCOMPARE(int(s.flags[s.at(q, q, 0)]), int(C2Snapshot::SelfTerm));
        }
    }

    void singlePrecisionOver10kShots()
    {
        const auto frames = test::randomFrames(6, 32, 10000, 7u);
        C2Config c; // the defaults: batches and float folds as a real run has them
        c.nQ = 6;
        c.nPhi = 32;
        const C2Snapshot s = run(frames, c, SnapshotOptions { false, false, false });
        const double err = relativeError(s, test::bruteForce(frames, true));
        QVERIFY2(err <= 1e-5, qPrintable(QString("relative error %1").arg(err)));
    }

    void halvesMatchEvenAndOddShots()
    {
        const auto frames = test::randomFrames(5, 16, 41, 3u);
        C2Accumulator acc(C2Config { 5, 16, -1, C2Precision::Double, 8, 32, true });
        for (const auto& f : frames) {
            QVERIFY(acc.add(f).ok());
        }
        acc.flush();
        const C2Sums& sums = acc.sums();
        QCOMPARE(sums.shots[0], qint64(21));
        QCOMPARE(sums.shots[1], qint64(20));
        const double err = test::halfSumsError(sums, test::bruteForce(frames, true));
        QVERIFY2(err <= 1e-9, qPrintable(QString("half sums off by %1 (relative)").arg(err)));
    }

    // The pipeline's joint flush (C2Accumulator::flushTogether: every worker's float sums folded in one pass, a
    // static mask's pending counts merged into one update) mid-run and at the end, with folds of their own in
    // between: each half equals its brute-force sum, and the C2 (signal over mask correlation) the brute force's.
    void pipelineFlushesMidRunKeepHalvesExact_data()
    {
        QTest::addColumn<bool>("staticMask");
        QTest::newRow("a mask per shot") << false;
        QTest::newRow("one detector mask") << true;
    }
    void pipelineFlushesMidRunKeepHalvesExact()
    {
        QFETCH(bool, staticMask);
        auto frames = test::randomFrames(5, 16, 400, 21u);
        if (staticMask) {
            for (auto& f : frames) {
                f.weight = frames.front().weight;
            }
        }
        C2PipelineConfig pc;
        pc.accumulator = C2Config { 5, 16, -1, C2Precision::Single, 16, 64, true };
        pc.threads = 3;
        pc.queueCapacity = 8;
        C2Pipeline p(pc);
        const auto pushRange = [&](int from, int to) {
            for (int j = from; j < to; ++j) {
                QVERIFY(p.push(frames[j]));
            }
        };
        pushRange(0, 150);
        p.wait();
        const std::vector<PolarFrame> first(frames.begin(), frames.begin() + 150);
        const C2Sums mid = p.sums();
        QCOMPARE(mid.shots[0] + mid.shots[1], qint64(150));
        QCOMPARE(mid.shots[0], qint64(75));
        const double errMid = test::halfSumsError(mid, test::bruteForce(first, true));
        QVERIFY2(errMid <= 1e-5, qPrintable(QString("after 150 shots: %1").arg(errMid)));
        const double c2Mid = relativeError(C2Snapshot::compute(mid, {}), test::bruteForce(first, true));
        QVERIFY2(c2Mid <= 1e-5, qPrintable(QString("C2 after 150 shots: %1").arg(c2Mid)));
        pushRange(150, 400);
        p.close();
        p.wait();
        const C2Sums end = p.sums();
        QCOMPARE(end.shots[0], qint64(200));
        QCOMPARE(end.shots[1], qint64(200));
        const double errEnd = test::halfSumsError(end, test::bruteForce(frames, true));
        QVERIFY2(errEnd <= 1e-5, qPrintable(QString("after 400 shots: %1").arg(errEnd)));
        const double c2End = relativeError(C2Snapshot::compute(end, {}), test::bruteForce(frames, true));
        QVERIFY2(c2End <= 1e-5, qPrintable(QString("C2 after 400 shots: %1").arg(c2End)));
    }

    // Backpressure with several producers on a tiny queue: every push is taken (a producer blocked on the full
    // queue is woken again), every shot is counted once, and the C2 is the brute force's. A lost wake-up hangs.
    void pipelineTakesEveryShotFromSeveralProducers()
    {
        const auto frames = test::randomFrames(5, 16, 600, 41u);
        C2PipelineConfig pc;
        pc.accumulator = C2Config { 5, 16, -1, C2Precision::Single, 16, 64, true };
        pc.threads = 2;
        pc.queueCapacity = 4;
        C2Pipeline p(pc);
        std::atomic<int> refused { 0 };
        std::vector<std::thread> producers;
        for (int t = 0; t < 3; ++t) {
            producers.emplace_back([&, t] {
                for (std::size_t j = static_cast<std::size_t>(t); j < frames.size(); j += 3) {
                    refused += p.push(frames[j]) ? 0 : 1;
                    if (j % 97 == 0) {
                        std::this_thread::sleep_for(std::chrono::milliseconds(2)); // let the queue drain now and then
                    }
                }
            });
        }
        for (auto& t : producers) {
            t.join();
        }
        p.close();
        p.wait();
        QCOMPARE(refused.load(), 0);
        QCOMPARE(p.progress().shotsDone, qint64(600));
        const C2Sums sums = p.sums();
        QCOMPARE(sums.shots[0] + sums.shots[1], qint64(600));
        const double err = relativeError(C2Snapshot::compute(sums, {}), test::bruteForce(frames, true));
        QVERIFY2(err <= 1e-5, qPrintable(QString("C2 off by %1 (relative)").arg(err)));
    }

    // A detector mask that changes now and then (runs of 1–6 shots over three masks): repeated weights are counted
    // without comparing them twice, and the C2 (signal over mask correlation) still equals the brute force.
    void maskRunsMatchBruteForce()
    {
        auto frames = test::randomFrames(5, 16, 300, 31u);
        const std::vector<std::vector<float>> masks { frames[0].weight, frames[1].weight, frames[2].weight };
        QVERIFY(masks[0] != masks[1] && masks[1] != masks[2] && masks[0] != masks[2]);
        std::mt19937 rng(5);
        std::size_t j = 0;
        int mask = 0;
        while (j < frames.size()) {
            const std::size_t run = 1 + rng() % 6;
            for (std::size_t k = 0; k < run && j < frames.size(); ++k, ++j) {
                frames[j].weight = masks[mask];
            }
            mask = (mask + 1 + static_cast<int>(rng() % 2)) % 3;
        }
        C2Accumulator acc(C2Config { 5, 16, -1, C2Precision::Single, 16, 64, true });
        for (const auto& f : frames) {
            QVERIFY(acc.add(f).ok());
        }
        acc.flush();
        const double err = relativeError(C2Snapshot::compute(acc.sums(), {}), test::bruteForce(frames, true));
        QVERIFY2(err <= 1e-5, qPrintable(QString("relative error %1").arg(err)));
    }

    void truncationEqualsZeroedFrequencies()
    {
        const int nQ = 5, N = 24, nMax = 5;
        const auto frames = test::randomFrames(nQ, N, 30, 11u);
        const C2Snapshot s = run(frames, C2Config { nQ, N, nMax, C2Precision::Double, 16, 64, true });
        QCOMPARE(s.nMax, nMax);
        const auto ref = test::bruteForce(frames, true);
        // Reference: the brute-force numerator's DFT over Δ with |n| > nMax zeroed, divided by the full mask sum.
        for (int q = 0; q < nQ; ++q) {
            for (int qp = 0; qp < nQ; ++qp) {
                std::vector<std::complex<double>> c(N);
                for (int n = 0; n < N; ++n) {
                    for (int k = 0; k < N; ++k) {
                        c[n] += ref.numTotal(ref.at(q, qp, k)) * std::polar(1.0, -2 * std::numbers::pi * n * k / N);
                    }
                }
                for (int k = 0; k < N; ++k) {
                    double v = 0;
                    for (int n = 0; n < N; ++n) {
                        const int m = n <= N / 2 ? n : N - n;
                        if (m <= nMax) {
                            v += (c[n] * std::polar(1.0, 2 * std::numbers::pi * n * k / N)).real() / N;
                        }
                    }
                    const std::size_t i = ref.at(q, qp, k);
                    if (s.flags[i] != C2Snapshot::Masked) {
                        const double expect = v / ref.denTotal(i);
                        QVERIFY2(std::abs(s.c2[i] - expect) <= 1e-9 * (1 + std::abs(expect)),
                            qPrintable(
                                QString("q %1 q' %2 k %3: %4 vs %5").arg(q).arg(qp).arg(k).arg(s.c2[i]).arg(expect)));
                    }
                }
            }
        }
    }

    void mergeEqualsOneAccumulator()
    {
        const auto frames = test::randomFrames(6, 16, 90, 5u);
        const C2Config c { 6, 16, -1, C2Precision::Double, 16, 64, true };
        C2Accumulator all(c), a(c), b(c);
        for (std::size_t j = 0; j < frames.size(); ++j) {
            QVERIFY(all.add(frames[j]).ok());
            QVERIFY((j % 3 == 0 ? a : b).add(frames[j]).ok());
        }
        QVERIFY(a.merge(b).ok());
        a.flush();
        all.flush();
        QCOMPARE(a.sums().totalShots(), all.sums().totalShots());
        double d = 0, r = 0;
        for (int h = 0; h < 2; ++h) {
            for (std::size_t i = 0; i < all.sums().signal[h].size(); ++i) {
                d += std::norm(a.sums().signal[h][i] - all.sums().signal[h][i]);
                r += std::norm(all.sums().signal[h][i]);
            }
        }
        QVERIFY(std::sqrt(d / r) < 1e-13);
        C2Accumulator other(C2Config { 7, 16, -1, C2Precision::Double, 16, 64, true });
        QVERIFY(!a.merge(other).ok()); // shapes differ: refused
    }

    void threadsAgree_data()
    {
        QTest::addColumn<int>("threads");
        QTest::addColumn<int>("precision");
        const int S = int(C2Precision::Single), D = int(C2Precision::Double);
        QTest::newRow("1") << 1 << S;
        QTest::newRow("2") << 2 << S;
        QTest::newRow("4") << 4 << S;
        QTest::newRow("2, double") << 2 << D;
        QTest::newRow("4, double") << 4 << D;
    }
    void threadsAgree()
    {
        QFETCH(int, threads);
        QFETCH(int, precision);
        const auto frames = test::randomFrames(6, 16, 400, 9u);
        C2PipelineConfig pc;
        pc.accumulator = C2Config { 6, 16, -1, C2Precision(precision), 64, 256, true };
        pc.threads = threads;
        pc.queueCapacity = 16;
        C2Pipeline p(pc);
        for (const auto& f : frames) {
            QVERIFY(p.push(f));
        }
        p.close();
        p.wait();
        QCOMPARE(p.progress().shotsDone, qint64(400));
        const C2Snapshot s = p.snapshot();
        const double err = relativeError(s, test::bruteForce(frames, true));
        QVERIFY2(err <= 1e-6, qPrintable(QString("relative error %1").arg(err)));
    }

    // N workers use N cores: each runs its BLAS calls on one thread (C2PipelineConfig::blasThreads 0), whatever
    // the core count. Before, one worker got every core's worth of OpenBLAS threads, and several workers calling a
    // multi-threaded OpenBLAS at once queued behind its one level-3 lock. Oracle: OpenBLAS's own report.
    void pipelineRunsOneBlasThreadPerWorker()
    {
        C2PipelineConfig pc;
        pc.accumulator = C2Config { 4, 8, -1, C2Precision::Single, 8, 64, true };
        pc.threads = 1;
        {
            C2Pipeline p(pc);
            QCOMPARE(openblas_get_num_threads(), 1);
        }
        pc.blasThreads = 2; // asked for: granted (OpenBLAS caps it at the cores it was built for)
        {
            C2Pipeline p(pc);
            QCOMPARE(openblas_get_num_threads(), std::min(2, openblas_get_num_procs()));
        }
    }

    // C2Pipeline::timings: every phase is booked to some worker's thread, so the workers' time adds up to no more
    // than threads × the run's wall time; the rank-k updates are there; and the folds are counted as the
    // accumulator makes them. Oracle: the run's wall clock and the fold schedule in closed form (batches of 16, a
    // fold every 64 shots of one worker: 200 shots fold 192 / 64 = 3 times while adding, then once at the flush;
    // three workers' joint flush counts one fold each).
    void pipelineTimingsAddUp()
    {
        const auto frames = test::randomFrames(6, 16, 200, 5u);
        for (int threads : { 1, 3 }) {
            C2PipelineConfig pc;
            pc.accumulator = C2Config { 6, 16, -1, C2Precision::Single, 16, 64, true };
            pc.threads = threads;
            const auto t0 = std::chrono::steady_clock::now();
            C2Pipeline p(pc);
            for (const auto& f : frames) {
                QVERIFY(p.push(f));
            }
            p.close();
            p.wait();
            p.flush();
            const C2Timings t = p.timings();
            const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            const double booked = t.prepare + t.fft + t.herk + t.masks + t.fold + t.queueWait;
            QVERIFY2(booked <= wall * threads + 1e-3,
                qPrintable(QString("%1 s booked, %2 s × %3 threads").arg(booked).arg(wall).arg(threads)));
            QVERIFY(t.herk > 0 && t.fft > 0 && t.prepare > 0 && t.fold > 0);
            QVERIFY(t.lockWait >= 0 && t.lockWait <= t.fold);
            if (threads == 1) {
                QCOMPARE(t.folds, qint64(4));
            } else {
                QVERIFY2(t.folds >= 3, qPrintable(QString("%1 folds").arg(t.folds))); // the joint flush's three
            }
        }
    }

    void gpuBackendFallsBackToCpu()
    {
        C2PipelineConfig pc;
        pc.accumulator = C2Config { 4, 16, -1, C2Precision::Single, 64, 256, true };
        pc.threads = 2;
        pc.backend = C2Backend::Gpu;
        C2Pipeline p(pc);
        if (p.usesGpu()) {
            QSKIP("a GPU is present: the fallback cannot be seen here");
        }
        const QString d = QString::fromStdString(p.backendDescription());
        QVERIFY2(d.startsWith("CPU, 2 threads (GPU correlation unavailable: "), qPrintable(d));
        const auto frames = test::randomFrames(4, 16, 50, 77u);
        for (const auto& f : frames) {
            QVERIFY(p.push(f));
        }
        p.close();
        p.wait();
        const double err = relativeError(p.snapshot(), test::bruteForce(frames, true));
        QVERIFY(err <= 1e-5);
    }

    void sphereIsFlatUnderRandomMasks()
    {
        // A sphere's intensity depends on q only: C2(q, q', Δ) = I(q) I(q') for every Δ, whatever the masks.
        const int nQ = 12, N = 64;
        const double R = 30.0;
        auto sphere = [R](double q) {
            const double x = q * R;
            const double f = 3 * (std::sin(x) - x * std::cos(x)) / (x * x * x);
            return f * f;
        };
        auto frames = test::randomFrames(nQ, N, 200, 13u, 0.4);
        for (auto& f : frames) {
            for (int q = 0; q < nQ; ++q) {
                for (int p = 0; p < N; ++p) {
                    f.intensity[f.at(q, p)] = static_cast<float>(1e3 * sphere(0.02 + 0.01 * q));
                }
            }
        }
        const C2Snapshot raw = run(frames, C2Config { nQ, N, -1, C2Precision::Single, 64, 256, false });
        const C2Snapshot sub = run(frames, C2Config { nQ, N, -1, C2Precision::Single, 64, 256, true });
        for (int q = 0; q < nQ; ++q) {
            for (int qp = 0; qp < nQ; ++qp) {
                const double expect = 1e6 * sphere(0.02 + 0.01 * q) * sphere(0.02 + 0.01 * qp);
                for (int k = 0; k < N; ++k) {
                    const std::size_t i = raw.at(q, qp, k);
                    QVERIFY(raw.flags[i] != C2Snapshot::Masked);
                    QVERIFY2(
                        std::abs(raw.c2[i] - expect) <= 1e-5 * expect, qPrintable(QString::number(raw.c2[i] / expect)));
                    QVERIFY(std::abs(sub.c2[i]) <= 1e-5 * expect); // no fluctuation at all
                }
            }
        }
    }

    void meanImageAndSplitHalfAgainstBruteForce()
    {
        const int nQ = 5, N = 16;
        const auto frames = test::randomFrames(nQ, N, 60, 21u);
        const C2Snapshot s = run(frames, C2Config { nQ, N, -1, C2Precision::Double, 16, 64, true });
        // Mean image Σ w I / Σ w.
        for (int i = 0; i < nQ * N; ++i) {
            double swi = 0, sw = 0;
            for (const auto& f : frames) {
                sw += f.weight[i];
                swi += f.weight[i] > 0 ? double(f.weight[i]) * f.intensity[i] : 0.0;
            }
            QVERIFY(std::abs(s.meanImage[i] - (sw > 0 ? swi / sw : 0.0)) < 1e-10);
        }
        // Split-half correlation: Pearson between the two halves' brute-force C2 on valid, non-self elements,
        // over all of them and over each q's row (every q', both orders of a pair computed here directly).
        const auto ref = test::bruteForce(frames, true);
        const auto pearson = [&](int onlyQ, int onlyQp = -1) {
            double n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
            for (std::size_t i = 0; i < s.c2.size(); ++i) {
                const int q = int(i / (std::size_t(nQ) * N));
                const int qp = int(i / std::size_t(N)) % nQ;
                if ((onlyQ >= 0 && q != onlyQ) || (onlyQp >= 0 && qp != onlyQp) || s.flags[i] != C2Snapshot::Valid
                    || ref.den[0][i] <= 0
                    || ref.den[1][i] <= 0) {
                    continue;
                }
                const double x = ref.num[0][i] / ref.den[0][i], y = ref.num[1][i] / ref.den[1][i];
                n += 1, sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y;
            }
            return (sxy - sx * sy / n) / std::sqrt((sxx - sx * sx / n) * (syy - sy * sy / n));
        };
        const double cc = pearson(-1);
        QVERIFY2(std::abs(s.splitHalfCC - cc) < 1e-9, qPrintable(QString("%1 vs %2").arg(s.splitHalfCC).arg(cc)));
        for (int q = 0; q < nQ; ++q) {
            const double row = pearson(q);
            QVERIFY2(std::abs(s.splitHalfCCPerQ[q] - row) < 1e-9,
                qPrintable(QString("q %1: %2 vs %3").arg(q).arg(s.splitHalfCCPerQ[q]).arg(row)));
            // Each pair (q, q') over Δ: the convergence view's q × q' map.
            for (int qp = 0; qp < nQ; ++qp) {
                const double cell = pearson(q, qp);
                QVERIFY2(std::abs(s.splitHalfCCPerPair[std::size_t(q) * nQ + qp] - cell) < 1e-9,
                    qPrintable(QString("(%1, %2): %3 vs %4").arg(q).arg(qp).arg(s.splitHalfCCPerPair[q * nQ + qp]).arg(cell)));
            }
        }
        // Fourier coefficients: the direct DFT of c2 over Δ.
        for (int q = 0; q < nQ; ++q) {
            for (int qp = 0; qp < nQ; ++qp) {
                for (int m = 0; m <= s.nMax; ++m) {
                    std::complex<double> c;
                    for (int k = 0; k < N; ++k) {
                        c += s.c2[s.at(q, qp, k)] * std::polar(1.0, -2 * std::numbers::pi * m * k / N) / double(N);
                    }
                    QVERIFY(std::abs(s.fourier[s.atFourier(m, q, qp)] - c) < 1e-10 * (1 + std::abs(c)));
                }
            }
        }
    }

    void refusesBadFrames()
    {
        C2Accumulator acc(C2Config { 4, 8, -1, C2Precision::Single, 8, 64, true });
        PolarFrame wrong = PolarFrame::zeros(5, 8);
        const Status s = acc.add(wrong);
        QVERIFY(!s.ok());
        QVERIFY(QString::fromStdString(s.message()).contains("5 x 8"));
        PolarFrame nan = PolarFrame::zeros(4, 8);
        nan.intensity[3] = std::numeric_limits<float>::quiet_NaN();
        QVERIFY(!acc.add(nan).ok());
        nan.weight[3] = 0.0f; // a NaN under a masked bin is ignored
        QVERIFY(acc.add(nan).ok());
        PolarFrame badWeight = PolarFrame::zeros(4, 8);
        badWeight.weight[0] = 1.5f;
        QVERIFY(!acc.add(badWeight).ok());
        QCOMPARE(acc.shotsAdded(), qint64(1));
    }
};

QTEST_GUILESS_MAIN(tst_C2Accumulator)
#include "tst_C2Accumulator.moc"
