// fxs-bench mpi: the same synthetic input through fxs-worker on 1 and on 2 MPI ranks (real mpirun), one thread
// per rank, the job's default reduction rounds (every 5 s). Reports the speedup of 2 ranks over 1 in wall time
// (mpirun started to mpirun ended: start-up, accumulation, reductions, checkpoints, result and results file), the
// same from the worker's own clock, and the fraction of the 2-rank worker time rank 0 spends in reductions, the
// hand-off to the checkpoint writer and the final wait for the result.
#include "BenchRegistry.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace {

struct WorkerTiming {
    double totalS = 0.0;
    double reduceCheckpointS = 0.0;
    double waitForRanksS = 0.0;
    double lastIntervalS = 0.0;
    double wallS = 0.0;
    int rounds = 0;
    bool ok = false;
};

std::filesystem::path workerPath()
{
    std::error_code ec;
    return std::filesystem::read_symlink("/proc/self/exe", ec).parent_path() / "fxs-worker";
}

WorkerTiming runWorker(int ranks, const std::filesystem::path& dir, const nlohmann::json& config)
{
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "worker.json") << config.dump();
    std::vector<std::string> args { "mpirun", "--oversubscribe" };
    if (::geteuid() == 0) {
        args.push_back("--allow-run-as-root");
    }
    for (const std::string& a : { std::string("-n"), std::to_string(ranks), workerPath().string(), dir.string() }) {
        args.push_back(a);
    }
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, (dir / "mpirun.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    ::setenv("PMIX_MCA_psec", "native", 0); // as fxs-server's launcherEnvironment: no 2.25 s munge retries
    const auto t0 = std::chrono::steady_clock::now();
    pid_t pid = 0;
    WorkerTiming t;
    if (posix_spawnp(&pid, "mpirun", &fa, nullptr, argv.data(), environ) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return t;
    }
    posix_spawn_file_actions_destroy(&fa);
    int status = 0;
    ::waitpid(pid, &status, 0);
    t.wallS = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::ifstream in(dir / "timing.json");
    const auto j = nlohmann::json::parse(in, nullptr, false);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && j.is_object()) {
        t.totalS = j.value("total_s", 0.0);
        t.reduceCheckpointS = j.value("reduce_checkpoint_s", 0.0);
        t.rounds = j.value("rounds", 0);
        t.waitForRanksS = j.value("wait_for_ranks_s", 0.0);
        t.lastIntervalS = j.value("last_interval_s", 0.0);
        t.ok = true;
    }
    return t;
}

double loadAverage()
{
    double l = -1.0;
    std::ifstream("/proc/loadavg") >> l;
    return l;
}

// "1,2,4,8" → {1, 2, 4, 8}; empty on a bad list.
std::vector<int> rankList(const std::string& text)
{
    std::vector<int> out;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');) {
        const int r = std::atoi(item.c_str());
        if (r < 1) {
            return {};
        }
        out.push_back(r);
    }
    return out;
}

// `--ranks 1,2,4,…`: the scaling curve, each count's wall time, speedup over 1 rank and parallel efficiency.
int scalingCurve(const std::vector<int>& ranks, const nlohmann::json& config, const std::filesystem::path& dir, bool json)
{
    nlohmann::json points = nlohmann::json::array();
    double oneWall = 0.0;
    const double loadBefore = loadAverage();
    for (int r : ranks) {
        const WorkerTiming t = runWorker(r, dir, config);
        if (!t.ok) {
            std::cerr << "fxs-bench mpi: fxs-worker on " << r << " ranks failed\n";
            return 1;
        }
        if (r == 1 || oneWall == 0.0) {
            oneWall = t.wallS * r; // without a 1-rank point: ideal scaling from the first one
        }
        const double speedup = oneWall / t.wallS;
        std::printf("ranks %3d: wall %7.2f s, worker %7.2f s, speedup %5.2f, efficiency %.2f, reduce+checkpoint %.3f\n",
            r, t.wallS, t.totalS, speedup, speedup / r, t.reduceCheckpointS / t.totalS);
        points.push_back({ { "ranks", r }, { "wall_s", t.wallS }, { "worker_s", t.totalS }, { "speedup", speedup },
            { "efficiency", speedup / r }, { "reduce_checkpoint_fraction", t.reduceCheckpointS / t.totalS },
            { "wait_for_slower_rank_fraction", t.waitForRanksS / t.totalS } });
    }
    std::filesystem::remove_all(dir);
    if (json) {
        std::cout << nlohmann::json { { "benchmark", "mpi" }, { "curve", points }, { "shots", config["shots"] },
            { "load_average_before", loadBefore }, { "load_average_after", loadAverage() } }
                         .dump()
                  << std::endl;
    }
    return 0;
}

