#pragma once

#include <fxs/core/Result.h>
#include <fxs/frames/FrameSource.h>
#include <fxs/polar/FrameRemappers.h>
#include <fxs/polar/PolarFrame.h>
#include <fxs/polar/PolarRemapper.h>
#include <fxs/shots/ShotStats.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fxs {

/// What happened to one shot in the pipeline.
enum class ShotOutcome {
    Ready, ///< read, validated, remapped: `polar`, `stats` and `meta` hold it
    Refused, ///< the frame failed validation (`refusal` says why); it changed nothing
    Skipped, ///< not read: skipShot said so (a shot a checkpoint already holds)
};

/// One shot out of a ShotPipeline, delivered in shot order.
struct PipelineShot {
    std::int64_t shotIndex = 0;
    ShotOutcome outcome = ShotOutcome::Ready;
    PolarFrame polar;
    ShotStats stats; ///< of the detector frame over its valid pixels, or of the polar image (input already polar)
    FrameMetadata meta; ///< the source frame's metadata (stream series and frame numbers)
    std::string refusal; ///< why the frame was refused, naming the shot
    std::shared_ptr<const Frame> frame; ///< the detector frame itself, only with ShotPipelineConfig::keepFrames
};

/// Settings of a ShotPipeline.
struct ShotPipelineConfig {
    int threads = 0; ///< worker threads doing validation, statistics, mean image and remap; 0: all cores
    std::size_t memoryBudgetBytes = std::size_t(1) << 30; ///< frames in flight (read ahead, worked on, waiting)
    ShotStatsOptions stats;
    bool keepMean = false; ///< sum every accepted detector frame for meanDetector()
    bool keepFrames = false; ///< hand each detector frame to the consumer (PipelineShot::frame)
    /// Detector input: leave the remap to the consumer (the GPU remaps the raw frames on the device): each Ready
    /// shot carries its frame (PipelineShot::frame) and statistics, its `polar` stays empty.
    bool deferRemap = false;
    bool refuseNegative = false; ///< a valid pixel below 0 refuses the frame (off: calibrated data may dip below 0)
    /// NaN/inf at a valid pixel masks it for that shot instead of refusing the frame: the source marks its mask
    /// per frame that way (CxiSourceOptions::frameMaskDataset, European XFEL's `mask`).
    bool nonFiniteMasked = false;
    std::int64_t maxShots = -1; ///< read at most this many shots, skipped ones included (−1: no limit)
    std::int64_t lastShot = -1; ///< stop after the shot with this index (−1: no limit)
    /// Shots not to read (their outcome is Skipped): the reader seeks past them. Called on the reader thread.
    std::function<bool(std::int64_t)> skipShot;
};

/// The one per-shot path from any FrameSource (CXI and live SWMR files, simulated runs, detector streams) to
/// polar frames with their statistics, in parallel:
/// - a reader thread reads frames ahead (and resolves each frame's remapper when the geometry changes per frame);
/// - `threads` workers take one frame each and make one pass over it per step with kernels typed by pixel type:
///   validation (size; NaN/inf, and optionally negative values, at valid pixels refuse the frame), shot
///   statistics, the mean detector image and the remap through the CSR table (on the worker alone);
/// - the caller's thread gets the shots strictly in shot order (run()), so that verdicts, ledgers and the C2
///   accumulation see them as a serial loop would, whatever the thread count.
/// Frames in flight are bounded by the memory budget (the reader waits). A refused frame is reported with its
/// shot index and changes nothing (no statistics, no mean, no remap output).
class ShotPipeline {
public:
    /// Detector frames remapped onto `remapper`'s grid; `validMask` (slab order, nonzero = usable, empty = all)
    /// selects the pixels statistics and validation look at.
    ShotPipeline(std::unique_ptr<FrameSource> source, PolarRemapper remapper, std::vector<std::uint8_t> validMask,
        ShotPipelineConfig config = {});
    /// Frames that already are (nQ, nPhi) polar images; `weights` (nQ · nPhi, empty: all 1) is every frame's
    /// weight unless `weightSource` gives one weight frame per shot.
    ShotPipeline(std::unique_ptr<FrameSource> source, std::vector<float> weights,
        std::unique_ptr<FrameSource> weightSource = {}, ShotPipelineConfig config = {});
    ~ShotPipeline();
    ShotPipeline(const ShotPipeline&) = delete;
    ShotPipeline& operator=(const ShotPipeline&) = delete;

    /// Detector input whose geometry changes per frame: each frame is remapped with its own.
    void setFrameRemappers(std::unique_ptr<FrameRemappers> remappers);
    /// The settings (change them before run()).
    ShotPipelineConfig& config();

    /// Positions the input at `shotIndex` (before run()).
    Status seek(std::int64_t shotIndex);
    /// Runs to the end of the input, the limits, cancel() or a read error. `consumer` is called on the calling
    /// thread with every shot in shot order; returning false stops the run (shots in flight are dropped).
    /// Fails with the input and shot named when the source fails or a frame does not fit the remapper.
    Status run(const std::function<bool(PipelineShot&)>& consumer);
    /// Stops reading (a live source stops waiting); shots already read are still delivered. Thread-safe.
    void cancel();

    /// Frames in the input when known.
    std::optional<std::int64_t> totalFrames() const;
    /// What is read, for messages.
    std::string description() const;
    /// The one map of a detector input whose frames are uint16 (what a device remap can take), else nothing
    /// (polar input, another pixel type, a geometry that changes per frame).
    std::optional<PolarRemapper> rawRemapper() const;
    /// Worker threads used.
    int threads() const;
    /// Mean of every accepted detector frame (slab order), empty unless keepMean.
    std::vector<float> meanDetector() const;
    /// Detector frames summed into meanDetector().
    std::int64_t framesInMean() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace fxs
