#include <fxs/simulation/SimulatorPixels.h>

#include <fxs/geometry/DetectorGeometry.h>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace fxs {

void SimulatorPixels::updateQMax()
{
    qMaxCacheInvA = -1.0;
    qMaxCacheInvA = qMaxInvA();
}

double SimulatorPixels::qMaxInvA() const
{
    if (qMaxCacheInvA >= 0.0) {
        return qMaxCacheInvA;
    }
    double q2 = 0.0;
    for (std::size_t i = 0; i < qInvA.size() && i < gain.size(); ++i) {
        if (gain[i] > 0.0f) {
            const auto& q = qInvA[i];
            q2 = std::max(q2, static_cast<double>(q[0] * q[0] + q[1] * q[1] + q[2] * q[2]));
        }
    }
    return std::sqrt(q2);
}

Result<SimulatorPixels> SimulatorPixels::polar(const PolarGrid& grid, double wavelengthA, const PixelFactors& factors)
{
    if (!grid.valid()) {
        return Error { "simulator: invalid polar grid (need nQ > 0, nPhi ≥ 4, 0 ≤ qMin < qMax)" };
    }
    if (!(wavelengthA > 0.0) || !std::isfinite(wavelengthA)) {
        return Error { "simulator: the wavelength must be > 0 Å" };
    }
    const double k = 2.0 * std::numbers::pi / wavelengthA;
    if (grid.qMaxInvA > 2.0 * k) {
        return Error { "simulator: q_max = " + std::to_string(grid.qMaxInvA) + " Å⁻¹ is beyond backscattering (4π/λ = "
            + std::to_string(2.0 * k) + " Å⁻¹) for λ = " + std::to_string(wavelengthA) + " Å" };
    }
    SimulatorPixels p;
    p.nSlow = grid.nQ;
    p.nFast = grid.nPhi;
    p.qInvA.resize(static_cast<std::size_t>(grid.size()));
    p.gain.assign(static_cast<std::size_t>(grid.size()), 1.0f);
    for (int iq = 0; iq < grid.nQ; ++iq) {
        const double twoTheta = 2.0 * std::asin(grid.qCentre(iq) / (2.0 * k));
        const double s = std::sin(twoTheta);
        for (int ip = 0; ip < grid.nPhi; ++ip) {
            const double phi = grid.phiCentre(ip);
            const std::size_t i = static_cast<std::size_t>(iq) * grid.nPhi + ip;
            p.qInvA[i] = { static_cast<float>(k * s * std::cos(phi)), static_cast<float>(k * s * std::sin(phi)),
                static_cast<float>(k * (std::cos(twoTheta) - 1.0)) };
            if (factors.polarisation) {
                const double c = std::cos(phi - factors.polarisationPlaneRad);
                p.gain[i] = static_cast<float>(1.0 - s * s * c * c);
            }
        }
    }
    p.updateQMax();
    return p;
}

Result<SimulatorPixels> SimulatorPixels::detector(
    const DetectorGeometry& geometry, const PixelFactors& factors, const std::vector<std::uint8_t>& extraMask)
{
    const std::size_t n = geometry.pixelCount();
    if (n == 0) {
        return Error { "simulator: the detector geometry has no pixels" };
    }
    if (!extraMask.empty() && extraMask.size() != n) {
        return Error { "simulator: the mask has " + std::to_string(extraMask.size()) + " pixels, the geometry "
            + std::to_string(n) + " (" + std::to_string(geometry.nSlow()) + " × " + std::to_string(geometry.nFast())
            + ")" };
    }
    SimulatorPixels p;
    p.nSlow = geometry.nSlow();
    p.nFast = geometry.nFast();
    p.qInvA = geometry.pixelQVectors();
    p.gain.assign(n, 1.0f);
    const auto valid = geometry.validMask();
    if (factors.solidAngle) {
        const auto sa = geometry.solidAngleFactor();
        std::transform(p.gain.begin(), p.gain.end(), sa.begin(), p.gain.begin(), std::multiplies<>());
    }
    if (factors.polarisation) {
        const auto pol = geometry.polarisationFactor(1.0, factors.polarisationPlaneRad);
        std::transform(p.gain.begin(), p.gain.end(), pol.begin(), p.gain.begin(), std::multiplies<>());
    }
    for (std::size_t i = 0; i < n; ++i) {
        const auto& q = p.qInvA[i];
        const bool finite
            = std::isfinite(q[0]) && std::isfinite(q[1]) && std::isfinite(q[2]) && std::isfinite(p.gain[i]);
        if (!valid[i] || !finite || (!extraMask.empty() && !extraMask[i])) {
            p.gain[i] = 0.0f;
            p.qInvA[i] = { 0.0f, 0.0f, 0.0f };
        }
    }
    p.updateQMax();
    return p;
}

} // namespace fxs
