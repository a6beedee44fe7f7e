#pragma once

#include <fxs/correlation/C2Snapshot.h>
#include <fxs/polar/PolarGrid.h>
#include <fxs/core/Result.h>

#include <vector>

namespace fxs {

/// How KamInvariants::fromSnapshot solves for B_l (FXS_SPEC §3–4).
struct InvariantOptions {
    enum class Method {
        LeastSquares, ///< fit (1/4π) Σ_l B_l P_l(cos ψ(Δ)) to c2 over the unmasked Δ bins of each (q, q')
        BackSubstitution, ///< exact from the Fourier coefficients C_n, from l = L down
    };
    enum class B0Source {
        Auto, ///< SAXS when the C2 is ring-mean subtracted or more than one particle per shot, else the C2
        Correlation, ///< B_0 from the C2 (single particle, no ring-mean subtraction)
        Saxs, ///< B_0 = 4π S(q) S(q') from the angle-averaged mean image
    };
    Method method = Method::LeastSquares;
    B0Source b0 = B0Source::Auto;
    int lMax = -1; ///< highest even l; −1: from particleDiameterA (L ≈ q_max · D)
    double particleDiameterA = 0.0; ///< used when lMax < 0
    double tikhonov = 0.0; ///< ridge weight relative to the mean squared column norm (least squares only)
    double meanParticlesPerShot = 1.0; ///< ⟨N⟩: B_l / ⟨N⟩ for l ≥ 2, B_0 / ⟨N⟩² (FXS_SPEC §3)
    bool symmetrise = true; ///< B_l ← (B_l + B_lᵀ)/2
    bool clipNegativeEigenvalues = true; ///< set negative eigenvalues of each B_l to 0
    bool limitRank = true; ///< also keep only the 2l+1 largest eigenvalues (B_l has rank ≤ 2l+1)
    int threads = 0; ///< 0: all cores
};

/// The Kam invariants B_l(q, q') for even l = 0, 2, …, lMax on a set of q values (FXS_SPEC §4):
///     C2(q, q', ψ) = (1/4π) Σ_l B_l(q, q') P_l(cos ψ),   B_l = Σ_m I_lm(q) I*_lm(q').
struct KamInvariants {
    int nQ = 0;
    int lMax = 0; ///< highest (even) l held
    double wavelengthA = 0.0; ///< wavelength of the data (0 when unknown, e.g. built from a model)
    std::vector<double> qInvA; ///< the q of each row/column, Å⁻¹
    std::vector<double> b; ///< (lMax/2 + 1) × nQ × nQ, row-major, even l at block l/2

    /// Zeroed invariants for the given q values.
    static KamInvariants zeros(std::vector<double> qInvA, int lMax);
    /// Solves the invariants from a snapshot taken on `grid` at `wavelengthA` (Ewald curvature included).
    static Result<KamInvariants> fromSnapshot(
        const C2Snapshot& snapshot, const PolarGrid& grid, double wavelengthA, const InvariantOptions& options = {});

    /// Number of even l held.
    int lCount() const { return lMax / 2 + 1; }
    /// Index of B_l(q, q') in b (l even).
    std::size_t at(int l, int q, int qp) const { return (static_cast<std::size_t>(l / 2) * nQ + q) * nQ + qp; }
    /// Start of the nQ × nQ block of B_l.
    const double* matrix(int l) const { return b.data() + at(l, 0, 0); }
    /// Mutable start of the nQ × nQ block of B_l.
    double* matrix(int l) { return b.data() + at(l, 0, 0); }
    /// Symmetrises each B_l, clips negative eigenvalues and, with limitRank, keeps the 2l+1 largest.
    void makePositiveSemidefinite(bool limitRank = true);
    /// The invariants restricted to rows/columns `rows` (indices into qInvA) and l ≤ lMaxKept.
    KamInvariants subset(const std::vector<int>& rows, int lMaxKept) const;
    /// cos θ_q = −qλ/4π, the colatitude of a q-vector on the Ewald sphere (beam along +z).
    static double cosColatitude(double qInvA, double wavelengthA);
};

} // namespace fxs
