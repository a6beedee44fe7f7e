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

void FrameRemappers::follow(const std::vector<std::string>& growing, Refresh refresh)
{
    const auto geometryPaths = m_template.geometryPaths(m_overrides);
    for (const auto& path : growing) {
        const bool used = std::find(geometryPaths.begin(), geometryPaths.end(), path) != geometryPaths.end();
        if (used && std::find(m_perFramePaths.begin(), m_perFramePaths.end(), path) == m_perFramePaths.end()) {
            m_perFramePaths.push_back(path);
        }
    }
    m_refresh = std::move(refresh);
}

Result<std::vector<double>> FrameRemappers::keyFor(std::int64_t frame)
{
    const auto has = [&](const std::string& path) {
        const auto it = m_data.find(path);
        return frame >= 0 && it != m_data.end() && static_cast<std::size_t>(frame) < it->second.size();
    };
    if (m_refresh && !std::all_of(m_perFramePaths.begin(), m_perFramePaths.end(), has)) {
        auto data = m_refresh(frame);
        if (!data) {
            return data.error();
        }
        m_data = std::move(*data);
    }
    std::vector<double> key;
    for (const auto& path : m_perFramePaths) {
        if (!has(path)) {
            const auto it = m_data.find(path);
            return Error { "geometry value '" + path + "' has " + std::to_string(it == m_data.end() ? 0 : it->second.size())
                + " values in the data file, none for frame " + std::to_string(frame) };
        }
        key.push_back(m_data.at(path)[static_cast<std::size_t>(frame)]);
    }
    return key;
}

Result<const PolarRemapper*> FrameRemappers::forFrame(std::int64_t frame)
{
    // The values that differ between frames pick the geometry; everything else is the same for the run.
    auto k = keyFor(frame);
    if (!k) {
        return k.error();
    }
    std::vector<double> key = std::move(*k);
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
