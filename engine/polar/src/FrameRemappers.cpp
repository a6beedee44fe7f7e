#include <fxs/polar/FrameRemappers.h>

#include <algorithm>

namespace fxs {

FrameRemappers::FrameRemappers(GeomTemplate geometry, GeomOverrides overrides, GeomDataValues data, PolarGrid grid,
    RemapOptions options, std::vector<std::uint8_t> extraMask, std::size_t capacity)
    : m_template(std::move(geometry))
    , m_overrides(overrides)
    , m_data(std::move(data))
    , m_grid(grid)
    , m_options(options)
    , m_mask(std::move(extraMask))
    , m_capacity(std::max<std::size_t>(1, capacity))
{
    for (const auto& path : m_template.geometryPaths(m_overrides)) {
        auto it = m_data.find(path);
        if (it != m_data.end() && it->second.size() > 1) {
            m_perFramePaths.push_back(path);
        }
    }
}

Result<const PolarRemapper*> FrameRemappers::forFrame(std::int64_t frame)
{
    // The values that differ between frames pick the geometry; everything else is the same for the run.
    std::vector<double> key;
    for (const auto& path : m_perFramePaths) {
        const auto& v = m_data.at(path);
        if (frame < 0 || static_cast<std::size_t>(frame) >= v.size()) {
            return Error { "geometry value '" + path + "' has " + std::to_string(v.size())
                + " values in the data file, none for frame " + std::to_string(frame) };
        }
        key.push_back(v[static_cast<std::size_t>(frame)]);
    }
    for (auto it = m_recent.begin(); it != m_recent.end(); ++it) {
        if (it->first == key) {
            m_recent.splice(m_recent.begin(), m_recent, it);
            return &m_recent.front().second;
        }
    }
    auto resolved = m_template.resolve(m_overrides, m_data, frame);
    if (!resolved) {
        return resolved.error();
    }
    auto remapper = PolarRemapper::create(resolved->geometry, m_grid, m_options, m_mask);
    if (!remapper) {
        return Error { "frame " + std::to_string(frame) + ": " + remapper.error().message };
    }
    ++m_distinct;
    m_recent.emplace_front(std::move(key), std::move(*remapper));
    if (m_recent.size() > m_capacity) {
        m_recent.pop_back();
    }
    return &m_recent.front().second;
}

} // namespace fxs
