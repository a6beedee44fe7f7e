#include "fxs/ShotStats.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace fxs {

namespace {

    struct Sums {
        double sum = 0.0;
        double max = -std::numeric_limits<double>::infinity();
        std::int64_t saturated = 0;
        std::int64_t lit = 0;
        std::int64_t valid = 0;
    };

    template <class T>
    Sums accumulate(const Frame& f, std::span<const std::uint8_t> mask, const ShotStatsOptions& o,
        std::span<const float> satPerPixel)
    {
        const auto px = f.as<T>();
        Sums s;
        for (std::size_t i = 0; i < px.size(); ++i) {
            if (!mask.empty() && !mask[i]) {
                continue;
            }
            const double v = static_cast<double>(px[i]);
            if (!std::isfinite(v)) {
                continue; // counted as masked for this shot
            }
            ++s.valid;
            s.sum += v;
            s.max = std::max(s.max, v);
            const double sat = satPerPixel.empty() ? o.saturationAdu : satPerPixel[i];
            s.saturated += v >= sat ? 1 : 0;
            s.lit += v > o.photonThresholdAdu ? 1 : 0;
        }
        return s;
    }

    constexpr std::array<const char*, 7> kNames
        = { "sum", "mean", "max", "saturated", "masked_fraction", "hit_score", "particles" };

} // namespace

Result<ShotStats> ShotStats::compute(const Frame& frame, std::span<const std::uint8_t> validMask,
    const ShotStatsOptions& options, std::span<const float> saturationPerPixel)
{
    const std::size_t n = frame.size();
    if (frame.pixels.size() != n * pixelSize(frame.type)) {
        return Error { "shot " + std::to_string(frame.shotIndex) + ": frame holds "
            + std::to_string(frame.pixels.size()) + " bytes, expected " + std::to_string(n * pixelSize(frame.type)) };
    }
    if ((!validMask.empty() && validMask.size() != n)
        || (!saturationPerPixel.empty() && saturationPerPixel.size() != n)) {
        return Error { "shot " + std::to_string(frame.shotIndex) + ": mask or saturation map does not have the frame's "
            + std::to_string(n) + " pixels" };
    }
    Sums s;
    switch (frame.type) {
    case PixelType::UInt16:
        s = accumulate<std::uint16_t>(frame, validMask, options, saturationPerPixel);
        break;
    case PixelType::Int16:
        s = accumulate<std::int16_t>(frame, validMask, options, saturationPerPixel);
        break;
    case PixelType::Int32:
        s = accumulate<std::int32_t>(frame, validMask, options, saturationPerPixel);
        break;
    case PixelType::Float32:
        s = accumulate<float>(frame, validMask, options, saturationPerPixel);
        break;
    case PixelType::Float64:
        s = accumulate<double>(frame, validMask, options, saturationPerPixel);
        break;
    }
    ShotStats st;
    st.shotIndex = frame.shotIndex;
    st.validPixels = s.valid;
    st.sum = s.sum;
    st.mean = s.valid > 0 ? s.sum / static_cast<double>(s.valid) : 0.0;
    st.max = s.valid > 0 ? s.max : 0.0;
    st.saturated = s.saturated;
    st.maskedFraction = n > 0 ? 1.0 - static_cast<double>(s.valid) / static_cast<double>(n) : 1.0;
    st.hitScore = s.valid > 0 ? static_cast<double>(s.lit) / static_cast<double>(s.valid) : 0.0;
    if (options.particleSumAdu > 0.0) {
        // Shots add incoherently (FXS_SPEC §3): the integrated signal grows linearly with the particle count.
        st.particles = std::max(0.0, (s.sum - options.backgroundSumAdu) / options.particleSumAdu);
    }
    return st;
}

double ShotStats::get(ShotStatistic s) const
{
    switch (s) {
    case ShotStatistic::Sum:
        return sum;
    case ShotStatistic::Mean:
        return mean;
    case ShotStatistic::Max:
        return max;
    case ShotStatistic::Saturated:
        return static_cast<double>(saturated);
    case ShotStatistic::MaskedFraction:
        return maskedFraction;
    case ShotStatistic::HitScore:
        return hitScore;
    case ShotStatistic::Particles:
        return particles;
    }
    return std::numeric_limits<double>::quiet_NaN();
}

const char* ShotStats::name(ShotStatistic s) { return kNames[static_cast<std::size_t>(s)]; }

std::optional<ShotStatistic> ShotStats::fromName(std::string_view name)
{
    for (std::size_t i = 0; i < kNames.size(); ++i) {
        if (name == kNames[i]) {
            return static_cast<ShotStatistic>(i);
        }
    }
    return std::nullopt;
}

} // namespace fxs
