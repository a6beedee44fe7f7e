#include <fxs/sources/DetectorStreamSource.h>

#include "StreamReceiver.h"
#include "StreamTally.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace fxs {

namespace detail {
Result<std::unique_ptr<StreamReceiver>> makeKaraboReceiver(const StreamSourceOptions& options, StreamTally& tally);
Result<std::unique_ptr<StreamReceiver>> makeDectrisReceiver(const StreamSourceOptions& options, StreamTally& tally);

Result<std::unique_ptr<StreamReceiver>> makeStreamReceiver(const StreamSourceOptions& options, StreamTally& tally)
{
    return options.protocol == StreamProtocol::Karabo ? makeKaraboReceiver(options, tally)
                                                      : makeDectrisReceiver(options, tally);
}
} // namespace detail

using Clock = std::chrono::steady_clock;

struct DetectorStreamSource::Impl {
    StreamSourceOptions options;
    detail::StreamTally tally;
    std::unique_ptr<detail::StreamReceiver> receiver;
    std::thread thread;

    std::mutex mutex;
    std::condition_variable changed;
    std::deque<Frame> queue;
    bool stop = false; // cancel() or destruction
    bool ended = false; // the receiver saw the end of the stream
    bool finishing = false; // finish(): the receiver reads what ZeroMQ holds (queue bound lifted) until drainUntil
    Clock::time_point drainUntil;
    std::int64_t left = -1; // finish(): frames received and never taken (-1: not finished)
    std::optional<SlabShape> shape; // of the first frame; later frames of another shape are refused
    std::int64_t nextShot = 0;
    Clock::time_point lastFrame = Clock::now();

    Impl(const StreamSourceOptions& o)
        : options(o)
        , tally(o.endpoint, o.log)
    {
    }

    // Frames of the shape the stream started with; others are counted as malformed and skipped.
    bool admit(const Frame& f)
    {
        const SlabShape s { f.nSlow, f.nFast, f.type };
        std::lock_guard lock(mutex);
        if (!shape) {
            shape = s;
            return true;
        }
        if (s == *shape) {
            return true;
        }
        tally.malformed(f.meta.origin + ": a " + std::to_string(s.nSlow) + " x " + std::to_string(s.nFast) + " "
            + pixelTypeName(s.type) + " frame in a stream of " + std::to_string(shape->nSlow) + " x "
            + std::to_string(shape->nFast) + " " + pixelTypeName(shape->type) + " frames");
        return false;
    }

    // The oldest frame of the queue, numbered (nothing when empty); `lock` holds `mutex` and is released.
    std::optional<Frame> pop(std::unique_lock<std::mutex>& lock)
    {
        if (queue.empty()) {
            return std::nullopt;
        }
        Frame f = std::move(queue.front());
        queue.pop_front();
        f.shotIndex = nextShot++;
        lastFrame = Clock::now();
        lock.unlock();
        changed.notify_all();
        return f;
    }

    // Receiver thread: reads ahead while the queue has room; a full queue makes it wait (back-pressure). Finishing,
    // it reads what ZeroMQ already holds regardless of the queue, until a wait brings nothing or the time is up.
    void run()
    {
        std::vector<Frame> got;
        while (true) {
            bool draining = false;
            {
                std::unique_lock lock(mutex);
                changed.wait(lock,
                    [&] { return stop || finishing || static_cast<int>(queue.size()) < options.queueFrames; });
                if (stop || (finishing && (!receiver->drainable() || Clock::now() >= drainUntil))) {
                    return;
                }
                draining = finishing;
            }
            got.clear();
            const std::int64_t before = tally.counts().messages;
            receiver->receive(draining ? 20 : 100, got);
            for (auto& f : got) {
                if (!admit(f)) {
                    continue;
                }
                std::lock_guard lock(mutex); // counted and queued at once: frames = taken + queued
                tally.frames(1);
                queue.push_back(std::move(f));
            }
            if (!got.empty()) {
                changed.notify_all();
            }
            if (receiver->ended()) {
                std::lock_guard lock(mutex);
                ended = true;
                tally.state("ended");
                changed.notify_all();
                return;
            }
            if (draining && tally.counts().messages == before) {
                return; // nothing more is waiting for this consumer
            }
        }
    }
};

