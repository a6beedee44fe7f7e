// fxs-bench pipeline: the path a user runs (`fxs correlate`), file → C2 300 × 256, on 2.2 Mpx 16-panel uint16
// frames (the ePix10k 2M size), plain and LZ4-compressed, and on a polar 300 × 256 stack; in the same run each
// stage alone on the same data (read + decode, remap + statistics, C2), one thread each, from which the bound
// (cores ÷ the stages' CPU seconds per frame) follows. Everything it needs is generated: it runs from any folder.
#include "BenchRegistry.h"
#include "PhotonFrames.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fxs/geometry/DetectorGeometry.h>
#include <fxs/gpu/GpuC2Accumulator.h>
#include <fxs/pipeline/C2Pipeline.h>
#include <fxs/pipeline/ShotPipeline.h>
#include <fxs/pipeline/ShotRun.h>
#include <fxs/polar/PolarRemapper.h>
#include <fxs/results/CxiWriter.h>
#include <fxs/shots/ShotStats.h>
#include <fxs/sources/BitshuffleLz4.h>
#include <fxs/sources/CxiFileSource.h>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
double seconds(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

using fxs::bench::kModuleFs;
using fxs::bench::kModules;
using fxs::bench::kModuleSs;
using fxs::bench::openStack;
using fxs::bench::ReplayedSource;
using fxs::bench::writeStack;
const fxs::PolarGrid kGrid { 300, 256, 0.1, 2.4 };

struct Options {
    int threads = 0; // 0: every core
    int frames = 192; // through the path per run (the file holds at most kFileFrames, replayed from the page cache)
    int polarFrames = 0; // 0: 4 × frames
    int gpuFrames = 0; // 0: 4 × frames
    bool gpuOnly = false; // only the GPU runs (and the remap stage): the device machine's time is short
    bool polarOnly = false; // only the polar stack against the engine alone
    int polarReps = 3; // runs of each side, alternating; the best of each counts
};

constexpr int kFileFrames = 32;

// How the path correlates: on the CPU, or on the GPU with the raw frames remapped where the run chooses (`remap`).
struct Backend {
    fxs::C2Backend c2 = fxs::C2Backend::Cpu;
    fxs::DeviceRemap remap = fxs::DeviceRemap::Auto;
    std::string* description = nullptr; ///< receives the run's backend description
};

fxs::ShotRunSettings runSettings(int threads, const Backend& backend)
{
    fxs::ShotRunSettings rs;
    rs.pipeline.accumulator.nQ = kGrid.nQ;
    rs.pipeline.accumulator.nPhi = kGrid.nPhi;
    rs.pipeline.threads = threads;
    rs.pipeline.backend = backend.c2;
    rs.pipeline.deviceRemap = backend.remap;
    rs.convergencePoints = 0; // one sample, at the end (outside the measured stream)
    rs.checkpointEveryS = 1e9;
    return rs;
}

// Frames/s of the whole path: the file read ahead, worked on by `threads` pipeline threads, C2 on `threads`.
fxs::Result<double> endToEnd(const std::string& path, const fxs::PolarRemapper* remapper,
    const std::vector<std::uint8_t>& valid, int threads, int frames, const Backend& backend = {})
{
    auto file = openStack(path, true);
    if (!file) {
        return file.error();
    }
    std::unique_ptr<fxs::FrameSource> src = std::make_unique<ReplayedSource>(std::move(*file), frames);
    fxs::ShotPipelineConfig pc;
    pc.threads = threads;
    std::unique_ptr<fxs::ShotPipeline> pipe = remapper
        ? std::make_unique<fxs::ShotPipeline>(std::move(src), *remapper, valid, pc)
        : std::make_unique<fxs::ShotPipeline>(std::move(src), std::vector<float> {}, nullptr, pc);
    auto run = fxs::runShots(*pipe, runSettings(threads, backend));
    if (!run) {
        return run.error();
    }
    if (backend.description) {
        *backend.description = run->backend;
    }
    if (run->accepted != frames) {
        return fxs::Error { path + ": " + std::to_string(run->accepted) + " of " + std::to_string(frames)
            + " frames reached C2" };
    }
    // From the first read to the last shot in C2; the setup of the 300 x 256 accumulators (~1.5 GB of sums,
    // seconds of page faults on this machine) and the final copies of the sums are per run, not per frame.
    return frames / run->streamSeconds;
}

// One thread reading and decoding the whole stack as the pipeline does it (raw LZ4 chunks decoded by
// fxs::decodePixels, uncompressed frames read in place with pread; HDF5 reads any other layout).
fxs::Result<double> readAlone(const std::string& path, int frames)
{
    auto src = openStack(path, true);
    if (!src) {
        return src.error();
    }
    const auto t0 = Clock::now();
    int n = 0;
    for (auto f = (*src)->next(); f.ok() && f->has_value(); f = (*src)->next()) {
        if (auto st = fxs::decodePixels(**f); !st) {
            return fxs::Error { path + ": " + st.message() };
        }
        ++n;
    }
    if (n != frames) {
        return fxs::Error { path + ": read " + std::to_string(n) + " of " + std::to_string(frames) + " frames" };
    }
    return frames / seconds(t0);
}

// C2 alone on polar frames in memory, `threads` workers; frames/s including the final flush.
double c2Alone(const std::vector<fxs::PolarFrame>& pool, int threads, int frames)
{
    fxs::C2PipelineConfig c;
    c.accumulator.nQ = kGrid.nQ;
    c.accumulator.nPhi = kGrid.nPhi;
    c.threads = threads;
    fxs::C2Pipeline p(c);
    const auto t0 = Clock::now();
    for (int i = 0; i < frames; ++i) {
        fxs::PolarFrame f = pool[static_cast<std::size_t>(i) % pool.size()];
        f.shotIndex = i;
        p.push(std::move(f));
    }
    p.close();
    p.wait();
    p.flush();
    return frames / seconds(t0);
}

struct Measured {
    int threads = 1;
    int cores = 1;
    double e2e = 0, e2eCompressed = 0, polarE2e = 0;
    double read = 0, readCompressed = 0, remap = 0, c2 = 0, c2Engine = 0;
    int polarShots = 0; // shots of each polar comparison run
    std::vector<double> polarRuns, engineRuns; // every run of the polar comparison, in order
    // GPU backend: the run's own choice of remap; the device remap; the CPU remap.
    double gpuE2e = 0, gpuDeviceRemapE2e = 0, gpuCpuRemapE2e = 0;
    std::string gpuBackend, gpuDeviceRemapBackend, gpuCpuRemapBackend;
    std::map<int, double> scaling;
    /// Cores the run may use ÷ the stages' CPU seconds per frame (each measured alone on one thread).
    double bound() const { return std::min(threads, cores) / (1.0 / read + 1.0 / remap + 1.0 / c2); }
};

fxs::Result<Measured> measure(const Options& o, const std::string& dir)
{
    Measured m;
    m.cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    m.threads = o.threads > 0 ? o.threads : m.cores;
    auto geometry = fxs::bench::epixLikeGeometry();
    if (!geometry) {
        return geometry.error();
    }
    fxs::RemapOptions ro;
    ro.threads = m.threads;
    auto remapper = fxs::PolarRemapper::create(*geometry, kGrid, ro);
    if (!remapper) {
        return remapper.error();
    }
    const auto valid = geometry->validMask();
    std::vector<fxs::Frame> pool;
    for (int i = 0; i < 8; ++i) {
        pool.push_back(fxs::bench::photonLikeFrame(kModules * kModuleSs, kModuleFs, i));
    }
    const std::string plain = dir + "/plain.cxi", lz4 = dir + "/lz4.cxi", polar = dir + "/polar.cxi";
    for (const auto& [path, compressed] : { std::pair { plain, false }, std::pair { lz4, true } }) {
        if (auto st = writeStack(path, pool, std::min(o.frames, kFileFrames), compressed); !st) {
            return fxs::Error { path + ": " + st.message() };
        }
    }
    // Remap + statistics alone, one thread, frames in memory.
    std::vector<fxs::PolarFrame> polarPool(pool.size());
    auto t0 = Clock::now();
    for (int i = 0; i < std::min(o.frames, kFileFrames); ++i) {
        const auto k = static_cast<std::size_t>(i) % pool.size();
        auto st = fxs::ShotStats::compute(pool[k], valid);
        if (!st || !remapper->remapIntoAlone(pool[k], polarPool[k])) {
            return fxs::Error { "remap of frame " + std::to_string(i) + " failed" };
        }
    }
    m.remap = std::min(o.frames, kFileFrames) / seconds(t0);
    // The polar stack: the remapped frames as float32 (N, 300, 256).
    std::vector<fxs::Frame> polarFrames;
    for (const auto& p : polarPool) {
        fxs::Frame f = fxs::Frame::zeros(p.nQ, p.nPhi, fxs::PixelType::Float32);
        std::copy(p.intensity.begin(), p.intensity.end(), f.as<float>().begin());
        polarFrames.push_back(std::move(f));
    }
    // The GPU backend end to end (plain file): the raw frames remapped where the run chooses, and on the CPU.
    std::string why;
    if (fxs::GpuC2Accumulator::available(&why)) {
        const int n = o.gpuFrames > 0 ? o.gpuFrames : 4 * o.frames;
        for (auto [rate, text, remap] : { std::tuple { &m.gpuE2e, &m.gpuBackend, fxs::DeviceRemap::Auto },
                 std::tuple { &m.gpuDeviceRemapE2e, &m.gpuDeviceRemapBackend, fxs::DeviceRemap::On },
                 std::tuple { &m.gpuCpuRemapE2e, &m.gpuCpuRemapBackend, fxs::DeviceRemap::Off } }) {
            auto v = endToEnd(plain, &*remapper, valid, m.threads, n, { fxs::C2Backend::Gpu, remap, text });
            if (!v) {
                return v.error();
            }
            *rate = *v;
        }
    } else {
        std::fprintf(stderr, "pipeline: GPU backend not measured: %s\n", why.c_str());
    }
    if (o.gpuOnly) {
        return m;
    }
    m.polarShots = o.polarFrames > 0 ? o.polarFrames : 4 * o.frames;
    const int nPolar = m.polarShots;
    if (auto st = writeStack(polar, polarFrames, std::min(nPolar, 8 * kFileFrames), false); !st) {
        return fxs::Error { polar + ": " + st.message() };
    }
    // The polar stack end to end against the engine alone on the same shots: each is one short run (768 shots,
    // ~0.6 s on 2 cores), which one scheduler hiccup on a shared machine moves by 20 %, so several of each,
    // alternating, and the best of each.
    for (int rep = 0; rep < o.polarReps; ++rep) {
        m.engineRuns.push_back(c2Alone(polarPool, m.threads, nPolar));
        auto polarRun = endToEnd(polar, nullptr, {}, m.threads, nPolar);
        if (!polarRun) {
            return polarRun.error();
        }
        m.polarRuns.push_back(*polarRun);
        m.c2Engine = std::max(m.c2Engine, m.engineRuns.back());
        m.polarE2e = std::max(m.polarE2e, *polarRun);
    }
    if (o.polarOnly) {
        return m;
    }
    // Stages alone: read (+ decode), C2 on one thread and on the run's threads (the engine's figure).
    for (auto* r : { &m.read, &m.readCompressed }) {
        auto v = readAlone(r == &m.read ? plain : lz4, std::min(o.frames, kFileFrames));
        if (!v) {
            return v.error();
        }
        *r = *v;
    }
    m.c2 = c2Alone(polarPool, 1, o.frames); // as many as the detector runs: the same folds per frame
    // The real path.
    for (int t = 1; t < m.cores; t *= 2) {
        auto v = endToEnd(plain, &*remapper, valid, t, o.frames);
        if (!v) {
            return v.error();
        }
        m.scaling[t] = *v;
    }
    auto e2e = endToEnd(plain, &*remapper, valid, m.threads, o.frames);
    auto compressed = endToEnd(lz4, &*remapper, valid, m.threads, o.frames);
    for (const auto* r : { &e2e, &compressed }) {
        if (!*r) {
            return r->error();
        }
    }
    m.e2e = *e2e;
    m.e2eCompressed = *compressed;
    m.scaling[m.threads] = m.e2e;
    if (m.cores > m.threads) {
        auto all = endToEnd(plain, &*remapper, valid, m.cores, o.frames);
        if (all) {
            m.scaling[m.cores] = *all;
        }
    }
    return m;
}

int run(const fxs::bench::BenchArgs& a)
{
    Options o;
    for (std::size_t i = 0; i + 1 < a.args.size(); i += 2) {
        try {
            if (a.args[i] == "--threads") {
                o.threads = std::stoi(a.args[i + 1]);
            } else if (a.args[i] == "--frames") {
                o.frames = std::stoi(a.args[i + 1]);
            } else if (a.args[i] == "--polar-frames") {
                o.polarFrames = std::stoi(a.args[i + 1]);
            } else if (a.args[i] == "--gpu-frames") {
                o.gpuFrames = std::stoi(a.args[i + 1]);
            } else if (a.args[i] == "--gpu-only") {
                o.gpuOnly = a.args[i + 1] == "1";
            } else if (a.args[i] == "--polar-only") {
                o.polarOnly = a.args[i + 1] == "1";
            } else if (a.args[i] == "--polar-reps") {
                o.polarReps = std::max(1, std::stoi(a.args[i + 1]));
            } else {
                std::fprintf(stderr,
                    "pipeline: unknown option %s (--threads N, --frames N, --polar-frames N, "
                    "--gpu-frames N, --gpu-only 0|1, --polar-only 0|1, --polar-reps N)\n",
                    a.args[i].c_str());
                return 2;
            }
        } catch (const std::exception&) {
            std::fprintf(stderr, "pipeline: %s needs a number, got '%s'\n", a.args[i].c_str(), a.args[i + 1].c_str());
            return 2;
        }
    }
    if (o.frames < 1 || o.threads < 0) {
        std::fprintf(stderr, "pipeline: --frames must be at least 1 and --threads at least 0\n");
        return 2;
    }
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/fxs-bench-pipeline-XXXXXX";
    if (!::mkdtemp(pattern.data())) {
        std::fprintf(
            stderr, "pipeline: cannot create a folder under %s for the benchmark files\n", tmp && *tmp ? tmp : "/tmp");
        return 1;
    }
    auto m = measure(o, pattern);
    std::error_code ec;
    std::filesystem::remove_all(pattern, ec);
    if (!m) {
        std::fprintf(stderr, "pipeline: %s\n", m.error().message.c_str());
        return 1;
    }
    const std::string gpuKeys = m->gpuBackend.empty()
        ? std::string {}
        : ",\"end_to_end_frames_per_s_gpu\":" + std::to_string(m->gpuE2e) + ",\"gpu_backend\":\"" + m->gpuBackend
            + "\",\"end_to_end_frames_per_s_gpu_device_remap\":" + std::to_string(m->gpuDeviceRemapE2e)
            + ",\"end_to_end_frames_per_s_gpu_cpu_remap\":" + std::to_string(m->gpuCpuRemapE2e)
            + ",\"gpu_cpu_remap_backend\":\"" + m->gpuCpuRemapBackend + "\"";
    if (!m->gpuBackend.empty() && !a.json) {
        std::printf("pipeline: GPU end to end %.1f frames/s on %s\n  %.1f frames/s on %s\n  %.1f frames/s on %s\n",
            m->gpuE2e, m->gpuBackend.c_str(), m->gpuDeviceRemapE2e, m->gpuDeviceRemapBackend.c_str(), m->gpuCpuRemapE2e,
            m->gpuCpuRemapBackend.c_str());
    }
    if (o.gpuOnly) {
        std::printf("{\"benchmark\":\"pipeline\",\"threads\":%d,\"cores\":%d,\"stage_remap_frames_per_s\":%.2f%s}\n",
            m->threads, m->cores, m->remap, gpuKeys.c_str());
        return 0;
    }
    const auto list = [](const std::vector<double>& v) {
        std::string out = "[";
        for (std::size_t i = 0; i < v.size(); ++i) {
            out.append(i ? "," : "").append(std::to_string(v[i]));
        }
        return out.append("]");
    };
    const std::string polarKeys
        = ",\"polar_runs_shots_per_s\":" + list(m->polarRuns) + ",\"engine_runs_shots_per_s\":" + list(m->engineRuns);
    if (o.polarOnly) {
        std::printf("{\"benchmark\":\"pipeline\",\"threads\":%d,\"cores\":%d,\"polar_shots\":%d,"
                    "\"polar_end_to_end_shots_per_s\":%.2f,\"c2_engine_frames_per_s\":%.2f,"
                    "\"polar_ratio_vs_engine\":%.3f%s}\n",
            m->threads, m->cores, m->polarShots, m->polarE2e, m->c2Engine, m->polarE2e / m->c2Engine,
            polarKeys.c_str());
        return 0;
    }
    const double bound = m->bound();
    std::string scaling;
    for (const auto& [t, v] : m->scaling) {
        scaling.append(scaling.empty() ? "\"" : ",\"")
            .append(std::to_string(t))
            .append("\":")
            .append(std::to_string(v));
    }
    if (!a.json) {
        std::printf("pipeline: %d x %d uint16 frames (%d) -> C2 %d x %d, %d threads of %d cores\n"
                    "  end to end     %7.1f frames/s plain, %7.1f LZ4 | polar stack %7.1f shots/s\n"
                    "  stages alone   read %7.1f (LZ4 %7.1f) | remap+stats %7.1f | C2 %7.1f frames/s (1 thread)\n"
                    "  bound          %7.1f frames/s (cores / stages' CPU s per frame), ratio %.2f; "
                    "polar / C2 engine (%.1f) %.2f\n",
            kModules * kModuleSs, kModuleFs, o.frames, kGrid.nQ, kGrid.nPhi, m->threads, m->cores, m->e2e,
            m->e2eCompressed, m->polarE2e, m->read, m->readCompressed, m->remap, m->c2, bound, m->e2e / bound,
            m->c2Engine, m->polarE2e / m->c2Engine);
        return 0;
    }
    std::printf("{\"benchmark\":\"pipeline\",\"frames\":%d,\"pixels\":%d,\"grid\":[%d,%d],\"threads\":%d,\"cores\":%d,"
                "\"end_to_end_frames_per_s\":%.2f,\"end_to_end_frames_per_s_compressed\":%.2f,"
                "\"polar_end_to_end_shots_per_s\":%.2f,\"stage_read_frames_per_s\":%.2f,"
                "\"stage_read_frames_per_s_compressed\":%.2f,\"stage_remap_frames_per_s\":%.2f,"
                "\"stage_c2_frames_per_s\":%.2f,\"c2_engine_frames_per_s\":%.2f,\"bound_frames_per_s\":%.2f,"
                "\"ratio_vs_bound\":%.3f,\"polar_ratio_vs_engine\":%.3f,\"scaling\":{%s}%s%s}\n",
        o.frames, kModules * kModuleSs * kModuleFs, kGrid.nQ, kGrid.nPhi, m->threads, m->cores, m->e2e,
        m->e2eCompressed, m->polarE2e, m->read, m->readCompressed, m->remap, m->c2, m->c2Engine, bound, m->e2e / bound,
        m->polarE2e / m->c2Engine, scaling.c_str(), polarKeys.c_str(), gpuKeys.c_str());
    return 0;
}

} // namespace

static fxs::bench::Registrar reg { "pipeline",
    "the shot pipeline end to end (file -> C2 300x256, 2.2 Mpx uint16, plain/LZ4, polar stack) vs each stage alone",
    &run,
    "  --threads N        pipeline and C2 threads (default: every core)\n"
    "  --frames N         frames through the path per run (default 192)\n"
    "  --polar-frames N   polar 300 x 256 shots for the polar run (default 4 x frames)\n"
    "  --gpu-frames N     frames through the path with the GPU backend, when a GPU is usable (default 4 x frames)\n"
    "  --gpu-only 1       only the GPU runs (and the remap stage they are compared with)\n"
    "  --polar-only 1     only the polar stack end to end against the C2 engine alone\n"
    "  --polar-reps N     runs of each side of that comparison, alternating; the best of each counts (default 3)\n" };
