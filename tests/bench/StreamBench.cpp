// fxs-bench stream: a loopback DECTRIS Stream V2 publisher (ZeroMQ PUSH on 127.0.0.1, in this process) of 2.2 Mpx
// uint16 frames, raw and bitshuffle-LZ4, received by DetectorStreamSource and taken through the polar remap, the
// shot statistics and C2 (300 × 256), against the reference of the same messages received by a bare PULL socket
// and dropped, in the same run. A third figure, decode only (DetectorStreamSource, frames discarded), says whether
// receiving + decoding or the analysis caps the rate.
#include "BenchRegistry.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fxs/sources/BitshuffleLz4.h>
#include <fxs/pipeline/C2Pipeline.h>
#include <fxs/pipeline/ShotPipeline.h>
#include <fxs/geometry/DetectorGeometry.h>
#include <fxs/sources/DetectorStreamSource.h>
#include <fxs/polar/PolarRemapper.h>
#include <fxs/shots/ShotStats.h>
#include <string>
#include <sys/resource.h>
#include <thread>
#include <vector>
#include <zmq.hpp>

namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// CPU seconds of the whole process (every thread: publisher, receiver, workers): a figure the machine's load does not
// inflate, where the wall-clock rates on a shared VM do.
double cpuSeconds()
{
    rusage u {};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

// A rate and the CPU milliseconds per frame spent while measuring it.
struct Rate {
    double framesPerS = 0.0;
    double cpuMsPerFrame = 0.0;
};

struct Options {
    int nSlow = 1440; // 1440 × 1536 = 2.2 Mpx
    int nFast = 1536;
    int frames = 300;
    int threads = 0;
};

// Just enough of a CBOR encoder for Stream V2 messages (RFC 8949 heads).
struct Cbor {
    std::vector<std::byte> b;
    void head(int major, std::uint64_t v)
    {
        const auto m = static_cast<std::uint8_t>(major << 5);
        if (v < 24) {
            b.push_back(std::byte(m | v));
            return;
        }
        const int n = v < 256 ? 1 : v < 65536 ? 2 : v < (1ull << 32) ? 4 : 8;
        b.push_back(std::byte(m | (n == 1 ? 24 : n == 2 ? 25 : n == 4 ? 26 : 27)));
        for (int i = n - 1; i >= 0; --i) {
            b.push_back(std::byte((v >> (8 * i)) & 0xff));
        }
    }
    void text(const std::string& s)
    {
        head(3, s.size());
        for (char c : s) {
            b.push_back(std::byte(c));
        }
    }
    void bytes(std::span<const std::byte> s)
    {
        head(2, s.size());
        b.insert(b.end(), s.begin(), s.end());
    }
};

std::vector<std::byte> startMessage(const Options& o, int count)
{
    Cbor c;
    c.head(5, 5);
    c.text("type");
    c.text("start");
    c.text("series_id");
    c.head(0, 1);
    c.text("image_size_x");
    c.head(0, std::uint64_t(o.nFast));
    c.text("image_size_y");
    c.head(0, std::uint64_t(o.nSlow));
    c.text("number_of_images");
    c.head(0, std::uint64_t(count));
    return c.b;
}

std::vector<std::byte> endMessage()
{
    Cbor c;
    c.head(5, 2);
    c.text("type");
    c.text("end");
    c.text("series_id");
    c.head(0, 1);
    return c.b;
}

// Photon-like counts (mostly 0, a few up to 63), as detectors at XFELs see them.
std::vector<std::uint16_t> pixels(const Options& o, int seed)
{
    std::vector<std::uint16_t> v(std::size_t(o.nSlow) * std::size_t(o.nFast));
    std::uint32_t x = static_cast<std::uint32_t>(seed) * 2654435761u + 1u;
    for (auto& p : v) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p = static_cast<std::uint16_t>((x & 0xff) < 200 ? 0 : (x >> 24) & 0x3f);
    }
    return v;
}

