#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace fxs {

/// Real spherical-harmonic analysis and synthesis of functions sampled on concentric shells, even l only
/// (intensities are centrosymmetric: Friedel). Each shell is sampled on nTheta Gauss–Legendre nodes in cos θ
/// (ascending) × nPhi equispaced φ_j = 2πj/nPhi; samples are shell-major, then θ, then φ.
/// Coefficients per shell follow SphericalHarmonics::evenOffset(l): m = 0, then (cos m, sin m) for m = 1 … l,
/// in the real orthonormal basis of SphericalHarmonics. Not thread-safe (work buffers are members).
class ShellTransform {
public:
    /// A transform up to even lMax for nShells shells; nTheta/nPhi of 0 pick 2·lMax + 2 and 4·lMax + 4.
    ShellTransform(int lMax, int nShells, int nTheta = 0, int nPhi = 0);
    ~ShellTransform();
    ShellTransform(const ShellTransform&) = delete;
    ShellTransform& operator=(const ShellTransform&) = delete;

    /// Highest (even) l.
    int lMax() const { return m_lMax; }
    /// Number of shells.
    int nShells() const { return m_nShells; }
    /// θ nodes per shell.
    int nTheta() const { return m_nTheta; }
    /// φ nodes per ring.
    int nPhi() const { return m_nPhi; }
    /// Samples per shell (nTheta · nPhi).
    std::size_t samplesPerShell() const { return static_cast<std::size_t>(m_nTheta) * m_nPhi; }
    /// Real coefficients per shell (even l ≤ lMax).
    std::size_t coefficientsPerShell() const { return m_nCoeff; }
    /// cos θ of node i (ascending).
    double cosTheta(int i) const { return m_x[i]; }
    /// Gauss–Legendre weight of node i.
    double weight(int i) const { return m_w[i]; }
    /// φ of node j.
    double phi(int j) const;

    /// samples (nShells × samplesPerShell) → coeffs (nShells × coefficientsPerShell).
    void analyse(const double* samples, double* coeffs, int threads = 1);
    /// coeffs → samples: the band-limited function at the nodes.
    void synthesise(const double* coeffs, double* samples, int threads = 1);

private:
    struct Fft;
    int m_lMax;
    int m_nShells;
    int m_nTheta;
    int m_nPhi;
    std::size_t m_nCoeff;
    std::vector<double> m_x;
    std::vector<double> m_w;
    std::vector<double> m_lambda; ///< nTheta × triangleSize(lMax): Λ_l^m at the nodes
    std::unique_ptr<Fft> m_fft;
};

} // namespace fxs
