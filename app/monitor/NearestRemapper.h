#pragma once

#include <cstdint>
#include <fxs/DetectorGeometry.h>
#include <fxs/Frame.h>
#include <fxs/PolarFrame.h>
#include <fxs/PolarGrid.h>
#include <vector>

namespace fxs::monitor {

/// Detector frame → polar frame by nearest bin (mean of the pixels whose centre falls in a bin; weight 1
/// where at least one valid pixel fell, else 0). Temporary stand-in until the engine's PolarRemapper lands.
class NearestRemapper {
public:
    NearestRemapper(const DetectorGeometry& geometry, const PolarGrid& grid);
    /// The polar frame of one detector frame (shape must match the geometry; otherwise all bins masked).
    PolarFrame remap(const Frame& frame) const;

private:
    PolarGrid m_grid;
    std::size_t m_pixels = 0;
    std::vector<std::int32_t> m_bin; ///< per slab pixel, −1 when outside the grid or masked
    std::vector<float> m_inverseCount; ///< per bin, 1 / pixels in it
};

} // namespace fxs::monitor
