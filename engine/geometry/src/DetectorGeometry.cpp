#include <fxs/geometry/DetectorGeometry.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>
#include <string>

namespace fxs {

namespace {

// hc in eV·Å (CODATA 2018), for λ[Å] = hc / E[eV].
constexpr double kHcEvA = 12398.419843320026;

Vec3 cross(const Vec3& a, const Vec3& b)
{
    return { a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0] };
}

double norm(const Vec3& a) { return std::sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]); }

bool finite(const Vec3& a) { return std::isfinite(a[0]) && std::isfinite(a[1]) && std::isfinite(a[2]); }

// FNV-1a over raw bytes: deterministic within a build, which is all a cache key needs.
struct Hasher {
    std::uint64_t h = 1469598103934665603ULL;
    void bytes(const void* p, std::size_t n)
    {
        const auto* c = static_cast<const unsigned char*>(p);
        for (std::size_t i = 0; i < n; ++i) {
            h = (h ^ c[i]) * 1099511628211ULL;
        }
    }
    template <class T> void value(const T& v) { bytes(&v, sizeof v); }
    void text(const std::string& s)
    {
        value(s.size());
        bytes(s.data(), s.size());
    }
};

std::string panelLabel(const DetectorPanel& p, std::size_t i)
{
    return p.name.empty() ? "panel #" + std::to_string(i) : "panel '" + p.name + "'";
}

Status checkPanel(const DetectorPanel& p, std::size_t i)
{
    const std::string what = panelLabel(p, i);
    if (p.minFs < 0 || p.minSs < 0 || p.maxFs < p.minFs || p.maxSs < p.minSs) {
        return Error { what + ": min/max fs/ss must satisfy 0 ≤ min ≤ max (got fs " + std::to_string(p.minFs) + ".."
            + std::to_string(p.maxFs) + ", ss " + std::to_string(p.minSs) + ".." + std::to_string(p.maxSs) + ")" };
    }
    if (!(p.pixelsPerM > 0.0) || !std::isfinite(p.pixelsPerM)) {
        return Error { what + ": res (pixels per metre) must be a positive number" };
    }
    if (!finite(p.fsVec) || !finite(p.ssVec) || norm(cross(p.fsVec, p.ssVec)) < 1e-9) {
        return Error { what + ": fs and ss vectors must be finite and not parallel" };
    }
    const double z = p.cameraLengthM + p.coffsetM;
    if (!std::isfinite(z) || z <= 0.0 || !std::isfinite(p.cornerXPx) || !std::isfinite(p.cornerYPx)) {
        return Error { what + ": clen + coffset must be a positive distance in metres and corner_x/y finite" };
    }
    return {};
}

bool overlaps(const DetectorPanel& a, const DetectorPanel& b)
{
    return a.minFs <= b.maxFs && b.minFs <= a.maxFs && a.minSs <= b.maxSs && b.minSs <= a.maxSs;
}

} // namespace

double DetectorPanel::pixelAreaM2() const { return norm(cross(fsVec, ssVec)) / (pixelsPerM * pixelsPerM); }

Vec3 DetectorPanel::normal() const
{
    Vec3 n = cross(fsVec, ssVec);
    const double len = norm(n);
    const double sign = n[2] > 0.0 ? -1.0 : 1.0; // face the sample (towards −z)
    return { sign * n[0] / len, sign * n[1] / len, sign * n[2] / len };
}

Vec3 DetectorPanel::labPositionM(double ss, double fs) const
{
    const double df = fs - minFs;
    const double ds = ss - minSs;
    return { (cornerXPx + df * fsVec[0] + ds * ssVec[0]) / pixelsPerM,
        (cornerYPx + df * fsVec[1] + ds * ssVec[1]) / pixelsPerM,
        cameraLengthM + coffsetM + (df * fsVec[2] + ds * ssVec[2]) / pixelsPerM };
}

