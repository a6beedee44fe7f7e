#pragma once

#include <cstdint>
#include <string>

namespace fxs {

/// What a detector stream source has seen so far; everything a stream cannot deliver is counted here.
struct StreamCounts {
    std::int64_t messages = 0; ///< messages received (every kind, malformed ones included)
    std::int64_t frames = 0; ///< frames decoded and handed on
    std::int64_t malformed = 0; ///< messages refused (bad CBOR/msgpack, wrong sizes, unknown pixel type, bad block)
    std::int64_t dropped = 0; ///< frames the publisher numbered but never delivered (gaps in image ids / trains)
    std::int64_t reconnects = 0; ///< times the connection was re-established after the publisher went silent
    std::int64_t series = 0; ///< series (DECTRIS start messages) or trains (Karabo) seen
    /// Frames received and decoded that the consumer never took: still queued when it stopped (Stop, --max-shots, a
    /// job's end), or read from what ZeroMQ already held for it when it finished (DetectorStreamSource::finish).
    /// frames = frames taken + leftUncorrelated once the consumer stopped.
    std::int64_t leftUncorrelated = 0;
    std::string state; ///< "connecting", "waiting", "receiving", "reconnecting", "ended", "cancelled"
    std::string lastProblem; ///< the latest malformed message or drop, with its frame number ("" when none)
};

} // namespace fxs
