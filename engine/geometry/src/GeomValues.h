#pragma once

// Value parsers for CrystFEL .geom text (private to GeomParser): strict, locale-free, no exceptions.

#include <fxs/geometry/DetectorGeometry.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

namespace fxs::geomvalues {

inline std::string_view trim(std::string_view s)
{
    const auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && isSpace(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && isSpace(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

/// A whole-string number; from_chars refuses a leading '+', which .geom files use.
inline std::optional<double> parseDouble(std::string_view s)
{
    s = trim(s);
    if (!s.empty() && s.front() == '+') {
        s.remove_prefix(1);
    }
    double v = 0.0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) {
        return std::nullopt;
    }
    return v;
}

/// An integer; "0.0" is accepted as 0 (OM and other writers print integers as reals), "0.5" is not.
inline std::optional<int> parseInt(std::string_view s)
{
    auto d = parseDouble(s);
    if (!d || *d != std::floor(*d) || std::abs(*d) > 2.0e9) {
        return std::nullopt;
    }
    return static_cast<int>(*d);
}

/// True when a value names an HDF5 path into the data file instead of giving a number ("/LCLS/photon_energy_eV").
inline bool isHdf5Path(std::string_view s)
{
    s = trim(s);
    return !s.empty() && s.front() == '/';
}

/// "<number> [unit]" with the unit's factor into SI: a length in m or mm, an energy in eV or keV. `units` maps
/// each accepted unit word to its factor; a bare number takes `bare` (CrystFEL: metres, eV).
template <std::size_t N>
inline std::optional<double> parseWithUnits(
    std::string_view s, const std::pair<std::string_view, double> (&units)[N], double bare)
{
    s = trim(s);
    const auto cut = s.find_first_of(" \t");
    if (cut == std::string_view::npos) {
        auto v = parseDouble(s);
        return v ? std::optional<double>(*v * bare) : std::nullopt;
    }
    auto v = parseDouble(s.substr(0, cut));
    const std::string_view unit = trim(s.substr(cut));
    for (const auto& [word, factor] : units) {
        if (v && unit == word) {
            return *v * factor;
        }
    }
    return std::nullopt;
}

/// A length in metres: "0.1", "0.1 m", "95.3 mm".
inline std::optional<double> parseLength(std::string_view s)
{
    static constexpr std::pair<std::string_view, double> units[] = { { "m", 1.0 }, { "mm", 1e-3 } };
    return parseWithUnits(s, units, 1.0);
}

/// A photon energy in eV: "9000", "4570 eV", "9.8 keV".
inline std::optional<double> parseEnergy(std::string_view s)
{
    static constexpr std::pair<std::string_view, double> units[] = { { "eV", 1.0 }, { "keV", 1e3 } };
    return parseWithUnits(s, units, 1.0);
}

/// A wavelength in Å: "1.3e-10" or "1.3e-10 m" (metres, CrystFEL's default), "1.3 A".
inline std::optional<double> parseWavelengthA(std::string_view s)
{
    static constexpr std::pair<std::string_view, double> units[] = { { "m", 1e10 }, { "A", 1.0 }, { "Å", 1.0 } };
    return parseWithUnits(s, units, 1e10);
}

/// "0x0001", "1" or "0b101".
inline std::optional<std::uint32_t> parseBits(std::string_view s)
{
    s = trim(s);
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X' || s[1] == 'b' || s[1] == 'B')) {
        base = (s[1] == 'x' || s[1] == 'X') ? 16 : 2;
        s.remove_prefix(2);
    }
    std::uint32_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
        return std::nullopt;
    }
    return v;
}

/// A CrystFEL direction like "-0.0021x +0.9999y", "x", "-y" or "+1.0x+0.002z": terms [sign][number](x|y|z).
inline std::optional<Vec3> parseVector(std::string_view s)
{
    Vec3 v { 0.0, 0.0, 0.0 };
    bool any = false;
    s = trim(s);
    while (!s.empty()) {
        double sign = 1.0;
        if (s.front() == '+' || s.front() == '-') {
            sign = s.front() == '-' ? -1.0 : 1.0;
            s = trim(s.substr(1));
        }
        const auto axisPos = s.find_first_of("xyz");
        if (axisPos == std::string_view::npos) {
            return std::nullopt;
        }
        double coef = 1.0;
        if (axisPos > 0) {
            auto c = parseDouble(s.substr(0, axisPos));
            if (!c) {
                return std::nullopt;
            }
            coef = *c;
        }
        v[static_cast<std::size_t>(s[axisPos] - 'x')] += sign * coef;
        any = true;
        s = trim(s.substr(axisPos + 1));
        if (!s.empty() && s.front() != '+' && s.front() != '-') {
            return std::nullopt;
        }
    }
    if (!any) {
        return std::nullopt;
    }
    return v;
}

} // namespace fxs::geomvalues
