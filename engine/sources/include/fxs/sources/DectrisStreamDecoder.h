#pragma once

#include <fxs/frames/Frame.h>
#include <fxs/core/Result.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace fxs {

/// A DECTRIS Stream V2 start message: the series' settings that the analysis can use.
struct DectrisStart {
    std::int64_t seriesId = -1;
    std::string seriesUniqueId;
    std::vector<std::string> channels; ///< active channels, in the order of the image messages' data
    int imageSizeX = 0; ///< width in pixels (0 when absent)
    int imageSizeY = 0; ///< height in pixels
    double incidentEnergyEv = 0.0; ///< 0 when absent
    double incidentWavelengthA = 0.0; ///< 0 when absent
    double beamCenterXPx = 0.0; ///< where the direct beam hits, pixels from the first pixel's corner
    double beamCenterYPx = 0.0;
    double pixelSizeXM = 0.0; ///< 0 when absent
    double pixelSizeYM = 0.0;
    double detectorDistanceM = 0.0; ///< z of detector_translation, 0 when absent
    std::int64_t numberOfImages = 0; ///< 0 when absent
};

/// A DECTRIS Stream V2 image message: one channel's image as a Frame (meta.seriesId, meta.frameNumber set).
struct DectrisImage {
    std::int64_t seriesId = -1;
    std::int64_t imageId = -1;
    Frame frame;
};

/// A DECTRIS Stream V2 end message.
struct DectrisEnd {
    std::int64_t seriesId = -1;
};

/// One decoded message.
using DectrisMessage = std::variant<DectrisStart, DectrisImage, DectrisEnd>;

/// Decodes DECTRIS Stream V2 messages: one CBOR map per message (`type` start/image/end), images as RFC 8746
/// multi-dimensional typed arrays, raw or compressed with tag 56500 (["bslz4", element size, bytes] or ["lz4", 0,
/// bytes], the HDF5 filters' framing).
///
/// Pixel types: uint8 and uint16 become uint16 frames, int8/int16 int16, int32 int32, float32/float64 themselves,
/// uint32 becomes int32 with values above 2³¹ − 1 (the detector's no-data marker 2³² − 1) set to −1. 64-bit
/// integers and float16/128 are refused as unknown pixel types. Every failure is an Error naming the message and,
/// when it was read, the image id. Stateless and thread-safe.
class DectrisStreamDecoder {
public:
    struct Options {
        std::string channel; ///< image channel to take (e.g. "threshold_1"); empty: the first in the message
        std::size_t maxImageBytes = std::size_t { 1 } << 30; ///< larger images are refused (decompression bomb)
        /// Leave a compressed image (bslz4 or lz4) whose elements become the frame's pixels unchanged (little-endian
        /// 16/32-bit integers other than uint32, floats) compressed: Frame::encoding and Frame::encoded are set and
        /// the caller decodes it on its own threads (fxs::decodePixels; the shot pipeline's workers do). Only the
        /// 12-byte header is checked here (the announced size must be the image's); a damaged block is found then.
        bool deferDecode = false;
    };
    explicit DectrisStreamDecoder(Options options);
    DectrisStreamDecoder();

    /// Decodes one message (the bytes of one ZeroMQ message).
    Result<DectrisMessage> decode(std::span<const std::byte> message) const;

private:
    Options m_options;
};

/// Where a DECTRIS stream's compressed images are decoded (Options::deferDecode), by `mode`: "workers" (the shot
/// pipeline's), "receiver" (the one receiving thread), or "auto": the workers from 8 cores on. With few cores the
/// analysis caps the run and decoding on the receiver overlaps it (fxs-bench stream on 2 cores: the workers at
/// 0.7–0.9 ×); with many, the receiving thread caps a bitshuffle-LZ4 stream at ~170–230 frames/s (the workers:
/// 2.4 × on 8 cores, 4.7 × on 16; docs/PERFORMANCE.md § stream). An unknown mode is an error naming it.
Result<bool> decodeOnWorkers(const std::string& mode, unsigned cores);

} // namespace fxs
