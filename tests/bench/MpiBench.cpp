// fxs-bench mpi: the same synthetic input through fxs-worker on 1 and on 2 MPI ranks (real mpirun), one thread
// per rank. Reports the speedup of 2 ranks over 1 (worker time, from after MPI start-up to the result) and the
// fraction of the 2-rank run spent reducing sums to rank 0 and writing checkpoints and snapshots.
#include "BenchRegistry.h"

#include <chrono>
#include <cstdio>
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
    double wallS = 0.0;
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
        t.ok = true;
    }
    return t;
}

int runMpi(const fxs::bench::BenchArgs& a)
{
    int shots = 8192, nQ = 100, nPhi = 256, unitsPerReduce = 16;
    for (std::size_t i = 0; i + 1 < a.args.size(); i += 2) {
        const int v = std::atoi(a.args[i + 1].c_str());
        if (a.args[i] == "--shots") {
            shots = v;
        } else if (a.args[i] == "--nq") {
            nQ = v;
        } else if (a.args[i] == "--nphi") {
            nPhi = v;
        } else if (a.args[i] == "--units-per-reduce") {
            unitsPerReduce = v;
        }
    }
    const nlohmann::json config = { { "shots", shots }, { "n_q", nQ }, { "n_phi", nPhi }, { "seed", 3 },
        { "masked_fraction", 0.1 }, { "double_precision", false }, { "ring_mean_subtracted", true },
        { "threads_per_rank", 1 }, { "shots_per_unit", 64 }, { "units_per_reduce", unitsPerReduce } };
    const auto dir = std::filesystem::temp_directory_path() / ("fxs-bench-mpi-" + std::to_string(::getpid()));
    runWorker(1, dir, config); // warm-up: page cache, FFTW plans' first touch
    const WorkerTiming one = runWorker(1, dir, config);
    const WorkerTiming two = runWorker(2, dir, config);
    std::filesystem::remove_all(dir);
    if (!one.ok || !two.ok) {
        std::cerr << "fxs-bench mpi: fxs-worker under mpirun failed (is fxs-worker built next to fxs-bench?)\n";
        return 1;
    }
    const double speedup = one.totalS / two.totalS;
    const double fraction = two.reduceCheckpointS / two.totalS;
    std::printf("mpi: %d shots on %d x %d, 1 rank %.2f s, 2 ranks %.2f s (wall with mpirun start-up %.2f / %.2f s)\n",
        shots, nQ, nPhi, one.totalS, two.totalS, one.wallS, two.wallS);
    std::printf("speedup 2 vs 1: %.2f   reduce + checkpoint fraction (2 ranks): %.3f\n", speedup, fraction);
    if (a.json) {
        const nlohmann::json j = { { "benchmark", "mpi" }, { "shots", shots }, { "n_q", nQ }, { "n_phi", nPhi },
            { "one_rank_s", one.totalS }, { "two_ranks_s", two.totalS }, { "speedup_2_vs_1", speedup },
            { "units_per_reduce", unitsPerReduce }, { "reduce_checkpoint_fraction", fraction } };
        std::cout << j.dump() << std::endl;
    }
    return 0;
}

static fxs::bench::Registrar reg { "mpi", "fxs-worker on 1 vs 2 MPI ranks: speedup and reduce/checkpoint share",
    &runMpi };

} // namespace