std::vector<std::byte> imageMessage(const Options& o, const std::vector<std::uint16_t>& px, bool bslz4, int id)
{
    const std::span<const std::byte> raw { reinterpret_cast<const std::byte*>(px.data()), px.size() * 2 };
    Cbor c;
    c.head(5, 4);
    c.text("type");
    c.text("image");
    c.text("series_id");
    c.head(0, 1);
    c.text("image_id");
    c.b.push_back(std::byte(0x1a)); // always the 4-byte form, so that Publisher can rewrite it in place
    for (int i = 3; i >= 0; --i) {
        c.b.push_back(std::byte((std::uint32_t(id) >> (8 * i)) & 0xff));
    }
    c.text("data");
    c.head(5, 1);
    c.text("threshold_1");
    c.head(6, 40);
    c.head(4, 2);
    c.head(4, 2);
    c.head(0, std::uint64_t(o.nSlow));
    c.head(0, std::uint64_t(o.nFast));
    c.head(6, 69); // uint16 little-endian typed array
    if (bslz4) {
        c.head(6, 56500);
        c.head(4, 3);
        c.text("bslz4");
        c.head(0, 2);
        c.bytes(fxs::BitshuffleLz4::encode(raw, 2));
    } else {
        c.bytes(raw);
    }
    return c.b;
}

// Image messages made before any clock runs: 8 distinct frames, cycled.
struct Messages {
    std::vector<std::vector<std::byte>> pool;
    std::size_t compressedBytes = 0;
};

Messages messages(const Options& o, bool bslz4)
{
    Messages m;
    for (int i = 0; i < 8; ++i) {
        m.pool.push_back(imageMessage(o, pixels(o, i), bslz4, 0));
        m.compressedBytes += m.pool.back().size();
    }
    m.compressedBytes /= 8;
    return m;
}

// Publishes start, `frames` images and end on a PUSH socket bound to a free loopback port.
class Publisher {
public:
    Publisher(const Options& o, const Messages& m)
    {
        m_socket.set(zmq::sockopt::sndhwm, 4);
        m_socket.bind("tcp://127.0.0.1:*");
        m_endpoint = m_socket.get(zmq::sockopt::last_endpoint);
        m_thread = std::thread([this, &o, &m] {
            send(startMessage(o, o.frames));
            for (int i = 0; i < o.frames; ++i) {
                std::vector<std::byte> msg = m.pool[std::size_t(i) % m.pool.size()];
                patchImageId(msg, i);
                send(msg);
            }
            send(endMessage());
        });
    }
    ~Publisher()
    {
        m_thread.join();
        m_socket.close();
    }
    const std::string& endpoint() const { return m_endpoint; }

private:
    void send(const std::vector<std::byte>& b) { m_socket.send(zmq::buffer(b.data(), b.size())); }
    // The image id's 4 bytes follow "image_id" (written by imageMessage), at the same place in every message.
    static void patchImageId(std::vector<std::byte>& msg, int id)
    {
        const std::size_t at = 1 + 5 + 6 + 10 + 1 + 9 + 1; // map, "type", "image", "series_id", 1, "image_id", head
        if (msg[at - 1] != std::byte(0x1a)) {
            std::abort(); // the layout imageMessage writes changed
        }
        for (int i = 0; i < 4; ++i) {
            msg[at + std::size_t(i)] = std::byte((std::uint32_t(id) >> (8 * (3 - i))) & 0xff);
        }
    }
    zmq::context_t m_context { 1 };
    zmq::socket_t m_socket { m_context, zmq::socket_type::push };
    std::string m_endpoint;
    std::thread m_thread;
};

Rate receiveOnly(const Options& o, const Messages& m)
{
    Publisher pub(o, m);
    zmq::context_t ctx { 1 };
    zmq::socket_t pull { ctx, zmq::socket_type::pull };
    pull.set(zmq::sockopt::rcvhwm, 8);
    pull.connect(pub.endpoint());
    zmq::message_t msg;
    (void)pull.recv(msg); // start
    (void)pull.recv(msg); // first image: the clock starts
    const auto t0 = Clock::now();
    const double c0 = cpuSeconds();
    for (int i = 1; i < o.frames; ++i) {
        (void)pull.recv(msg);
    }
    const double s = seconds(t0);
    const double c = cpuSeconds() - c0;
    (void)pull.recv(msg); // end
    return { (o.frames - 1) / s, 1e3 * c / (o.frames - 1) };
}

