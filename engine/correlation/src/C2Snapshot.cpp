#include <fxs/correlation/C2Snapshot.h>

#include <fxs/core/FftwLock.h>
#include <fxs/core/ParallelRange.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <fftw3.h>
#include <mutex>
#include <thread>

namespace fxs {

namespace {

using cd = std::complex<double>;

// Per-thread FFTW work space: one c2r (frequency → Δ) and one r2c (Δ → frequency) of length nPhi.
class LineFft {
public:
    explicit LineFft(int nPhi)
        : m_n(nPhi)
        , m_freq(fftw_alloc_complex(nPhi / 2 + 1))
        , m_line(fftw_alloc_real(nPhi))
    {
        std::lock_guard lock(detail::fftwPlannerMutex());
        m_c2r = fftw_plan_dft_c2r_1d(nPhi, m_freq, m_line, FFTW_ESTIMATE);
        m_r2c = fftw_plan_dft_r2c_1d(nPhi, m_line, m_freq, FFTW_ESTIMATE);
    }
    ~LineFft()
    {
        std::lock_guard lock(detail::fftwPlannerMutex());
        fftw_destroy_plan(m_c2r);
        fftw_destroy_plan(m_r2c);
        fftw_free(m_freq);
        fftw_free(m_line);
    }
    LineFft(const LineFft&) = delete;
    LineFft& operator=(const LineFft&) = delete;

    // out[k] = (1/nPhi) Σ_{n full} X_n e^{2πi nk/nPhi} with X_{−n} = conj X_n; X given for n = 0 … nPhi/2.
    template <class F> void inverse(F&& coefficient, double* out)
    {
        for (int n = 0; n <= m_n / 2; ++n) {
            const cd v = coefficient(n);
            m_freq[n][0] = v.real();
            m_freq[n][1] = v.imag();
        }
        fftw_execute(m_c2r);
        for (int k = 0; k < m_n; ++k) {
            out[k] = m_line[k] / m_n;
        }
    }
    // Coefficients C_n = (1/nPhi) Σ_k x_k e^{−2πi nk/nPhi} for n = 0 … nPhi/2.
    void forward(const double* x, cd* out, int nKeep)
    {
        std::copy(x, x + m_n, m_line);
        fftw_execute(m_r2c);
        for (int n = 0; n < nKeep; ++n) {
            out[n] = cd(m_freq[n][0], m_freq[n][1]) / static_cast<double>(m_n);
        }
    }

private:
    int m_n;
    fftw_complex* m_freq;
    double* m_line;
    fftw_plan m_c2r;
    fftw_plan m_r2c;
};

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

struct Pearson {
    double n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    void add(double x, double y)
    {
        n += 1;
        sx += x;
        sy += y;
        sxx += x * x;
        syy += y * y;
        sxy += x * y;
    }
    void add(const Pearson& o)
    {
        n += o.n;
        sx += o.sx;
        sy += o.sy;
        sxx += o.sxx;
        syy += o.syy;
        sxy += o.sxy;
    }
    double value() const
    {
        if (n < 2) {
            return 0.0;
        }
        const double cov = sxy - sx * sy / n;
        const double vx = sxx - sx * sx / n;
        const double vy = syy - sy * sy / n;
        return (vx > 0 && vy > 0) ? cov / std::sqrt(vx * vy) : 0.0;
    }
};

// Spectra of the (ring-mean-subtracted) mean image and of its validity, per q.
struct MeanImageSpectra {
    std::vector<cd> mu, valid; // nQ × (nPhi/2 + 1)
};

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

} // namespace

C2Snapshot C2Snapshot::compute(const C2Sums& s, const SnapshotOptions& o)
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
    snap.flags.assign(total, Masked);
    if (o.interShot) {
        snap.c2Inter.assign(total, 0.0);
        snap.c2Difference.assign(total, 0.0);
    }
    if (o.fourier) {
        snap.fourier.assign(static_cast<std::size_t>(s.nFreq()) * s.nQ * s.nQ, {});
    }
    snap.splitHalfCCPerQ.assign(s.nQ, 0.0);
    const double rel = o.maskRelativeThreshold;
    snap.maskThreshold = rel * maskMaximum(s, -1);
    const double thrHalf[2] = { rel * maskMaximum(s, 0), rel * maskMaximum(s, 1) };
    const MeanImageSpectra mean = meanImageSpectra(s, snap);
    const int nF = s.nPhi / 2 + 1;
    const cd zero {};

