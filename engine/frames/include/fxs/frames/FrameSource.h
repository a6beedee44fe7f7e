#pragma once

#include <fxs/frames/Frame.h>
#include <fxs/core/Result.h>

#include <cstdint>
#include <optional>
#include <string>

namespace fxs {

/// Shape and type of the slabs a source yields (every frame of one source has the same).
struct SlabShape {
    int nSlow = 0; ///< rows of the slab (modules · ss for 4-D stacks)
    int nFast = 0; ///< columns of the slab (fs)
    PixelType type = PixelType::Float32;

    /// Pixels per slab.
    std::size_t pixels() const { return static_cast<std::size_t>(nSlow) * static_cast<std::size_t>(nFast); }
    /// Bytes per slab.
    std::size_t bytes() const { return pixels() * pixelSize(type); }
    bool operator==(const SlabShape&) const = default;
};

/// A stream of detector frames: a file, a live (SWMR) file, a simulator or a remote stream.
///
/// Contract, shared by every implementation so that the GUI, the CLI and the MPI worker are source-agnostic:
/// - next() returns a Frame (shotIndex set, meta.origin says where it came from), std::nullopt at the end
///   of the stream, or an Error (a bad file, a vanished file). After an Error or the end, next() keeps
///   returning the same outcome.
/// - A live source may block in next() while it waits for the writer; cancel() (callable from any thread)
///   makes a blocked or later next() return std::nullopt promptly.
/// - A source is used from one thread at a time (apart from cancel()).
class FrameSource {
public:
    virtual ~FrameSource() = default;

    /// The next frame, std::nullopt at the end of the stream, or an Error.
    virtual Result<std::optional<Frame>> next() = 0;
    /// The shape and type every frame will have.
    virtual SlabShape shape() const = 0;
    /// Number of frames in the stream when known in advance (a closed file), std::nullopt otherwise.
    virtual std::optional<std::int64_t> totalFrames() const = 0;
    /// One line for humans, e.g. "CXI file run42.cxi:/entry_1/data_1/data (1000 × 1024 × 1024 uint16)".
    virtual std::string description() const = 0;
    /// True when frames can still appear (a live file being written, a simulator at a rate).
    virtual bool isLive() const { return false; }
    /// Positions the stream so that the next frame has shot index `shotIndex` (resume from a checkpoint).
    virtual Status seek(std::int64_t shotIndex)
    {
        (void)shotIndex;
        return Error { "this frame source (" + description() + ") cannot seek" };
    }
    /// Asks a live source to stop waiting: next() returns std::nullopt from now on. Thread-safe.
    virtual void cancel() { }
};

/// Name of a pixel type as used in messages and files ("uint16", "float32", ...).
constexpr const char* pixelTypeName(PixelType t)
{
    switch (t) {
    case PixelType::UInt16:
        return "uint16";
    case PixelType::Int16:
        return "int16";
    case PixelType::Int32:
        return "int32";
    case PixelType::UInt32:
        return "uint32";
    case PixelType::Float32:
        return "float32";
    case PixelType::Float64:
        return "float64";
    }
    return "unknown";
}

} // namespace fxs
