#pragma once

// Independent oracle for the C2 engine: the direct φ-loop of seed eq. 1 in float64, with the masked,
// ring-mean-subtracted convention of FXS_SPEC §2, written without FFTs or BLAS.

#include <cmath>
#include <complex>
#include <fxs/correlation/C2Sums.h>
#include <fxs/polar/PolarFrame.h>
#include <algorithm>
#include <numbers>
#include <random>
#include <vector>

namespace fxs::test {

struct BruteC2 {
    int nQ = 0, nPhi = 0;
    std::vector<double> num[2]; // Σ_j Σ_φ δI(q, φ) δI(q', φ + Δ), per half
    std::vector<double> den[2]; // Σ_j Σ_φ w(q, φ) w(q', φ + Δ), per half
    std::size_t at(int q, int qp, int k) const { return (static_cast<std::size_t>(q) * nQ + qp) * nPhi + k; }
    double numTotal(std::size_t i) const { return num[0][i] + num[1][i]; }
    double denTotal(std::size_t i) const { return den[0][i] + den[1][i]; }
};

/// δI = w (I − weighted ring mean) (or w I), in double.
inline std::vector<double> deltaI(const PolarFrame& f, bool subtractMean)
{
    std::vector<double> d(f.intensity.size());
    for (int q = 0; q < f.nQ; ++q) {
        double sw = 0, swi = 0;
        for (int p = 0; p < f.nPhi; ++p) {
            const std::size_t i = f.at(q, p);
            if (f.weight[i] > 0) {
                sw += f.weight[i];
                swi += double(f.weight[i]) * f.intensity[i];
            }
        }
        const double mean = (subtractMean && sw > 0) ? swi / sw : 0.0;
        for (int p = 0; p < f.nPhi; ++p) {
            const std::size_t i = f.at(q, p);
            d[i] = f.weight[i] > 0 ? double(f.weight[i]) * (f.intensity[i] - mean) : 0.0;
        }
    }
    return d;
}

inline BruteC2 bruteForce(const std::vector<PolarFrame>& frames, bool subtractMean)
{
    BruteC2 r;
    r.nQ = frames.front().nQ;
    r.nPhi = frames.front().nPhi;
    const std::size_t n = static_cast<std::size_t>(r.nQ) * r.nQ * r.nPhi;
    for (int h = 0; h < 2; ++h) {
        r.num[h].assign(n, 0.0);
        r.den[h].assign(n, 0.0);
    }
    const int N = r.nPhi;
    for (const auto& f : frames) {
        const int h = static_cast<int>(f.shotIndex & 1);
        const auto d = deltaI(f, subtractMean);
        for (int q = 0; q < r.nQ; ++q) {
            for (int qp = 0; qp < r.nQ; ++qp) {
                for (int k = 0; k < N; ++k) {
                    double s = 0, m = 0;
                    for (int p = 0; p < N; ++p) {
                        const std::size_t a = f.at(q, p), b = f.at(qp, (p + k) % N);
                        s += d[a] * d[b];
                        m += double(f.weight[a]) * f.weight[b];
                    }
                    r.num[h][r.at(q, qp, k)] += s;
                    r.den[h][r.at(q, qp, k)] += m;
                }
            }
        }
    }
    return r;
}

/// Random frames: intensities in [0, 10), weights 1 except a random mask (0) and fractional (0, 1) bins.
inline std::vector<PolarFrame> randomFrames(
    int nQ, int nPhi, int shots, unsigned seed, double maskedFraction = 0.2, bool staticMask = false)
{
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<PolarFrame> frames;
    PolarFrame maskFrame = PolarFrame::zeros(nQ, nPhi);
    for (int j = 0; j < shots; ++j) {
        PolarFrame f = PolarFrame::zeros(nQ, nPhi, j);
        for (std::size_t i = 0; i < f.intensity.size(); ++i) {
            f.intensity[i] = static_cast<float>(10.0 * u(rng));
            if (!staticMask || j == 0) {
                const double r = u(rng);
                f.weight[i]
                    = r < maskedFraction ? 0.0f : (r < maskedFraction * 1.5 ? static_cast<float>(u(rng)) : 1.0f);
            } else {
                f.weight[i] = maskFrame.weight[i];
            }
        }
        if (j == 0) {
            maskFrame = f;
        }
        frames.push_back(std::move(f));
    }
    return frames;
}

/// The largest deviation of each half's numerator in `sums` (the inverse DFT of its spectra, by a direct sum) from
/// the brute-force half sums, relative to the largest brute-force value.
inline double halfSumsError(const C2Sums& sums, const test::BruteC2& ref)
{
    const int N = sums.nPhi;
    double worst = 0, scale = 0;
    for (int h = 0; h < 2; ++h) {
        for (int q = 0; q < sums.nQ; ++q) {
            for (int qp = 0; qp < sums.nQ; ++qp) {
                for (int k = 0; k < N; ++k) {
                    double v = 0;
                    for (int n = 0; n < N; ++n) {
                        const int m = n <= N / 2 ? n : N - n;
                        std::complex<double> s = q >= qp ? sums.signal[h][sums.at(m, q, qp)]
                                                         : std::conj(sums.signal[h][sums.at(m, qp, q)]);
                        if (n > N / 2) {
                            s = std::conj(s);
                        }
                        v += (s * std::polar(1.0, 2 * std::numbers::pi * n * k / N)).real() / N;
                    }
                    const double r = ref.num[h][ref.at(q, qp, k)];
                    worst = std::max(worst, std::abs(v - r));
                    scale = std::max(scale, std::abs(r));
                }
            }
        }
    }
    return worst / std::max(scale, 1e-300);
}

/// The variance's squares Σ_j |A_j(q, n)|² |A_j(q', n)|², A_j the direct DFT (no FFT) of each shot's float64 δI.
inline std::vector<double> directSquares(const std::vector<PolarFrame>& frames, int nMax)
{
    const int nQ = frames.front().nQ, nPhi = frames.front().nPhi;
    std::vector<double> out(static_cast<std::size_t>(nMax + 1) * nQ * nQ, 0.0);
    std::vector<double> power(static_cast<std::size_t>(nQ) * (nMax + 1));
    for (const auto& f : frames) {
        const auto d = fxs::test::deltaI(f, true);
        for (int q = 0; q < nQ; ++q) {
            for (int n = 0; n <= nMax; ++n) {
                std::complex<double> a;
                for (int p = 0; p < nPhi; ++p) {
                    a += d[f.at(q, p)] * std::polar(1.0, -2 * std::numbers::pi * n * p / nPhi);
                }
                power[static_cast<std::size_t>(q) * (nMax + 1) + n] = std::norm(a);
            }
        }
        for (int n = 0; n <= nMax; ++n) {
            for (int q = 0; q < nQ; ++q) {
                for (int qp = 0; qp < nQ; ++qp) {
                    out[(static_cast<std::size_t>(n) * nQ + q) * nQ + qp]
                        += power[static_cast<std::size_t>(q) * (nMax + 1) + n]
                        * power[static_cast<std::size_t>(qp) * (nMax + 1) + n];
                }
            }
        }
    }
    return out;
}

/// C2Sums::squares: the largest deviation over the stored lower triangle, relative to the largest value.
inline double squaresError(const C2Sums& s, const std::vector<double>& want)
{
    double worst = 0, scale = 0;
    for (int n = 0; n <= s.nMax; ++n) {
        for (int q = 0; q < s.nQ; ++q) {
            for (int qp = 0; qp <= q; ++qp) {
                worst = std::max(worst, std::abs(s.squares[s.at(n, q, qp)] - want[s.at(n, q, qp)]));
                scale = std::max(scale, want[s.at(n, q, qp)]);
            }
        }
    }
    return worst / scale;
}

} // namespace fxs::test