Result<DetectorGeometry> DetectorGeometry::singlePanel(const SinglePanelSpec& s)
{
    const double energyEv = s.photonEnergyEv > 0.0 ? s.photonEnergyEv : kHcEvA / s.wavelengthA;
    if (s.nSlow <= 0 || s.nFast <= 0 || !(s.pixelSizeM > 0.0) || !(s.distanceM > 0.0) || !(energyEv > 0.0)) {
        return Error { "single-panel detector: shape, pixel size, distance and wavelength (or photon energy) must be "
                       "positive" };
    }
    DetectorPanel p;
    p.name = "panel";
    p.maxFs = s.nFast - 1;
    p.maxSs = s.nSlow - 1;
    p.cornerXPx = -s.beamCentreFastPx;
    p.cornerYPx = -s.beamCentreSlowPx;
    p.pixelsPerM = 1.0 / s.pixelSizeM;
    p.cameraLengthM = s.distanceM;
    return fromPanels({ p }, energyEv);
}

Result<DetectorGeometry> DetectorGeometry::fromPanels(
    std::vector<DetectorPanel> panels, double photonEnergyEv, std::vector<BadRegion> badRegions, GeomMaskSource mask)
{
    if (panels.empty()) {
        return Error { "detector geometry: no panels" };
    }
    if (!(photonEnergyEv > 0.0) || !std::isfinite(photonEnergyEv)) {
        return Error { "detector geometry: photon energy must be a positive number of eV (got "
            + std::to_string(photonEnergyEv) + ")" };
    }
    DetectorGeometry g;
    for (std::size_t i = 0; i < panels.size(); ++i) {
        if (Status st = checkPanel(panels[i], i); !st) {
            return Error { "detector geometry: " + st.message() };
        }
        for (std::size_t j = 0; j < i; ++j) {
            if (overlaps(panels[i], panels[j])) {
                return Error { "detector geometry: " + panelLabel(panels[i], i) + " overlaps "
                    + panelLabel(panels[j], j) + " in the data slab" };
            }
        }
        g.m_nSlow = std::max(g.m_nSlow, panels[i].maxSs + 1);
        g.m_nFast = std::max(g.m_nFast, panels[i].maxFs + 1);
    }
    // The largest detectors have ~20 Mpx; a typo in max_fs/max_ss must not make us allocate gigabytes.
    if (static_cast<double>(g.m_nSlow) * g.m_nFast > 1.0e8) {
        return Error { "detector geometry: a slab of " + std::to_string(g.m_nSlow) + " × " + std::to_string(g.m_nFast)
            + " pixels (over 100 Mpx): check the panels' max_fs/max_ss" };
    }
    g.m_panels = std::move(panels);
    g.m_badRegions = std::move(badRegions);
    g.m_maskSource = std::move(mask);
    g.m_photonEnergyEv = photonEnergyEv;
    return g;
}

double DetectorGeometry::wavelengthA() const { return m_photonEnergyEv > 0.0 ? kHcEvA / m_photonEnergyEv : 0.0; }

Status DetectorGeometry::setPhotonEnergyEv(double ev)
{
    if (!(ev > 0.0) || !std::isfinite(ev)) {
        return Error { "photon energy must be a positive number of eV (got " + std::to_string(ev) + ")" };
    }
    m_photonEnergyEv = ev;
    return {};
}

double DetectorGeometry::referenceDistanceM() const
{
    return m_panels.empty() ? 0.0 : m_panels.front().cameraLengthM + m_panels.front().coffsetM;
}

