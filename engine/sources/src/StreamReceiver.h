#pragma once

// One protocol's side of a DetectorStreamSource: owns the ZeroMQ socket, receives and decodes messages into frames.
// Used from the source's receiver thread only.

#include "StreamTally.h"
#include <fxs/sources/DetectorStreamSource.h>
#include <fxs/frames/Frame.h>

#include <memory>
#include <optional>
#include <vector>

namespace fxs::detail {

class StreamReceiver {
public:
    virtual ~StreamReceiver() = default;
    /// Waits up to `timeoutMs` for a message and appends its frames to `out`; problems go to the tally.
    virtual void receive(int timeoutMs, std::vector<Frame>& out) = 0;
    /// True when the frames ZeroMQ already holds for this consumer can be read without asking the publisher for more
    /// (PULL); a REQ socket (Karabo) would have to request them.
    virtual bool drainable() const { return true; }
    /// True once the stream has ended (a DECTRIS end message with stopAtSeriesEnd).
    virtual bool ended() const { return false; }
    /// The latest DECTRIS start message, if any.
    virtual std::optional<DectrisStart> start() const { return std::nullopt; }
};

/// The receiver for options.protocol, connected to options.endpoint; an Error when the endpoint is refused.
Result<std::unique_ptr<StreamReceiver>> makeStreamReceiver(const StreamSourceOptions& options, StreamTally& tally);

} // namespace fxs::detail
