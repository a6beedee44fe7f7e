#pragma once

#include "ColorMaps.h"
#include "ImageLevels.h"

#include <QWidget>
#include <fxs/polar/PolarFrame.h>
#include <fxs/polar/PolarGrid.h>
#include <memory>
#include <vector>

class QCustomPlot;
class QCPColorMap;
class QComboBox;

namespace fxs::widgets {

/// The polar image I(q, φ): the current shot or the mean over the run, masked bins transparent.
class PolarView : public QWidget {
    Q_OBJECT
public:
    /// Which image is shown.
    enum class Mode { Current, Mean };

    explicit PolarView(QWidget* parent = nullptr);

    /// The grid (axis values); clears both images.
    void setGrid(const PolarGrid& grid);
    /// The latest shot on the grid (weight 0 shows as a gap).
    void setFrame(std::shared_ptr<const PolarFrame> frame);
    /// The mean polar image (nQ × nPhi, φ fastest; bins never valid hold NaN or 0 with weight 0).
    void setMean(std::vector<double> mean, std::int64_t shots);
    /// Chooses the image shown.
    void setMode(Mode mode);
    /// The image shown.
    Mode mode() const { return m_mode; }
    /// Colour map and scale, as on the detector view.
    void setColorMap(ColorMap map);
    /// Linear / log / sqrt.
    void setScale(IntensityScale scale);
    /// The levels in use.
    Levels levels() const { return m_levels; }
    /// Value shown in bin (q, φ) (NaN when masked or no image).
    double cellValue(int q, int phi) const;
    /// The plot (tests, export).
    QCustomPlot* plot() const { return m_plot; }

private:
    void refresh();

    PolarGrid m_grid;
    std::shared_ptr<const PolarFrame> m_frame;
    std::vector<double> m_mean;
    std::int64_t m_meanShots = 0;
    Mode m_mode = Mode::Current;
    IntensityScale m_scale = IntensityScale::Log;
    Levels m_levels;
    std::vector<float> m_shown;
    QCustomPlot* m_plot = nullptr;
    QCPColorMap* m_map = nullptr;
    QComboBox* m_modeCombo = nullptr;
};

} // namespace fxs::widgets
