#pragma once

#include "ImageAssembly.h"

#include <QPolygonF>
#include <QString>
#include <cstdint>
#include <memory>
#include <vector>

namespace fxs::widgets {

/// The mask a scientist draws on the detector view, as slab pixels: rectangles and polygons in lab millimetres (the
/// view's axes), thresholds on the shown frame, and masks loaded from files. A pixel is masked by a shape when its
/// own lab centre (PixelLayout) lies inside it, so a shape drawn on one panel never reaches another panel's pixels
/// that merely sit next to them in the slab.
class MaskShapes {
public:
    enum class Kind { Rectangle, Polygon, Threshold, Loaded };
    struct Shape {
        Kind kind = Kind::Rectangle;
        QPolygonF mm; ///< the outline drawn (rectangles and polygons)
        QString label; ///< what the Masks panel lists
        std::vector<std::uint32_t> pixels; ///< slab pixels it masks
    };

    /// The detector the shapes are turned into pixels for; clears the shapes when the detector's shape changes.
    void setAssembly(std::shared_ptr<const ImageAssembly> assembly);
    /// Adds a rectangle or polygon (lab mm); returns the pixels it masks (0: nothing inside, not added).
    std::size_t addOutline(Kind kind, const QPolygonF& mm);
    /// Masks the pixels of `image` (the frame shown) whose value is above (`above`) or below `value`.
    std::size_t addThreshold(const AssembledImage& image, double value, bool above);
    /// Adds a whole mask (slab order, nonzero = masked), e.g. read from a file.
    std::size_t addPixels(const std::vector<std::uint8_t>& masked, const QString& label);
    /// Removes the last shape; false when there is none.
    bool undo();
    /// Removes every shape.
    void clear() { m_shapes.clear(); }
    /// The shapes, oldest first.
    const std::vector<Shape>& shapes() const { return m_shapes; }
    /// The union of the shapes: one byte per slab pixel, 1 = masked; empty when no shape masks anything.
    std::vector<std::uint8_t> masked() const;
    /// Number of distinct masked slab pixels.
    std::size_t maskedCount() const;
    /// Slab pixels of the detector (0 before setAssembly()).
    std::size_t slabSize() const { return m_assembly ? m_assembly->layout().size() : 0; }

private:
    std::shared_ptr<const ImageAssembly> m_assembly;
    std::vector<Shape> m_shapes;
};

} // namespace fxs::widgets
