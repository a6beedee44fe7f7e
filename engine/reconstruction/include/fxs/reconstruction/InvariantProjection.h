#pragma once

#include <fxs/invariants/KamInvariants.h>

#include <vector>

namespace fxs {

/// The M-TIP invariant projection (FXS_SPEC §5): for each even l, B_l = V Λ Vᵀ, C_l = V_K Λ_K^½ with the K =
/// min(2l+1, n_q) largest non-negative eigenvalues; an intensity's real harmonic coefficients I_l (n_q × (2l+1))
/// are replaced by C_l U_l, U_l = A Bᵀ from SVD(C_lᵀ W I_l) = A Σ Bᵀ, W = diag(q²) (orthogonal Procrustes).
class InvariantProjection {
public:
    /// Precomputes C_l from invariants whose rows are the shells to be used.
    explicit InvariantProjection(const KamInvariants& invariants, bool qSquaredWeights = true);

    /// Highest (even) l.
    int lMax() const { return m_lMax; }
    /// Number of shells (rows of I_l).
    int nShells() const { return m_nShells; }
    /// Projects one I_l in place: n_q × (2l+1), row-major.
    void projectL(int l, double* il) const;
    /// Projects every l of shell-major coefficients (ShellTransform layout, `stride` values per shell).
    void project(double* coeffs, std::size_t stride) const;
    /// ‖B_l − I_l I_lᵀ‖_F / ‖B_l‖_F for each even l (index l/2), from shell-major coefficients.
    std::vector<double> invariantErrors(const double* coeffs, std::size_t stride) const;
    /// The data B_l (n_q × n_q).
    const double* dataMatrix(int l) const { return m_data.matrix(l); }

private:
    int m_lMax;
    int m_nShells;
    KamInvariants m_data;
    std::vector<double> m_weights; ///< W diagonal
    std::vector<std::vector<double>> m_c; ///< C_l per l/2: n_q × K_l
    std::vector<int> m_k; ///< K_l per l/2
};

} // namespace fxs
