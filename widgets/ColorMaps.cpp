#include "ColorMaps.h"

#include <cmath>

namespace fxs::widgets {

namespace {

// Nine stops of matplotlib's viridis and magma (perceptually uniform, readable by the colour-blind).
constexpr const char* kViridis[]
    = { "#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#fde725" };
constexpr const char* kMagma[]
    = { "#000004", "#1c1044", "#4f127b", "#812581", "#b5367a", "#e55064", "#fb8861", "#fec287", "#fcfdbf" };

QCPColorGradient fromStops(const char* const* stops, int n)
{
    QCPColorGradient g;
    g.clearColorStops();
    for (int i = 0; i < n; ++i) {
        g.setColorStopAt(double(i) / (n - 1), QColor(stops[i]));
    }
    return g;
}

} // namespace

QCPColorGradient ColorMaps::gradient(ColorMap map)
{
    QCPColorGradient g;
    switch (map) {
    case ColorMap::Viridis:
        g = fromStops(kViridis, 9);
        break;
    case ColorMap::Magma:
        g = fromStops(kMagma, 9);
        break;
    case ColorMap::Grey:
        g.clearColorStops();
        g.setColorStopAt(0.0, Qt::black);
        g.setColorStopAt(1.0, Qt::white);
        break;
    case ColorMap::Inverted:
        g.clearColorStops();
        g.setColorStopAt(0.0, Qt::white);
        g.setColorStopAt(1.0, Qt::black);
        break;
    }
    g.setColorInterpolation(QCPColorGradient::ciRGB);
    g.setNanHandling(QCPColorGradient::nhTransparent);
    g.setLevelCount(256);
    return g;
}

QStringList ColorMaps::mapNames() { return { "viridis", "magma", "grey", "inverted grey" }; }

QStringList ColorMaps::scaleNames() { return { "linear", "log", "sqrt" }; }

double ColorMaps::transform(double value, IntensityScale scale)
{
    switch (scale) {
    case IntensityScale::Linear:
    case IntensityScale::Log: // QCPColorMap applies the log itself (stLogarithmic) so the scale shows real values
        return value;
    case IntensityScale::Sqrt:
        return value > 0.0 ? std::sqrt(value) : 0.0;
    }
    return value;
}

} // namespace fxs::widgets
