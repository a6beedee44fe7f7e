#include "NearestRemapper.h"

#include <cmath>
#include <numbers>

namespace fxs::monitor {

NearestRemapper::NearestRemapper(const DetectorGeometry& geometry, const PolarGrid& grid)
    : m_grid(grid)
    , m_pixels(geometry.pixelCount())
{
    const auto q = geometry.qInvAngstrom();
    const auto phi = geometry.phiRad();
    const auto valid = geometry.validMask();
    m_bin.assign(m_pixels, -1);
    std::vector<int> count(static_cast<std::size_t>(grid.size()), 0);
    for (std::size_t i = 0; i < m_pixels; ++i) {
        if (!valid[i] || !std::isfinite(q[i])) {
            continue;
        }
        const int iq = int(std::floor((q[i] - grid.qMinInvA) / grid.qStep()));
        double p = phi[i];
        p = p < 0 ? p + 2.0 * std::numbers::pi : p;
        const int ip = std::min(grid.nPhi - 1, int(std::floor(p / grid.phiStep())));
        if (iq < 0 || iq >= grid.nQ) {
            continue;
        }
        m_bin[i] = iq * grid.nPhi + ip;
        ++count[m_bin[i]];
    }
    m_inverseCount.resize(count.size());
    for (std::size_t b = 0; b < count.size(); ++b) {
        m_inverseCount[b] = count[b] ? 1.0f / float(count[b]) : 0.0f;
    }
}

PolarFrame NearestRemapper::remap(const Frame& frame) const
{
    PolarFrame out = PolarFrame::zeros(m_grid.nQ, m_grid.nPhi, frame.shotIndex);
    if (frame.size() != m_pixels) {
        std::fill(out.weight.begin(), out.weight.end(), 0.0f);
        return out;
    }
    for (std::size_t i = 0; i < m_pixels; ++i) {
        if (m_bin[i] >= 0) {
            out.intensity[m_bin[i]] += float(frame.value(i));
        }
    }
    for (std::size_t b = 0; b < out.intensity.size(); ++b) {
        out.intensity[b] *= m_inverseCount[b];
        out.weight[b] = m_inverseCount[b] > 0.0f ? 1.0f : 0.0f;
    }
    return out;
}

} // namespace fxs::monitor
