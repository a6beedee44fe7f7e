#include "SnapshotPairWorker.h"

#include <algorithm>
#include <atomic>
#include <fxs/core/ParallelRange.h>
#include <fxs/correlation/C2Snapshot.h>
#include <mutex>
#include <thread>

namespace fxs {

namespace {

using cd = std::complex<double>;
using detail::LineFft;
using detail::MeanImageSpectra;
using detail::Pearson;

// Largest mask correlation: by Cauchy–Schwarz it sits on the diagonal at Δ = 0, Σ_j Σ_φ w².
double maskMaximum(const C2Sums& s, int half)
{
    double best = 0.0;
    for (int q = 0; q < s.nQ; ++q) {
        double v = 0.0;
        for (int n = 0; n < s.nFreqMask(); ++n) {
            double re = 0.0;
            for (int h = 0; h < 2; ++h) {
                if (half < 0 || half == h) {
                    re += s.mask[h][s.at(n, q, q)].real();
                }
            }
            v += (n == 0 || 2 * n == s.nPhi) ? re : 2.0 * re;
        }
        best = std::max(best, v / s.nPhi);
    }
    return best;
}

// Spectra of the (ring-mean-subtracted) mean image and of its validity, per q; the mean image goes into `snap`.
MeanImageSpectra meanImageSpectra(const C2Sums& s, C2Snapshot& snap)
{
    const int nF = s.nPhi / 2 + 1;
    MeanImageSpectra m { std::vector<cd>(static_cast<std::size_t>(s.nQ) * nF),
        std::vector<cd>(static_cast<std::size_t>(s.nQ) * nF) };
    snap.meanImage.assign(static_cast<std::size_t>(s.nQ) * s.nPhi, 0.0);
    LineFft fft(s.nPhi);
    std::vector<double> mu(s.nPhi), v(s.nPhi);
    for (int q = 0; q < s.nQ; ++q) {
        double sum = 0.0, count = 0.0;
        for (int p = 0; p < s.nPhi; ++p) {
            const std::size_t i = static_cast<std::size_t>(q) * s.nPhi + p;
            v[p] = s.weightSum[i] > 0.0 ? 1.0 : 0.0;
            mu[p] = v[p] > 0.0 ? s.weightedIntensity[i] / s.weightSum[i] : 0.0;
            snap.meanImage[i] = mu[p];
            sum += mu[p];
            count += v[p];
        }
        const double ringMean = (s.ringMeanSubtracted && count > 0) ? sum / count : 0.0;
        for (int p = 0; p < s.nPhi; ++p) {
            mu[p] = v[p] * (mu[p] - ringMean);
        }
        fft.forward(mu.data(), m.mu.data() + static_cast<std::size_t>(q) * nF, nF);
        fft.forward(v.data(), m.valid.data() + static_cast<std::size_t>(q) * nF, nF);
    }
    return m;
}

// The snapshot's shape and zeroed arrays (every element Masked until its pair is computed).
C2Snapshot emptySnapshot(const C2Sums& s, const SnapshotOptions& o)
{
    C2Snapshot snap;
    snap.nQ = s.nQ;
    snap.nPhi = s.nPhi;
    snap.nMax = s.nMax;
    snap.shots = s.totalShots();
    snap.shotsHalf[0] = s.shots[0];
    snap.shotsHalf[1] = s.shots[1];
    snap.ringMeanSubtracted = s.ringMeanSubtracted;
    const std::size_t total = static_cast<std::size_t>(s.nQ) * s.nQ * s.nPhi;
    snap.c2.assign(total, 0.0);
    snap.maskCorrelation.assign(total, 0.0);
    snap.flags.assign(total, C2Snapshot::Masked);
    if (o.interShot) {
        snap.c2Inter.assign(total, 0.0);
        snap.c2Difference.assign(total, 0.0);
    }
    if (o.fourier) {
        snap.fourier.assign(static_cast<std::size_t>(s.nFreq()) * s.nQ * s.nQ, {});
    }
    if (o.stdError && s.hasVariance() && s.totalShots() >= 2) {
        snap.c2StdError.assign(total, 0.0);
        snap.fourierStdError.assign(static_cast<std::size_t>(s.nFreq()) * s.nQ * s.nQ, 0.0);
    }
    snap.splitHalfCCPerQ.assign(s.nQ, 0.0);
    snap.splitHalfCCPerPair.assign(static_cast<std::size_t>(s.nQ) * s.nQ, 0.0);
    return snap;
}

// The mirror coefficients C_n(q', q) = C_n(q, q')* of every pair q' < q, a frequency at a time in tiles (a
// transpose: written from the pair loop, each would have been a cache miss).
void mirrorFourier(const C2Sums& s, int threads, C2Snapshot& snap)
{
    constexpr int tile = 32;
    detail::parallelChunks(
        static_cast<std::size_t>(s.nMax + 1), threads, [&](std::size_t, std::size_t b, std::size_t e) {
            for (std::size_t n = b; n < e; ++n) {
                const std::size_t at = snap.atFourier(static_cast<int>(n), 0, 0);
                cd* f = snap.fourier.empty() ? nullptr : snap.fourier.data() + at;
                double* e = snap.fourierStdError.empty() ? nullptr : snap.fourierStdError.data() + at;
                for (int q0 = 0; q0 < s.nQ; q0 += tile) {
                    for (int p0 = 0; p0 <= q0; p0 += tile) {
                        for (int q = q0; q < std::min(q0 + tile, s.nQ); ++q) {
                            for (int qp = p0; qp < std::min({ p0 + tile, q, s.nQ }); ++qp) {
                                const std::size_t to = static_cast<std::size_t>(qp) * s.nQ + q;
                                const std::size_t from = static_cast<std::size_t>(q) * s.nQ + qp;
                                if (f) {
                                    f[to] = std::conj(f[from]);
                                }
                                if (e) {
                                    e[to] = e[from];
                                }
                            }
                        }
                    }
                }
            }
        });
}

// Split-half correlation per q and overall, from every thread's row sums.
void splitHalf(const std::vector<std::vector<Pearson>>& rowsPerThread, C2Snapshot& snap)
{
    Pearson all;
    for (int q = 0; q < snap.nQ; ++q) {
        Pearson row;
        for (const auto& rows : rowsPerThread) {
            row.add(rows[static_cast<std::size_t>(q)]);
        }
        snap.splitHalfCCPerQ[static_cast<std::size_t>(q)] = row.value();
        all.add(row);
    }
    snap.splitHalfCC = all.value();
}

} // namespace

C2Snapshot C2Snapshot::compute(const C2Sums& s, const SnapshotOptions& o)
{
    C2Snapshot snap = emptySnapshot(s, o);
    const double rel = o.maskRelativeThreshold;
    snap.maskThreshold = rel * maskMaximum(s, -1);
    const double thrHalf[2] = { rel * maskMaximum(s, 0), rel * maskMaximum(s, 1) };
    const MeanImageSpectra mean = meanImageSpectra(s, snap);

    // C2(q', q, Δ) = C2(q, q', −Δ) for real intensities: each pair q' ≤ q is computed once and mirrored (and
    // C_n(q', q) = C_n(q, q')* after the pairs).
    int threads = o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    threads = std::min(threads, std::max(1, s.nQ));
    std::atomic<int> nextRow { 0 };
    std::vector<std::vector<Pearson>> rowsPerThread;
    std::mutex rowsMutex;
    auto work = [&] {
        detail::SnapshotPairWorker worker(s, o, mean, thrHalf, snap);
        worker.run(nextRow);
        std::lock_guard lock(rowsMutex);
        rowsPerThread.push_back(worker.takeRows());
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) {
        pool.emplace_back(work);
    }
    work();
    for (auto& t : pool) {
        t.join();
    }
    if (o.fourier || snap.hasStdError()) {
        mirrorFourier(s, threads, snap);
    }
    splitHalf(rowsPerThread, snap);
    return snap;
}

} // namespace fxs
