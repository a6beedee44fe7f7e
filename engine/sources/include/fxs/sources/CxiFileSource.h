#pragma once

#include <fxs/sources/FileProbe.h>
#include <fxs/frames/FrameSource.h>
#include <fxs/sources/StackInspector.h>

#include <memory>
#include <string>

namespace fxs {

/// How a CXI/HDF5 stack is opened.
struct CxiSourceOptions {
    std::string datasetPath = "/entry_1/data_1/data"; ///< the (N, ss, fs) or (N, modules, ss, fs) stack
    ProbeOptions probe; ///< limits for the out-of-process validation and the in-process re-check
    bool validate = true; ///< false only for files this program wrote itself: skips fxs-probe
    std::size_t readBlockBytes = std::size_t { 64 } << 20; ///< frames are read in blocks of about this size
    /// A mask per frame (European XFEL's `mask`, frames × modules × ss × fs uint32, the geometry's `mask` key) in
    /// the same file, of the stack's own dimensions; empty: none. A pixel is bad when it lacks a bit of
    /// `frameMaskGood` or has one of `frameMaskBad`; with neither given, when its value is nonzero. Bad pixels are
    /// delivered as NaN (integer stacks then come as float32), which every later stage treats as masked for
    /// that shot only.
    std::string frameMaskDataset;
    std::uint32_t frameMaskGood = 0;
    std::uint32_t frameMaskBad = 0;
    /// Where each frame is one LZ4 or bitshuffle-LZ4 chunk, next() returns the chunk as stored (H5Dread_chunk:
    /// Frame::encoding set, `pixels` empty) so that the caller decodes it on its own threads (fxs::decodePixels),
    /// outside the HDF5 library. Where the pixels lie uncompressed in native byte order (contiguous, or one
    /// unfiltered chunk per frame), next() returns the frame's position in the file instead (Frame::encoding
    /// InFile), read by fxs::decodePixels with pread on the caller's threads. Other layouts are read and decoded by
    /// HDF5 as usual, and so is every frame when a mask per frame is given (it applies to decoded pixels).
    bool deferDecode = false;
};

/// Frames from a closed CXI/HDF5 file, read in blocks, in their native pixel type; 4-D modular stacks are
/// folded to (modules · ss, fs) slabs. The file is first validated by fxs-probe in a separate process.
/// Frames carry the photon energy from `/entry_1/instrument_1/source_1/energy` (J, one value or one per frame)
/// when the file has it, and European XFEL's train and pulse ids (`/entry_1/trainId`, `/entry_1/pulseId`).
class CxiFileSource final : public FrameSource {
public:
    /// Validates (unless told not to) and opens `path`; every size is checked before anything is allocated.
    static Result<std::unique_ptr<CxiFileSource>> open(const std::string& path, const CxiSourceOptions& options = {});
    ~CxiFileSource() override;

    Result<std::optional<Frame>> next() override;
    SlabShape shape() const override;
    std::optional<std::int64_t> totalFrames() const override;
    std::string description() const override;
    Status seek(std::int64_t shotIndex) override;
    /// True when next() returns frames still compressed (deferDecode and a layout that allows it).
    bool defersDecode() const;
    /// True when next() returns positions of uncompressed frames in the file (deferDecode and a layout that allows it).
    bool readsInPlace() const;
    /// What validation found (dims, filters, frames).
    const StackInfo& info() const;

private:
    struct Impl;
    explicit CxiFileSource(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m;
};

} // namespace fxs
