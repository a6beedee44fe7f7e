#pragma once

#include <QString>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace fxs::widgets {

/// Where every pixel of a detector slab sits in the lab, as the app derives it from the geometry.
/// The widgets take it by value so that they never read geometry files themselves.
/// Lab frame: beam along +z through (0, 0), interaction point at the origin, metres.
struct PixelLayout {
    int nSlow = 0; ///< rows of the slab
    int nFast = 0; ///< columns of the slab
    std::vector<float> xM; ///< lab x of each slab pixel centre (metres)
    std::vector<float> yM; ///< lab y of each slab pixel centre (metres)
    std::vector<float> zM; ///< lab z of each slab pixel centre (metres)
    std::vector<std::uint16_t> panel; ///< panel index of each slab pixel
    std::vector<QString> panelNames; ///< names by panel index
    std::vector<std::uint8_t> bad; ///< 1 where the geometry masks the pixel; empty: none
    double wavelengthA = 1.0; ///< X-ray wavelength (Å)
    double pixelSizeM = 75e-6; ///< pixel pitch used to assemble the image (metres)

    /// Number of slab pixels.
    std::size_t size() const { return static_cast<std::size_t>(nSlow) * static_cast<std::size_t>(nFast); }
    /// True when the per-pixel arrays match the slab shape.
    bool valid() const;
    /// Momentum transfer q = 4π sin θ / λ (Å⁻¹) of slab pixel i, 2θ = atan2(√(x² + y²), z).
    double qInvA(std::size_t i) const;
    /// Azimuth φ = atan2(y, x) of slab pixel i (radians, −π … π).
    double phiRad(std::size_t i) const;
    /// In-plane radius (metres) at which q appears, at the mean detector distance: r = D tan(2 asin(qλ/4π)).
    double ringRadiusM(double qInvA) const;
    /// Mean z of the pixels (metres).
    double meanDistanceM() const;
    /// A flat detector normal to the beam: pixel (s, f) at ((f − cf)·p, (s − cs)·p, D), one panel.
    static PixelLayout flat(int nSlow, int nFast, double pixelSizeM, double distanceM, double centreSlowPx,
        double centreFastPx, double wavelengthA);
};

} // namespace fxs::widgets
