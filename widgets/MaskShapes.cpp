#include "MaskShapes.h"

#include <cmath>

namespace fxs::widgets {

void MaskShapes::setAssembly(std::shared_ptr<const ImageAssembly> assembly)
{
    const std::size_t before = slabSize();
    m_assembly = std::move(assembly);
    if (slabSize() != before) {
        m_shapes.clear(); // another detector: pixel indices of the old one mean nothing
    }
}

std::size_t MaskShapes::addOutline(Kind kind, const QPolygonF& mm)
{
    if (!m_assembly || mm.size() < 3) {
        return 0;
    }
    const PixelLayout& l = m_assembly->layout();
    const QRectF box = mm.boundingRect();
    Shape s { kind, mm, {}, {} };
    for (std::size_t i = 0; i < l.size(); ++i) {
        const QPointF c(double(l.xM[i]) * 1e3, double(l.yM[i]) * 1e3);
        if (box.contains(c) && mm.containsPoint(c, Qt::OddEvenFill)) {
            s.pixels.push_back(std::uint32_t(i));
        }
    }
    if (s.pixels.empty()) {
        return 0;
    }
    s.label = kind == Kind::Rectangle
        ? QStringLiteral("rectangle %1 × %2 mm").arg(box.width(), 0, 'f', 1).arg(box.height(), 0, 'f', 1)
        : QStringLiteral("polygon of %1 vertices").arg(mm.isClosed() ? mm.size() - 1 : mm.size());
    m_shapes.push_back(std::move(s));
    return m_shapes.back().pixels.size();
}

std::size_t MaskShapes::addThreshold(const AssembledImage& image, double value, bool above)
{
    if (!m_assembly || image.width != m_assembly->width() || image.height != m_assembly->height()) {
        return 0;
    }
    Shape s { Kind::Threshold, {}, {}, {} };
    for (int r = 0; r < image.height; ++r) {
        for (int c = 0; c < image.width; ++c) {
            const float v = image.values[std::size_t(r) * image.width + c];
            const std::int64_t slab = m_assembly->slabIndex(c, r);
            if (slab >= 0 && std::isfinite(v) && (above ? v > value : v < value)) {
                s.pixels.push_back(std::uint32_t(slab));
            }
        }
    }
    if (s.pixels.empty()) {
        return 0;
    }
    s.label = QStringLiteral("shot %1: pixels %2 %3").arg(image.shotIndex).arg(above ? ">" : "<").arg(value);
    m_shapes.push_back(std::move(s));
    return m_shapes.back().pixels.size();
}

std::size_t MaskShapes::addPixels(const std::vector<std::uint8_t>& masked, const QString& label)
{
    if (masked.size() != slabSize()) {
        return 0;
    }
    Shape s { Kind::Loaded, {}, label, {} };
    for (std::size_t i = 0; i < masked.size(); ++i) {
        if (masked[i]) {
            s.pixels.push_back(std::uint32_t(i));
        }
    }
    if (s.pixels.empty()) {
        return 0;
    }
    m_shapes.push_back(std::move(s));
    return m_shapes.back().pixels.size();
}

bool MaskShapes::undo()
{
    if (m_shapes.empty()) {
        return false;
    }
    m_shapes.pop_back();
    return true;
}

std::vector<std::uint8_t> MaskShapes::masked() const
{
    if (m_shapes.empty()) {
        return {};
    }
    std::vector<std::uint8_t> m(slabSize(), 0);
    for (const Shape& s : m_shapes) {
        for (std::uint32_t p : s.pixels) {
            m[p] = 1;
        }
    }
    return m;
}

std::size_t MaskShapes::maskedCount() const
{
    const auto m = masked();
    std::size_t n = 0;
    for (std::uint8_t v : m) {
        n += v;
    }
    return n;
}

} // namespace fxs::widgets