DetectorStreamSource::DetectorStreamSource(std::unique_ptr<Impl> impl)
    : m(std::move(impl))
{
}

DetectorStreamSource::~DetectorStreamSource()
{
    cancel();
    if (m->thread.joinable()) {
        m->thread.join();
    }
}

Result<std::unique_ptr<DetectorStreamSource>> DetectorStreamSource::open(const StreamSourceOptions& options)
{
    if (!isEndpoint(options.endpoint)) {
        return Error { "'" + options.endpoint + "' is not a ZeroMQ endpoint (expected tcp://HOST:PORT)" };
    }
    auto impl = std::make_unique<Impl>(options);
    auto receiver = detail::makeStreamReceiver(options, impl->tally);
    if (!receiver) {
        return receiver.error();
    }
    impl->receiver = std::move(*receiver);
    Impl* p = impl.get();
    impl->thread = std::thread([p] { p->run(); });
    std::unique_ptr<DetectorStreamSource> src(new DetectorStreamSource(std::move(impl)));
    if (!options.waitForFirstFrame) {
        return src;
    }
    std::unique_lock lock(p->mutex);
    const auto deadline = Clock::now()
        + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.connectTimeoutS));
    const auto arrived = [&] { return !p->queue.empty() || p->ended; };
    // No frame: say what did arrive (nothing at all, or only messages that were refused, and why).
    const auto noFrame = [&](const std::string& what) {
        const StreamCounts c = p->tally.counts();
        return Error { options.endpoint + ": " + what + " (" + std::to_string(c.messages) + " messages, "
            + std::to_string(c.malformed) + " malformed" + (c.lastProblem.empty() ? "" : "; " + c.lastProblem) + ")" };
    };
    while (!arrived() && Clock::now() < deadline) {
        p->changed.wait_until(lock, std::min(deadline, Clock::now() + std::chrono::milliseconds(100)), arrived);
        if (options.waiting && !arrived()) {
            lock.unlock();
            const bool wait = options.waiting(p->tally.counts());
            lock.lock();
            if (!wait) {
                return noFrame("stopped while waiting for the first frame");
            }
        }
    }
    if (p->queue.empty()) {
        return noFrame("no frame within " + std::to_string(options.connectTimeoutS).substr(0, 5) + " s");
    }
    p->lastFrame = Clock::now();
    return src;
}

Result<std::optional<Frame>> DetectorStreamSource::next()
{
    std::unique_lock lock(m->mutex);
    const auto idle = std::chrono::duration<double>(m->options.idleTimeoutS);
    const auto ready = [&] { return m->stop || m->ended || !m->queue.empty(); };
    if (m->options.idleTimeoutS > 0.0) {
        m->changed.wait_until(
            lock, m->lastFrame + std::chrono::duration_cast<Clock::duration>(idle), ready);
    } else {
        m->changed.wait(lock, ready);
    }
    if (m->stop) {
        return std::optional<Frame> {};
    }
    return m->pop(lock);
}

Result<std::optional<Frame>> DetectorStreamSource::nextWithin(double timeoutS)
{
    std::unique_lock lock(m->mutex);
    m->changed.wait_for(lock, std::chrono::duration<double>(std::max(0.0, timeoutS)),
        [&] { return m->stop || m->ended || !m->queue.empty(); });
    return m->pop(lock);
}

std::vector<FrameMetadata> DetectorStreamSource::finish(double drainS)
{
    {
        std::lock_guard lock(m->mutex);
        m->finishing = true;
        m->drainUntil = Clock::now()
            + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(std::max(0.0, drainS)));
    }
    m->changed.notify_all();
    if (m->thread.joinable()) {
        m->thread.join();
    }
    std::vector<FrameMetadata> left;
    {
        std::lock_guard lock(m->mutex);
        for (const Frame& f : m->queue) {
            left.push_back(f.meta);
        }
        m->queue.clear();
        m->left = (m->left < 0 ? 0 : m->left) + static_cast<std::int64_t>(left.size());
        m->stop = true;
    }
    m->tally.state("finished");
    m->changed.notify_all();
    return left;
}

