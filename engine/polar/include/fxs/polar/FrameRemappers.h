#pragma once

#include <fxs/geometry/GeomTemplate.h>
#include <fxs/polar/PolarGrid.h>
#include <fxs/polar/PolarRemapper.h>
#include <fxs/core/Result.h>

#include <cstdint>
#include <functional>
#include <list>
#include <utility>
#include <vector>

namespace fxs {

/// Remappers for a run whose camera length or photon energy the data file gives per frame (LCLS
/// `/LCLS/detector_1/EncoderValue`, `/LCLS/photon_energy_eV`): each frame is remapped with the geometry in effect
/// for it, one remap table per distinct set of values (the last `capacity` kept; PolarRemapper's process-wide
/// cache shares tables beyond that). Not thread-safe: one feed calls it.
class FrameRemappers {
public:
    /// `extraMask` as PolarRemapper::create's (slab order, nonzero = usable).
    FrameRemappers(GeomTemplate geometry, GeomOverrides overrides, GeomDataValues data, PolarGrid grid,
        RemapOptions options = {}, std::vector<std::uint8_t> extraMask = {}, std::size_t capacity = 8);

    /// Re-reads the data file's values for `frame` (a live file that grows).
    using Refresh = std::function<Result<GeomDataValues>(std::int64_t frame)>;
    /// Follows a data file that is still being written: `growing` paths are values per frame whatever their length
    /// now, and a frame that has none yet re-reads them all through `refresh` (under SWMR, as the file grows).
    void follow(const std::vector<std::string>& growing, Refresh refresh);

    /// True when some value the geometry takes from the data file has one value per frame.
    bool perFrame() const { return !m_perFramePaths.empty(); }
    /// The remapper for frame `frame` of the data file (valid until the next call).
    Result<const PolarRemapper*> forFrame(std::int64_t frame);
    /// Distinct geometries met so far (remap tables looked up or built).
    std::size_t distinctGeometries() const { return m_distinct; }

private:
    GeomTemplate m_template;
    GeomOverrides m_overrides;
    GeomDataValues m_data;
    PolarGrid m_grid;
    RemapOptions m_options;
    std::vector<std::uint8_t> m_mask;
    std::size_t m_capacity;
    std::vector<std::string> m_perFramePaths;
    Refresh m_refresh;
    std::list<std::pair<std::vector<double>, PolarRemapper>> m_recent; ///< most recent first
    std::size_t m_distinct = 0;

    /// The per-frame values of `frame`, re-read once through m_refresh when some are missing.
    Result<std::vector<double>> keyFor(std::int64_t frame);
};

} // namespace fxs
