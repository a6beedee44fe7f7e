// fxs-bench cxi-read: frames/s of CxiFileSource on a 1 Mpx uint16 CXI stack (plain and LZ4) against the in-process
// reference of plain POSIX reads of the same file (page cache warm), plus the cost of validating it with fxs-probe.
#include "BenchRegistry.h"
#include "PhotonFrames.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <fxs/sources/CxiFileSource.h>
#include <fxs/results/CxiWriter.h>
#include <fxs/sources/FileProbe.h>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

struct Options {
    int side = 1024;
    int frames = 64;
};

double posixReadSeconds(const std::string& path)
{
    std::vector<char> buf(std::size_t { 64 } << 20);
    const auto t0 = Clock::now();
    const int fd = ::open(path.c_str(), O_RDONLY);
    while (::read(fd, buf.data(), buf.size()) > 0) { }
    ::close(fd);
    return seconds(t0);
}

struct Measured {
    double writeS = 0, readS = 0, referenceS = 0, probeS = 0;
    long long bytes = 0;
};

Measured measure(const Options& o, bool lz4, const std::string& path)
{
    Measured m;
    fxs::CxiWriterOptions wo;
    wo.lz4 = lz4;
    std::vector<fxs::Frame> pool; // made before the clock starts: the writer is measured, not the generator
    for (int i = 0; i < 8; ++i) {
        pool.push_back(fxs::bench::photonLikeFrame(o.side, o.side, i));
    }
    auto t0 = Clock::now();
    auto w = fxs::CxiWriter::create(path, { o.side, o.side, fxs::PixelType::UInt16 }, wo);
    for (int i = 0; w && i < o.frames; ++i) {
        (*w)->append(pool[static_cast<std::size_t>(i) % pool.size()]);
    }
    (*w)->close();
    m.writeS = seconds(t0);
    posixReadSeconds(path); // warm the page cache for both readers
    m.referenceS = posixReadSeconds(path);
    t0 = Clock::now();
    auto verdict = fxs::FileProbe::validate(path, "/entry_1/data_1/data");
    m.probeS = seconds(t0);
    fxs::CxiSourceOptions so;
    so.validate = false; // the probe's cost is measured above, apart
    auto src = fxs::CxiFileSource::open(path, so);
    t0 = Clock::now();
    int n = 0;
    for (auto f = (*src)->next(); f.ok() && f->has_value(); f = (*src)->next()) {
        ++n;
    }
    m.readS = seconds(t0);
    m.bytes = static_cast<long long>(o.frames) * o.side * o.side * 2;
    if (!verdict || n != o.frames) {
        std::fprintf(stderr, "cxi-read: validation or reading failed\n");
    }
    return m;
}

int run(const fxs::bench::BenchArgs& a)
{
    Options o;
    for (std::size_t i = 0; i + 1 < a.args.size(); i += 2) {
        if (a.args[i] == "--side") {
            o.side = std::stoi(a.args[i + 1]);
        } else if (a.args[i] == "--frames") {
            o.frames = std::stoi(a.args[i + 1]);
        }
    }
    char dir[] = "/tmp/fxs-bench-cxi-XXXXXX";
    if (!::mkdtemp(dir)) {
        return 1;
    }
    const Measured plain = measure(o, false, std::string(dir) + "/plain.cxi");
    const Measured lz4 = measure(o, true, std::string(dir) + "/lz4.cxi");
    ::unlink((std::string(dir) + "/plain.cxi").c_str());
    ::unlink((std::string(dir) + "/lz4.cxi").c_str());
    ::rmdir(dir);
    const double mb = double(plain.bytes) / 1048576.0;
    std::printf("%d frames of %d × %d uint16 (%.0f MiB)\n", o.frames, o.side, o.side, mb);
    for (const auto& [name, m] : { std::pair { "plain", plain }, std::pair { "lz4", lz4 } }) {
        std::printf("%-5s write %7.1f frames/s | read %7.1f frames/s (%6.0f MiB/s) | POSIX reference %6.0f MiB/s | "
                    "ratio %.2f | fxs-probe %.2f s\n",
            name, o.frames / m.writeS, o.frames / m.readS, mb / m.readS, mb / m.referenceS, m.referenceS / m.readS,
            m.probeS);
    }
    if (a.json) {
        std::printf("{\"benchmark\":\"cxi-read\",\"frames\":%d,\"side\":%d,\"read_frames_per_s\":%.1f,"
                    "\"read_frames_per_s_lz4\":%.1f,\"write_frames_per_s\":%.1f,\"write_frames_per_s_lz4\":%.1f,"
                    "\"read_vs_posix\":%.3f,\"read_vs_posix_lz4\":%.3f,\"probe_s\":%.3f,\"probe_s_lz4\":%.3f}\n",
            o.frames, o.side, o.frames / plain.readS, o.frames / lz4.readS, o.frames / plain.writeS,
            o.frames / lz4.writeS, plain.referenceS / plain.readS, lz4.referenceS / lz4.readS, plain.probeS,
            lz4.probeS);
    }
    return 0;
}

static fxs::bench::Registrar reg { "cxi-read", "CxiFileSource frames/s (plain, LZ4) vs POSIX reads; fxs-probe cost",
    &run };

} // namespace
