#include "CliSupport.h"
#include "Commands.h"
#include "ResultsReader.h"
#include "RunOutput.h"

#include <atomic>
#include <filesystem>
#include <fxs/correlation/C2Snapshot.h>
#include <fxs/results/MrcWriter.h>
#include <fxs/reconstruction/MtipReconstructor.h>
#include <fxs/results/ResultsFile.h>
#include <iostream>
#include <thread>

namespace fxs::cli {

namespace {
struct ReconstructOptions {
    std::string input;
    std::string out = "reconstruction.h5";
    std::string mrc;
    int gridSize = 32;
    int starts = 2;
    int cycles = 3;
    double diameterA = 0.0;
    int lMax = -1;
    std::uint64_t seed = 1;
    int threads = 0;
};

Result<KamInvariants> invariantsFor(const StoredRun& run, const ReconstructOptions& o)
{
    if (run.invariants) {
        return *run.invariants;
    }
    if (o.diameterA <= 0.0 || run.wavelengthA <= 0.0) {
        return Error { "the results file holds no invariants: run fxs invariants first, or give "
                       "--particle-diameter (and a file with a known wavelength)" };
    }
    InvariantOptions io;
    io.particleDiameterA = o.diameterA;
    io.lMax = o.lMax;
    io.threads = o.threads;
    return KamInvariants::fromSnapshot(
        C2Snapshot::compute(run.sums, { .threads = o.threads }), run.grid, run.wavelengthA, io);
}

Status writeOutputs(const ReconstructOptions& o, const MtipResult& r, const std::string& mrc, const CLI::App& sub)
{
    MrcMap map { r.gridSize, r.gridSize, r.gridSize, r.density, r.voxelSizeA, {}, "fxs M-TIP reconstruction" };
    const double origin = -0.5 * r.gridSize * r.voxelSizeA;
    map.originAngstrom = { origin, origin, origin };
    if (auto st = MrcWriter::write(mrc, map); !st) {
        return st;
    }
    auto file = ResultsFile::create(o.out);
    if (!file) {
        return Error { file.error().message };
    }
    const std::int64_t n = r.gridSize;
    std::vector<double> density(r.density.begin(), r.density.end());
    const std::vector<double> voxel { r.voxelSizeA };
    for (Status st : { (*file)->writeArray("density", density, { n, n, n }, "M-TIP density, x fastest"),
             (*file)->writeArray("density_voxel_A", voxel, { 1 }, "voxel edge in A"),
             (*file)->writeArray("real_space_error_history", r.realSpaceErrorHistory,
                 { static_cast<std::int64_t>(r.realSpaceErrorHistory.size()) }, "kept start, per iteration"),
             (*file)->writeArray("invariant_error", r.invariantError,
                 { static_cast<std::int64_t>(r.invariantError.size()) }, "per even l (index l/2), last iteration"),
             (*file)->writeArray("start_real_space_errors", r.startRealSpaceErrors,
                 { static_cast<std::int64_t>(r.startRealSpaceErrors.size()) }, "final error of every start"),
             (*file)->writeConfiguration(effectiveConfig(sub)), (*file)->close() }) {
        if (!st) {
            return Error { o.out + ": " + st.message() };
        }
    }
    return {};
}

int runReconstruct(const ReconstructOptions& o, const CLI::App& sub)
{
    const std::string cmd = "reconstruct";
    auto stored = readResults(o.input);
    if (!stored) {
        return fail(cmd, kExitBadInput, stored.error().message);
    }
    auto inv = invariantsFor(*stored, o);
    if (!inv) {
        return fail(cmd, kExitBadInput, inv.error().message);
    }
    MtipConfig c;
    c.gridSize = o.gridSize;
    c.starts = o.starts;
    c.schedule = MtipConfig::cycles(o.cycles, 60, 40, 100);
    c.particleDiameterA = o.diameterA;
    c.lMax = o.lMax;
    c.seed = o.seed;
    c.threads = o.threads;
    std::atomic<bool> cancel { false };
    std::atomic<bool> done { false };
    std::thread watcher([&] {
        while (!done.load()) {
            cancel.store(interrupted());
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    });
    const int perStart = MtipConfig::iterationCount(c.schedule);
    Progress progress("reconstruct", static_cast<std::int64_t>(perStart) * c.starts, "iterations");
    MtipControl control;
    control.cancel = &cancel;
    control.progress = [&](const MtipProgress& p) {
        progress.update(static_cast<std::int64_t>(p.start) * p.iterations + p.iteration,
            "start " + std::to_string(p.start + 1) + "/" + std::to_string(p.starts) + ", real-space error "
                + std::to_string(p.realSpaceError));
    };
    auto result = MtipReconstructor(c).run(*inv, control);
    done.store(true);
    watcher.join();
    if (!result) {
        return fail(cmd, kExitProcessing, result.error().message);
    }
    progress.finish(result->iterationsRun, result->cancelled ? "interrupted" : "");
    const std::string mrc = o.mrc.empty() ? std::filesystem::path(o.out).replace_extension(".mrc").string() : o.mrc;
    if (auto st = writeOutputs(o, *result, mrc, sub); !st) {
        return fail(cmd, kExitProcessing, st.message());
    }
    std::cout << "reconstruct: grid " << result->gridSize << "^3, voxel " << result->voxelSizeA << " A, best start "
              << result->bestStart + 1 << ", real-space error " << result->realSpaceError
              << "\n  map:           " << std::filesystem::absolute(mrc).string()
              << "\n  metrics:       " << std::filesystem::absolute(o.out).string() << "\n";
    return result->cancelled ? kExitInterrupted : kExitOk;
}
} // namespace

void registerReconstruct(CLI::App& app, CommandRegistry& registry)
{
    auto* sub = app.add_subcommand("reconstruct", "M-TIP reconstruction of a 3D density from the invariants");
    auto o = std::make_shared<ReconstructOptions>();
    sub->add_option("input", o->input, "Results file with invariants (fxs invariants) or C2 sums")->required();
    sub->add_option("--out", o->out, "HDF5 file for the density and the metrics")->capture_default_str();
    sub->add_option("--mrc", o->mrc, "MRC map to write (default: <out> with .mrc)");
    sub->add_option("--grid-size", o->gridSize, "n of the n^3 grid (even)")->capture_default_str();
    sub->add_option("--starts", o->starts, "Random starts (the best is kept)")->capture_default_str();
    sub->add_option("--cycles", o->cycles, "Cycles of (60 HIO, shrink-wrap, 40 ER), then 100 ER")
        ->capture_default_str();
    sub->add_option("--particle-diameter", o->diameterA, "Particle diameter in A (initial support)");
    sub->add_option("--l-max", o->lMax, "Highest l used (-1: all)")->capture_default_str();
    sub->add_option("--seed", o->seed, "Random seed")->capture_default_str();
    sub->add_option("--threads", o->threads, "Worker threads (0: all cores)")->capture_default_str();
    sub->footer("Example:\n  fxs reconstruct run_inv.h5 --particle-diameter 60 --out rec.h5 --mrc rec.mrc");
    registry.add(sub, [o, sub] { return runReconstruct(*o, *sub); });
}

} // namespace fxs::cli
