#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace fxs {

/// Pixel types that detector stacks come in.
enum class PixelType { UInt16, Int16, Int32, Float32, Float64, UInt32 };

/// Calls `f(T{})` with T the C++ type of the pixel type `t` (one switch for every typed kernel), returning its value.
template <class F> constexpr decltype(auto) withPixelType(PixelType t, F&& f)
{
    switch (t) {
    case PixelType::UInt16:
        return f(std::uint16_t {});
    case PixelType::Int16:
        return f(std::int16_t {});
    case PixelType::Int32:
        return f(std::int32_t {});
    case PixelType::UInt32:
        return f(std::uint32_t {});
    case PixelType::Float64:
        return f(double {});
    case PixelType::Float32:
        break;
    }
    return f(float {});
}

/// Bytes per pixel of a PixelType.
constexpr std::size_t pixelSize(PixelType t)
{
    return withPixelType(t, [](auto v) { return sizeof(v); });
}

/// How a frame's pixels are held: decoded; still as the compressed chunk; or still in the file, at a known offset
/// (InFile: uncompressed pixels in native byte order). A source leaves this to the caller's threads when asked
/// (CxiSourceOptions::deferDecode); fxs::decodePixels in <fxs/sources/BitshuffleLz4.h> decodes or reads them.
enum class PixelEncoding { Plain, Lz4, BitshuffleLz4, InFile };

/// An open file that frames are read from at known offsets (PixelEncoding::InFile); defined in
/// <fxs/sources/FileExtent.h>, closed when its last frame goes.
struct OpenFile;

/// What a source knows about a shot besides its pixels.
struct FrameMetadata {
    double photonEnergyEv = 0.0; ///< 0 when unknown: the geometry's value is used
    double timestampS = 0.0; ///< seconds since the epoch, 0 when unknown
    std::int64_t pulseId = -1; ///< facility pulse id, -1 when unknown
    std::int64_t seriesId = -1; ///< detector stream: DECTRIS series id or European XFEL train id, -1 when unknown
    std::int64_t frameNumber = -1; ///< detector stream: DECTRIS image id or pulse index in the train, -1 when unknown
    std::string origin; ///< e.g. "file.cxi:/entry_1/data_1/data[17]"
};

/// One detector readout as stored: a (nSlow × nFast) slab, row-major, in its native pixel type.
/// 4-D modular stacks (N, modules, ss, fs) are folded into nSlow = modules · ss, as CrystFEL does.
struct Frame {
    std::int64_t shotIndex = 0; ///< position of the shot in the run
    int nSlow = 0; ///< rows of the slab (ss)
    int nFast = 0; ///< columns of the slab (fs)
    PixelType type = PixelType::Float32;
    std::vector<std::byte> pixels; ///< nSlow · nFast pixels of `type`
    PixelEncoding encoding = PixelEncoding::Plain; ///< not Plain: `pixels` is empty until decodePixels()
    std::vector<std::byte> encoded; ///< the compressed chunk while encoding is Lz4 or BitshuffleLz4
    std::shared_ptr<const OpenFile> file; ///< encoding InFile: the file holding the pixels, from `fileOffset`
    std::uint64_t fileOffset = 0; ///< encoding InFile: byte offset of the frame's pixels in `file`
    FrameMetadata meta;

    /// Number of pixels.
    std::size_t size() const { return static_cast<std::size_t>(nSlow) * static_cast<std::size_t>(nFast); }

    /// The pixels viewed as T (T must match `type`).
    template <class T> std::span<const T> as() const
    {
        return { reinterpret_cast<const T*>(pixels.data()), size() };
    }
    template <class T> std::span<T> as() { return { reinterpret_cast<T*>(pixels.data()), size() }; }

    /// Pixel i converted to double, whatever the stored type.
    double value(std::size_t i) const
    {
        return withPixelType(type, [&](auto v) { return static_cast<double>(as<decltype(v)>()[i]); });
    }

    /// A zeroed frame of the given shape and type.
    static Frame zeros(int nSlow, int nFast, PixelType type = PixelType::Float32)
    {
        Frame f;
        f.nSlow = nSlow;
        f.nFast = nFast;
        f.type = type;
        f.pixels.assign(f.size() * pixelSize(type), std::byte { 0 });
        return f;
    }
};

} // namespace fxs
