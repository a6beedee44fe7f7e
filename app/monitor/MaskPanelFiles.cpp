#include "EngineController.h"
#include "MaskPanel.h"

#include <QFileInfo>
#include <fxs/sources/MaskFile.h>

// Load and Save through the engine's mask files (fxs/sources/MaskFile.h): the same readers and writers as `fxs
// --mask` and the run control's Pixel mask field. Files hold usable = 1; the panel holds masked = 1.

namespace fxs::monitor {

bool MaskPanel::loadFile(const QString& path, QString* error)
{
    const auto geometry = m_engine->geometry();
    if (!geometry) {
        *error = tr("Load mask %1: start a run first (the mask is read for its detector)").arg(path);
        return false;
    }
    auto mask = readPixelMask(path.toStdString(), *geometry);
    if (!mask) {
        *error = tr("Load mask: %1").arg(QString::fromStdString(mask.error().message));
        return false;
    }
    if (std::size_t(mask->nSlow) * std::size_t(mask->nFast) != m_shapes.slabSize()) {
        *error = tr("Load mask %1: %2 × %3 pixels, the detector shown has %4")
                     .arg(path)
                     .arg(mask->nSlow)
                     .arg(mask->nFast)
                     .arg(m_shapes.slabSize());
        return false;
    }
    std::vector<std::uint8_t> masked(mask->usable.size());
    for (std::size_t i = 0; i < masked.size(); ++i) {
        masked[i] = mask->usable[i] ? 0 : 1;
    }
    if (m_shapes.addPixels(masked, QFileInfo(path).fileName()) == 0) {
        m_notify(tr("Mask %1 masks no pixel; nothing changed").arg(path), false);
        return true;
    }
    apply();
    return true;
}

bool MaskPanel::saveFile(const QString& path, QString* error) const
{
    const auto geometry = m_engine->geometry();
    if (!geometry || m_shapes.slabSize() == 0) {
        *error = tr("Save mask %1: no detector yet").arg(path);
        return false;
    }
    PixelMask mask { geometry->nSlow(), geometry->nFast(), std::vector<std::uint8_t>(m_shapes.slabSize(), 1) };
    const auto masked = m_shapes.masked();
    for (std::size_t i = 0; i < masked.size(); ++i) {
        mask.usable[i] = masked[i] ? 0 : 1;
    }
    const QString suffix = QFileInfo(path).suffix().toLower();
    const Status s = suffix == QLatin1String("geom") || suffix == QLatin1String("txt")
        ? writeMaskBadRegions(path.toStdString(), mask, *geometry)
        : writeMaskHdf5(path.toStdString(), mask);
    if (!s) {
        *error = tr("Save mask: %1").arg(QString::fromStdString(s.message()));
        return false;
    }
    m_notify(tr("Mask saved: %1 (%2 pixels masked)")
                 .arg(path, QString::number(m_shapes.maskedCount())),
        false);
    return true;
}

} // namespace fxs::monitor
