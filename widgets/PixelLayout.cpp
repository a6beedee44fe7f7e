#include "PixelLayout.h"

#include <cmath>
#include <numbers>

namespace fxs::widgets {

bool PixelLayout::valid() const
{
    const std::size_t n = size();
    return n > 0 && xM.size() == n && yM.size() == n && zM.size() == n && (panel.empty() || panel.size() == n)
        && (bad.empty() || bad.size() == n) && wavelengthA > 0.0 && pixelSizeM > 0.0;
}

double PixelLayout::qInvA(std::size_t i) const
{
    const double r = std::hypot(double(xM[i]), double(yM[i]));
    const double twoTheta = std::atan2(r, double(zM[i]));
    return 4.0 * std::numbers::pi * std::sin(0.5 * twoTheta) / wavelengthA;
}

double PixelLayout::phiRad(std::size_t i) const { return std::atan2(double(yM[i]), double(xM[i])); }

double PixelLayout::meanDistanceM() const
{
    double sum = 0.0;
    for (const float z : zM) {
        sum += z;
    }
    return zM.empty() ? 0.0 : sum / double(zM.size());
}

double PixelLayout::ringRadiusM(double qInvA) const
{
    const double s = qInvA * wavelengthA / (4.0 * std::numbers::pi);
    if (s <= 0.0 || s >= 1.0) {
        return std::nan("");
    }
    return meanDistanceM() * std::tan(2.0 * std::asin(s));
}

PixelLayout PixelLayout::flat(int nSlow, int nFast, double pixelSizeM, double distanceM, double centreSlowPx,
    double centreFastPx, double wavelengthA)
{
    PixelLayout l;
    l.nSlow = nSlow;
    l.nFast = nFast;
    l.pixelSizeM = pixelSizeM;
    l.wavelengthA = wavelengthA;
    const std::size_t n = l.size();
    l.xM.resize(n);
    l.yM.resize(n);
    l.zM.assign(n, float(distanceM));
    l.panel.assign(n, 0);
    l.panelNames = { QStringLiteral("detector") };
    for (int s = 0; s < nSlow; ++s) {
        for (int f = 0; f < nFast; ++f) {
            const std::size_t i = static_cast<std::size_t>(s) * nFast + f;
            l.xM[i] = float((f - centreFastPx) * pixelSizeM);
            l.yM[i] = float((s - centreSlowPx) * pixelSizeM);
        }
    }
    return l;
}

} // namespace fxs::widgets
