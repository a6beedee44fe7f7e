#pragma once

#include <fxs/reconstruction/ShellTransform.h>

#include <cstdint>
#include <vector>

namespace fxs {

/// Moves values between an n³ reciprocal-space grid in FFT order and the nodes of a ShellTransform.
/// Grid index (iz·n + iy)·n + ix holds frequency k = (i < n/2 ? i : i − n) · dk per axis (Å⁻¹).
/// Both directions interpolate trilinearly: grid → nodes in (kx, ky, kz), nodes → grid in (q, cos θ, φ).
class ShellSampler {
public:
    /// Stencils for shells at shellQInvA (ascending) with the transform's θ/φ nodes.
    ShellSampler(int n, double dkInvA, const std::vector<double>& shellQInvA, const ShellTransform& transform);

    /// grid (n³) → samples (nShells × samplesPerShell).
    void sample(const double* grid, double* samples, int threads) const;
    /// Voxels between the first and the last shell (grid indices), the ones gather() fills.
    const std::vector<std::uint32_t>& voxels() const { return m_voxels; }
    /// Node values (nShells × samplesPerShell) interpolated at each voxel of voxels(), into out (same order).
    void gather(const double* nodeValues, double* out, int threads) const;

private:
    struct Stencil {
        std::int32_t i0[3]; ///< lower corner per axis
        float t[3]; ///< fractions per axis
    };
    struct NodeStencil {
        std::int32_t lo[3]; ///< lower grid index per axis, wrapped into [0, n)
        std::int32_t hi[3]; ///< upper grid index per axis, wrapped
        float t[3]; ///< fractions per axis
    };
    int m_n;
    int m_nShells;
    int m_nTheta;
    int m_nPhi;
    std::vector<NodeStencil> m_nodeStencils; ///< per node: grid axes (x, y, z), wrapped once here (no modulo per use)
    std::vector<std::uint32_t> m_voxels;
    std::vector<Stencil> m_voxelStencils; ///< per voxel: (shell, θ node, φ node)
};

} // namespace fxs
