#pragma once

#include <cstdint>
#include <fxs/polar/FrameRemappers.h>
#include <fxs/frames/FrameSource.h>
#include <fxs/polar/PolarFrame.h>
#include <fxs/polar/PolarRemapper.h>
#include <fxs/core/Result.h>
#include <fxs/shots/ShotStats.h>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fxs::cli {

/// One shot on its way into C2: the polar frame and the statistics the veto rules look at.
struct FedShot {
    PolarFrame polar;
    ShotStats stats; ///< of the detector frame (detector input) or of the polar image over bins of weight > 0
    bool finite = true; ///< false when a polar bin of weight > 0 holds NaN/inf (C2 would refuse it)
    FrameMetadata meta; ///< the source frame's metadata (stream series and frame numbers)
};

/// Polar frames from a FrameSource: detector frames through a PolarRemapper, or stacks already polar.
class PolarFeed {
public:
    /// Detector frames remapped onto the remapper's grid; `validMask` (slab order, 1 = usable) selects the pixels
    /// the statistics see. With `keepMean` the feed also sums every frame read (meanDetector()).
    PolarFeed(std::unique_ptr<FrameSource> source, PolarRemapper remapper, std::vector<std::uint8_t> validMask,
        bool keepMean, ShotStatsOptions statsOptions = {});
    /// Frames that already are (nQ, nPhi) polar images; `weights` (nQ · nPhi in [0, 1], empty: all 1) is every
    /// frame's weight unless `weightSource` gives one weight frame per shot.
    PolarFeed(std::unique_ptr<FrameSource> source, std::vector<float> weights,
        std::unique_ptr<FrameSource> weightSource = {});

    /// Detector input whose geometry changes per frame: each frame is remapped with its own (the remapper given
    /// to the constructor is then unused).
    void setFrameRemappers(std::unique_ptr<FrameRemappers> remappers) { m_frameRemappers = std::move(remappers); }

    /// The next shot, std::nullopt at the end, or an Error naming the input.
    Result<std::optional<FedShot>> next();
    /// Positions the stream at `shotIndex` (resume).
    Status seek(std::int64_t shotIndex);
    /// Frames in the input when known.
    std::optional<std::int64_t> totalFrames() const { return m_source->totalFrames(); }
    /// What is read, for messages.
    std::string description() const { return m_source->description(); }
    /// Stops a live source waiting (thread-safe).
    void cancel() { m_source->cancel(); }
    /// Mean of every detector frame read (slab order), empty unless keepMean.
    std::vector<float> meanDetector() const;

private:
    Result<std::optional<FedShot>> nextDetector(Frame frame);
    Result<std::optional<FedShot>> nextPolar(Frame frame);

    std::unique_ptr<FrameSource> m_source;
    std::optional<PolarRemapper> m_remapper;
    std::unique_ptr<FrameRemappers> m_frameRemappers;
    std::vector<std::uint8_t> m_valid;
    bool m_keepMean = false;
    std::vector<double> m_sum;
    std::int64_t m_framesSummed = 0;
    std::vector<float> m_weights;
    std::unique_ptr<FrameSource> m_weightSource;
    ShotStatsOptions m_statsOptions;
};

} // namespace fxs::cli
