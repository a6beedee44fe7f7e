#include "CliSupport.h"
#include "Commands.h"
#include "CorrelationRun.h"
#include "Figures.h"
#include "RunOutput.h"
#include "Setup.h"

#include <filesystem>
#include <fxs/invariants/KamInvariants.h>
#include <fxs/simulation/SimulatorSource.h>
#include <iostream>
#include <numeric>
#include <thread>

namespace fxs::cli {

namespace {
struct DemoOptions {
    std::string out = "out/demo";
    std::int64_t shots = 3000;
    std::string geometry = "builtin";
    GeometryOverrideOptions geometryValues;
    int nQ = 100;
    int nPhi = 128;
    int threads = 0;
    bool noFigures = false;
    SimSettings sim;
};

// The miss threshold: half the photons of an average shot at mean fluence (over 16 drawn orientations).
double missThreshold(const Simulator& sim, const SimulatorPixels& pixels)
{
    std::vector<float> counts(pixels.size());
    double total = 0.0;
    constexpr int kDraws = 16;
    for (int i = 0; i < kDraws; ++i) {
        ShotDraw draw = sim.drawShot(1'000'000 + i);
        draw.fluence = 1.0;
        sim.expectedCounts(pixels, draw, counts);
        total += std::accumulate(counts.begin(), counts.end(), 0.0);
    }
    return 0.5 * total / kDraws;
}

Result<KamInvariants> invariantsOf(
    const C2Snapshot& snap, const PolarGrid& grid, double wavelengthA, const Simulator& sim, int threads)
{
    InvariantOptions o;
    o.particleDiameterA = 2.0 * sim.model().extentA() + 20.0;
    o.lMax = std::min(24, 2 * static_cast<int>(0.5 * grid.qMaxInvA * o.particleDiameterA));
    o.threads = threads;
    return KamInvariants::fromSnapshot(snap, grid, wavelengthA, o);
}

// Snapshot, invariants, results file and figures of a finished (or interrupted) demo run.
int finishDemo(const DemoOptions& o, const CLI::App& sub, const GeometrySetup& geo, const PolarGrid& grid,
    const RunOutcome& run, const ShotPipeline& feed, const Simulator& sim, double minPhotons)
{
    const std::string cmd = "demo";
    const C2Snapshot snap = C2Snapshot::compute(run.sums, { .threads = o.threads });
    const double lambda = geo.geometry.wavelengthA();
    auto inv = invariantsOf(snap, grid, lambda, sim, o.threads);
    if (!inv) {
        std::cerr << "demo: note: no invariants (" << inv.error().message << ")\n";
    }
    const std::string results = (std::filesystem::path(o.out) / "demo_results.h5").string();
    ResultsContent rc { &run, &snap, inv ? &*inv : nullptr, grid, lambda, geo.text,
        withGeometryValues(effectiveConfig(sub), geo.valuesJson), {}, std::nullopt };
    if (auto st = writeResults(results, rc); !st) {
        return fail(cmd, kExitProcessing, st.message());
    }
    std::cout << "demo: " << run.accepted << " shots in C2, " << run.vetoed << " vetoed (fewer than "
              << static_cast<long long>(minPhotons) << " photons), " << formatSeconds(run.seconds) << ", split-half CC "
              << snap.splitHalfCC << "\n";
    std::cout << "  results file:  " << std::filesystem::absolute(results).string() << "\n";
    if (run.interrupted) {
        std::cout << "  interrupted: the results hold the shots done so far\n";
    }
    if (!o.noFigures) {
        FigureInputs fi;
        fi.runLabel = "fxs demo: " + o.sim.model + ", " + std::to_string(o.shots) + " simulated shots";
        fi.grid = grid;
        fi.snapshot = &snap;
        fi.geometry = &geo.geometry;
        fi.meanDetector = feed.meanDetector();
        if (geo.name == "builtin") {
            fi.maskNote = "dark: beamstop and gap";
        }
        fi.meanDetectorShots = feed.framesInMean();
        fi.convergenceShots = run.convergenceShots;
        fi.convergenceCC = run.convergenceCC;
        fi.invariants = inv ? &*inv : nullptr;
        renderAndList(fi, o.out);
    }
    return run.interrupted ? kExitInterrupted : kExitOk;
}

int runDemo(const DemoOptions& o, const CLI::App& sub)
{
    const std::string cmd = "demo";
    std::error_code ec;
    std::filesystem::create_directories(o.out, ec);
    if (ec || !std::filesystem::is_directory(o.out)) {
        return fail(cmd, kExitBadInput, o.out + ": cannot create the output folder (" + ec.message() + ")");
    }
    auto geo = loadGeometry(o.geometry, o.geometryValues);
    if (!geo) {
        return fail(cmd, kExitBadInput, geo.error().message);
    }
    auto sim = makeSimulator(o.sim);
    if (!sim) {
        return fail(cmd, kExitBadInput, sim.error().message);
    }
    const PolarGrid grid = defaultGrid(geo->geometry, o.nQ, o.nPhi);
    auto pixels = SimulatorPixels::detector(geo->geometry, {}, geo->mask);
    auto remapper = PolarRemapper::create(geo->geometry, grid, {}, geo->mask);
    if (!pixels || !remapper) {
        return fail(cmd, kExitProcessing, !pixels ? pixels.error().message : remapper.error().message);
    }
    const double minPhotons = missThreshold(**sim, *pixels);
    SimulatorSourceOptions so;
    so.frames = o.shots;
    so.photonEnergyEv = geo->geometry.photonEnergyEv();
    auto source = SimulatorSource::create(*sim, *pixels, so);
    if (!source) {
        return fail(cmd, kExitProcessing, source.error().message);
    }
    std::cerr << "demo: simulating " << o.shots << " shots of '" << o.sim.model << "' on a " << geo->geometry.nSlow()
              << " x " << geo->geometry.nFast() << " detector (" << geo->name << "), polar grid " << grid.nQ << " x "
              << grid.nPhi << ", q " << grid.qMinInvA << "-" << grid.qMaxInvA << " 1/A, "
              << (o.threads > 0 ? o.threads : std::thread::hardware_concurrency()) << " threads\n";
    ShotPipelineConfig pc;
    pc.threads = o.threads;
    pc.keepMean = true;
    ShotPipeline feed(std::move(*source), std::move(*remapper), geo->mask, pc);
    RunSettings rs;
    rs.pipeline.accumulator.nQ = grid.nQ;
    rs.pipeline.accumulator.nPhi = grid.nPhi;
    rs.pipeline.threads = o.threads;
    if (auto st = rs.veto.addThreshold({ ShotStatistic::Sum, minPhotons }); !st) {
        return fail(cmd, kExitProcessing, st.message());
    }
    rs.label = "demo";
    auto run = runCorrelation(feed, rs);
    if (!run) {
        return fail(cmd, kExitProcessing, run.error().message);
    }
    return finishDemo(o, sub, *geo, grid, *run, feed, **sim, minPhotons);
}
} // namespace

void registerDemo(CLI::App& app, CommandRegistry& registry)
{
    auto* sub = app.add_subcommand("demo",
        "Run the built-in simulated FXS run end to end (simulate, remap, veto, "
        "correlate, invariants, results file, PNG figures)");
    auto o = std::make_shared<DemoOptions>();
    sub->add_option("--out", o->out, "Output folder for the results file and the figures")->capture_default_str();
    sub->add_option("--shots", o->shots, "Shots to simulate")->capture_default_str()->check(CLI::Range(1, 10000000));
    addModelOption(sub, o->sim.model);
    sub->add_option("--geometry", o->geometry, "'builtin' (256 x 256, 300 um pixels, 0.25 m, 9 keV) or a .geom file")
        ->capture_default_str();
    addGeometryOverrideOptions(sub, o->geometryValues);
    sub->add_option("--n-q", o->nQ, "Radial bins of the polar grid")->capture_default_str()->check(CLI::Range(2, 4096));
    sub->add_option("--n-phi", o->nPhi, "Azimuthal bins of the polar grid")
        ->capture_default_str()
        ->check(CLI::Range(4, 8192));
    sub->add_option("--seed", o->sim.seed, "Random seed of the simulation")->capture_default_str();
    sub->add_option("--threads", o->threads, "Worker threads (0: all cores)")->capture_default_str();
    sub->add_flag("--no-figures", o->noFigures, "Do not draw PNG figures");
    sub->footer("Example:\n  fxs demo --out out/demo --shots 3000");
    registry.add(sub, [o, sub] { return runDemo(*o, *sub); });
}

} // namespace fxs::cli
