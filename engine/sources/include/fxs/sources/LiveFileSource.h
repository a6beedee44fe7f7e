#pragma once

#include <fxs/sources/FileProbe.h>
#include <fxs/frames/FrameSource.h>
#include <fxs/sources/StackInspector.h>

#include <memory>
#include <string>

namespace fxs {

/// How a live (SWMR) file is followed.
struct LiveSourceOptions {
    std::string datasetPath = "/entry_1/data_1/data"; ///< the growing (N, ss, fs) or (N, modules, ss, fs) stack
    ProbeOptions probe; ///< limits for validation (run as a SWMR reader) and the in-process checks
    bool validate = true; ///< false only for files this program writes itself: skips fxs-probe
    int pollIntervalMs = 100; ///< how often the file is refreshed while waiting for frames
    double idleTimeoutS = 0.0; ///< end the stream after this long without a new frame (0: wait for the writer)
};

/// Frames from a file that another process is writing in HDF5 SWMR mode.
///
/// next() blocks until a frame is available, the writer closes, the idle timeout passes or cancel() is called.
/// It polls H5Drefresh and the extent, and never reads past min(extent, frames committed): with a CxiWriter
/// file (which holds `/fxs_live/state` = [frames committed, writer closed]) half-written frames are never
/// seen and the writer's close ends the stream; with other writers the extent is trusted and only the idle
/// timeout (or cancel()) ends it.
class LiveFileSource final : public FrameSource {
public:
    /// Opens `path` as a SWMR reader (validating it with fxs-probe first, unless told not to).
    static Result<std::unique_ptr<LiveFileSource>> open(const std::string& path, const LiveSourceOptions& options = {});
    ~LiveFileSource() override;

    Result<std::optional<Frame>> next() override;
    SlabShape shape() const override;
    std::optional<std::int64_t> totalFrames() const override;
    std::string description() const override;
    bool isLive() const override;
    Status seek(std::int64_t shotIndex) override;
    void cancel() override;
    /// Frames readable right now (after the last refresh).
    std::int64_t framesAvailable() const;
    /// True once the writer has marked the file closed (CxiWriter convention).
    bool writerClosed() const;
    /// next() that waits at most `timeoutS` for the frame at the cursor (polling the file): nothing when it is not
    /// written yet (or the writer closed before it, or cancel()). For a consumer with other work between frames (the
    /// rounds of a remote job); the idle timeout is the caller's.
    Result<std::optional<Frame>> nextWithin(double timeoutS);

private:
    struct Impl;
    explicit LiveFileSource(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m;
};

} // namespace fxs
