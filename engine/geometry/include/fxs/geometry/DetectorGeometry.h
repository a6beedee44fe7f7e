#pragma once

#include <fxs/core/Result.h>

#include <array>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace fxs {

/// Lab-frame 3-vector (x, y, z); the beam runs along +z (FXS_SPEC §1).
using Vec3 = std::array<double, 3>;

/// One flat panel, described as CrystFEL does: a rectangle of the slab placed in the lab.
/// The outer corner of slab pixel (ss, fs) of the panel sits at
///   x,y = corner + (fs − minFs)·fsVec + (ss − minSs)·ssVec   (pixel units; ÷ pixelsPerM for metres)
///   z   = cameraLengthM + coffsetM + the z parts of the same sum (÷ pixelsPerM).
/// The pixel centre is at (fs + ½, ss + ½), as in CrystFEL.
struct DetectorPanel {
    std::string name; ///< panel name from the .geom file ("p0a0"), or "panel"
    int minFs = 0; ///< first fast-scan column of the slab (inclusive)
    int maxFs = -1; ///< last fast-scan column of the slab (inclusive)
    int minSs = 0; ///< first slow-scan row of the slab (inclusive)
    int maxSs = -1; ///< last slow-scan row of the slab (inclusive)
    Vec3 fsVec { 1.0, 0.0, 0.0 }; ///< lab step (in pixels) of one fast-scan pixel
    Vec3 ssVec { 0.0, 1.0, 0.0 }; ///< lab step (in pixels) of one slow-scan pixel
    double cornerXPx = 0.0; ///< lab x of the panel's first pixel corner, in pixels
    double cornerYPx = 0.0; ///< lab y of the panel's first pixel corner, in pixels
    double pixelsPerM = 10000.0; ///< CrystFEL `res`: pixels per metre (10000 = 100 µm pixels)
    double cameraLengthM = 0.0; ///< CrystFEL `clen` in metres
    double coffsetM = 0.0; ///< CrystFEL `coffset` in metres, added to clen
    double maxAdu = std::numeric_limits<double>::infinity(); ///< saturation level (`max_adu`)
    bool ignored = false; ///< `no_index = 1`: every pixel of the panel is masked

    /// Number of fast-scan columns.
    int width() const { return maxFs - minFs + 1; }
    /// Number of slow-scan rows.
    int height() const { return maxSs - minSs + 1; }
    /// Pixel area in m².
    double pixelAreaM2() const;
    /// Unit normal of the panel plane (fsVec × ssVec, oriented towards −z, i.e. facing the sample).
    Vec3 normal() const;
    /// Lab position in metres of a point given in slab pixel coordinates (fs, ss may be fractional).
    Vec3 labPositionM(double ss, double fs) const;
};

/// A box of bad pixels: in lab x/y (pixels) when `labXY`, otherwise in slab fs/ss of one panel (or all).
struct BadRegion {
    std::string name; ///< e.g. "bad_beamstop"
    bool labXY = true; ///< true: min/max x/y in lab pixels; false: min/max fs/ss in the slab
    double minX = 0.0, maxX = -1.0, minY = 0.0, maxY = -1.0; ///< lab box (pixels), inclusive
    int minFs = 0, maxFs = -1, minSs = 0, maxSs = -1; ///< slab box, inclusive
    std::string panel; ///< restrict to one panel by name; empty: every panel
};

/// Where a .geom file says the per-pixel mask lives (read by the I/O layer, not here).
struct GeomMaskSource {
    std::string file; ///< `mask_file`; empty: the data file itself
    std::string dataset; ///< `mask`; empty: no mask dataset
    std::uint32_t goodBits = 0; ///< `mask_good`: these bits must be set
    std::uint32_t badBits = 0; ///< `mask_bad`: any of these bits set marks the pixel bad
};

/// A simple single flat panel normal to the beam.
struct SinglePanelSpec {
    int nSlow = 0; ///< rows
    int nFast = 0; ///< columns
    double pixelSizeM = 100e-6; ///< square pixel side
    double beamCentreFastPx = 0.0; ///< beam position along fs from the first pixel's outer corner, in pixels
    double beamCentreSlowPx = 0.0; ///< beam position along ss from the first pixel's outer corner, in pixels
    double distanceM = 0.1; ///< sample to detector
    double wavelengthA = 1.0; ///< X-ray wavelength in Å
    double photonEnergyEv = 0.0; ///< when > 0, used instead of wavelengthA
};

/// Geometry of a whole detector: panels covering an nSlow × nFast slab (the shape of fxs::Frame),
/// the photon energy and the static bad-pixel description. Per-pixel quantities follow FXS_SPEC §1:
/// 2θ = atan2(√(x²+y²), z), φ = atan2(y, x), q = 4π sin θ / λ in Å⁻¹.
/// Arrays are in slab order (index = ss · nFast + fs); pixels covered by no panel get q = NaN and are invalid.
class DetectorGeometry {
public:
    DetectorGeometry() = default;