// `deferDecode`: compressed images are decoded on the shot pipeline's workers (as `fxs correlate` receives them), not
// on the receiving thread.
fxs::StreamSourceOptions sourceOptions(const std::string& endpoint, bool deferDecode = false)
{
    fxs::StreamSourceOptions so;
    so.dectris.deferDecode = deferDecode;
    so.endpoint = endpoint;
    so.protocol = fxs::StreamProtocol::Dectris;
    so.stopAtSeriesEnd = true;
    so.connectTimeoutS = 30.0;
    return so;
}

Rate decodeOnly(const Options& o, const Messages& m)
{
    Publisher pub(o, m);
    auto src = fxs::DetectorStreamSource::open(sourceOptions(pub.endpoint()));
    if (!src) {
        std::fprintf(stderr, "stream: %s\n", src.error().message.c_str());
        return {};
    }
    (void)(*src)->next(); // the first frame: the clock starts
    const auto t0 = Clock::now();
    const double c0 = cpuSeconds();
    int n = 0;
    for (auto f = (*src)->next(); f.ok() && f->has_value(); f = (*src)->next()) {
        ++n;
    }
    return { n / seconds(t0), 1e3 * (cpuSeconds() - c0) / n };
}

// The whole path: receive, decode, remap, shot statistics, C2.
Rate endToEnd(const Options& o, const Messages& m, const fxs::PolarRemapper& remapper,
    const std::vector<std::uint8_t>& valid, bool deferDecode)
{
    Publisher pub(o, m);
    auto src = fxs::DetectorStreamSource::open(sourceOptions(pub.endpoint(), deferDecode));
    if (!src) {
        std::fprintf(stderr, "stream: %s\n", src.error().message.c_str());
        return {};
    }
    fxs::C2PipelineConfig pc;
    pc.accumulator.nQ = remapper.grid().nQ;
    pc.accumulator.nPhi = remapper.grid().nPhi;
    pc.threads = o.threads;
    fxs::C2Pipeline pipeline(pc);
    auto first = (*src)->next(); // the clock starts once the publisher is connected
    if (!first.ok() || !first->has_value()) {
        std::fprintf(stderr, "stream: no first frame\n");
        return {};
    }
    // The path `fxs correlate tcp://… --stream` runs: the engine's ShotPipeline (remap + statistics on its
    // workers, in shot order) into the C2 pipeline.
    fxs::ShotPipelineConfig sc;
    sc.threads = o.threads;
    fxs::ShotPipeline shots(std::move(*src), remapper, valid, sc);
    const auto t0 = Clock::now();
    const double c0 = cpuSeconds();
    int n = 0;
    const fxs::Status st = shots.run([&](fxs::PipelineShot& shot) {
        if (shot.outcome != fxs::ShotOutcome::Ready) {
            return false;
        }
        pipeline.push(std::move(shot.polar));
        ++n;
        return true;
    });
    if (!st || n == 0) {
        std::fprintf(stderr, "stream: %s\n", st ? "no frame reached C2" : st.message().c_str());
        return {};
    }
    pipeline.close();
    pipeline.wait();
    return { n / seconds(t0), 1e3 * (cpuSeconds() - c0) / n };
}

