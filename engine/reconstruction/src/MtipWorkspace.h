#pragma once

#include <fxs/reconstruction/InvariantProjection.h>
#include <fxs/reconstruction/MtipReconstructor.h>
#include <fxs/reconstruction/ShellSampler.h>
#include <fxs/reconstruction/ShellTransform.h>

#include <complex>
#include <cstdint>
#include <memory>
#include <vector>

namespace fxs::detail {

/// Buffers, FFTW plans and the two projections of one M-TIP run (shared by its random starts).
class MtipWorkspace {
public:
    MtipWorkspace(int n, double dkInvA, const KamInvariants& shells, bool qSquaredWeights, int threads);
    ~MtipWorkspace();
    MtipWorkspace(const MtipWorkspace&) = delete;
    MtipWorkspace& operator=(const MtipWorkspace&) = delete;

    /// ρ → ρ' = IFT(magnitude-projected FT(ρ)); returns the per-l invariant error before the projection.
    std::vector<double> fourierProjection(const std::vector<double>& rho, std::vector<double>& rhoPrime);
    /// ER or HIO update of rho from rhoPrime inside support; returns ‖ρ' − P_S ρ'‖² / ‖ρ'‖².
    double realSpaceStep(MtipStep::Kind kind, double beta, std::vector<double>& rho,
        const std::vector<double>& rhoPrime, const std::vector<std::uint8_t>& support) const;
    /// New support: the Gaussian-blurred |ρ| above threshold × its maximum.
    void shrinkWrap(
        const std::vector<double>& rho, std::vector<std::uint8_t>& support, double sigmaVoxels, double threshold) const;

private:
    struct Fft;
    int m_n;
    std::size_t m_size;
    int m_threads;
    ShellTransform m_transform;
    ShellSampler m_sampler;
    InvariantProjection m_projection;
    std::unique_ptr<Fft> m_fft;
    std::vector<double> m_intensity;
    std::vector<double> m_nodes;
    std::vector<double> m_coeffs;
    std::vector<double> m_projected;
    std::vector<double> m_delta;
};

} // namespace fxs::detail
