// fxs-bench mtip: M-TIP on a 64³ grid, 500 iterations (4 × (60 HIO, shrink-wrap, 40 ER) + 100 ER) from the exact
// invariants of the pentamer5 blob model, on all cores; the reference is the same reconstruction on one thread for
// a few iterations in the same process, giving the parallel speed-up per iteration.
#include "../common/DensityAlignment.h"
#include "../common/KamClosedForm.h"
#include "BenchRegistry.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fxs/reconstruction/MtipReconstructor.h>
#include <fxs/simulation/ParticleModel.h>
#include <string>
#include <thread>

namespace {

struct Options {
    int grid = 64;
    int iterations = 500;
    double qMaxInvA = 0.5;
    int lMax = 26;
    int threads = 0;
    bool align = true;
    std::string model = "pentamer5";
};

Options parse(const fxs::bench::BenchArgs& a)
{
    Options o;
    for (std::size_t i = 0; i < a.args.size(); ++i) {
        const bool hasValue = i + 1 < a.args.size();
        if (a.args[i] == "--grid" && hasValue) {
            o.grid = std::stoi(a.args[++i]);
        } else if (a.args[i] == "--iterations" && hasValue) {
            o.iterations = std::stoi(a.args[++i]);
        } else if (a.args[i] == "--qmax" && hasValue) {
            o.qMaxInvA = std::stod(a.args[++i]);
        } else if (a.args[i] == "--lmax" && hasValue) {
            o.lMax = std::stoi(a.args[++i]);
        } else if (a.args[i] == "--threads" && hasValue) {
            o.threads = std::stoi(a.args[++i]);
        } else if (a.args[i] == "--model" && hasValue) {
            o.model = a.args[++i];
        } else if (a.args[i] == "--no-align") {
            o.align = false;
        }
    }
    return o;
}

// A schedule of exactly `iterations` HIO/ER iterations shaped like FXS_SPEC §5.
std::vector<fxs::MtipStep> schedule(int iterations)
{
    const int cycles = std::max(0, (iterations - 100) / 100);
    auto s = fxs::MtipConfig::cycles(cycles, 60, 40, iterations - 100 * cycles);
    return s;
}

double seconds(const std::chrono::steady_clock::time_point& t0)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace

int runMtip(const fxs::bench::BenchArgs& args)
{
    const Options o = parse(args);
    auto model = fxs::ParticleModel::builtin(o.model);
    if (!model) {
        std::fprintf(stderr, "fxs-bench mtip: %s\n", model.error().message.c_str());
        return 2;
    }
    std::vector<fxs::test::Blob> blobs;
    for (const auto& s : model->scatterers()) {
        blobs.push_back({ s.amplitude, s.sigmaA, s.positionA });
    }
    std::vector<double> q;
    for (int i = 0; i < o.grid / 2; ++i) {
        q.push_back(0.02 + (o.qMaxInvA - 0.02) * i / (o.grid / 2 - 1));
    }
    fxs::KamInvariants inv = fxs::KamInvariants::zeros(q, o.lMax);
    inv.b = fxs::test::closedFormInvariants(blobs, q, o.lMax);

    fxs::MtipConfig c;
    c.gridSize = o.grid;
    c.particleDiameterA = 2.0 * model->extentA();
    c.starts = 1;
    c.threads = o.threads;
    const int threads = o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

    // Reference: one thread, a short schedule (its per-iteration cost does not depend on the step kind).
    fxs::MtipConfig ref = c;
    ref.threads = 1;
    ref.schedule = { { fxs::MtipStep::Kind::Er, 20 } };
    auto t0 = std::chrono::steady_clock::now();
    auto r1 = fxs::MtipReconstructor(ref).run(inv);
    const double refPerIteration = seconds(t0) / 20.0;

    c.schedule = schedule(o.iterations);
    t0 = std::chrono::steady_clock::now();
    const std::clock_t cpu0 = std::clock();
    auto r = fxs::MtipReconstructor(c).run(inv);
    const double total = seconds(t0);
    // Process CPU time: the stable figure on a shared machine (wall time / cores when the cores are idle).
    const double cpu = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
    if (!r || !r1) {
        std::fprintf(stderr, "fxs-bench mtip: %s\n", (!r ? r : r1).error().message.c_str());
        return 1;
    }
    double cc = 0.0;
    if (o.align) {
        const auto truth = model->density(o.grid, r->voxelSizeA);
        cc = fxs::test::alignDensities(truth.values, r->density, o.grid, 1000).correlation;
    }
    const double perIteration = total / o.iterations;
    if (!args.json) {
        std::printf("M-TIP %d³, L = %d, %zu shells, %d iterations on %d threads: %.2f s (%.1f ms/iteration; one "
                    "thread %.1f ms/iteration, speed-up %.2f×); final real-space error %.4g; CC with truth %.3f\n",
            o.grid, r->lMax, r->shellQInvA.size(), o.iterations, threads, total, 1e3 * perIteration,
            1e3 * refPerIteration, refPerIteration / perIteration, r->realSpaceError, cc);
    }
    std::printf(
        "{\"benchmark\":\"mtip\",\"grid\":%d,\"l_max\":%d,\"shells\":%zu,\"threads\":%d,\"iterations\":%d,"
        "\"seconds_500_iterations\":%.4f,\"seconds_per_iteration\":%.6f,"
        "\"reference_one_thread_seconds_per_iteration\":%.6f,\"speedup_vs_one_thread\":%.3f,"
        "\"cpu_seconds_500_iterations\":%.4f,\"final_real_space_error\":%.6g,\"correlation_with_truth\":%.4f}\n",
        o.grid, r->lMax, r->shellQInvA.size(), threads, o.iterations, perIteration * 500.0, perIteration,
        refPerIteration, refPerIteration / perIteration, cpu * 500.0 / o.iterations, r->realSpaceError, cc);
    return 0;
}

static fxs::bench::Registrar reg { "mtip", "M-TIP 64³ × 500 iterations on all cores (vs one thread)", &runMtip };
