#include "WorkerRun.h"

#include "AtomicFile.h"
#include "CheckpointWriter.h"
#include "HeartbeatThread.h"
#include "ShotProvider.h"
#include "SumsFile.h"
#include "SumsReduce.h"
#include "fxs/C2Pipeline.h"
#include "fxs/C2Snapshot.h"
#include "fxs/GpuBinding.h"
#include "fxs/GpuC2Accumulator.h"

#include <algorithm>
#include <chrono>
#include <thread>

extern "C" void openblas_set_num_threads(int);

namespace fxs::remote {

namespace {

struct Plan {
    std::vector<std::int64_t> done; ///< units in the checkpoint
    std::vector<std::int64_t> pending; ///< units still to do, ascending
};

// Rank 0 reads the checkpoint; its unit ids are broadcast so that every rank deals out the same pending list.
Result<Plan> makePlan(const WorkerConfig& cfg, const JobFiles& files, int rank, MPI_Comm comm, C2Sums& base)
{
    Plan plan;
    std::string error;
    if (rank == 0 && std::filesystem::exists(files.checkpoint())) {
        auto cp = SumsFile::read(files.checkpoint());
        if (!cp) {
            error = cp.error().message;
        } else if (cp->computationHash != cfg.computationHash()) {
            error = "the checkpoint " + files.checkpoint().string()
                + " was made by a different computation (grid, input or unit size changed); cannot resume from it";
        } else if (!cp->sums.compatible(base)) {
            error = "the checkpoint's sums have a different shape from this job's grid";
        } else {
            base = std::move(cp->sums);
            plan.done = std::move(cp->unitsDone);
        }
    }
    int failed = error.empty() ? 0 : 1;
    MPI_Bcast(&failed, 1, MPI_INT, 0, comm);
    if (failed) {
        return Error { rank == 0 ? error : "rank 0 could not read the checkpoint" };
    }
    std::int64_t n = static_cast<std::int64_t>(plan.done.size());
    MPI_Bcast(&n, 1, MPI_INT64_T, 0, comm);
    plan.done.resize(static_cast<std::size_t>(n));
    MPI_Bcast(plan.done.data(), static_cast<int>(n), MPI_INT64_T, 0, comm);
    std::vector<char> isDone(static_cast<std::size_t>(cfg.units()), 0);
    for (auto u : plan.done) {
        if (u >= 0 && u < cfg.units()) {
            isDone[static_cast<std::size_t>(u)] = 1;
        }
    }
    for (std::int64_t u = 0; u < cfg.units(); ++u) {
        if (!isDone[static_cast<std::size_t>(u)]) {
            plan.pending.push_back(u);
        }
    }
    return plan;
}

struct Round {
    std::size_t begin = 0; ///< first index into plan.pending of this rank's units
    std::size_t end = 0;
    std::size_t allEnd = 0; ///< units of every rank up to the end of this round
};

Round roundOf(std::size_t r, int rank, int size, const WorkerConfig& cfg, std::size_t pending)
{
    const std::size_t upr = static_cast<std::size_t>(cfg.unitsPerReduce);
    Round rd;
    rd.begin = std::min(pending, (r * size + rank) * upr);
    rd.end = std::min(pending, rd.begin + upr);
    rd.allEnd = std::min(pending, (r + 1) * size * upr);
    return rd;
}

Status accumulateUnit(std::int64_t unit, const WorkerConfig& cfg, ShotProvider& provider, C2Pipeline& pipeline,
    HeartbeatThread& heart, std::int64_t unitsDone)
{
    const std::int64_t first = unit * cfg.shotsPerUnit;
    const std::int64_t last = std::min(cfg.shots, first + cfg.shotsPerUnit);
    return provider.produce(first, last, [&](PolarFrame&& frame) {
        pipeline.push(std::move(frame));
        if (cfg.slowdownPerShotS > 0) {
            std::this_thread::sleep_for(std::chrono::duration<double>(cfg.slowdownPerShotS));
        }
        const auto p = pipeline.progress();
        heart.setProgress(p.shotsDone, p.shotsRejected, unitsDone);
    });
}

} // namespace

Status runWorker(const JobFiles& files, MPI_Comm comm)
{
    int rank = 0, size = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    auto cfg = WorkerConfig::load(files.workerConfig());
    if (!cfg) {
        return cfg.error();
    }
    std::filesystem::create_directories(files.ranksDir());
    HeartbeatThread heart(files.heartbeat(rank), rank, cfg->heartbeatIntervalS);
    auto provider = openShotProvider(*cfg, comm); // sets the shot count and input identity of a CXI stack
    if (!provider) {
        return provider.error();
    }
    heart.setShotsTotal(cfg->shots);

    const C2Config acc = cfg->accumulatorConfig();
    const int nMax = acc.effectiveNMax();
    C2Sums base = C2Sums::zeros(cfg->nQ, cfg->nPhi, nMax, cfg->ringMeanSubtracted);
    auto plan = makePlan(*cfg, files, rank, comm, base);
    if (!plan) {
        return plan.error();
    }
    C2PipelineConfig pc { acc, cfg->threadsPerRank, 256 };
    if (cfg->backend != "cpu") {
        // One rank per GPU: round-robin over the node's devices (or the configured list) by node-local rank.
        pc.backend = cfg->backend == "gpu" ? C2Backend::Gpu : C2Backend::Auto;
        const auto device = GpuBinding::deviceFor(
            GpuBinding::localRankFromEnvironment(rank), GpuC2Accumulator::deviceCount(), cfg->gpuDevices);
        pc.gpuDevice = device ? *device : 0; // no device: the pipeline falls back to the CPU and says why
    }
    C2Pipeline pipeline(pc);
    heart.setDevice(pipeline.backendDescription());
    openblas_set_num_threads(1); // ranks share the node's cores: one BLAS thread per pipeline thread

    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    double reduceS = 0.0; // reduction + hand-off to the writer: the price of fault tolerance
    const std::size_t perRound = static_cast<std::size_t>(size) * cfg->unitsPerReduce;
    const std::size_t rounds = (plan->pending.size() + perRound - 1) / perRound;
    std::int64_t unitsDone = 0;
    std::vector<std::int64_t> doneAll = plan->done;
    CheckpointWriter writer(files);
    for (std::size_t r = 0; r < rounds; ++r) {
        const Round rd = roundOf(r, rank, size, *cfg, plan->pending.size());
        heart.setPhase("accumulating");
        for (std::size_t i = rd.begin; i < rd.end; ++i, ++unitsDone) {
            if (auto st = accumulateUnit(plan->pending[i], *cfg, **provider, pipeline, heart, unitsDone); !st) {
                return st;
            }
        }
        pipeline.wait(); // every queued frame is in the sums before they are reduced
        const auto p = pipeline.progress();
        heart.setProgress(p.shotsDone, p.shotsRejected, unitsDone);
        heart.setPhase("reducing");
        const auto tr = Clock::now();
        C2Sums sums = pipeline.sums(); // cumulative over this attempt: rank 0 adds the checkpoint's base
        reduceSums(sums, 0, comm);
        if (rank == 0) {
            if (auto st = sums.merge(base); !st) {
                return st;
            }
            doneAll.insert(doneAll.end(), plan->pending.begin() + static_cast<std::ptrdiff_t>(r * perRound),
                plan->pending.begin() + static_cast<std::ptrdiff_t>(rd.allEnd));
            std::sort(doneAll.begin(), doneAll.end());
            if (auto st = writer.submit({ std::move(sums), cfg->computationHash(), doneAll }, r + 1 == rounds); !st) {
                return st;
            }
        }
        reduceS += std::chrono::duration<double>(Clock::now() - tr).count();
    }
    if (rank == 0 && rounds == 0) { // resumed from a checkpoint that already held every unit
        if (auto st = writer.submit({ base, cfg->computationHash(), doneAll }, true); !st) {
            return st;
        }
    }
    const auto tw = Clock::now();
    if (auto st = writer.wait(); !st) { // the result is on disk before any rank says done
        return st;
    }
    const double finalWaitS = std::chrono::duration<double>(Clock::now() - tw).count();
    reduceS += finalWaitS;
    MPI_Barrier(comm);
    if (rank == 0) {
        const double totalS = std::chrono::duration<double>(Clock::now() - t0).count();
        (void)writeTextAtomically(files.timing(),
            "{\"total_s\": " + std::to_string(totalS) + ", \"reduce_checkpoint_s\": " + std::to_string(reduceS)
                + ", \"final_wait_s\": " + std::to_string(finalWaitS) + ", \"rounds\": " + std::to_string(rounds)
                + ", \"ranks\": " + std::to_string(size) + "}\n");
    }
    heart.setPhase("done");
    return {};
}

} // namespace fxs::remote
