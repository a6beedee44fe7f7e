#pragma once

#include <fxs/frames/Frame.h>
#include <fxs/frames/FrameSource.h>
#include <fxs/core/Result.h>

#include <cstdint>
#include <memory>
#include <string>

namespace fxs {

/// How a CxiWriter lays out and publishes its file.
struct CxiWriterOptions {
    std::string datasetPath = "/entry_1/data_1/data"; ///< where the (N, ss, fs) stack goes
    int modules = 1; ///< > 1 writes a 4-D (N, modules, ss / modules, fs) stack
    bool swmr = false; ///< single-writer/multiple-reader mode: readers may follow the file while it grows
    bool lz4 = false; ///< compress each frame chunk with the LZ4 filter (id 32004, Debian hdf5-filter-plugin)
    bool flushEachFrame = true; ///< make every frame visible to readers as soon as it is appended
};

/// Writes a CXI detector stack frame by frame, optionally as a live SWMR file.
///
/// Live-file convention (read by LiveFileSource): besides the stack, the file holds the int64 dataset
/// `/fxs_live/state` of shape (2,): [frames committed, writer closed (0/1)]. The writer updates it after each
/// frame's pixels are flushed, so a reader that trusts min(extent, committed) never sees a half-written frame,
/// and sets the closed flag in close(). Files from other writers lack it: readers fall back to the extent.
class CxiWriter {
public:
    /// Creates (truncates) `path` for frames of `shape`; the stack starts empty and grows by append().
    static Result<std::unique_ptr<CxiWriter>> create(
        const std::string& path, const SlabShape& shape, const CxiWriterOptions& options = {});
    ~CxiWriter();
    CxiWriter(const CxiWriter&) = delete;
    CxiWriter& operator=(const CxiWriter&) = delete;

    /// Appends one frame (its shape and type must match the stack's).
    Status append(const Frame& frame);
    /// Marks the file closed for live readers, flushes and closes it; later calls do nothing.
    Status close();
    /// Frames appended so far.
    std::int64_t framesWritten() const;
    /// The file being written.
    const std::string& path() const;

private:
    struct Impl;
    explicit CxiWriter(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m;
};

} // namespace fxs