int run(const fxs::bench::BenchArgs& a)
{
    Options o;
    for (std::size_t i = 0; i + 1 < a.args.size(); i += 2) {
        if (a.args[i] == "--frames") {
            o.frames = std::stoi(a.args[i + 1]);
        } else if (a.args[i] == "--threads") {
            o.threads = std::stoi(a.args[i + 1]);
        }
    }
    fxs::SinglePanelSpec spec { o.nSlow, o.nFast, 75e-6, o.nFast / 2.0 + 0.3, o.nSlow / 2.0 - 0.3, 0.1, 1.0, 0.0 };
    auto geometry = fxs::DetectorGeometry::singlePanel(spec);
    const fxs::PolarGrid grid { 300, 256, 0.05, 2.0 };
    auto remapper = fxs::PolarRemapper::create(*geometry, grid);
    if (!remapper) {
        std::fprintf(stderr, "stream: %s\n", remapper.error().message.c_str());
        return 1;
    }
    const std::vector<std::uint8_t> valid = geometry->validMask();
    struct Row {
        const char* name;
        Rate receive, decode, stream;
        std::size_t bytes;
        Rate receiverDecode; ///< bslz4: decoded on the receiving thread (before images were left to the workers)
    };
    std::vector<Row> rows;
    for (bool bslz4 : { false, true }) {
        const Messages m = messages(o, bslz4);
        // bslz4: the receiving thread's decoding first, so that neither way has the process's first run of the path
        const Rate before = bslz4 ? endToEnd(o, m, *remapper, valid, false) : Rate {};
        rows.push_back({ bslz4 ? "bslz4" : "raw", receiveOnly(o, m), decodeOnly(o, m),
            endToEnd(o, m, *remapper, valid, true), m.compressedBytes, before });
    }
    std::printf("%d frames of %d x %d uint16 (%.1f Mpx) -> C2 %d x %d\n", o.frames, o.nSlow, o.nFast,
        o.nSlow * double(o.nFast) / 1e6, grid.nQ, grid.nPhi);
    for (const Row& r : rows) {
        const double cap = std::min(r.receive.framesPerS, r.decode.framesPerS);
        std::printf("%-5s %6.2f MB/message | receive only %7.1f frames/s (%5.2f CPU ms/frame) | receive+decode %7.1f "
                    "frames/s (%5.2f) | to C2 %7.1f frames/s (%5.2f) | ratio %.2f (capped by %s)\n",
            r.name, double(r.bytes) / 1e6, r.receive.framesPerS, r.receive.cpuMsPerFrame, r.decode.framesPerS,
            r.decode.cpuMsPerFrame, r.stream.framesPerS, r.stream.cpuMsPerFrame,
            r.stream.framesPerS / r.receive.framesPerS,
            r.stream.framesPerS < 0.8 * cap ? "the analysis: remap + statistics + C2"
                : (r.decode.framesPerS < 0.8 * r.receive.framesPerS ? "decoding" : "receiving"));
    }
    std::printf("bslz4 decoded on the receiving thread (as before): to C2 %7.1f frames/s (%5.2f CPU ms/frame); "
                "on the pipeline's workers %.2f x that\n",
        rows[1].receiverDecode.framesPerS, rows[1].receiverDecode.cpuMsPerFrame,
        rows[1].stream.framesPerS / rows[1].receiverDecode.framesPerS);
    if (a.json) {
        std::printf("{\"benchmark\":\"stream\",\"frames\":%d,\"pixels\":%d,\"n_q\":%d,\"n_phi\":%d,"
                    "\"stream_frames_per_s\":%.1f,\"raw_receive_frames_per_s\":%.1f,\"decode_frames_per_s\":%.1f,"
                    "\"ratio_vs_receive\":%.3f,\"stream_frames_per_s_bslz4\":%.1f,"
                    "\"raw_receive_frames_per_s_bslz4\":%.1f,\"decode_frames_per_s_bslz4\":%.1f,"
                    "\"ratio_vs_receive_bslz4\":%.3f,\"cpu_ms_per_frame\":%.2f,\"cpu_ms_per_frame_bslz4\":%.2f,"
                    "\"decode_cpu_ms_per_frame\":%.2f,\"decode_cpu_ms_per_frame_bslz4\":%.2f,"
                    "\"stream_frames_per_s_bslz4_receiver_decode\":%.1f,\"ratio_workers_vs_receiver_decode_bslz4\":%.3f}\n",
            o.frames, o.nSlow * o.nFast, grid.nQ, grid.nPhi, rows[0].stream.framesPerS, rows[0].receive.framesPerS,
            rows[0].decode.framesPerS, rows[0].stream.framesPerS / rows[0].receive.framesPerS,
            rows[1].stream.framesPerS, rows[1].receive.framesPerS, rows[1].decode.framesPerS,
            rows[1].stream.framesPerS / rows[1].receive.framesPerS, rows[0].stream.cpuMsPerFrame,
            rows[1].stream.cpuMsPerFrame, rows[0].decode.cpuMsPerFrame, rows[1].decode.cpuMsPerFrame,
            rows[1].receiverDecode.framesPerS, rows[1].stream.framesPerS / rows[1].receiverDecode.framesPerS);
    }
    return 0;
}

static fxs::bench::Registrar reg { "stream",
    "DECTRIS stream (2.2 Mpx uint16, raw and bitshuffle-LZ4) to C2 300x256 vs bare receive", &run,
    "  --frames N    frames the loopback publisher sends per run (default 300)\n"
    "  --threads N   pipeline and C2 threads (default: every core)\n" };

} // namespace