    /// A single flat panel normal to the beam (pixel (0,0) in the −x,−y corner; fs along +x, ss along +y).
    static Result<DetectorGeometry> singlePanel(const SinglePanelSpec& spec);
    /// Panels, photon energy and bad regions, checked (non-overlapping slab rectangles, finite vectors).
    static Result<DetectorGeometry> fromPanels(std::vector<DetectorPanel> panels, double photonEnergyEv,
        std::vector<BadRegion> badRegions = {}, GeomMaskSource maskSource = {});

    /// Rows of the slab (max ss + 1).
    int nSlow() const { return m_nSlow; }
    /// Columns of the slab (max fs + 1).
    int nFast() const { return m_nFast; }
    /// nSlow · nFast.
    std::size_t pixelCount() const { return static_cast<std::size_t>(m_nSlow) * static_cast<std::size_t>(m_nFast); }
    /// The panels.
    const std::vector<DetectorPanel>& panels() const { return m_panels; }
    /// The bad regions.
    const std::vector<BadRegion>& badRegions() const { return m_badRegions; }
    /// Where the .geom file says the pixel mask is.
    const GeomMaskSource& maskSource() const { return m_maskSource; }
    /// Photon energy in eV.
    double photonEnergyEv() const { return m_photonEnergyEv; }
    /// Wavelength in Å (12398.42 / E[eV]).
    double wavelengthA() const;
    /// Changes the photon energy (e.g. from the frame metadata); must be > 0.
    Status setPhotonEnergyEv(double ev);
    /// Distance used to normalise the solid angle: the first panel's clen + coffset, in metres.
    double referenceDistanceM() const;
    /// Index of the panel holding slab pixel (ss, fs), or −1.
    int panelAt(int ss, int fs) const;
    /// A hash of everything that changes per-pixel geometry (panels, energy): the remap cache key.
    std::uint64_t fingerprint() const;

    /// Lab position (metres) of every pixel centre; NaN for pixels outside every panel.
    std::vector<Vec3> pixelPositionsM() const;
    /// Scattering angle 2θ (radians) of every pixel centre.
    std::vector<float> twoThetaRad() const;
    /// Azimuth φ = atan2(y, x) in [0, 2π) of every pixel centre.
    std::vector<float> phiRad() const;
    /// Momentum transfer q = 4π sin θ / λ in Å⁻¹ of every pixel centre.
    std::vector<float> qInvAngstrom() const;
    /// Ewald q-vector k (sin2θ cosφ, sin2θ sinφ, cos2θ − 1) in Å⁻¹ of every pixel centre (beam along +z).
    std::vector<std::array<float, 3>> pixelQVectors() const;
    /// Relative solid angle cosα · (D_ref / r)² (α: angle between the ray and the panel normal); cos³2θ flat.
    std::vector<float> solidAngleFactor() const;
    /// Polarisation P = ½[(1 + cos²2θ) − f cos(2(φ − φ_pol)) sin²2θ]; f = 1, φ_pol = 0: horizontal FEL beam.
    std::vector<float> polarisationFactor(double fraction = 1.0, double planeAngleRad = 0.0) const;
    /// 1 for a usable pixel, 0 for pixels outside every panel, in ignored panels or in bad regions.
    std::vector<std::uint8_t> validMask() const;
    /// validMask() also requiring the .geom mask rule on `maskValues` (the `mask` dataset read by the I/O layer, one
    /// value per pixel): usable when (v & mask_good) == mask_good and (v & mask_bad) == 0. Fails on a size mismatch.
    Result<std::vector<std::uint8_t>> validMaskWith(std::span<const std::uint32_t> maskValues) const;
    /// Saturation level (`max_adu`) of every pixel; +inf where unknown.
    std::vector<float> saturationAdu() const;

    /// Scattering angle 2θ of a lab position.
    static double twoThetaOf(const Vec3& posM);
    /// Azimuth in [0, 2π) of a lab position.
    static double phiOf(const Vec3& posM);
    /// q in Å⁻¹ for a scattering angle and wavelength.
    static double qOf(double twoThetaRad, double wavelengthA);

private:
    template <class Fn> void forEachPixel(Fn&& fn) const;

    std::vector<DetectorPanel> m_panels;
    std::vector<BadRegion> m_badRegions;
    GeomMaskSource m_maskSource;
    double m_photonEnergyEv = 0.0;
    int m_nSlow = 0;
    int m_nFast = 0;
};

} // namespace fxs
