#pragma once

#include <fxs/sources/DectrisStreamDecoder.h>
#include <fxs/frames/FrameSource.h>
#include <fxs/sources/KaraboBridgeDecoder.h>
#include <fxs/sources/StreamCounts.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace fxs {

/// The detector stream protocols a DetectorStreamSource speaks.
enum class StreamProtocol {
    Karabo, ///< European XFEL Karabo bridge: REQ "next" → msgpack header + array parts (protocol 2.2)
    Dectris, ///< DECTRIS Stream V2: PULL, one CBOR message per start/image/end
};

/// How a detector stream is followed.
struct StreamSourceOptions {
    std::string endpoint; ///< ZeroMQ endpoint of the publisher, e.g. "tcp://127.0.0.1:31001"
    StreamProtocol protocol = StreamProtocol::Dectris;
    double connectTimeoutS = 30.0; ///< open() fails when no frame arrives within this time
    double idleTimeoutS = 0.0; ///< the stream ends after this long without a frame (0: only cancel() ends it)
    int queueFrames = 16; ///< decoded frames held ahead of the consumer (then the publisher is made to wait)
    double requestTimeoutS = 2.0; ///< Karabo: an unanswered request is abandoned and the socket reconnected
    bool stopAtSeriesEnd = false; ///< DECTRIS: the end message of a series ends the stream
    DectrisStreamDecoder::Options dectris;
    KaraboBridgeDecoder::Options karabo;
    std::function<void(const std::string&)> log; ///< one line per malformed message, drop or reconnect (empty: spdlog)
};

/// Frames from a detector stream over ZeroMQ (Karabo bridge or DECTRIS Stream V2).
///
/// A receiver thread reads and decodes messages ahead of the consumer into a bounded queue; when the queue is full
/// it stops reading, so ZeroMQ holds the publisher back (PUSH blocks, REQ asks no more) instead of losing frames
/// here. Malformed messages are counted, logged with their frame number and skipped; frames the publisher numbered
/// but never delivered (gaps in DECTRIS image ids, missing Karabo trains) are counted as dropped; a publisher that
/// restarts is reconnected to. Shot indices count frames from 0 in arrival order; seek(n) renumbers (a resumed run
/// continues with new shots, and the series/frame numbers in the metadata record the gap).
class DetectorStreamSource final : public FrameSource {
public:
    /// Connects and waits (up to connectTimeoutS) for the first frame, which fixes the shape.
    static Result<std::unique_ptr<DetectorStreamSource>> open(const StreamSourceOptions& options);
    ~DetectorStreamSource() override;

    Result<std::optional<Frame>> next() override;
    SlabShape shape() const override;
    std::optional<std::int64_t> totalFrames() const override { return std::nullopt; }
    std::string description() const override;
    bool isLive() const override { return true; }
    Status seek(std::int64_t shotIndex) override;
    void cancel() override;

    /// What was received, refused and dropped so far (thread-safe).
    StreamCounts counts() const;
    /// The latest DECTRIS start message (energy, geometry), if one was seen.
    std::optional<DectrisStart> dectrisStart() const;

    /// Parses "karabo" or "dectris".
    static Result<StreamProtocol> parseProtocol(const std::string& name);
    /// True when `input` looks like a ZeroMQ endpoint (tcp://, ipc://, inproc://) rather than a file.
    static bool isEndpoint(const std::string& input);

private:
    struct Impl;
    explicit DetectorStreamSource(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m;
};

} // namespace fxs
