#include "CliSupport.h"
#include "Commands.h"
#include "Setup.h"

#include <filesystem>
#include <fstream>
#include <fxs/simulation/SimulatedRun.h>
#include <fxs/simulation/SimulatorSource.h>
#include <iostream>
#include <thread>

namespace fxs::cli {

namespace {
struct SimulateOptions {
    std::string out;
    std::int64_t shots = 1000;
    std::string geometry = "builtin";
    GeometryOverrideOptions geometryValues;
    double rateHz = 0.0;
    bool live = false;
    bool lz4 = false;
    int modules = 1;
    SimSettings sim;
};

int waitLive(SimulatedRun& run, std::int64_t shots)
{
    Progress progress("simulate", shots);
    while (true) {
        if (interrupted()) {
            run.stop();
        }
        progress.update(run.framesWritten());
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (run.framesWritten() >= shots || interrupted()) {
            break;
        }
    }
    auto done = run.wait();
    progress.finish(done ? *done : run.framesWritten());
    if (!done) {
        return fail("simulate", kExitProcessing, done.error().message);
    }
    return interrupted() ? kExitInterrupted : kExitOk;
}

int runSimulate(const SimulateOptions& o)
{
    const std::string cmd = "simulate";
    auto geo = loadGeometry(o.geometry, o.geometryValues);
    if (!geo) {
        return fail(cmd, kExitBadInput, geo.error().message);
    }
    auto sim = makeSimulator(o.sim);
    if (!sim) {
        return fail(cmd, kExitBadInput, sim.error().message);
    }
    auto pixels = SimulatorPixels::detector(geo->geometry, {}, geo->mask);
    if (!pixels) {
        return fail(cmd, kExitProcessing, pixels.error().message);
    }
    SimulatorSourceOptions so;
    so.frames = o.shots;
    so.rateHz = o.rateHz;
    so.photonEnergyEv = geo->geometry.photonEnergyEv();
    auto source = SimulatorSource::create(*sim, std::move(*pixels), so);
    if (!source) {
        return fail(cmd, kExitProcessing, source.error().message);
    }
    SimulatedRunOptions ro;
    ro.writer.swmr = o.live;
    ro.writer.lz4 = o.lz4;
    ro.writer.modules = o.modules;
    std::cerr << "simulate: " << o.shots << " shots of '" << o.sim.model << "' on " << geo->name << " ("
              << geo->geometry.nSlow() << " x " << geo->geometry.nFast() << ")"
              << (o.rateHz > 0 ? " at " + std::to_string(o.rateHz) + " Hz" : std::string {})
              << (o.live ? ", live SWMR file" : "") << " -> " << o.out << "\n";
    int code = kExitOk;
    if (o.live) {
        auto run = SimulatedRun::start(std::move(*source), o.out, ro);
        if (!run) {
            return fail(cmd, kExitProcessing, run.error().message);
        }
        code = waitLive(**run, o.shots);
    } else {
        Progress progress("simulate", o.shots);
        ro.progress = [&](std::int64_t n) {
            progress.update(n);
            return !interrupted();
        };
        auto written = SimulatedRun::writeCxi(**source, o.out, ro);
        if (!written) {
            return fail(cmd, kExitProcessing, written.error().message);
        }
        progress.finish(*written);
        code = interrupted() ? kExitInterrupted : kExitOk;
    }
    std::cout << "simulate: wrote " << std::filesystem::absolute(o.out).string() << " (dataset /entry_1/data_1/data)"
              << "\n";
    // The pixels the simulated detector does not measure (gain 0: outside panels, the beamstop, gaps, --mask),
    // as a NeXus pixel_mask file beside the data that the written geometry names, so that a later run masks them.
    const std::string maskPath = std::filesystem::absolute(o.out + ".mask.h5").string();
    if (auto st = writeMaskHdf5(maskPath, { geo->geometry.nSlow(), geo->geometry.nFast(), geo->mask }); !st) {
        return fail(cmd, kExitProcessing, st.message());
    }
    std::cout << "  pixel mask:    " << maskPath << " (/data/mask, nonzero = not measured)\n";
    if (geo->name == "builtin") {
        const std::string geomPath = o.out + ".geom";
        std::ofstream(geomPath) << geo->text << "\nmask_file = " << maskPath
                                << "\nmask = /data/mask\nmask_good = 0x0\nmask_bad = 0x1\n";
        std::cout << "  geometry:      " << std::filesystem::absolute(geomPath).string() << "\n";
    }
    return code;
}
} // namespace

void registerSimulate(CLI::App& app, CommandRegistry& registry)
{
    auto* sub = app.add_subcommand("simulate", "Simulate an FXS run into a CXI file (optionally a live SWMR file)");
    auto o = std::make_shared<SimulateOptions>();
    sub->add_option("--out", o->out, "CXI file to write")->required();
    sub->add_option("--shots", o->shots, "Shots to simulate")->capture_default_str()->check(CLI::Range(1, 100000000));
    addModelOption(sub, o->sim.model);
    sub->add_option("--geometry", o->geometry, "'builtin' (256 x 256, 300 um, 0.25 m, 9 keV) or a CrystFEL .geom file")
        ->capture_default_str();
    addGeometryOverrideOptions(sub, o->geometryValues);
    sub->add_option("--particles", o->sim.particles, "Particles per shot (the mean with --poisson)")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 10000.0));
    sub->add_flag("--poisson", o->sim.poissonParticles, "Draw the particle count from a Poisson distribution");
    sub->add_option("--photons", o->sim.peakPhotons, "Expected photons per pixel at q = 0 for one particle")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    sub->add_option("--jitter", o->sim.fluenceJitter, "Relative rms of the shot-to-shot fluence")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 10.0));
    sub->add_option("--seed", o->sim.seed, "Random seed")->capture_default_str();
    sub->add_option("--rate", o->rateHz, "Shots per second (0: as fast as possible)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    sub->add_flag("--live", o->live, "Write a live SWMR file that readers can follow while it grows");
    sub->add_flag("--lz4", o->lz4, "Compress frames with LZ4 (HDF5 filter 32004)");
    sub->add_option("--modules", o->modules, "Write a 4-D (N, modules, ss, fs) stack")->capture_default_str();
    sub->footer("Examples:\n  fxs simulate --out run.cxi --shots 2000 --model helix6\n"
                "  fxs simulate --out live.cxi --shots 100000 --rate 120 --live   # follow with fxs correlate --live");
    registry.add(sub, [o] { return runSimulate(*o); });
}

} // namespace fxs::cli
