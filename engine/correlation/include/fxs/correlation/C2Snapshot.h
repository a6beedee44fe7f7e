#pragma once

#include <fxs/correlation/C2Sums.h>

#include <complex>
#include <cstdint>
#include <vector>

namespace fxs {

/// What a snapshot should compute besides the normalised C2.
struct SnapshotOptions {
    bool splitHalf = true; ///< split-half correlation coefficients (convergence figure)
    bool interShot = true; ///< inter-shot term from the mean image and the difference correlation
    bool fourier = true; ///< Fourier coefficients C_n(q, q') for the invariants
    bool stdError = true; ///< standard errors of c2 and of C_n (when the sums keep squares and hold ≥ 2 shots)
    int threads = 0; ///< 0: all cores
    /// An element is Masked when its mask correlation is below this fraction of the largest one: single-precision
    /// sums carry rounding noise of ~1e-6 of the largest value where the exact answer is 0.
    double maskRelativeThreshold = 1e-4;
};

/// A normalised C2 at one moment: a value, never a view of live sums.
///
/// Arrays over (q, q', Δ) are row-major nQ × nQ × nPhi (Δ fastest), Δ = k · 2π / nPhi.
///   c2(q, q', Δ) = IFFT[N̂](Δ) / IFFT[M̂](Δ) = Σ_j Σ_φ δI(q, φ) δI(q', φ + Δ) / Σ_j Σ_φ w(q, φ) w(q', φ + Δ)
/// (the mean over shots and valid φ of the product), computed where the mask correlation is above
/// `maskThreshold`; elsewhere c2 = 0 and the flag says Masked.
struct C2Snapshot {
    enum Flag : std::uint8_t { Valid = 0, Masked = 1, SelfTerm = 2 };

    int nQ = 0;
    int nPhi = 0;
    int nMax = 0;
    std::int64_t shots = 0;
    std::int64_t shotsHalf[2] = { 0, 0 };
    bool ringMeanSubtracted = true;

    std::vector<double> c2; ///< normalised C2, nQ × nQ × nPhi
    std::vector<double> maskCorrelation; ///< Σ_j Σ_φ w w' (pixel pairs), nQ × nQ × nPhi
    std::vector<std::uint8_t> flags; ///< Flag per element; SelfTerm marks q = q', Δ = 0 (Poisson self-term)
    double maskThreshold = 0.0; ///< the mask correlation below which an element is Masked

    std::vector<double> meanImage; ///< Σ w I / Σ w, nQ × nPhi (0 where never valid)
    std::vector<double> c2Inter; ///< correlation of the (ring-mean-subtracted) mean image, like c2
    std::vector<double> c2Difference; ///< c2 − c2Inter

    double splitHalfCC = 0.0; ///< Pearson correlation of the even and odd halves' C2 over valid elements
    std::vector<double> splitHalfCCPerQ; ///< the same restricted to each q (over q', Δ)
    std::vector<double> splitHalfCCPerPair; ///< the same for each pair (over Δ), nQ × nQ, symmetric

    /// C_n(q, q') for n = 0 … nMax, row-major (nMax + 1) × nQ × nQ, the discrete Fourier coefficients of c2 over Δ
    /// (masked elements counted as 0): c2(q, q', Δ) = Σ_{n=−nPhi/2+1}^{nPhi/2} C_n(q, q') e^{i n Δ},
    /// C_{−n} = conj C_n, C_n(q', q) = conj C_n(q, q').
    std::vector<std::complex<double>> fourier;

    /// Standard errors, empty when the sums keep no squares (C2Sums::hasVariance) or hold fewer than 2 shots.
    /// From the per-shot products P_jn = conj A_j(q, n) A_j(q', n) of S_n: V_n = N/(N−1) (Σ_j |P_jn|² − |Σ_j P_jn|²/N),
    /// the unbiased sample variance of P_n times N, i.e. the variance of the sum S_n over N equally weighted shots.
    /// `fourierStdError` (like `fourier`): √(E|C_n − E C_n|²) = √V_n · ⟨1/M⟩_Δ / nPhi, exact for a mask correlation M
    /// flat in Δ (⟨1/M⟩ over all Δ bins, masked ones as 0; leakage between frequencies through the mask ignored).
    /// `c2StdError` (like `c2`, 0 where masked): √(U(Δ) / (M̄ M(Δ))) / nPhi, propagated from the V_n assuming the
    /// products independent across n and, for q ≠ q', phase-symmetric (circular), so that every frequency adds 2 V_n
    /// (1 for n = 0 and nPhi/2): U = Σ_n mult_n V_n; for q = q' the products are real and U(Δ) gains
    /// 2 Σ_{0<n<nPhi/2} V_n cos 2nΔ. M̄ is the mean of M over Δ: the variance of Σ_j X_j(Δ) is taken proportional to
    /// its number of pixel pairs M(Δ). Shot-to-shot fluctuations common to all frequencies (fluence) or of a fixed
    /// phase break these assumptions at single Δ (up to √2 either way) while the Δ-average stays right.
    std::vector<double> c2StdError;
    std::vector<double> fourierStdError;
    /// True when the standard errors are present.
    bool hasStdError() const { return !c2StdError.empty(); }

    /// Computes a snapshot from sums (a pure function of them).
    static C2Snapshot compute(const C2Sums& sums, const SnapshotOptions& options = {});

    /// Index of element (q, q', Δ bin k).
    std::size_t at(int q, int qp, int k) const { return (static_cast<std::size_t>(q) * nQ + qp) * nPhi + k; }
    /// Index of C_n(q, q').
    std::size_t atFourier(int n, int q, int qp) const { return (static_cast<std::size_t>(n) * nQ + q) * nQ + qp; }
};

} // namespace fxs
