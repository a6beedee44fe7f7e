#pragma once

#include <fxs/polar/PolarGrid.h>
#include <fxs/core/Result.h>

#include <array>
#include <vector>

namespace fxs {

class DetectorGeometry;

/// Options for turning a geometry into SimulatorPixels.
struct PixelFactors {
    bool solidAngle = true; ///< detector pixels: scale by the solid angle relative to the reference distance
    bool polarisation = true; ///< scale by P = 1 − sin²2θ cos²(φ − planeAngle) (horizontally polarised beam)
    double polarisationPlaneRad = 0.0; ///< φ of the polarisation plane
};

/// The pixels a Simulator fills: an Ewald-sphere q-vector and a relative gain per pixel, in slab order
/// (nSlow × nFast; for a polar grid nQ × nPhi). Gain 0 marks a masked pixel (gap, bad pixel, beamstop),
/// which the simulator leaves at 0.
struct SimulatorPixels {
    int nSlow = 0;
    int nFast = 0;
    std::vector<std::array<float, 3>> qInvA; ///< q⃗ = k (sin2θ cosφ, sin2θ sinφ, cos2θ − 1) in Å⁻¹
    std::vector<float> gain; ///< solid angle × polarisation (relative, ≤ 1 for a flat detector), 0: masked

    double qMaxCacheInvA = -1.0; ///< qMaxInvA() as computed by the factories; set to −1 after editing qInvA or gain

    /// Number of pixels.
    std::size_t size() const { return gain.size(); }
    /// Largest |q⃗| among unmasked pixels, in Å⁻¹ (the cached value when there is one).
    double qMaxInvA() const;
    /// Computes qMaxInvA() and caches it (a simulator asks for it every frame).
    void updateQMax();

    /// Bin centres of a polar grid on the Ewald sphere for a wavelength: q_i along φ_j (no solid angle:
    /// polar bins stand for corrected intensities; polarisation only when asked). Fails when
    /// qMax λ / 4π > 1 (beyond backscattering).
    static Result<SimulatorPixels> polar(
        const PolarGrid& grid, double wavelengthA, const PixelFactors& factors = { false, false, 0.0 });
    /// Every pixel of a detector: its q-vector, solid angle and polarisation, gain 0 outside panels and in bad
    /// regions (DetectorGeometry::validMask) and where `extraMask` (slab order, optional) is 0.
    static Result<SimulatorPixels> detector(const DetectorGeometry& geometry, const PixelFactors& factors = {},
        const std::vector<std::uint8_t>& extraMask = {});
};

} // namespace fxs
