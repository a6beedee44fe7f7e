#include "ImageRenderer.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace fxs::widgets {

namespace {

using Lut = std::array<QRgb, 256>;

// A fresh gradient per call: QCPColorGradient caches lazily and is not safe to share across threads.
Lut lutFor(ColorMap map)
{
    QCPColorGradient g = ColorMaps::gradient(map);
    double ramp[256];
    for (int i = 0; i < 256; ++i) {
        ramp[i] = i / 255.0;
    }
    Lut lut;
    g.colorize(ramp, QCPRange(0.0, 1.0), lut.data(), 256);
    return lut;
}

// log2 to ~0.005 from the float's exponent and a quadratic in its mantissa: 256 colours need no more, and a
// libm log per pixel was most of the cost of colouring a 2 Mpx frame.
inline double fastLog2(double v)
{
    const auto f = static_cast<float>(v);
    std::uint32_t bits = 0;
    std::memcpy(&bits, &f, sizeof bits);
    const int exponent = int((bits >> 23) & 0xFFu) - 127;
    bits = (bits & 0x7FFFFFu) | 0x3F800000u;
    float m = 0.0f;
    std::memcpy(&m, &bits, sizeof m);
    return exponent + ((-0.34484843f * m + 2.02466578f) * m - 0.67487759f);
}

struct Mapping {
    IntensityScale scale;
    double a = 0.0; ///< f(low)
    double inv = 1.0; ///< 1 / (f(high) − f(low))

    static double f(double v, IntensityScale s)
    {
        switch (s) {
        case IntensityScale::Log:
            return fastLog2(v);
        case IntensityScale::Sqrt:
            return std::sqrt(std::max(v, 0.0));
        case IntensityScale::Linear:
            break;
        }
        return v;
    }
    Mapping(const Levels& l, IntensityScale s)
        : scale(s)
    {
        double lo = l.low;
        double hi = l.high;
        if (s == IntensityScale::Log) {
            lo = lo > 0.0 ? lo : std::max(hi * 1e-4, 1e-30);
            hi = std::max(hi, lo * 1.0001);
        }
        a = f(lo, s);
        const double b = f(hi, s);
        inv = b > a ? 1.0 / (b - a) : 1.0;
    }
    int index(double v) const
    {
        if (scale == IntensityScale::Log && v <= 0.0) {
            return 0;
        }
        const double t = (f(v, scale) - a) * inv;
        return t <= 0.0 ? 0 : (t >= 1.0 ? 255 : int(t * 255.0 + 0.5));
    }
};

} // namespace

QImage ImageRenderer::render(const std::vector<float>& values, int width, int height, const RenderSettings& s)
{
    QImage img(width, height, QImage::Format_ARGB32);
    if (width <= 0 || height <= 0 || values.size() < std::size_t(width) * height) {
        return img;
    }
    const Lut lut = lutFor(s.map);
    const Mapping m(s.levels, s.scale);
    for (int r = 0; r < height; ++r) {
        auto* line = reinterpret_cast<QRgb*>(img.scanLine(height - 1 - r)); // row 0 is the lowest y
        const float* in = values.data() + std::size_t(r) * width;
        for (int c = 0; c < width; ++c) {
            line[c] = std::isnan(in[c]) ? qRgba(0, 0, 0, 0) : lut[m.index(in[c])];
        }
    }
    return img;
}

Levels ImageRenderer::levelsFor(const std::vector<float>& values, const RenderRequest& request)
{
    if (request.levelsLocked) {
        return request.levels;
    }
    return ImageLevels::percentileLevels(
        values, request.lowPercent, request.highPercent, request.scale == IntensityScale::Log);
}

QRgb ImageRenderer::colorOf(double value, const RenderSettings& s)
{
    return std::isnan(value) ? qRgba(0, 0, 0, 0) : lutFor(s.map)[Mapping(s.levels, s.scale).index(value)];
}

} // namespace fxs::widgets
