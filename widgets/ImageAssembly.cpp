#include "ImageAssembly.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace fxs::widgets {

ImageAssembly::ImageAssembly(PixelLayout layout)
    : m_layout(std::move(layout))
{
    if (!m_layout.valid()) {
        return;
    }
    const auto [xMin, xMax] = std::minmax_element(m_layout.xM.begin(), m_layout.xM.end());
    const auto [yMin, yMax] = std::minmax_element(m_layout.yM.begin(), m_layout.yM.end());
    const double step = m_layout.pixelSizeM;
    m_x0 = *xMin;
    m_y0 = *yMin;
    m_width = int(std::lround((*xMax - *xMin) / step)) + 1;
    m_height = int(std::lround((*yMax - *yMin) / step)) + 1;
    m_index.assign(static_cast<std::size_t>(m_width) * m_height, -1);
    // Nearest cell per pixel centre; tilted panels may leave single-cell holes, which show as gaps.
    for (std::size_t i = 0; i < m_layout.size(); ++i) {
        const int c = int(std::lround((m_layout.xM[i] - m_x0) / step));
        const int r = int(std::lround((m_layout.yM[i] - m_y0) / step));
        m_index[static_cast<std::size_t>(r) * m_width + c] = std::int32_t(i);
    }
}

std::int64_t ImageAssembly::slabIndex(int column, int row) const
{
    if (column < 0 || row < 0 || column >= m_width || row >= m_height) {
        return -1;
    }
    return m_index[static_cast<std::size_t>(row) * m_width + column];
}

std::int64_t ImageAssembly::slabIndexAt(double xM, double yM) const
{
    const double step = m_layout.pixelSizeM;
    if (m_width == 0 || !std::isfinite(xM) || !std::isfinite(yM)) {
        return -1;
    }
    return slabIndex(int(std::lround((xM - m_x0) / step)), int(std::lround((yM - m_y0) / step)));
}

AssembledImage ImageAssembly::assemble(const Frame& frame) const
{
    AssembledImage img;
    img.shotIndex = frame.shotIndex;
    if (frame.nSlow != m_layout.nSlow || frame.nFast != m_layout.nFast || m_width == 0
        || frame.pixels.size() < frame.size() * pixelSize(frame.type)) {
        return img;
    }
    img.width = m_width;
    img.height = m_height;
    img.values.assign(m_index.size(), std::numeric_limits<float>::quiet_NaN());
    const bool hasBad = !m_layout.bad.empty();
    for (std::size_t c = 0; c < m_index.size(); ++c) {
        const std::int32_t i = m_index[c];
        if (i >= 0 && !(hasBad && m_layout.bad[i])) {
            img.values[c] = float(frame.value(std::size_t(i)));
        }
    }
    return img;
}

std::vector<float> ImageAssembly::maskImage() const
{
    std::vector<float> out(m_index.size(), std::numeric_limits<float>::quiet_NaN());
    if (m_layout.bad.empty()) {
        return out;
    }
    for (std::size_t c = 0; c < m_index.size(); ++c) {
        if (m_index[c] >= 0 && m_layout.bad[m_index[c]]) {
            out[c] = 1.0f;
        }
    }
    return out;
}

} // namespace fxs::widgets
