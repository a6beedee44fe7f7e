#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace fxs::widgets {

/// Display levels of an image: values at or below `low` take the first colour, at or above `high` the last.
struct Levels {
    double low = 0.0;
    double high = 1.0;
    bool operator==(const Levels&) const = default;
};

/// A histogram of an image's values over [low, high] in equal bins (log-spaced when asked).
struct Histogram {
    double low = 0.0;
    double high = 1.0;
    bool logBins = false;
    std::vector<double> counts;
    /// Centre of bin i in value units.
    double binCentre(std::size_t i) const;
};

/// Percentile levels and histograms of images; NaN marks gaps and masked pixels and is ignored.
class ImageLevels {
public:
    /// The p-th percentile (0–100) of the finite values, linear interpolation between ranks
    /// (numpy's default); above `maxSamples` values an evenly strided subsample is used (cheap on 2 Mpx).
    static double percentile(std::span<const float> values, double p, std::size_t maxSamples = 1u << 18);
    /// Levels from two percentiles; with `positiveOnly` (log scale) non-positive values are ignored.
    static Levels percentileLevels(std::span<const float> values, double lowPercent, double highPercent,
        bool positiveOnly, std::size_t maxSamples = 1u << 18);
    /// A histogram of the finite values in [low, high] (log-spaced bins when logBins and low > 0); above
    /// `maxSamples` values an evenly strided subsample is counted (the shape is what the eye reads).
    static Histogram histogram(std::span<const float> values, double low, double high, int bins, bool logBins,
        std::size_t maxSamples = 1u << 18);
};

} // namespace fxs::widgets
