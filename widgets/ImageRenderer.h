#pragma once

#include "ColorMaps.h"
#include "ImageLevels.h"

#include <QImage>
#include <vector>

namespace fxs::widgets {

/// How an image is coloured.
struct RenderSettings {
    ColorMap map = ColorMap::Viridis;
    IntensityScale scale = IntensityScale::Log;
    Levels levels;
    bool operator==(const RenderSettings&) const = default;
};

/// What the detector view asks of whoever prepares its images (possibly a worker thread).
struct RenderRequest {
    ColorMap map = ColorMap::Viridis;
    IntensityScale scale = IntensityScale::Log;
    bool levelsLocked = false; ///< true: use `levels`; false: percentiles of each image
    Levels levels;
    double lowPercent = 1.0;
    double highPercent = 99.5;
};

/// Colours an image with a 256-entry table: a pure function, safe on any thread, so that a 2 Mpx frame is
/// coloured on a worker and the GUI thread only draws the result.
class ImageRenderer {
public:
    /// ARGB32 image, first row = highest y (so it draws upright), NaN transparent; values at or below the low
    /// level take the first colour, at or above the high level the last (log: non-positive values the first).
    static QImage render(const std::vector<float>& values, int width, int height, const RenderSettings& settings);
    /// The levels a request gives for these values (its locked levels, or the percentiles).
    static Levels levelsFor(const std::vector<float>& values, const RenderRequest& request);
    /// The colour a value gets (the oracle's view of one pixel of render()).
    static QRgb colorOf(double value, const RenderSettings& settings);
};

} // namespace fxs::widgets