int runMpi(const fxs::bench::BenchArgs& a)
{
    int shots = 16384, nQ = 100, nPhi = 256, unitsPerReduce = 0;
    double reduceIntervalS = 5.0;
    std::vector<int> curve;
    for (std::size_t i = 0; i + 1 < a.args.size(); i += 2) {
        const int v = std::atoi(a.args[i + 1].c_str());
        if (a.args[i] == "--ranks") {
            curve = rankList(a.args[i + 1]);
            if (curve.empty()) {
                std::cerr << "fxs-bench mpi: --ranks wants a list of rank counts ≥ 1, e.g. 1,2,4,8\n";
                return 2;
            }
        } else if (a.args[i] == "--shots") {
            shots = v;
        } else if (a.args[i] == "--nq") {
            nQ = v;
        } else if (a.args[i] == "--nphi") {
            nPhi = v;
        } else if (a.args[i] == "--units-per-reduce") {
            unitsPerReduce = v;
        } else if (a.args[i] == "--reduce-interval") {
            reduceIntervalS = std::atof(a.args[i + 1].c_str());
        }
    }
    nlohmann::json config = { { "shots", shots }, { "n_q", nQ }, { "n_phi", nPhi }, { "seed", 3 },
        { "masked_fraction", 0.1 }, { "double_precision", false }, { "ring_mean_subtracted", true },
        { "threads_per_rank", 1 }, { "shots_per_unit", 64 }, { "units_per_reduce", unitsPerReduce },
        { "reduce_interval_s", reduceIntervalS } };
    // 2 MB pages for the workers' large arrays (glibc reads this only when a program starts): on the 2-core VM a 4 KB
    // page fault costs ~16 µs, and the worker touches ~1 GB of fresh memory (remote/worker/main.cpp).
    ::setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 0);
    const auto dir = std::filesystem::temp_directory_path() / ("fxs-bench-mpi-" + std::to_string(::getpid()));
    nlohmann::json warmUp = config;
    warmUp["shots"] = std::min(shots, 512);
    runWorker(1, dir, warmUp); // page cache, libraries, FFTW plans' first touch
    if (!curve.empty()) {
        return scalingCurve(curve, config, dir, a.json);
    }
    const double loadBefore = loadAverage();
    const WorkerTiming one = runWorker(1, dir, config);
    const WorkerTiming two = runWorker(2, dir, config);
    const double loadAfter = loadAverage();
    std::filesystem::remove_all(dir);
    if (!one.ok || !two.ok) {
        std::cerr << "fxs-bench mpi: fxs-worker under mpirun failed (is fxs-worker built next to fxs-bench?)\n";
        return 1;
    }
    const double speedup = one.wallS / two.wallS;
    const double workerSpeedup = one.totalS / two.totalS;
    const double fraction = two.reduceCheckpointS / two.totalS;
    const double waitFraction = two.waitForRanksS / two.totalS;
    std::printf("mpi: %d shots on %d x %d, wall 1 rank %.2f s, 2 ranks %.2f s (worker %.2f / %.2f s, %d / %d rounds); "
                "load average %.1f before, %.1f after\n",
        shots, nQ, nPhi, one.wallS, two.wallS, one.totalS, two.totalS, one.rounds, two.rounds, loadBefore, loadAfter);
    std::printf("speedup 2 vs 1 (wall): %.2f (worker time %.2f)   reduce + checkpoint fraction (2 ranks): %.3f, of "
                "which waiting for the slower rank %.3f\n",
        speedup, workerSpeedup, fraction, waitFraction);
    if (a.json) {
        const nlohmann::json j = { { "benchmark", "mpi" }, { "shots", shots }, { "n_q", nQ }, { "n_phi", nPhi },
            { "one_rank_wall_s", one.wallS }, { "two_ranks_wall_s", two.wallS }, { "one_rank_s", one.totalS },
            { "two_ranks_s", two.totalS }, { "speedup_2_vs_1", speedup }, { "speedup_2_vs_1_worker", workerSpeedup },
            { "rounds_1_rank", one.rounds }, { "rounds_2_ranks", two.rounds }, { "reduce_interval_s", reduceIntervalS },
            { "checkpoint_interval_s_1_rank", one.lastIntervalS },
            { "checkpoint_interval_s_2_ranks", two.lastIntervalS },
            { "units_per_reduce", unitsPerReduce }, { "reduce_checkpoint_fraction", fraction },
            { "wait_for_slower_rank_fraction", waitFraction }, { "load_average_before", loadBefore },
            { "load_average_after", loadAfter } };
        std::cout << j.dump() << std::endl;
    }
    return 0;
}

static fxs::bench::Registrar reg { "mpi", "fxs-worker on 1 vs 2 MPI ranks: speedup and reduce/checkpoint share",
    &runMpi,
    "  --shots N              synthetic polar shots (default 16384)\n"
    "  --nq N, --nphi N       grid (default 100 x 256)\n"
    "  --ranks 1,2,4,...      a scaling curve over these rank counts instead of 1 vs 2\n"
    "  --reduce-interval S    seconds between reductions (default 5)\n"
    "  --units-per-reduce N   units per round instead of a time interval\n" };

} // namespace