int DetectorGeometry::panelAt(int ss, int fs) const
{
    for (std::size_t i = 0; i < m_panels.size(); ++i) {
        const auto& p = m_panels[i];
        if (fs >= p.minFs && fs <= p.maxFs && ss >= p.minSs && ss <= p.maxSs) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

std::uint64_t DetectorGeometry::fingerprint() const
{
    Hasher h;
    h.value(m_photonEnergyEv);
    h.value(m_nSlow);
    h.value(m_nFast);
    for (const auto& p : m_panels) {
        h.text(p.name);
        h.value(p.minFs), h.value(p.maxFs), h.value(p.minSs), h.value(p.maxSs);
        h.value(p.fsVec), h.value(p.ssVec), h.value(p.cornerXPx), h.value(p.cornerYPx);
        h.value(p.pixelsPerM), h.value(p.cameraLengthM), h.value(p.coffsetM), h.value(p.ignored);
    }
    for (const auto& b : m_badRegions) {
        h.text(b.name), h.text(b.panel), h.value(b.labXY);
        h.value(b.minX), h.value(b.maxX), h.value(b.minY), h.value(b.maxY);
        h.value(b.minFs), h.value(b.maxFs), h.value(b.minSs), h.value(b.maxSs);
    }
    return h.h;
}

// Calls fn(panelIndex, pixelIndex, centrePositionM) for every pixel covered by a panel.
template <class Fn> void DetectorGeometry::forEachPixel(Fn&& fn) const
{
    for (std::size_t pi = 0; pi < m_panels.size(); ++pi) {
        const auto& p = m_panels[pi];
        for (int ss = p.minSs; ss <= p.maxSs; ++ss) {
            for (int fs = p.minFs; fs <= p.maxFs; ++fs) {
                const std::size_t idx = static_cast<std::size_t>(ss) * m_nFast + fs;
                fn(pi, idx, p.labPositionM(ss + 0.5, fs + 0.5));
            }
        }
    }
}

std::vector<Vec3> DetectorGeometry::pixelPositionsM() const
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<Vec3> out(pixelCount(), Vec3 { nan, nan, nan });
    forEachPixel([&](std::size_t, std::size_t i, const Vec3& r) { out[i] = r; });
    return out;
}

std::vector<float> DetectorGeometry::twoThetaRad() const
{
    std::vector<float> out(pixelCount(), std::numeric_limits<float>::quiet_NaN());
    forEachPixel([&](std::size_t, std::size_t i, const Vec3& r) { out[i] = static_cast<float>(twoThetaOf(r)); });
    return out;
}

std::vector<float> DetectorGeometry::phiRad() const
{
    std::vector<float> out(pixelCount(), std::numeric_limits<float>::quiet_NaN());
    forEachPixel([&](std::size_t, std::size_t i, const Vec3& r) { out[i] = static_cast<float>(phiOf(r)); });
    return out;
}

std::vector<float> DetectorGeometry::qInvAngstrom() const
{
    const double lambda = wavelengthA();
    std::vector<float> out(pixelCount(), std::numeric_limits<float>::quiet_NaN());
    forEachPixel(
        [&](std::size_t, std::size_t i, const Vec3& r) { out[i] = static_cast<float>(qOf(twoThetaOf(r), lambda)); });
    return out;
}

std::vector<std::array<float, 3>> DetectorGeometry::pixelQVectors() const
{
    const double k = 2.0 * std::numbers::pi / wavelengthA();
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::vector<std::array<float, 3>> out(pixelCount(), std::array<float, 3> { nan, nan, nan });
    // k (r̂ − ẑ) equals k (sin2θ cosφ, sin2θ sinφ, cos2θ − 1) and needs no trigonometry.
    forEachPixel([&](std::size_t, std::size_t i, const Vec3& r) {
        const double len = norm(r);
        out[i] = { static_cast<float>(k * r[0] / len), static_cast<float>(k * r[1] / len),
            static_cast<float>(k * (r[2] / len - 1.0)) };
    });
    return out;
}

std::vector<float> DetectorGeometry::solidAngleFactor() const
{
    const double dRef = referenceDistanceM();
    std::vector<float> out(pixelCount(), std::numeric_limits<float>::quiet_NaN());
    forEachPixel([&](std::size_t pi, std::size_t i, const Vec3& r) {
        const Vec3 n = m_panels[pi].normal();
        const double r2 = r[0] * r[0] + r[1] * r[1] + r[2] * r[2];
        const double cosAlpha = std::abs(n[0] * r[0] + n[1] * r[1] + n[2] * r[2]) / std::sqrt(r2);
        out[i] = static_cast<float>(cosAlpha * dRef * dRef / r2);
    });
    return out;
}

std::vector<float> DetectorGeometry::polarisationFactor(double fraction, double planeAngleRad) const
{
    std::vector<float> out(pixelCount(), std::numeric_limits<float>::quiet_NaN());
    forEachPixel([&](std::size_t, std::size_t i, const Vec3& r) {
        const double tth = twoThetaOf(r);
        const double c = std::cos(tth);
        const double s = std::sin(tth);
        const double p = 0.5 * ((1.0 + c * c) - fraction * std::cos(2.0 * (phiOf(r) - planeAngleRad)) * s * s);
        out[i] = static_cast<float>(p);
    });
    return out;
}

std::vector<std::uint8_t> DetectorGeometry::validMask() const
{
    std::vector<std::uint8_t> out(pixelCount(), 0);
    forEachPixel([&](std::size_t pi, std::size_t i, const Vec3&) { out[i] = m_panels[pi].ignored ? 0 : 1; });
    for (const auto& b : m_badRegions) {
        for (const auto& p : m_panels) {
            if (!b.panel.empty() && b.panel != p.name) {
                continue;
            }
            for (int ss = p.minSs; ss <= p.maxSs; ++ss) {
                for (int fs = p.minFs; fs <= p.maxFs; ++fs) {
                    bool bad = false;
                    if (b.labXY) {
                        // CrystFEL tests the pixel centre in lab pixel units.
                        const double df = fs + 0.5 - p.minFs;
                        const double ds = ss + 0.5 - p.minSs;
                        const double x = p.cornerXPx + df * p.fsVec[0] + ds * p.ssVec[0];
                        const double y = p.cornerYPx + df * p.fsVec[1] + ds * p.ssVec[1];
                        bad = x >= b.minX && x <= b.maxX && y >= b.minY && y <= b.maxY;
                    } else {
                        bad = fs >= b.minFs && fs <= b.maxFs && ss >= b.minSs && ss <= b.maxSs;
                    }
                    if (bad) {
                        out[static_cast<std::size_t>(ss) * m_nFast + fs] = 0;
                    }
                }
            }
        }
    }
    return out;
}

Result<std::vector<std::uint8_t>> DetectorGeometry::validMaskWith(std::span<const std::uint32_t> maskValues) const
{
    if (maskValues.size() != pixelCount()) {
        return Error { "pixel mask '" + m_maskSource.dataset + "' has " + std::to_string(maskValues.size())
            + " values, the detector " + std::to_string(pixelCount()) + " (" + std::to_string(m_nSlow) + " × "
            + std::to_string(m_nFast) + ")" };
    }
    auto mask = validMask();
    const std::uint32_t good = m_maskSource.goodBits, bad = m_maskSource.badBits;
    for (std::size_t i = 0; i < mask.size(); ++i) {
        const std::uint32_t v = maskValues[i];
        mask[i] = mask[i] && (v & good) == good && (v & bad) == 0;
    }
    return mask;
}

std::vector<float> DetectorGeometry::saturationAdu() const
{
    std::vector<float> out(pixelCount(), std::numeric_limits<float>::infinity());
    forEachPixel([&](std::size_t pi, std::size_t i, const Vec3&) { out[i] = static_cast<float>(m_panels[pi].maxAdu); });
    return out;
}

double DetectorGeometry::twoThetaOf(const Vec3& r) { return std::atan2(std::hypot(r[0], r[1]), r[2]); }

double DetectorGeometry::phiOf(const Vec3& r)
{
    double phi = std::atan2(r[1], r[0]);
    if (phi < 0.0) {
        phi += 2.0 * std::numbers::pi;
    }
    return phi >= 2.0 * std::numbers::pi ? 0.0 : phi;
}

double DetectorGeometry::qOf(double twoThetaRad, double wavelengthA)
{
    return 4.0 * std::numbers::pi * std::sin(0.5 * twoThetaRad) / wavelengthA;
}

} // namespace fxs
