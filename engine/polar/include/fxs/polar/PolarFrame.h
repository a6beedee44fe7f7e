#pragma once

#include <cstdint>
#include <vector>

namespace fxs {

/// One shot on the polar grid: nQ × nPhi intensities (row-major, φ fastest) and weights in [0, 1].
/// A weight is the fraction of the bin covered by valid detector area; 0 means masked.
struct PolarFrame {
    std::int64_t shotIndex = 0;
    int nQ = 0;
    int nPhi = 0;
    std::vector<float> intensity; ///< nQ · nPhi values
    std::vector<float> weight; ///< nQ · nPhi weights in [0, 1]

    /// An unmasked frame of zeros.
    static PolarFrame zeros(int nQ, int nPhi, std::int64_t shot = 0)
    {
        PolarFrame f;
        f.shotIndex = shot;
        f.nQ = nQ;
        f.nPhi = nPhi;
        f.intensity.assign(static_cast<std::size_t>(nQ) * nPhi, 0.0f);
        f.weight.assign(static_cast<std::size_t>(nQ) * nPhi, 1.0f);
        return f;
    }
    /// Index of bin (q, φ).
    std::size_t at(int q, int phi) const { return static_cast<std::size_t>(q) * nPhi + phi; }
};

} // namespace fxs
