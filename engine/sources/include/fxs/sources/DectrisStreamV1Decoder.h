#pragma once

#include <fxs/sources/DectrisStreamDecoder.h>

#include <cstddef>
#include <span>
#include <vector>

namespace fxs {

/// Decodes DECTRIS Stream V1 messages (the SIMPLON stream interface of EIGER detectors, port 9999): one multipart
/// ZeroMQ message per event, JSON headers and binary data, into the same start/image/end messages as Stream V2:
///
/// - `dheader-1.0` {"htype", "series", "header_detail"}; with detail "basic" or "all" the next part is the
///   detector configuration (JSON: beam_center_x/y, detector_distance, x/y_pixel_size, x/y_pixels_in_detector,
///   wavelength, photon_energy, nimages × ntrigger); further parts ("all": flat field, pixel mask, …) are ignored.
/// - `dimage-1.0` {"htype", "series", "frame", "hash"}, `dimage_d-1.0` {"htype", "shape": [width, height], "type":
///   uint8/uint16/uint32/float32, "encoding", "size"}, the data, and `dconfig-1.0` (times, ignored). Encodings:
///   "<" raw little-endian, "lz4<" one LZ4 block, "bs8-lz4<"/"bs16-lz4<"/"bs32-lz4<" bitshuffle-LZ4 with the
///   12-byte header of the HDF5 filter.
/// - `dseries_end-1.0` {"htype", "series"}.
///
/// Pixel types map as in Stream V2 (uint32 → int32, its no-data value 2³² − 1 → −1). Every failure is an Error
/// naming the part and, when read, the series and frame. Stateless and thread-safe.
class DectrisStreamV1Decoder {
public:
    struct Options {
        std::size_t maxImageBytes = std::size_t { 1 } << 30; ///< larger images are refused (decompression bomb)
    };
    explicit DectrisStreamV1Decoder(Options options);
    DectrisStreamV1Decoder();

    /// Decodes one multipart message (its parts in order).
    Result<DectrisMessage> decode(std::span<const std::span<const std::byte>> parts) const;

private:
    Options m_options;
};

} // namespace fxs
