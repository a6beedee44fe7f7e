#include "StreamReceiver.h"

#include <atomic>
#include <mutex>
#include <zmq.hpp>

namespace fxs::detail {

namespace {

// Connection events of the PULL socket: ZeroMQ reconnects by itself after the publisher restarts; this only
// reports it (state, reconnect count).
class ConnectionWatch final : public zmq::monitor_t {
public:
    explicit ConnectionWatch(StreamTally& tally)
        : m_tally(tally)
    {
    }
    void on_event_connected(const zmq_event_t&, const char*) override
    {
        if (m_everConnected) {
            m_tally.reconnect("the publisher is back");
        }
        m_everConnected = true;
        m_tally.state("connected");
    }
    void on_event_disconnected(const zmq_event_t&, const char*) override
    {
        m_tally.state("disconnected: waiting for the publisher");
    }

private:
    StreamTally& m_tally;
    bool m_everConnected = false;
};

std::atomic<int> g_monitorCount { 0 };

// DECTRIS Stream V2 (V1): the detector PUSHes one CBOR (multipart JSON + binary) message per start, image and end;
// we PULL.
class DectrisStreamReceiver final : public StreamReceiver {
public:
    DectrisStreamReceiver(const StreamSourceOptions& o, StreamTally& tally)
        : m_options(o)
        , m_tally(tally)
        , m_decoder(o.dectris)
        , m_decoderV1(DectrisStreamV1Decoder::Options { o.dectris.maxImageBytes })
        , m_v1(o.protocol == StreamProtocol::DectrisV1)
        , m_watch(tally)
    {
    }

    Status connect()
    {
        try {
            m_socket.set(zmq::sockopt::linger, 0);
            // Few messages wait in ZeroMQ (an image can be megabytes); the source's queue holds the rest.
            m_socket.set(zmq::sockopt::rcvhwm, std::max(2, m_options.queueFrames / 2));
            m_socket.set(zmq::sockopt::reconnect_ivl, 100);
            m_watch.init(m_socket, "inproc://fxs-stream-monitor-" + std::to_string(g_monitorCount++),
                ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED);
            m_socket.connect(m_options.endpoint);
        } catch (const zmq::error_t& e) {
            return Error { m_options.endpoint + ": cannot connect (" + e.what() + ")" };
        }
        return {};
    }

    void receive(int timeoutMs, std::vector<Frame>& out) override
    {
        while (m_watch.check_event(0)) {
        }
        zmq::pollitem_t item { m_socket.handle(), 0, ZMQ_POLLIN, 0 };
        zmq::poll(&item, 1, std::chrono::milliseconds(timeoutMs));
        if ((item.revents & ZMQ_POLLIN) == 0) {
            return;
        }
        // One message: a single CBOR part (V2), or every part of a multipart JSON + binary message (V1).
        std::vector<zmq::message_t> parts;
        do {
            zmq::message_t part;
            if (!m_socket.recv(part, zmq::recv_flags::dontwait)) {
                break;
            }
            parts.push_back(std::move(part));
        } while (m_v1 && parts.back().more());
        if (parts.empty()) {
            return;
        }
        m_tally.message();
        std::vector<std::span<const std::byte>> views;
        for (const auto& p : parts) {
            views.emplace_back(static_cast<const std::byte*>(p.data()), p.size());
        }
        auto decoded = m_v1 ? m_decoderV1.decode(views) : m_decoder.decode(views.front());
        if (!decoded) {
            m_tally.malformed(decoded.error().message);
            return;
        }
        std::visit([&](auto& m) { handle(m, out); }, *decoded);
    }

    bool ended() const override { return m_ended; }

    std::optional<DectrisStart> start() const override
    {
        std::lock_guard lock(m_startMutex);
        return m_start;
    }

private:
    void handle(DectrisStart& s, std::vector<Frame>&)
    {
        m_tally.series();
        closeSeries();
        std::lock_guard lock(m_startMutex);
        m_start = s;
        m_lastImage = -1;
        m_seriesId = s.seriesId;
        m_open = true;
    }

    void handle(DectrisImage& img, std::vector<Frame>& out)
    {
        const auto announced = start();
        const std::string where = "series " + std::to_string(img.seriesId) + " image " + std::to_string(img.imageId);
        if (announced && announced->imageSizeX > 0
            && (img.frame.nFast != announced->imageSizeX || img.frame.nSlow != announced->imageSizeY)) {
            m_tally.malformed(where + ": a " + std::to_string(img.frame.nSlow) + " x " + std::to_string(img.frame.nFast)
                + " image, the start message announced " + std::to_string(announced->imageSizeY) + " x "
                + std::to_string(announced->imageSizeX));
            return;
        }
        if (img.seriesId != m_seriesId) {
            m_seriesId = img.seriesId; // a series whose start we missed (joined late, or the start was lost)
            m_lastImage = -1;
        }
        if (!m_options.sharedStream && img.imageId > m_lastImage + 1) {
            m_tally.dropped(img.imageId - m_lastImage - 1, "series " + std::to_string(img.seriesId) + " images "
                    + std::to_string(m_lastImage + 1) + " to " + std::to_string(img.imageId - 1) + " never arrived");
        }
        m_lastImage = std::max(m_lastImage, img.imageId);
        if (announced && announced->incidentEnergyEv > 0.0) {
            img.frame.meta.photonEnergyEv = announced->incidentEnergyEv;
        }
        out.push_back(std::move(img.frame));
    }

    void handle(DectrisEnd& e, std::vector<Frame>&)
    {
        closeSeries();
        m_seriesId = e.seriesId;
        if (m_options.stopAtSeriesEnd) {
            m_ended = true;
        }
    }

    // Images announced by the start message that never came before the series closed.
    void closeSeries()
    {
        const auto s = start();
        if (!m_options.sharedStream && m_open && s && s->seriesId == m_seriesId && s->numberOfImages > m_lastImage + 1) {
            m_tally.dropped(s->numberOfImages - m_lastImage - 1, "series " + std::to_string(m_seriesId)
                    + " ended after image " + std::to_string(m_lastImage) + " of "
                    + std::to_string(s->numberOfImages));
        }
        m_open = false;
    }

    StreamSourceOptions m_options;
    StreamTally& m_tally;
    DectrisStreamDecoder m_decoder;
    DectrisStreamV1Decoder m_decoderV1;
    bool m_v1 = false; ///< DECTRIS Stream V1: multipart messages
    zmq::context_t m_context { 1 };
    zmq::socket_t m_socket { m_context, zmq::socket_type::pull };
    ConnectionWatch m_watch;
    mutable std::mutex m_startMutex;
    std::optional<DectrisStart> m_start;
    bool m_open = false; // a start message was seen and its series has not ended
    std::int64_t m_seriesId = -1;
    std::int64_t m_lastImage = -1;
    bool m_ended = false;
};

} // namespace

Result<std::unique_ptr<StreamReceiver>> makeDectrisReceiver(const StreamSourceOptions& options, StreamTally& tally)
{
    auto r = std::make_unique<DectrisStreamReceiver>(options, tally);
    if (Status st = r->connect(); !st) {
        return Error { st.message() };
    }
    return std::unique_ptr<StreamReceiver>(std::move(r));
}

} // namespace fxs::detail
