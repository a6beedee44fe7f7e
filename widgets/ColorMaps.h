#pragma once

#include <QString>
#include <QStringList>
#include <qcustomplot.h>

namespace fxs::widgets {

/// Colour maps offered on every image.
enum class ColorMap { Viridis, Magma, Grey, Inverted };
/// How intensities map to colour.
enum class IntensityScale { Linear, Log, Sqrt };

/// Colour-map and scale helpers shared by the image widgets.
class ColorMaps {
public:
    /// The gradient of a colour map; NaN cells (gaps, masked bins) are transparent.
    static QCPColorGradient gradient(ColorMap map);
    /// Names for combo boxes, in enum order.
    static QStringList mapNames();
    /// Names for combo boxes, in enum order.
    static QStringList scaleNames();
    /// The value a cell shows for an intensity under a scale (sqrt clamps negatives to 0).
    static double transform(double value, IntensityScale scale);
};

} // namespace fxs::widgets
