#include "ImageLevels.h"

#include <algorithm>
#include <cmath>

namespace fxs::widgets {

namespace {

std::vector<float> finiteSample(std::span<const float> values, bool positiveOnly, std::size_t maxSamples)
{
    const std::size_t stride
        = std::max<std::size_t>(1, (values.size() + maxSamples - 1) / std::max<std::size_t>(1, maxSamples));
    std::vector<float> out;
    out.reserve(values.size() / stride + 1);
    for (std::size_t i = 0; i < values.size(); i += stride) {
        const float v = values[i];
        if (std::isfinite(v) && (!positiveOnly || v > 0.0f)) {
            out.push_back(v);
        }
    }
    return out;
}

// Rank interpolation on an unsorted copy: two nth_element calls instead of a full sort (O(n)).
double percentileOf(std::vector<float>& v, double p)
{
    if (v.empty()) {
        return std::nan("");
    }
    const double pos = std::clamp(p, 0.0, 100.0) / 100.0 * double(v.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const double frac = pos - double(lo);
    std::nth_element(v.begin(), v.begin() + lo, v.end());
    const double a = v[lo];
    if (frac == 0.0 || lo + 1 >= v.size()) {
        return a;
    }
    const double b = *std::min_element(v.begin() + lo + 1, v.end());
    return a + frac * (b - a);
}

} // namespace

double Histogram::binCentre(std::size_t i) const
{
    const double n = double(counts.size());
    if (logBins && low > 0.0) {
        return low * std::pow(high / low, (double(i) + 0.5) / n);
    }
    return low + (high - low) * (double(i) + 0.5) / n;
}

double ImageLevels::percentile(std::span<const float> values, double p, std::size_t maxSamples)
{
    auto v = finiteSample(values, false, maxSamples);
    return percentileOf(v, p);
}

Levels ImageLevels::percentileLevels(
    std::span<const float> values, double lowPercent, double highPercent, bool positiveOnly, std::size_t maxSamples)
{
    auto v = finiteSample(values, positiveOnly, maxSamples);
    if (v.empty()) {
        return positiveOnly ? Levels { 0.1, 1.0 } : Levels { 0.0, 1.0 };
    }
    Levels l { percentileOf(v, lowPercent), percentileOf(v, highPercent) };
    if (!(l.high > l.low)) { // a flat image: open the range so colours stay defined
        const double pad = l.low != 0.0 ? std::abs(l.low) * 0.5 : 1.0;
        l.high = l.low + pad;
        if (positiveOnly) {
            l.low = l.low * 0.5;
        }
    }
    return l;
}

Histogram ImageLevels::histogram(
    std::span<const float> values, double low, double high, int bins, bool logBins, std::size_t maxSamples)
{
    Histogram h;
    h.low = low;
    h.high = high > low ? high : low + 1.0;
    h.logBins = logBins && low > 0.0;
    h.counts.assign(static_cast<std::size_t>(std::max(1, bins)), 0.0);
    const double a = h.logBins ? std::log(h.low) : h.low;
    const double b = h.logBins ? std::log(h.high) : h.high;
    const double scale = double(h.counts.size()) / (b - a);
    const std::size_t stride
        = std::max<std::size_t>(1, (values.size() + maxSamples - 1) / std::max<std::size_t>(1, maxSamples));
    for (std::size_t i = 0; i < values.size(); i += stride) {
        const float v = values[i];
        if (!std::isfinite(v) || v < h.low || v > h.high || (h.logBins && v <= 0.0f)) {
            continue;
        }
        const double x = h.logBins ? std::log(double(v)) : double(v);
        auto bin = static_cast<std::size_t>((x - a) * scale);
        h.counts[std::min(bin, h.counts.size() - 1)] += 1.0;
    }
    return h;
}

} // namespace fxs::widgets
