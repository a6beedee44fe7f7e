#pragma once

#include <fxs/results/CxiWriter.h>
#include <fxs/frames/FrameSource.h>
#include <fxs/core/Result.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace fxs {

class ParticleModel;

/// How a run is written to CXI.
struct SimulatedRunOptions {
    CxiWriterOptions writer; ///< dataset path, SWMR (live file), LZ4
    std::function<bool(std::int64_t framesWritten)> progress; ///< after each frame; return false to stop early
};

/// Writes the frames of a source (typically a SimulatorSource) into a CXI file: blocking with writeCxi(), or
/// in a background thread with start(), which is how a live SWMR file is produced at the source's rate
/// (SimulatorSourceOptions::rateHz) for `fxs simulate --live` and the live-file tests.
class SimulatedRun {
public:
    /// Writes every frame of `source` to `path`; returns the number of frames written.
    static Result<std::int64_t> writeCxi(
        FrameSource& source, const std::string& path, const SimulatedRunOptions& options);
    /// Creates `path` now (so that readers can open it on return) and writes the frames in a background thread.
    static Result<std::unique_ptr<SimulatedRun>> start(
        std::unique_ptr<FrameSource> source, const std::string& path, const SimulatedRunOptions& options);
    ~SimulatedRun(); ///< stops and joins
    SimulatedRun(const SimulatedRun&) = delete;
    SimulatedRun& operator=(const SimulatedRun&) = delete;

    /// Asks the writer to stop after the current frame and close the file. Thread-safe.
    void stop();
    /// Writes the ground truth next to a run file: `<runPath>.model.json` (the model, ParticleModel::fromFile reads
    /// it back) and `<runPath>.truth.mrc` (its density on an n³ grid, MRC2014). voxelA ≤ 0 picks a box 1.5 × the
    /// particle. Returns the paths written.
    static Result<std::vector<std::string>> writeTruth(
        const ParticleModel& model, const std::string& runPath, int n = 64, double voxelA = 0.0);
    /// Waits for the writer to finish; the frames written or the first error.
    Result<std::int64_t> wait();
    /// Frames written so far. Thread-safe.
    std::int64_t framesWritten() const;

private:
    struct Impl;
    explicit SimulatedRun(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m;
};

} // namespace fxs
