#pragma once

// Value parsers for CrystFEL .geom text (private to GeomParser): strict, locale-free, no exceptions.

#include <fxs/geometry/DetectorGeometry.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

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

inline std::optional<int> parseInt(std::string_view s)
{
    s = trim(s);
    if (!s.empty() && s.front() == '+') {
        s.remove_prefix(1);
    }
    int v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
        return std::nullopt;
    }
    return v;
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
