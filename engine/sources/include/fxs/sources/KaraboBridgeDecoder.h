#pragma once

#include <fxs/frames/Frame.h>
#include <fxs/core/Result.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace fxs {

/// One European XFEL train from the Karabo bridge: the detector frames of its pulses.
struct KaraboTrain {
    std::int64_t trainId = -1; ///< timestamp.tid of the source's metadata, -1 when absent
    double timestampS = 0.0; ///< seconds since the epoch, 0 when absent
    std::string source; ///< the Karabo device the frames came from
    std::vector<Frame> frames; ///< one per pulse (meta.seriesId = train id, meta.frameNumber = pulse index)
};

/// Decodes Karabo bridge protocol 2.2 replies: pairs of ZeroMQ message parts, a msgpack header
/// {source, content: "msgpack"|"array", metadata | path, dtype, shape} and its payload (a msgpack map, or an array's
/// raw bytes in C order).
///
/// The detector array (by default `image.data`) is split into one frame per pulse. Layouts: "file" (pulses,
/// [modules,] ss, fs) as in European XFEL files, or "online" ([modules,] fs, ss, pulses) as the calibration pipeline
/// sends them; modules are stacked along the slow axis (nSlow = modules · ss, as CrystFEL does). Auto picks online when
/// the last axis matches the pulse count of `image.pulseId` (or `image.cellId`) and the first does not. Pixel types as
/// DectrisStreamDecoder maps them. Every failure is an Error naming the train. Stateless and thread-safe.
class KaraboBridgeDecoder {
public:
    enum class Layout { Auto, File, Online };
    struct Options {
        std::string source; ///< Karabo device to take; empty: the first one that has `dataPath`
        std::string dataPath = "image.data"; ///< the detector array inside the source
        Layout layout = Layout::Auto;
        std::size_t maxTrainBytes = std::size_t { 1 } << 31; ///< larger arrays are refused
    };
    explicit KaraboBridgeDecoder(Options options);
    KaraboBridgeDecoder();

    /// Decodes one reply (all of its parts).
    Result<KaraboTrain> decode(const std::vector<std::span<const std::byte>>& parts) const;

    /// Parses "auto", "file" or "online".
    static Result<Layout> parseLayout(const std::string& name);

private:
    Options m_options;
};

} // namespace fxs
