#pragma once

#include "ColorMaps.h"
#include "ImageAssembly.h"
#include "ImageLevels.h"

#include <QElapsedTimer>
#include <QWidget>
#include <memory>
#include <optional>

class QCustomPlot;
class QCPColorScale;
class QCPItemPixmap;
class QComboBox;
class QCheckBox;
class QLabel;

namespace fxs::widgets {

class LevelsPanel;

/// What the cursor points at on the detector image.
struct PixelReadout {
    bool valid = false; ///< false outside the detector or in a gap
    std::int64_t slabIndex = -1;
    double value = 0.0; ///< intensity as stored
    double qInvA = 0.0; ///< momentum transfer (Å⁻¹)
    double resolutionA = 0.0; ///< d = 2π / q (Å)
    double phiDeg = 0.0; ///< azimuth (degrees, 0 … 360 from +x towards +y, as the polar grid's φ)
    QString panel; ///< panel name
};

/// The assembled detector image: colour maps, linear / log / sqrt scale, percentile or typed levels with
/// a histogram, lockable levels, zoom and pan, pixel readout, mask overlay, q rings and the beam centre.
/// Axes are lab x, y in mm with the beam at (0, 0).
class DiffractionView : public QWidget {
    Q_OBJECT
public:
    explicit DiffractionView(QWidget* parent = nullptr);
    ~DiffractionView() override;

    /// Sets the pixel layout (once per geometry); clears the image.
    void setAssembly(std::shared_ptr<const ImageAssembly> assembly);
    /// Shows an image; unless levels are locked they follow its percentiles (`autoLevels` when precomputed).
    /// When the image was already coloured with the view's settings (see renderRequest()), only drawing is left.
    void setImage(std::shared_ptr<const AssembledImage> image, std::optional<Levels> autoLevels = {});
    /// What a worker needs to colour images exactly as this view would (copy it on the GUI thread).
    RenderRequest renderRequest() const;
    /// The settings the current image is shown with.
    RenderSettings renderSettings() const { return { m_colorMap, m_scale, m_levels }; }
    /// The image shown (may be null).
    std::shared_ptr<const AssembledImage> image() const { return m_image; }
    /// Chooses the colour map.
    void setColorMap(ColorMap map);
    /// Chooses the intensity scale; percentile levels are recomputed unless locked.
    void setScale(IntensityScale scale);
    /// The current intensity scale.
    IntensityScale scale() const { return m_scale; }
    /// Types levels (locks them).
    void setLevels(const Levels& levels);
    /// The levels in use.
    Levels levels() const { return m_levels; }
    /// Keeps the levels across frames when true.
    void setLevelsLocked(bool locked);
    /// True while levels are locked.
    bool levelsLocked() const { return m_locked; }
    /// The percentiles auto-levels use (default 1 and 99.5).
    void setPercentiles(double lowPercent, double highPercent);
    /// Draws rings at these q values (Å⁻¹).
    void setRings(const std::vector<double>& qInvA);
    /// Shows or hides the geometry-mask overlay.
    void setMaskVisible(bool visible);
    /// Shows the window's own mask (slab order, nonzero = masked; empty: none) as a translucent overlay.
    void setUserMask(const std::vector<std::uint8_t>& masked);
    /// Shows or hides the window-mask overlay.
    void setUserMaskVisible(bool visible);
    /// What lies under lab point (x, y) in millimetres.
    PixelReadout readoutAt(double xMm, double yMm) const;
    /// The readout line shown under the image.
    static QString readoutText(const PixelReadout& r);
    /// Zooms back to the whole detector.
    void resetZoom();
    /// The image plot (tests, export).
    QCustomPlot* plot() const { return m_plot; }
    /// The readout label (tests).
    QLabel* readoutLabel() const { return m_readout; }

signals:
    /// The levels changed (auto or typed).
    void levelsChanged(fxs::widgets::Levels levels);
    /// Colour map, scale, lock or typed levels changed: workers should colour with the new request.
    void renderRequestChanged();

private:
    void buildToolbar(QWidget* bar);
    void redraw();
    void applyLevels(bool recompute);
    void updateHistogram(bool force);
    void onMouseMove(QMouseEvent* event);
    void keepSquarePixels();
    Levels computeAutoLevels() const;

    std::shared_ptr<const ImageAssembly> m_assembly;
    std::shared_ptr<const AssembledImage> m_image;
    QCustomPlot* m_plot = nullptr;
    QCPItemPixmap* m_pixmap = nullptr;
    QCPItemPixmap* m_maskPixmap = nullptr;
    QCPItemPixmap* m_userMaskPixmap = nullptr; ///< the mask drawn or loaded in the window
    QCPColorScale* m_colorScale = nullptr;
    LevelsPanel* m_levelsPanel = nullptr;
    QLabel* m_readout = nullptr;
    QComboBox* m_mapCombo = nullptr;
    QComboBox* m_scaleCombo = nullptr;
    QCheckBox* m_maskCheck = nullptr;
    std::vector<double> m_ringsQ;
    Levels m_levels;
    bool m_locked = false;
    bool m_fitWhole = true; ///< the whole detector is shown (until the user zooms or pans)
    double m_pLow = 1.0;
    double m_pHigh = 99.5;
    ColorMap m_colorMap = ColorMap::Viridis;
    IntensityScale m_scale = IntensityScale::Log;
    QElapsedTimer m_histogramAge;
};

} // namespace fxs::widgets
