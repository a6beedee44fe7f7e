#include "StreamReceiver.h"

#include <chrono>
#include <zmq.hpp>
#include <zmq_addon.hpp>

namespace fxs::detail {

namespace {

using Clock = std::chrono::steady_clock;

// Karabo bridge in its default REQ/REP mode: ask "next", get one train. A request left unanswered (the publisher
// died or restarted) leaves a REQ socket stuck, so the socket is replaced ("lazy pirate") and asked again.
class KaraboBridgeReceiver final : public StreamReceiver {
public:
    KaraboBridgeReceiver(const StreamSourceOptions& o, StreamTally& tally)
        : m_options(o)
        , m_tally(tally)
        , m_decoder(o.karabo)
    {
    }

    Status connect()
    {
        try {
            m_socket = std::make_unique<zmq::socket_t>(m_context, zmq::socket_type::req);
            m_socket->set(zmq::sockopt::linger, 0);
            m_socket->connect(m_options.endpoint);
        } catch (const zmq::error_t& e) {
            return Error { m_options.endpoint + ": cannot connect (" + e.what() + ")" };
        }
        m_pending = false;
        return {};
    }

    bool drainable() const override { return false; }

    void receive(int timeoutMs, std::vector<Frame>& out) override
    {
        if (!m_pending) {
            m_socket->send(zmq::str_buffer("next"), zmq::send_flags::dontwait);
            m_pending = true;
            m_sentAt = Clock::now();
        }
        zmq::pollitem_t item { m_socket->handle(), 0, ZMQ_POLLIN, 0 };
        zmq::poll(&item, 1, std::chrono::milliseconds(timeoutMs));
        if ((item.revents & ZMQ_POLLIN) != 0) {
            std::vector<zmq::message_t> parts;
            if (!zmq::recv_multipart(*m_socket, std::back_inserter(parts), zmq::recv_flags::dontwait)) {
                return;
            }
            m_pending = false;
            if (m_lostContact) {
                m_lostContact = false;
                m_tally.reconnect("the publisher answers again");
            }
            handle(parts, out);
        } else if (Clock::now() - m_sentAt > std::chrono::duration<double>(m_options.requestTimeoutS)) {
            // The request is lost with the socket; a fresh one asks again.
            m_lostContact = true;
            m_tally.state("waiting for the publisher");
            (void)connect();
        }
    }

private:
    void handle(const std::vector<zmq::message_t>& parts, std::vector<Frame>& out)
    {
        m_tally.message();
        std::vector<std::span<const std::byte>> views;
        for (const auto& p : parts) {
            views.emplace_back(static_cast<const std::byte*>(p.data()), p.size());
        }
        auto train = m_decoder.decode(views);
        if (!train) {
            m_tally.malformed(train.error().message);
            return;
        }
        m_tally.series();
        const auto pulses = static_cast<std::int64_t>(train->frames.size());
        if (!m_options.sharedStream && m_lastTrain >= 0 && train->trainId > m_lastTrain + 1) {
            m_tally.dropped((train->trainId - m_lastTrain - 1) * pulses,
                "trains " + std::to_string(m_lastTrain + 1) + " to " + std::to_string(train->trainId - 1)
                    + " were not delivered (counted at " + std::to_string(pulses) + " pulses each)");
        }
        m_lastTrain = std::max(m_lastTrain, train->trainId);
        for (auto& f : train->frames) {
            out.push_back(std::move(f));
        }
    }

    StreamSourceOptions m_options;
    StreamTally& m_tally;
    KaraboBridgeDecoder m_decoder;
    zmq::context_t m_context { 1 };
    std::unique_ptr<zmq::socket_t> m_socket;
    bool m_pending = false;
    bool m_lostContact = false;
    Clock::time_point m_sentAt;
    std::int64_t m_lastTrain = -1;
};

} // namespace

Result<std::unique_ptr<StreamReceiver>> makeKaraboReceiver(const StreamSourceOptions& options, StreamTally& tally)
{
    auto r = std::make_unique<KaraboBridgeReceiver>(options, tally);
    if (Status st = r->connect(); !st) {
        return Error { st.message() };
    }
    return std::unique_ptr<StreamReceiver>(std::move(r));
}

} // namespace fxs::detail
