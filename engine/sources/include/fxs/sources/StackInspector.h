#pragma once

#include <fxs/frames/FrameSource.h>
#include <fxs/core/Result.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace fxs {

/// Caps applied before anything is allocated for a detector stack, and the slab shape it must have.
struct StackLimits {
    std::size_t maxSlabPixels = std::size_t { 64 } << 20; ///< a frame larger than this is refused (64 Mpx)
    std::int64_t maxFrames = 1'000'000'000; ///< a stack with more frames is refused
    std::size_t maxChunkBytes = std::size_t { 256 } << 20; ///< HDF5 allocates a whole chunk to read any of it
    std::size_t fullReadBytes = std::size_t { 256 } << 20; ///< stacks up to this size are read entirely
    int sampleFrames = 16; ///< frames read (first, last, evenly spaced) from larger stacks
    int expectedSlow = 0; ///< slab rows the geometry expects (0: any)
    int expectedFast = 0; ///< slab columns the geometry expects (0: any)
};

/// What validation found out about a detector stack.
struct StackInfo {
    std::string path; ///< the file
    std::string dataset; ///< the dataset path inside it
    std::vector<std::int64_t> dims; ///< the dataset's dimensions, (N, ss, fs) or (N, modules, ss, fs)
    SlabShape slab; ///< the folded frame shape and native pixel type
    std::int64_t frames = 0; ///< N
    std::int64_t framesRead = 0; ///< how many frames validation actually decoded
    std::vector<int> filters; ///< HDF5 filter ids of the dataset's pipeline (e.g. 32004 = LZ4)
};

/// Validates a CXI/HDF5 detector stack in the calling process: opens it, checks rank, type, dimensions, chunk
/// size and filters against StackLimits and decodes all (small stacks) or a sample of frames.
/// This runs the HDF5 library on untrusted bytes: use it only inside fxs-probe or a fuzzer; in the application
/// go through FileProbe, which runs it in a separate, limited process.
class StackInspector {
public:
    /// Inspects dataset `dataset` of file `path` (opened read-only, or as a SWMR reader when `swmr`).
    static Result<StackInfo> inspectFile(
        const std::string& path, const std::string& dataset, const StackLimits& limits, bool swmr = false);
    /// Inspects an in-memory file image (the fuzzer's entry point: no disk involved).
    static Result<StackInfo> inspectImage(
        std::span<const std::byte> image, const std::string& dataset, const StackLimits& limits);
    /// The verdict as one line of JSON: {"ok":true,...StackInfo...} or {"ok":false,"error":"..."}.
    static std::string toJson(const Result<StackInfo>& verdict);
    /// Parses toJson's output; malformed text gives an Error.
    static Result<StackInfo> fromJson(const std::string& text);
};

} // namespace fxs
