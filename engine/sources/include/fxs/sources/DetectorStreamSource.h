#pragma once

#include <fxs/sources/DectrisStreamDecoder.h>
#include <fxs/sources/DectrisStreamV1Decoder.h>
#include <fxs/frames/FrameSource.h>
#include <fxs/sources/KaraboBridgeDecoder.h>
#include <fxs/sources/StreamCounts.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fxs {

/// The detector stream protocols a DetectorStreamSource speaks.
enum class StreamProtocol {
    Karabo, ///< European XFEL Karabo bridge: REQ "next" → msgpack header + array parts (protocol 2.2)
    Dectris, ///< DECTRIS Stream V2: PULL, one CBOR message per start/image/end
    DectrisV1, ///< DECTRIS Stream V1 (SIMPLON, port 9999): PULL, one multipart JSON + binary message per event
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
    /// Called about every 100 ms while open() waits for the first frame, with the counts so far (a window shows the
    /// connection state); returning false gives up at once (a Stop pressed). Empty: wait up to connectTimeoutS.
    std::function<bool(const StreamCounts&)> waiting;
    /// false: open() returns once the socket is set up, without waiting for a frame (one of several consumers of a
    /// PUSH publisher may get none); shape() is then empty until the first frame arrived.
    bool waitForFirstFrame = true;
    /// One of several consumers of the same publisher (the ranks of a remote job): the gaps in image ids and train
    /// ids that the others' frames leave are not counted as dropped here; whoever sees every consumer's frames
    /// counts them (StreamGaps).
    bool sharedStream = false;
};

/// Frames a publisher numbered but never delivered, counted over what every consumer of a shared stream received:
/// per series (DECTRIS) the image ids 0 … highest that nobody got; for Karabo trains (series = train id) the
/// trains between the first and the last that nobody got, at the mean pulse count of a train.
std::int64_t streamGaps(StreamProtocol protocol, const std::vector<std::int64_t>& seriesIds,
    const std::vector<std::int64_t>& frameNumbers);

/// Frames from a detector stream over ZeroMQ (Karabo bridge, DECTRIS Stream V2 or V1).
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

    /// The next frame if one arrives within `timeoutS`, else nothing (the stream may go on: see ended()).
    Result<std::optional<Frame>> nextWithin(double timeoutS);
    /// True once the stream has ended (a DECTRIS end message with stopAtSeriesEnd) or was cancelled, and every frame
    /// received before was taken.
    bool ended() const;
    /// Frames received and decoded but not taken yet (a consumer that stops early says how many it leaves).
    std::int64_t queued() const;
    /// Ends the consumption: the receiver first reads (for up to `drainS`, until nothing more arrives) what ZeroMQ
    /// already holds for this consumer (DECTRIS PULL; a Karabo bridge is asked for nothing more), then stops. Returns
    /// the metadata (series, frame number) of every frame received and never taken, which counts() reports as
    /// leftUncorrelated from then on; the source gives no more frames.
    std::vector<FrameMetadata> finish(double drainS = 0.5);

    /// What was received, refused and dropped so far (thread-safe); once cancelled or finished, leftUncorrelated
    /// holds the frames received and never taken.
    StreamCounts counts() const;
    /// The latest DECTRIS start message (energy, geometry), if one was seen.
    std::optional<DectrisStart> dectrisStart() const;

    /// Parses "karabo", "dectris" (Stream V2) or "dectris1" (Stream V1).
    static Result<StreamProtocol> parseProtocol(const std::string& name);
    /// True when `input` looks like a ZeroMQ endpoint (tcp://, ipc://, inproc://) rather than a file.
    static bool isEndpoint(const std::string& input);

private:
    struct Impl;
    explicit DetectorStreamSource(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m;
};

} // namespace fxs
