#pragma once

#include <fxs/frames/Frame.h>
#include <fxs/polar/PolarFrame.h>
#include <fxs/core/Result.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace fxs {

/// The per-shot statistics a veto rule can test.
enum class ShotStatistic { Sum, Mean, Max, Saturated, MaskedFraction, HitScore, Particles };

/// Settings of the per-shot statistics.
struct ShotStatsOptions {
    double saturationAdu = std::numeric_limits<double>::infinity(); ///< a valid pixel ≥ this is saturated
    double photonThresholdAdu = 0.0; ///< a valid pixel above this is lit (hit score = lit fraction)
    double particleSumAdu = 0.0; ///< integrated signal of one particle (calibration); ≤ 0: no particle estimate
    double backgroundSumAdu = 0.0; ///< integrated signal of an empty shot, subtracted before dividing
};

/// Statistics of one detector frame over its valid pixels.
struct ShotStats {
    std::int64_t shotIndex = 0;
    double sum = 0.0; ///< Σ of valid, finite pixels (ADU)
    double mean = 0.0; ///< sum / number of valid pixels
    double max = 0.0; ///< largest valid pixel
    std::int64_t saturated = 0; ///< valid pixels at or above the saturation level
    double maskedFraction = 0.0; ///< pixels not used (static mask, non-finite values) over all pixels
    double hitScore = 0.0; ///< fraction of valid pixels above the photon threshold (lit-pixel hit finding)
    double particles = std::numeric_limits<double>::quiet_NaN(); ///< (sum − background) / one particle's sum
    std::int64_t validPixels = 0; ///< pixels that entered the statistics
    // Where the shot came from, as the source numbered it (FrameMetadata; -1 when the source does not say): kept in
    // the ledger so that a shot can be found again in the facility's own records.
    std::int64_t seriesId = -1; ///< DECTRIS series id or European XFEL train id
    std::int64_t frameNumber = -1; ///< DECTRIS image id or the pulse's index in its train
    std::int64_t pulseId = -1; ///< facility pulse id

    /// Copies the source's ids (series/train, frame number, pulse) from a frame's metadata.
    void takeIds(const FrameMetadata& meta)
    {
        seriesId = meta.seriesId;
        frameNumber = meta.frameNumber;
        pulseId = meta.pulseId;
    }

    /// Computes the statistics; `validMask` (empty = all valid) has one entry per pixel, nonzero = usable.
    /// `saturationPerPixel` (optional, e.g. DetectorGeometry::saturationAdu()) overrides options.saturationAdu.
    static Result<ShotStats> compute(const Frame& frame, std::span<const std::uint8_t> validMask,
        const ShotStatsOptions& options = {}, std::span<const float> saturationPerPixel = {});
    /// The statistics of a polar image itself (input already polar, simulated polar bins): bins of weight 0 are
    /// the masked "pixels". A bin of weight > 0 holding NaN or ±inf is an error naming the first such bin.
    static Result<ShotStats> ofPolar(const PolarFrame& polar, const ShotStatsOptions& options = {});

    /// The value of one statistic.
    double get(ShotStatistic s) const;
    /// Machine name of a statistic ("hit_score").
    static const char* name(ShotStatistic s);
    /// The statistic called `name`, if any.
    static std::optional<ShotStatistic> fromName(std::string_view name);
};

} // namespace fxs
