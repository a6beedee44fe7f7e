// fxs-bench sim: simulated 1 Mpx detector frames per second (tabulated |F|², Poisson noise, water ring),
// on all cores and on one, against the in-process reference of direct evaluation (Σ over scatterers per pixel).
#include "BenchRegistry.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fxs/geometry/DetectorGeometry.h>
#include <fxs/simulation/Simulator.h>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

struct Options {
    int side = 1024;
    double minSeconds = 3.0;
    double particles = 1.0;
    std::string model = "helix6";
};

Options parse(const fxs::bench::BenchArgs& a)
{
    Options o;
    for (std::size_t i = 0; i + 1 < a.args.size(); i += 2) {
        if (a.args[i] == "--side") {
            o.side = std::stoi(a.args[i + 1]);
        } else if (a.args[i] == "--seconds") {
            o.minSeconds = std::stod(a.args[i + 1]);
        } else if (a.args[i] == "--particles") {
            o.particles = std::stod(a.args[i + 1]);
        } else if (a.args[i] == "--model") {
            o.model = a.args[i + 1];
        }
    }
    return o;
}

fxs::Simulator makeSim(const Options& o, int threads, fxs::IntensitySampling sampling)
{
    fxs::SimulatorConfig c;
    c.meanParticles = o.particles;
    c.poissonParticles = o.particles != 1.0;
    c.fluenceJitter = 0.1;
    c.waterRingPhotons = 0.5;
    c.outputType = fxs::PixelType::UInt16;
    c.threads = threads;
    c.sampling = sampling;
    return std::move(*fxs::Simulator::create(*fxs::ParticleModel::builtin(o.model), c));
}

// Frames per second of `sim` over at least minSeconds (the first frame, which builds the table, excluded).
// Process CPU time per frame goes to *cpuPerFrame: on a shared, loaded machine wall time understates the speed.
double framesPerSecond(
    const fxs::Simulator& sim, const fxs::SimulatorPixels& px, double minSeconds, int* frames, double* cpuPerFrame)
{
    std::int64_t shot = 0;
    (void)sim.detectorFrame(px, shot++);
    const auto t0 = Clock::now();
    const std::clock_t c0 = std::clock();
    std::int64_t n = 0;
    while (seconds(t0) < minSeconds || n < 3) {
        (void)sim.detectorFrame(px, shot++);
        ++n;
    }
    *frames = static_cast<int>(n);
    *cpuPerFrame = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC / static_cast<double>(n);
    return static_cast<double>(n) / seconds(t0);
}

int runSim(const fxs::bench::BenchArgs& args)
{
    const Options o = parse(args);
    if (!fxs::ParticleModel::builtin(o.model).ok() || o.side < 16 || o.side > 8192) {
        std::cerr << "fxs-bench sim: options --side N (16…8192), --seconds S, --particles N, --model NAME\n";
        return 2;
    }
    // A square detector, 100 µm pixels at 0.25 m, λ = 1 Å: q up to ~1.3 Å⁻¹ at the edges.
    fxs::SinglePanelSpec spec { o.side, o.side, 100e-6, o.side / 2.0, o.side / 2.0, 0.25, 1.0 };
    auto geom = fxs::DetectorGeometry::singlePanel(spec);
    if (!geom.ok()) {
        std::cerr << geom.error().message << "\n";
        return 1;
    }
    auto px = fxs::SimulatorPixels::detector(*geom);
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

    const auto tb = Clock::now();
    auto simAll = makeSim(o, 0, fxs::IntensitySampling::Table);
    (void)simAll.detectorFrame(*px, 0);
    const double tableSeconds = seconds(tb);
    int nAll = 0, nOne = 0, nDirect = 0;
    double cpuAll = 0, cpuOne = 0, cpuDirect = 0;
    const double fpsAll = framesPerSecond(simAll, *px, o.minSeconds, &nAll, &cpuAll);
    const double fpsOne
        = framesPerSecond(makeSim(o, 1, fxs::IntensitySampling::Table), *px, o.minSeconds, &nOne, &cpuOne);
    const double pixels = static_cast<double>(o.side) * o.side;
    // What `cores` idle cores would give if the per-frame CPU time scaled perfectly (blocks are independent).
    const double fpsIdleProjection = cores / cpuAll;

    // Reference: direct evaluation (Σ over scatterers per pixel) on every 16th pixel along both axes, scaled up.
    fxs::SimulatorPixels sub;
    sub.nSlow = sub.nFast = o.side / 16;
    for (int ss = 0; ss < sub.nSlow; ++ss) {
        for (int fs = 0; fs < sub.nFast; ++fs) {
            const std::size_t i = static_cast<std::size_t>(ss * 16) * o.side + fs * 16;
            sub.qInvA.push_back(px->qInvA[i]);
            sub.gain.push_back(px->gain[i]);
        }
    }
    sub.updateQMax();
    const double subPixels = static_cast<double>(sub.size());
    const double fpsDirectSmall
        = framesPerSecond(makeSim(o, 0, fxs::IntensitySampling::Direct), sub, o.minSeconds / 3, &nDirect, &cpuDirect);
    const double fpsDirect = fpsDirectSmall * subPixels / pixels;

    std::ostringstream js;
    js << "{\"benchmark\":\"sim\",\"pixels\":" << static_cast<long>(o.side) * o.side << ",\"model\":\"" << o.model
       << "\",\"particles_per_shot\":" << o.particles << ",\"cores\":" << cores << ",\"frames_per_s\":" << fpsAll
       << ",\"frames_per_s_1_thread\":" << fpsOne << ",\"frames_per_s_direct_reference\":" << fpsDirect
       << ",\"speedup_vs_direct\":" << fpsAll / fpsDirect << ",\"thread_scaling\":" << fpsAll / fpsOne
       << ",\"cpu_ns_per_pixel\":" << cpuAll / pixels * 1e9
       << ",\"cpu_ns_per_pixel_direct\":" << cpuDirect / subPixels * 1e9
       << ",\"frames_per_s_projected_idle_cores\":" << fpsIdleProjection << ",\"table_build_s\":" << tableSeconds
       << "}";
    if (!args.json) {
        std::printf("sim: %d×%d detector, model %s, %.3g particles/shot, uint16, Poisson noise, water ring\n", o.side,
            o.side, o.model.c_str(), o.particles);
        std::printf("  all %d cores : %8.1f frames/s (%d frames)\n", cores, fpsAll, nAll);
        std::printf("  1 thread     : %8.1f frames/s (%d frames)\n", fpsOne, nOne);
        std::printf("  direct Σ ref : %8.3f frames/s (all cores; from every 16th pixel)\n", fpsDirect);
        std::printf("  table build  : %8.2f s (first frame)\n", tableSeconds);
        std::printf(
            "  CPU time     : %8.1f ns/pixel (table), %.1f ns/pixel (direct) → %.1f frames/s on %d idle cores\n",
            cpuAll / pixels * 1e9, cpuDirect / subPixels * 1e9, fpsIdleProjection, cores);
    }
    std::cout << js.str() << std::endl;
    return 0;
}

static fxs::bench::Registrar reg { "sim", "simulated 1 Mpx detector frames/s (table vs direct evaluation)", &runSim };

} // namespace
