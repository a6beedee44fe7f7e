#pragma once

#include "ImageRenderer.h"
#include "PixelLayout.h"

#include <cstdint>
#include <fxs/frames/Frame.h>
#include <memory>
#include <vector>

namespace fxs::widgets {

/// One assembled detector image ready to show: values on a regular lab grid, NaN in gaps.
struct AssembledImage {
    std::int64_t shotIndex = -1; ///< the shot it shows
    int width = 0; ///< columns (lab x)
    int height = 0; ///< rows (lab y)
    std::vector<float> values; ///< width × height, row-major (y slowest), NaN in gaps and masked pixels
    QImage rendered; ///< coloured off the GUI thread (may be null: the view colours it itself)
    RenderSettings renderedWith; ///< the settings `rendered` was made with
};

/// Maps a detector slab onto a regular lab grid (one cell per pixel pitch), computed once per geometry;
/// assembling a frame is then one gather per cell, cheap enough for a worker thread at full rate.
class ImageAssembly {
public:
    /// Builds the map; an invalid layout gives an empty assembly.
    explicit ImageAssembly(PixelLayout layout);

    /// The layout it was built from.
    const PixelLayout& layout() const { return m_layout; }
    /// Image columns.
    int width() const { return m_width; }
    /// Image rows.
    int height() const { return m_height; }
    /// Lab x (metres) of the centre of column 0.
    double x0M() const { return m_x0; }
    /// Lab y (metres) of the centre of row 0.
    double y0M() const { return m_y0; }
    /// Cell pitch (metres).
    double stepM() const { return m_layout.pixelSizeM; }
    /// Slab index shown in cell (column, row), −1 for a gap or outside.
    std::int64_t slabIndex(int column, int row) const;
    /// Slab index under lab point (x, y) in metres, −1 for a gap or outside.
    std::int64_t slabIndexAt(double xM, double yM) const;
    /// Assembles a frame (its shape must match the layout; otherwise an empty image).
    AssembledImage assemble(const Frame& frame) const;
    /// The geometry mask on the image grid: 1 masked, NaN elsewhere (for a transparent overlay).
    std::vector<float> maskImage() const;

private:
    PixelLayout m_layout;
    int m_width = 0;
    int m_height = 0;
    double m_x0 = 0.0;
    double m_y0 = 0.0;
    std::vector<std::int32_t> m_index;
};

} // namespace fxs::widgets