bool DetectorStreamSource::ended() const
{
    std::lock_guard lock(m->mutex);
    return (m->ended || m->stop) && m->queue.empty();
}

std::int64_t DetectorStreamSource::queued() const
{
    std::lock_guard lock(m->mutex);
    return static_cast<std::int64_t>(m->queue.size());
}

SlabShape DetectorStreamSource::shape() const
{
    std::lock_guard lock(m->mutex);
    return m->shape.value_or(SlabShape {});
}

std::string DetectorStreamSource::description() const
{
    const SlabShape s = shape();
    const StreamProtocol p = m->options.protocol;
    return std::string(p == StreamProtocol::Karabo ? "Karabo bridge "
            : p == StreamProtocol::Dectris         ? "DECTRIS stream "
                                                   : "DECTRIS stream V1 ")
        + m->options.endpoint + " (" + std::to_string(s.nSlow) + " × " + std::to_string(s.nFast) + " "
        + pixelTypeName(s.type) + ")"
        + (p == StreamProtocol::Dectris && m->options.dectris.deferDecode
                ? ", compressed images decoded on the shot pipeline's workers"
                : "");
}

Status DetectorStreamSource::seek(std::int64_t shotIndex)
{
    std::lock_guard lock(m->mutex);
    m->nextShot = shotIndex; // a stream cannot go back: the next frame that arrives gets this index
    return {};
}

void DetectorStreamSource::cancel()
{
    {
        std::lock_guard lock(m->mutex);
        m->stop = true;
    }
    m->tally.state("cancelled");
    m->changed.notify_all();
}

StreamCounts DetectorStreamSource::counts() const
{
    std::lock_guard lock(m->mutex); // the receiver counts and queues a frame under it
    StreamCounts c = m->tally.counts();
    if (m->left >= 0) {
        c.leftUncorrelated = m->left;
    } else if (m->stop) {
        c.leftUncorrelated = static_cast<std::int64_t>(m->queue.size());
    }
    return c;
}

std::optional<DectrisStart> DetectorStreamSource::dectrisStart() const { return m->receiver->start(); }

std::int64_t streamGaps(
    StreamProtocol protocol, const std::vector<std::int64_t>& seriesIds, const std::vector<std::int64_t>& frameNumbers)
{
    std::map<std::int64_t, std::set<std::int64_t>> seen; // series or train → frame numbers
    for (std::size_t i = 0; i < seriesIds.size() && i < frameNumbers.size(); ++i) {
        seen[seriesIds[i]].insert(frameNumbers[i]);
    }
    if (seen.empty()) {
        return 0;
    }
    if (protocol != StreamProtocol::Karabo) {
        std::int64_t missing = 0;
        for (const auto& [series, ids] : seen) {
            missing += *ids.rbegin() + 1 - static_cast<std::int64_t>(ids.size());
        }
        return missing;
    }
    std::int64_t pulses = 0;
    for (const auto& [train, ids] : seen) {
        pulses += static_cast<std::int64_t>(ids.size());
    }
    const std::int64_t trains = static_cast<std::int64_t>(seen.size());
    const std::int64_t span = seen.rbegin()->first - seen.begin()->first + 1;
    return (span - trains) * pulses / trains;
}

Result<StreamProtocol> DetectorStreamSource::parseProtocol(const std::string& name)
{
    if (name == "karabo") {
        return StreamProtocol::Karabo;
    }
    if (name == "dectris") {
        return StreamProtocol::Dectris;
    }
    if (name == "dectris1") {
        return StreamProtocol::DectrisV1;
    }
    return Error { "unknown stream protocol '" + name + "' (expected karabo, dectris or dectris1)" };
}

bool DetectorStreamSource::isEndpoint(const std::string& input)
{
    return input.rfind("tcp://", 0) == 0 || input.rfind("ipc://", 0) == 0 || input.rfind("inproc://", 0) == 0;
}

} // namespace fxs
