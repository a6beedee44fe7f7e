#pragma once

#include <fxs/core/Result.h>

#include <complex>
#include <cstdint>
#include <vector>

namespace fxs {

/// The additive state of a C2 run: everything a snapshot, a merge or a checkpoint needs, in double precision.
///
/// Spectra are kept per half (h = 0: even shot index, 1: odd) and per angular frequency n = 0 … nMax.
/// For frequency n, `signal[h]` holds the nQ × nQ Hermitian matrix
///     S_n(q, q') = Σ_j conj(A_j(q, n)) · A_j(q', n),   A_j(q, n) = Σ_φ δI_j(q, φ) e^{−2πi nφ/nPhi}
/// row-major, only the lower triangle (q ≥ q') stored, the upper triangle left at 0 (S(q', q) = conj S(q, q')).
/// With that convention IFFT_n[S](Δ) = Σ_j Σ_φ δI_j(q, φ) δI_j(q', φ + Δ)  (seed eq. 1, un-normalised).
/// `mask[h]` is the same for the weights w_j, always for every frequency n = 0 … nPhi/2 (a cut-off on the
/// signal must not distort the normalisation). The total is the sum of both halves.
/// `squares` (both halves together) holds what the variance of C2 needs: Q_n(q, q') = Σ_j |A_j(q, n)|² |A_j(q', n)|²,
/// the sum over shots of |P_jn|² where P_jn = conj A_j(q, n) A_j(q', n) is shot j's term of S_n; same layout
/// (lower triangle). It is kept only while every shot in the sums has its squares: empty otherwise (no error bars).
struct C2Sums {
    int nQ = 0;
    int nPhi = 0;
    int nMax = 0; ///< highest angular frequency kept (≤ nPhi / 2)
    bool ringMeanSubtracted = true; ///< δI = w (I − ring mean) when true, δI = w I otherwise

    std::vector<std::complex<double>> signal[2]; ///< (nMax + 1) × nQ × nQ per half
    std::vector<std::complex<double>> mask[2]; ///< (nPhi / 2 + 1) × nQ × nQ per half
    std::vector<double> weightedIntensity; ///< Σ_j w I, nQ × nPhi (the mean image's numerator)
    std::vector<double> weightSum; ///< Σ_j w, nQ × nPhi
    std::vector<double> squares; ///< (nMax + 1) × nQ × nQ, Σ_j |P_jn|² over both halves; empty: no variance kept
    std::int64_t shots[2] = { 0, 0 }; ///< shots accumulated per half

    /// Zeroed sums for the given shape; `variance` allocates `squares` too.
    static C2Sums zeros(int nQ, int nPhi, int nMax, bool ringMeanSubtracted = true, bool variance = false);
    /// True when the sums carry the squares that standard errors need (for every shot in them).
    bool hasVariance() const { return !squares.empty(); }
    /// Number of signal frequencies kept (nMax + 1).
    int nFreq() const { return nMax + 1; }
    /// Number of mask frequencies kept (nPhi / 2 + 1).
    int nFreqMask() const { return nPhi / 2 + 1; }
    /// Index of element (n, q, q') in a signal or mask array.
    std::size_t at(int n, int q, int qp) const { return (static_cast<std::size_t>(n) * nQ + q) * nQ + qp; }
    /// Total number of shots.
    std::int64_t totalShots() const { return shots[0] + shots[1]; }
    /// True when `other` has the same shape and conventions, so the two can be merged.
    bool compatible(const C2Sums& other) const;
    /// Adds `other` into this (merging by addition); refused, changing nothing, when not compatible(). Sums without
    /// squares (an older file, a GPU run) make the result lose its squares, unless they hold no shot.
    Status merge(const C2Sums& other);
    /// Takes `other` out of this (shots that left the run, e.g. vetoed afterwards); refused, changing nothing, when
    /// not compatible(). The squares are subtracted when both sums have them.
    Status subtract(const C2Sums& other);
    /// Sets every sum and count to zero, keeping the shape.
    void clear();
};

} // namespace fxs
