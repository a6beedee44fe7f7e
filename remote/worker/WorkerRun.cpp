#include "WorkerRun.h"

#include <fxs/results/AtomicFile.h>
#include "CheckpointPolicy.h"
#include "CheckpointWriter.h"
#include "HeartbeatThread.h"
#include "ResultsOutput.h"
#include "ShotProvider.h"
#include "StreamRun.h"
#include <fxs/results/SumsFile.h>
#include "SumsReduce.h"
#include <fxs/pipeline/C2Pipeline.h>
#include <fxs/gpu/GpuBinding.h>
#include <fxs/gpu/GpuC2Accumulator.h>
#include <fxs/shots/VetoRules.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <chrono>
#include <cmath>
#include <sched.h>
#include <thread>

extern "C" void openblas_set_num_threads(int);

namespace fxs::remote {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

struct Plan {
    std::vector<std::int64_t> done; ///< units in the checkpoint
    std::vector<std::int64_t> pending; ///< units still to do, ascending
    std::vector<RejectedShot> rejected; ///< the checkpoint's rejected shots (rank 0)
};

// Rank 0 reads the checkpoint (its sums become `base`, which stays null on a first attempt); its unit ids are
// broadcast so that every rank deals out the same pending list.
Result<Plan> makePlan(const WorkerConfig& cfg, const JobFiles& files, int rank, MPI_Comm comm,
    std::shared_ptr<const C2Sums>& base)
{
    Plan plan;
    std::string error;
    if (rank == 0 && std::filesystem::exists(files.checkpoint())) {
        auto cp = SumsFile::read(files.checkpoint());
        if (!cp) {
            error = cp.error().message;
        } else if (cp->computationHash != cfg.computationHash()) {
            error = "the checkpoint " + files.checkpoint().string()
                + " was made by a different computation (grid, input, vetoes or unit size changed); cannot resume "
                  "from it";
        } else if (const C2Sums& s = cp->sums; s.nQ != cfg.nQ || s.nPhi != cfg.nPhi
                   || s.nMax != cfg.accumulatorConfig().effectiveNMax()
                   || s.ringMeanSubtracted != cfg.ringMeanSubtracted) {
            error = "the checkpoint's sums have a different shape from this job's grid";
        } else {
            base = std::make_shared<const C2Sums>(std::move(cp->sums));
            plan.done = std::move(cp->unitsDone);
            plan.rejected = std::move(cp->rejected);
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

// The pending units handed out one at a time (dynamic assignment): a shared index on rank 0 that each rank
// advances with an atomic fetch-and-add (MPI one-sided, passive target) when it wants another unit. A faster rank
// (fewer vetoes, a less loaded node) takes more, so no rank waits at the end for a slower one's fixed share.
class UnitDealer {
public:
    UnitDealer(const std::vector<std::int64_t>& pending, MPI_Comm comm)
        : m_pending(pending)
    {
        MPI_Comm_rank(comm, &m_rank);
        MPI_Win_allocate(m_rank == 0 ? sizeof(std::int64_t) : 0, sizeof(std::int64_t), MPI_INFO_NULL, comm, &m_base,
            &m_win);
        if (m_rank == 0) {
            *m_base = 0;
        }
        MPI_Barrier(comm); // the index is zero before anyone takes from it
        MPI_Win_lock_all(0, m_win);
    }
    UnitDealer(const UnitDealer&) = delete;
    UnitDealer& operator=(const UnitDealer&) = delete;
    ~UnitDealer()
    {
        MPI_Win_unlock_all(m_win);
        MPI_Win_free(&m_win); // collective: every rank gets here once the rounds are over
    }

    /// The next unit to do, or none when every pending unit has been handed out.
    std::optional<std::int64_t> next()
    {
        if (m_exhausted) {
            return std::nullopt;
        }
        const std::int64_t one = 1;
        std::int64_t index = 0;
        MPI_Fetch_and_op(&one, &index, MPI_INT64_T, 0, 0, MPI_SUM, m_win);
        MPI_Win_flush(0, m_win);
        if (index >= static_cast<std::int64_t>(m_pending.size())) {
            m_exhausted = true;
            return std::nullopt;
        }
        return m_pending[static_cast<std::size_t>(index)];
    }
    bool exhausted() const { return m_exhausted; }

private:
    const std::vector<std::int64_t>& m_pending;
    int m_rank = 0;
    std::int64_t* m_base = nullptr;
    MPI_Win m_win = MPI_WIN_NULL;
    bool m_exhausted = false;
};

// One rank's accumulation: shots of its units through the vetoes into its pipeline.
struct RankWork {
    const WorkerConfig& cfg;
    ShotProvider& provider;
    C2Pipeline& pipeline;
    HeartbeatThread& heart;
    std::optional<VetoRules> veto;
    std::vector<RejectedShot> rejected; ///< since the last reduction
    std::int64_t rejectedTotal = 0;
    std::int64_t unitsDone = 0;
    std::vector<std::int64_t> unitsSinceReduce; ///< ids of the units this rank finished since the last reduction
    std::function<void()> progress; ///< lets MPI move a reduction in flight (and answer other ranks' requests)
    std::int64_t statShots = 0, hits = 0; ///< this attempt's shots with statistics, and the hits among them
    double meanIntensitySum = 0.0;

    void report()
    {
        const auto p = pipeline.progress();
        heart.setProgress(p.shotsDone, p.shotsRejected + rejectedTotal, unitsDone);
        heart.setStatistics(statShots, hits, meanIntensitySum);
    }

    Status shot(ProvidedShot&& s)
    {
        if (s.refusal) { // a bad frame changes nothing; it is reported like a vetoed one
            rejected.push_back({ s.polar.shotIndex, "refused: " + *s.refusal });
            ++rejectedTotal;
            report();
            return {};
        }
        if (s.stats) { // every shot with statistics, vetoed or not: what the beamline delivers
            ++statShots;
            hits += s.stats->hitScore >= cfg.hitScoreMin ? 1 : 0;
            meanIntensitySum += std::isfinite(s.stats->mean) ? s.stats->mean : 0.0;
        }
        if (veto && s.stats) {
            s.stats->shotIndex = s.polar.shotIndex;
            const VetoDecision d = veto->decide(*s.stats);
            if (!d.accepted) {
                rejected.push_back({ s.polar.shotIndex, d.reason });
                ++rejectedTotal;
                report();
                return {};
            }
        }
        if (s.raw) { // the device remaps it (the provider was told so: remapsOnDevice)
            pipeline.pushRaw(std::move(s.raw));
        } else {
            pipeline.push(std::move(s.polar));
        }
        if (progress) {
            progress();
        }
        if (cfg.slowdownPerShotS > 0) {
            std::this_thread::sleep_for(std::chrono::duration<double>(cfg.slowdownPerShotS));
        }
        report();
        return {};
    }

    Status unit(std::int64_t u)
    {
        const std::int64_t first = u * cfg.shotsPerUnit;
        const std::int64_t last = std::min(cfg.shots, first + cfg.shotsPerUnit);
        auto st = provider.produce(first, last, [this](ProvidedShot&& s) { return shot(std::move(s)); });
        ++unitsDone;
        unitsSinceReduce.push_back(u);
        return st;
    }
};

// Rank 0's node: the cores its ranks may run on (the union of their affinity masks: mpirun binds each of a few ranks
// to one core, Slurm gives a job its cores) and the accumulating threads there. Collective.
struct NodeCores {
    cpu_set_t cores {}; ///< the union of the node's ranks' masks (rank 0)
    int count = 1; ///< cores in it
    int busyThreads = 1; ///< the node's ranks × threads per rank
};

NodeCores nodeCores(const WorkerConfig& cfg, MPI_Comm comm)
{
    MPI_Comm node = MPI_COMM_NULL;
    MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
    int ranksOnNode = 1;
    MPI_Comm_size(node, &ranksOnNode);
    cpu_set_t mine;
    CPU_ZERO(&mine);
    if (::sched_getaffinity(0, sizeof mine, &mine) != 0) {
        for (unsigned c = 0; c < std::max(1u, std::thread::hardware_concurrency()); ++c) {
            CPU_SET(c, &mine);
        }
    }
    NodeCores n;
    static_assert(sizeof(cpu_set_t) % sizeof(unsigned long) == 0);
    MPI_Allreduce(&mine, &n.cores, static_cast<int>(sizeof(cpu_set_t) / sizeof(unsigned long)), MPI_UNSIGNED_LONG,
        MPI_BOR, node);
    MPI_Comm_free(&node);
    n.count = std::max(1, CPU_COUNT(&n.cores));
    n.busyThreads = ranksOnNode * std::max(1, cfg.threadsPerRank);
    return n;
}

// Rank 0, once the ranks accumulate no more: its threads from now on (the result's write, the final analysis) may
// use every core of the node's ranks, which only wait (their threads inherit this thread's mask).
void takeTheNodesCores(const NodeCores& n) { (void)::sched_setaffinity(0, sizeof n.cores, &n.cores); }

struct RoundsOutcome {
    std::shared_ptr<const SumsFile> final; ///< rank 0: the sums and ledger of the whole job (shared with the writer)
    double reduceS = 0.0; ///< reductions + hand-off to the writer: the price of fault tolerance
    double waitS = 0.0; ///< of which waiting at the round's end for the slowest rank (load imbalance)
    double finalReduceS = 0.0; ///< of which the last round's reduction and hand-off (the result's)
    double lastIntervalS = 0.0; ///< the round length the checkpoint policy arrived at
    double lastCostS = 0.0; ///< the checkpoint cost it was computed from (CheckpointPolicy.h)
    double lastWriterCpuS = 0.0; ///< rank 0: the writer's CPU time that cost included
    double startS = 0.0; ///< of reduceS: the reductions' start (packing the totals, posting the pieces) on this rank
    double flushS = 0.0; ///< before each reduction: the pipeline's partial batches folded into its totals
    int rounds = 0;
};

// The next round's length (CheckpointPolicy.h): every rank must agree, or the faster ones would wait at the next
// round's end, so the cost is the largest over the ranks (rank 0's includes the writer's CPU where it competes).
double nextInterval(const WorkerConfig& cfg, const CheckpointCost& cost, double& worstCostS, MPI_Comm comm)
{
    const double mine = checkpointCostS(cost);
    MPI_Allreduce(&mine, &worstCostS, 1, MPI_DOUBLE, MPI_MAX, comm);
    return checkpointIntervalS(cfg.reduceIntervalS, worstCostS);
}

// Rounds of accumulation (the checkpoint policy's interval each), the units dealt out one at a time (UnitDealer). At
// a round's end the ranks start a reduction of their sums to rank 0 and go straight on with the next round while it
// travels (SumsReduction, moved along between shots); once it has arrived (at the latest at the next round's end)
// rank 0 hands it to the checkpoint writer (sums, units done, rejected shots), which also writes a snapshot. The last
// round's reduction is the result.
Result<RoundsOutcome> runRounds(RankWork& work, const Plan& plan, const std::shared_ptr<const C2Sums>& base,
    CheckpointWriter& writer, const NodeCores& node, MPI_Comm comm)
{
    int rank = 0, size = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    const WorkerConfig& cfg = work.cfg;
    auto dealer = std::make_unique<UnitDealer>(plan.pending, comm);
    std::unique_ptr<SumsReduction> inFlight; // the previous round's reduction, still travelling
    std::vector<std::int64_t> unitsAll = plan.done, inFlightUnits; // rank 0: units in the sums reduced so far
    std::vector<RejectedShot> rejectedAll = plan.rejected, inFlightRejected;
    // On an error the caller aborts every rank: collective clean-ups (freeing the window, waiting for a reduction)
    // would wait for ranks that never come, so they are left to the abort.
    const auto fail = [&](const std::string& message) -> Result<RoundsOutcome> {
        work.progress = nullptr;
        (void)dealer.release();
        (void)inFlight.release();
        return Error { message };
    };
    RoundsOutcome out;
    out.lastIntervalS = cfg.reduceIntervalS;
    // Rank 0: what a checkpoint holds besides its sums (the units and rejected shots in them), sorted.
    const auto metaOf = [&](std::vector<std::int64_t> units, std::vector<RejectedShot> rejected) {
        std::sort(units.begin(), units.end());
        std::sort(rejected.begin(), rejected.end(), [](auto& a, auto& b) { return a.shot < b.shot; });
        auto cp = std::make_shared<SumsFile>();
        cp->computationHash = cfg.computationHash();
        cp->unitsDone = std::move(units);
        cp->rejected = std::move(rejected);
        return cp;
    };
    // The previous round's reduction, once complete, goes to the checkpoint writer at once (rank 0; the packed total
    // as it is, the writer unpacks it): mid-round, as soon as MPI has moved it, so the writer's cost is known by the
    // round's end. Each rank finishes its part of the reduction on its own (no collective call).
    Status handedIn;
    const auto handIn = [&](bool submit) {
        PackedSums total = inFlight->finish();
        inFlight.reset();
        if (rank == 0 && submit && handedIn) {
            handedIn = writer.submit(std::move(total), base, metaOf(inFlightUnits, inFlightRejected));
        }
    };
    work.progress = [&] {
        if (inFlight && inFlight->progress()) {
            handIn(true);
        }
    };
    for (;; ++out.rounds) {
        work.heart.setPhase("accumulating");
        const auto start = Clock::now();
        for (int n = 0; (cfg.unitsPerReduce == 0 || n < cfg.unitsPerReduce) && secondsSince(start) < out.lastIntervalS;
             ++n) {
            const auto u = dealer->next();
            if (!u) {
                break;
            }
            if (auto st = work.unit(*u); !st) {
                return fail(st.message());
            }
        }
        work.pipeline.wait(); // every queued frame is in the sums before they are reduced
        const auto tf = Clock::now();
        work.pipeline.flush(); // the last partial batch folded in: accumulation, timed apart from the reduction
        out.flushS += secondsSince(tf);
        work.report();
        work.heart.setPhase("reducing");
        const auto tr = Clock::now();
        const double waitBefore = out.waitS;
        // Once one rank found no unit left, every rank ends with this round (each finished the unit it held).
        int mine = dealer->exhausted() ? 1 : 0, last = 0;
        MPI_Allreduce(&mine, &last, 1, MPI_INT, MPI_MAX, comm); // where a faster rank waits for a slower one's unit
        out.waitS += secondsSince(tr);
        // This round's units and rejected shots (small) travel now, so that each checkpoint names exactly the units
        // its sums hold.
        gatherIds(work.unitsSinceReduce, unitsAll, 0, comm);
        gatherRejected(work.rejected, rejectedAll, 0, comm);
        if (inFlight) {
            // Not complete yet after a whole round: waited for. In the last round the result, reduced next, holds
            // everything it holds, so it is not written at all.
            handIn(!last);
        }
        if (!handedIn) {
            return fail(handedIn.message());
        }
        if (last) {
            if (rank == 0) {
                takeTheNodesCores(node);
            }
            // Cumulative over this attempt: rank 0 adds the checkpoint's base. The pipeline takes no more shots, so
            // rank 0's total goes into its sums' memory (no 100 MB of fresh pages at the job's end); on one rank they
            // are the total.
            const auto ts = Clock::now();
            PackedSums total = size > 1 ? SumsReduction::start(work.pipeline, 0, comm)->finish() : PackedSums {};
            out.startS += secondsSince(ts);
            if (rank == 0) {
                C2Sums all = work.pipeline.takeSums();
                total.unpackInto(all);
                total = {};
                if (base) {
                    if (auto st = all.merge(*base); !st) {
                        return fail(st.message());
                    }
                }
                auto cp = metaOf(unitsAll, rejectedAll);
                cp->sums = std::move(all);
                out.final = cp; // shared, not copied: the writer and the final analysis only read it
                if (auto st = writer.submit(std::move(cp), true); !st) {
                    return fail(st.message());
                }
            }
            out.finalReduceS = secondsSince(tr) - (out.waitS - waitBefore);
            out.reduceS += secondsSince(tr);
            work.progress = nullptr;
            dealer.reset(); // collective, like the window's creation
            return out;
        }
        const auto ts = Clock::now();
        inFlight = SumsReduction::start(work.pipeline, 0, comm);
        out.startS += secondsSince(ts);
        inFlightUnits = unitsAll;
        inFlightRejected = rejectedAll;
        const double costS = secondsSince(tr);
        out.reduceS += costS;
        out.lastWriterCpuS = rank == 0 ? writer.lastCpuS() : 0.0;
        out.lastIntervalS
            = nextInterval(cfg, { costS, out.lastWriterCpuS, node.busyThreads, node.count }, out.lastCostS, comm);
    }
}

// Where rank 0's time after the last reduction goes.
struct FinalTimes {
    double analysisS = 0.0; ///< the full snapshot (and the reconstruction), its snapshot file included
    double diskWaitS = 0.0; ///< then waiting for the result's write the analysis did not hide
    double resultsH5S = 0.0; ///< the HDF5 results file
};

// Rank 0, once the last reduction is in: the analysis (snapshot, and the reconstruction when asked for) runs while
// the writer puts the result on disk; then the results file.
Status writeFinalProducts(const WorkerConfig& cfg, const JobFiles& files, const SumsFile& final, double wavelengthA,
    int threads, HeartbeatThread& heart, CheckpointWriter& writer, FinalTimes& times)
{
    const auto ta = Clock::now();
    FinalProducts p { cfg, files, wavelengthA, threads };
    p.writer = &writer;
    if (cfg.reconstruct) {
        heart.setReconstructionProgress(0.0);
        heart.setPhase("reconstructing");
    }
    auto a = analyse(p, final.sums, [&heart](double f) { heart.setReconstructionProgress(f); });
    times.analysisS = secondsSince(ta);
    const auto tw = Clock::now();
    auto written = writer.wait();
    times.diskWaitS = secondsSince(tw);
    if (!written) {
        return written;
    }
    if (!a) {
        return a.error();
    }
    const auto th = Clock::now();
    auto st = writeResultsFile(p, final, *a);
    times.resultsH5S = secondsSince(th);
    return st;
}

} // namespace

C2PipelineConfig pipelineConfig(const WorkerConfig& cfg, int rank)
{
    C2PipelineConfig pc { cfg.accumulatorConfig(), cfg.threadsPerRank, 256 };
    if (cfg.backend != "cpu") {
        // One rank per GPU: round-robin over the node's devices (or the configured list) by node-local rank.
        pc.backend = cfg.backend == "gpu" ? C2Backend::Gpu : C2Backend::Auto;
        const auto device = GpuBinding::deviceFor(
            GpuBinding::localRankFromEnvironment(rank), GpuC2Accumulator::deviceCount(), cfg.gpuDevices);
        pc.gpuDevice = device ? *device : 0; // no device: the pipeline falls back to the CPU and says why
        pc.deviceRemap = cfg.deviceRemap == "on" ? DeviceRemap::On
            : cfg.deviceRemap == "off"           ? DeviceRemap::Off
                                                 : DeviceRemap::Auto;
    }
    return pc;
}

C2PipelineConfig offeringRawFrames(C2PipelineConfig pc, const ShotProvider& provider)
{
    if (pc.backend != C2Backend::Cpu && pc.deviceRemap != DeviceRemap::Off) {
        pc.rawRemapper = provider.rawRemapper(); // uint16 frames of one geometry: C2Pipeline picks where to remap
        pc.cpuRemapThreads = 1; // the provider's shot pipeline has one worker per rank
    }
    return pc;
}

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
    if (cfg->inputKind == "stream") { // no shot indices to deal out: every rank consumes what the stream gives it
        if (auto st = runStreamWorker(files, *cfg, heart, comm); !st) {
            return st;
        }
        heart.setPhase(rank == 0 ? "done" : "waiting");
        sleepingBarrier(comm);
        heart.setPhase("done");
        return {};
    }
    auto provider = openShotProvider(*cfg, comm); // sets the shot count and input identity of a CXI stack
    if (!provider) {
        return provider.error();
    }
    heart.setShotsTotal(cfg->shots);
    std::optional<VetoRules> veto;
    if (!cfg->veto.is_null()) {
        auto rules = VetoRules::fromJson(cfg->veto);
        if (!rules) {
            return Error { "veto: " + rules.error().message };
        }
        veto = std::move(*rules);
    }

    std::shared_ptr<const C2Sums> base; // an earlier attempt's sums (rank 0, resuming)
    auto plan = makePlan(*cfg, files, rank, comm, base);
    if (!plan) {
        return plan.error();
    }
    C2Pipeline pipeline(offeringRawFrames(pipelineConfig(*cfg, rank), **provider));
    (*provider)->deferRemap(pipeline.remapsOnDevice());
    heart.setDevice(pipeline.backendDescription());
    openblas_set_num_threads(1); // ranks share the node's cores: one BLAS thread per pipeline thread

    const NodeCores node = nodeCores(*cfg, comm);
    const auto t0 = Clock::now();
    CheckpointWriter writer(files);
    RankWork work { *cfg, **provider, pipeline, heart, std::move(veto), {}, 0, 0, {}, {} };
    auto rounds = runRounds(work, *plan, base, writer, node, comm);
    if (!rounds) {
        return rounds.error();
    }
    const double c2S = secondsSince(t0);
    const auto tf = Clock::now();
    FinalTimes finalTimes; // rank 0
    if (rank == 0) {
        // The other ranks only wait from here on (sleeping): their cores are rank 0's. The result is on disk
        // before any rank says done.
        if (auto st = writeFinalProducts(*cfg, files, *rounds->final, (*provider)->wavelengthA(),
                node.count, heart, writer, finalTimes);
            !st) {
            return st;
        }
    } else {
        heart.setPhase("waiting");
    }
    const double finalWaitS = finalTimes.diskWaitS; // rank 0 waiting for the result's write after its analysis
    const double finalS = secondsSince(tf) - finalWaitS;
    sleepingBarrier(comm);
    if (rank == 0) {
        const double reduceS = rounds->reduceS + finalWaitS;
        (void)writeTextAtomically(files.timing(),
            "{\"total_s\": " + std::to_string(secondsSince(t0)) + ", \"c2_s\": " + std::to_string(c2S)
                + ", \"reduce_checkpoint_s\": " + std::to_string(reduceS) + ", \"wait_for_ranks_s\": "
                + std::to_string(rounds->waitS) + ", \"final_reduce_s\": " + std::to_string(rounds->finalReduceS)
                + ", \"final_wait_s\": " + std::to_string(finalWaitS)
                + ", \"results_file_s\": " + std::to_string(finalS) + ", \"final_analysis_s\": "
                + std::to_string(finalTimes.analysisS) + ", \"results_h5_s\": " + std::to_string(finalTimes.resultsH5S)
                + ", \"rounds\": "
                + std::to_string(rounds->rounds + 1) + ", \"last_interval_s\": " + std::to_string(rounds->lastIntervalS)
                + ", \"checkpoint_cost_s\": " + std::to_string(rounds->lastCostS) + ", \"reduce_start_s\": "
                + std::to_string(rounds->startS) + ", \"round_flush_s\": " + std::to_string(rounds->flushS)
                + ", \"writer_cpu_s\": " + std::to_string(writer.cpuS())
                + ", \"policy_writer_cpu_s\": " + std::to_string(rounds->lastWriterCpuS)
                + ", \"node_cores\": " + std::to_string(node.count) + ", \"node_busy_threads\": "
                + std::to_string(node.busyThreads)
                + ", \"checkpoints_dropped\": " + std::to_string(writer.dropped()) + ", \"ranks\": "
                + std::to_string(size) + "}\n");
    }
    heart.setPhase("done");
    return {};
}

} // namespace fxs::remote
