#pragma once

#include <cstddef>
#include <vector>

namespace fxs {

/// Associated Legendre functions and real spherical harmonics in the project's conventions.
///
/// Λ_l^m(x) = √((2l+1)/(4π) · (l−m)!/(l+m)!) P_l^m(x), Condon–Shortley phase included, so that the complex
/// orthonormal harmonic is Y_lm(θ, φ) = Λ_l^m(cos θ) e^{imφ}. The real orthonormal basis used for the
/// invariant matrices I_l (FXS_SPEC §5) is Y_l0 = Λ_l^0, √2 Λ_l^m cos mφ, √2 Λ_l^m sin mφ (m = 1 … l).
/// FXS_SPEC §4 writes P̄_l^m = √((l−m)!/(4π (l+m)!)) P_l^m = Λ_l^m / √(2l+1).
class SphericalHarmonics {
public:
    /// Index of (l, m), 0 ≤ m ≤ l, in the triangular arrays filled by legendre().
    static std::size_t index(int l, int m) { return static_cast<std::size_t>(l) * (l + 1) / 2 + m; }
    /// Size of a triangular array up to lMax.
    static std::size_t triangleSize(int lMax) { return index(lMax + 1, 0); }
    /// Fills out[index(l, m)] = Λ_l^m(x) for 0 ≤ m ≤ l ≤ lMax (stable three-term recursion in l).
    static void legendre(int lMax, double x, double* out);
    /// The same into a vector (resized).
    static void legendre(int lMax, double x, std::vector<double>& out);
    /// P̄_l^m(x) of FXS_SPEC §4 (Λ_l^m / √(2l+1)) for 0 ≤ m ≤ l ≤ lMax.
    static void specLegendre(int lMax, double x, std::vector<double>& out);
    /// Legendre polynomials P_0 … P_lMax at x.
    static void legendrePolynomials(int lMax, double x, double* out);

    /// Offset of even l's 2l+1 real coefficients in an array over even l = 0, 2, …: Σ_{l' < l, even} (2l'+1).
    static std::size_t evenOffset(int l) { return static_cast<std::size_t>(l) * (l - 1) / 2; }
    /// Number of real coefficients for even l ≤ lMax.
    static std::size_t evenCount(int lMax) { return evenOffset(lMax - lMax % 2 + 2); }
    /// Highest even l for a particle of diameter diameterA at qMaxInvA (FXS_SPEC §4: L ≈ q_max · D), ≥ 2.
    static int evenLMaxForDiameter(double qMaxInvA, double diameterA);
};

} // namespace fxs