    // C2(q', q, Δ) = C2(q, q', −Δ) for real intensities: each pair q' ≤ q is computed once and mirrored (and
    // C_n(q', q) = C_n(q, q')* after the pairs). Rows are taken from the longest (q = nQ − 1) down, so threads end
    // together.
    std::atomic<int> nextRow { 0 };
    std::vector<std::vector<Pearson>> rowsPerThread;
    std::mutex rowsMutex;
    auto work = [&] {
        LineFft fft(s.nPhi);
        const int N = s.nPhi;
        std::vector<double> sig[2] = { std::vector<double>(N), std::vector<double>(N) };
        std::vector<double> msk[2] = { std::vector<double>(N), std::vector<double>(N) };
        std::vector<double> interNum(N), interDen(N);
        std::vector<cd> coeff(nF);
        constexpr int kBlock = 32; // pairs gathered at once: 4 × 32 × (nPhi/2 + 1) spectra, ~260 kB at nPhi 256
        std::vector<cd> blockSig[2], blockMsk[2];
        for (int h = 0; h < 2; ++h) {
            blockSig[h].resize(static_cast<std::size_t>(kBlock) * nF);
            blockMsk[h].resize(static_cast<std::size_t>(kBlock) * nF);
        }
        std::vector<Pearson> rows(static_cast<std::size_t>(s.nQ)); // split-half sums of each row q
        for (int r = nextRow++; r < s.nQ; r = nextRow++) {
            const int q = s.nQ - 1 - r;
            for (int qp = 0; qp <= q; ++qp) {
                // The sums are [n][q][q']: a pair's spectrum is a gather across frequencies. A block of the row's
                // pairs is gathered at once, frequency by frequency along contiguous q'.
                const int inBlock = qp % kBlock;
                if (inBlock == 0) {
                    const int count = std::min(kBlock, q + 1 - qp);
                    for (int n = 0; n < nF; ++n) {
                        for (int h = 0; h < 2; ++h) {
                            const cd* srcSig = n <= s.nMax ? s.signal[h].data() + s.at(n, q, qp) : nullptr;
                            const cd* srcMsk = s.mask[h].data() + s.at(n, q, qp);
                            for (int j = 0; j < count; ++j) {
                                blockSig[h][static_cast<std::size_t>(j) * nF + n] = srcSig ? srcSig[j] : zero;
                                blockMsk[h][static_cast<std::size_t>(j) * nF + n] = srcMsk[j];
                            }
                        }
                    }
                }
                for (int h = 0; h < 2; ++h) {
                    const cd* sp = blockSig[h].data() + static_cast<std::size_t>(inBlock) * nF;
                    const cd* mp = blockMsk[h].data() + static_cast<std::size_t>(inBlock) * nF;
                    fft.inverse([sp](int n) { return sp[n]; }, sig[h].data());
                    fft.inverse([mp](int n) { return mp[n]; }, msk[h].data());
                }
                if (o.interShot) {
                    const cd* a = mean.mu.data() + static_cast<std::size_t>(q) * nF;
                    const cd* b = mean.mu.data() + static_cast<std::size_t>(qp) * nF;
                    const cd* va = mean.valid.data() + static_cast<std::size_t>(q) * nF;
                    const cd* vb = mean.valid.data() + static_cast<std::size_t>(qp) * nF;
                    fft.inverse([&](int n) { return n <= s.nMax ? std::conj(a[n]) * b[n] : zero; }, interNum.data());
                    fft.inverse([&](int n) { return std::conj(va[n]) * vb[n]; }, interDen.data());
                }
                const std::size_t base = snap.at(q, qp, 0);
                Pearson pair;
                for (int k = 0; k < N; ++k) {
                    const double m = msk[0][k] + msk[1][k];
                    snap.maskCorrelation[base + k] = m;
                    if (!(m > snap.maskThreshold)) {
                        continue;
                    }
                    const double c = (sig[0][k] + sig[1][k]) / m;
                    snap.c2[base + k] = c;
                    const bool self = (q == qp && k == 0);
                    snap.flags[base + k] = self ? SelfTerm : Valid;
                    if (o.interShot) {
                        // Valid pixel pairs of the mean image, a count ≥ 1 where any (the spectra carry 1/N each).
                        const double inter = interDen[k] * N * N > 0.5 ? interNum[k] / interDen[k] : 0.0;
                        snap.c2Inter[base + k] = inter;
                        snap.c2Difference[base + k] = c - inter;
                    }
                    if (o.splitHalf && !self && msk[0][k] > thrHalf[0] && msk[1][k] > thrHalf[1]) {
                        pair.add(sig[0][k] / msk[0][k], sig[1][k] / msk[1][k]);
                    }
                }
                if (o.fourier) {
                    fft.forward(snap.c2.data() + base, coeff.data(), nF);
                    for (int n = 0; n <= s.nMax; ++n) {
                        snap.fourier[snap.atFourier(n, q, qp)] = coeff[n];
                    }
                }
                rows[static_cast<std::size_t>(q)].add(pair);
                if (qp == q) {
                    continue;
                }
                // The mirror pair (q', q): Δ → −Δ, the same split-half pairs, conjugate coefficients.
                rows[static_cast<std::size_t>(qp)].add(pair);
                const std::size_t mirror = snap.at(qp, q, 0);
                for (int k = 0; k < N; ++k) {
                    const std::size_t from = base + k, to = mirror + (N - k) % N;
                    snap.maskCorrelation[to] = snap.maskCorrelation[from];
                    snap.c2[to] = snap.c2[from];
                    snap.flags[to] = snap.flags[from];
                    if (o.interShot) {
                        snap.c2Inter[to] = snap.c2Inter[from];
                        snap.c2Difference[to] = snap.c2Difference[from];
                    }
                }
            }
        }
        std::lock_guard lock(rowsMutex);
        rowsPerThread.push_back(std::move(rows));
    };
    int threads = o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    threads = std::min(threads, std::max(1, s.nQ));
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) {
        pool.emplace_back(work);
    }
    work();
    for (auto& t : pool) {
        t.join();
    }
    if (o.fourier) {
        // The mirror coefficients C_n(q', q) = C_n(q, q')* of every pair q' < q, a frequency at a time in tiles
        // (a transpose: written from the pair loop, each would have been a cache miss).
        constexpr int tile = 32;
        detail::parallelChunks(
            static_cast<std::size_t>(s.nMax + 1), threads, [&](std::size_t, std::size_t b, std::size_t e) {
                for (std::size_t n = b; n < e; ++n) {
                    cd* f = snap.fourier.data() + snap.atFourier(static_cast<int>(n), 0, 0);
                    for (int q0 = 0; q0 < s.nQ; q0 += tile) {
                        for (int p0 = 0; p0 <= q0; p0 += tile) {
                            for (int q = q0; q < std::min(q0 + tile, s.nQ); ++q) {
                                for (int qp = p0; qp < std::min({ p0 + tile, q, s.nQ }); ++qp) {
                                    f[static_cast<std::size_t>(qp) * s.nQ + q]
                                        = std::conj(f[static_cast<std::size_t>(q) * s.nQ + qp]);
                                }
                            }
                        }
                    }
                }
            });
    }
    Pearson all;
    for (int q = 0; q < s.nQ; ++q) {
        Pearson row;
        for (const auto& rows : rowsPerThread) {
            row.add(rows[static_cast<std::size_t>(q)]);
        }
        snap.splitHalfCCPerQ[static_cast<std::size_t>(q)] = row.value();
        all.add(row);
    }
    snap.splitHalfCC = all.value();
    return snap;
}

} // namespace fxs
