// fxs-bench remap: 2.2 Mpx 16-panel uint16 frames → 300 × 256 polar frames, with pixel splitting and by
// nearest bin, on all cores; pyFAI's fastest CPU integrate2d on a single panel of the same pixel count in the
// same run (when python3-pyfai is installed) is the reference.
#include "BenchRegistry.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fxs/geometry/GeomParser.h>
#include <fxs/polar/PolarRemapper.h>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <thread>

namespace {

using Clock = std::chrono::steady_clock;

struct Settings {
    double seconds = 3.0;
    int threads = 0;
};

Settings parseArgs(const fxs::bench::BenchArgs& a)
{
    Settings s;
    for (std::size_t i = 0; i + 1 < a.args.size(); ++i) {
        if (a.args[i] == "--seconds") {
            s.seconds = std::stod(a.args[i + 1]);
        } else if (a.args[i] == "--threads") {
            s.threads = std::stoi(a.args[i + 1]);
        }
    }
    return s;
}

std::vector<fxs::Frame> makeFrames(int nSlow, int nFast, int n)
{
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> adu(0, 999);
    std::vector<fxs::Frame> frames;
    for (int k = 0; k < n; ++k) {
        auto f = fxs::Frame::zeros(nSlow, nFast, fxs::PixelType::UInt16);
        for (auto& v : f.as<std::uint16_t>()) {
            v = static_cast<std::uint16_t>(adu(rng));
        }
        frames.push_back(std::move(f));
    }
    return frames;
}

struct Rate {
    double framesPerS = 0.0; ///< wall clock
    double cpuSPerFrame = 0.0; ///< process CPU time (all threads): stable on a shared machine
};

// Frames per second of remapInto over `seconds` (after a warm-up frame).
Rate rate(const fxs::PolarRemapper& r, const std::vector<fxs::Frame>& frames, double seconds)
{
    fxs::PolarFrame out;
    (void)r.remapInto(frames[0], out);
    long n = 0;
    const auto t0 = Clock::now();
    const std::clock_t c0 = std::clock();
    double elapsed = 0.0;
    while (elapsed < seconds || n < 5) {
        (void)r.remapInto(frames[n % frames.size()], out);
        ++n;
        elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    }
    return { n / elapsed, static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC / n };
}

std::string python() { return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3"; }

// The pyFAI reference's JSON line, or "" when pyFAI is not importable.
std::string runPyFai(double distM, double wavelengthA, double qMin, double qMax, double seconds)
{
    if (std::system((python() + " -c 'import pyFAI' >/dev/null 2>&1").c_str()) != 0) {
        return {};
    }
    std::ostringstream cmd;
    // 1536 × 1408 = 2 162 688 pixels of 100 µm: the ePix10k2M's pixel count on one flat panel.
    const std::string script = fxs::bench::dataFile("remap_pyfai.py");
    if (script.empty()) {
        std::cerr << "remap: remap_pyfai.py is neither beside fxs-bench (../share/fxs-monitor/bench) nor in the "
                     "sources: no pyFAI reference\n";
        return {};
    }
    cmd << python() << " " << script << " 1536 1408 1e-4 " << distM << " " << wavelengthA << " "
        << qMin << " " << qMax << " " << seconds << " 2>/dev/null";
    std::string line;
    if (FILE* p = popen(cmd.str().c_str(), "r")) {
        std::array<char, 4096> buf {};
        while (fgets(buf.data(), buf.size(), p)) {
            line = buf.data();
        }
        pclose(p);
    }
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
        line.pop_back();
    }
    return line;
}

double jsonNumber(const std::string& json, const std::string& key)
{
    const auto k = json.find("\"" + key + "\":");
    return k == std::string::npos ? 0.0 : std::atof(json.c_str() + k + key.size() + 3);
}

int runRemap(const fxs::bench::BenchArgs& args)
{
    const Settings s = parseArgs(args);
    const std::string geomPath = fxs::bench::dataFile("epix10k2m-like.geom");
    if (geomPath.empty()) {
        std::cerr << "remap: epix10k2m-like.geom is neither beside fxs-bench (../share/fxs-monitor/bench) nor in the "
                     "sources it was built from\n";
        return 1;
    }
    auto geom = fxs::GeomParser::parseFile(geomPath);
    if (!geom) {
        std::cerr << geom.error().message << "\n";
        return 1;
    }
    // The grid spans every valid pixel, so the whole 2.2 Mpx frame is remapped.
    const auto q = geom->qInvAngstrom();
    const auto mask = geom->validMask();
    double qMax = 0.0;
    for (std::size_t i = 0; i < q.size(); ++i) {
        qMax = mask[i] ? std::max<double>(qMax, q[i]) : qMax;
    }
    const fxs::PolarGrid grid { 300, 256, 0.0, qMax * 1.0001 };
    fxs::RemapOptions opt;
    opt.threads = s.threads;
    auto split = fxs::PolarRemapper::create(*geom, grid, opt);
    opt.mode = fxs::RemapMode::Nearest;
    auto nearest = fxs::PolarRemapper::create(*geom, grid, opt);
    if (!split || !nearest) {
        std::cerr << (split ? nearest.error().message : split.error().message) << "\n";
        return 1;
    }
    const auto frames = makeFrames(geom->nSlow(), geom->nFast(), 4);
    const Rate rSplit = rate(*split, frames, s.seconds);
    const Rate rNearest = rate(*nearest, frames, s.seconds);
    const double fpsSplit = rSplit.framesPerS, fpsNearest = rNearest.framesPerS;
    const std::string py = runPyFai(geom->referenceDistanceM(), geom->wavelengthA(), 0.0, qMax, s.seconds);
    const double fpsPy = py.empty() ? 0.0 : jsonNumber(py, "frames_per_s");
    const double cpuPy = py.empty() ? 0.0 : jsonNumber(py, "cpu_s_per_frame");
    const int threads = s.threads > 0 ? s.threads : static_cast<int>(std::thread::hardware_concurrency());

    std::ostringstream human;
    human << "remap " << geom->pixelCount() << " px (16 panels, uint16) -> 300 x 256, " << threads << " threads, "
          << fxs::PolarRemapper::kernelName() << " kernel\n"
          << "  split:   " << fpsSplit << " frames/s (" << split->nonZeros() << " contributions, built in "
          << split->buildSeconds() << " s)\n"
          << "  CPU time per frame: split " << rSplit.cpuSPerFrame * 1e3 << " ms, nearest "
          << rNearest.cpuSPerFrame * 1e3 << " ms (" << threads << " idle cores: " << threads / rSplit.cpuSPerFrame
          << " frames/s split)\n"
          << "  nearest: " << fpsNearest << " frames/s\n"
          << "  pyFAI:   " << (py.empty() ? std::string("not installed") : py) << "\n";
    if (args.json) {
        std::cerr << human.str();
    }
    std::ostringstream json;
    json << "{\"benchmark\":\"remap\",\"pixels\":" << geom->pixelCount()
         << ",\"grid\":\"300x256\",\"threads\":" << threads << ",\"kernel\":\"" << fxs::PolarRemapper::kernelName()
         << "\",\"nonzeros\":" << split->nonZeros()
         << ",\"build_s\":" << split->buildSeconds() << ",\"remap_frames_per_s\":" << fpsSplit
         << ",\"remap_nearest_frames_per_s\":" << fpsNearest
         << ",\"pyfai_frames_per_s\":" << (py.empty() ? "null" : std::to_string(fpsPy))
         << ",\"pyfai\":" << (py.empty() ? "null" : py)
         << ",\"ratio_vs_pyfai\":" << (fpsPy > 0 ? std::to_string(fpsSplit / fpsPy) : "null")
         << ",\"cpu_ms_per_frame\":" << rSplit.cpuSPerFrame * 1e3
         << ",\"cpu_ms_per_frame_nearest\":" << rNearest.cpuSPerFrame * 1e3
         << ",\"remap_frames_per_s_idle_cores\":" << threads / rSplit.cpuSPerFrame
         << ",\"cpu_ratio_vs_pyfai\":" << (cpuPy > 0 ? std::to_string(cpuPy / rSplit.cpuSPerFrame) : "null") << "}";
    std::cout << (args.json ? json.str() + "\n" : human.str());
    return 0;
}

const fxs::bench::Registrar reg { "remap",
    "2.2 Mpx 16-panel uint16 frames -> 300 x 256 polar (split and nearest) vs pyFAI integrate2d", &runRemap };

} // namespace
