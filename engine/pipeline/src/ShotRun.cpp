#include <fxs/pipeline/ShotRun.h>

#include <fxs/correlation/C2Snapshot.h>
#include <fxs/results/Checkpoint.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <limits>
#include <set>

namespace fxs {

namespace {

// The pipeline's settings with the shot pipeline's raw map offered to the GPU (its device remap takes uint16
// frames of one geometry; C2Pipeline decides whether to use it).
C2PipelineConfig offeringRawFrames(const C2PipelineConfig& c, const ShotPipeline& shots)
{
    C2PipelineConfig out = c;
    if (c.backend != C2Backend::Cpu && c.deviceRemap != DeviceRemap::Off && !out.rawRemapper) {
        out.rawRemapper = shots.rawRemapper();
        out.cpuRemapThreads = shots.threads();
    }
    return out;
}

// State of one run, on the sequencer's thread.
struct Run {
    ShotPipeline& shots;
    const ShotRunSettings& settings;
    const ShotRunHooks& hooks;
    C2Pipeline pipeline;
    ShotRunOutcome out;
    std::set<std::int64_t> done; // shots in the checkpoint we resumed from
    std::vector<std::int64_t> accepted; // shot indices pushed into the pipeline (for checkpoints)
    std::chrono::steady_clock::time_point lastCheckpoint = std::chrono::steady_clock::now();
    std::int64_t seen = 0;
    std::int64_t skipped = 0;
    std::int64_t every = 500;
    Status failure;

    Run(ShotPipeline& s, const ShotRunSettings& st, const ShotRunHooks& h)
        : shots(s)
        , settings(st)
        , hooks(h)
        , pipeline(offeringRawFrames(st.pipeline, s))
    {
        out.backend = pipeline.backendDescription();
        shots.config().deferRemap = pipeline.remapsOnDevice(); // the workers leave the remap to the device
    }

    C2Sums zeros() const
    {
        const auto& a = settings.pipeline.accumulator;
        return C2Sums::zeros(a.nQ, a.nPhi, a.effectiveNMax(), a.subtractRingMean, a.variance);
    }

    // Waits until every pushed shot is accumulated, so that the sums match `accepted` exactly.
    C2Sums settledSums()
    {
        pipeline.wait();
        pipeline.flush();
        return pipeline.sums();
    }

    Status checkpoint()
    {
        lastCheckpoint = std::chrono::steady_clock::now();
        if (settings.checkpointPath.empty()) {
            return {};
        }
        return Checkpoint::save(settings.checkpointPath, settledSums(), accepted, settings.checkpointConfig);
    }

    Status resume()
    {
        if (!settings.resume || settings.checkpointPath.empty() || !std::filesystem::exists(settings.checkpointPath)) {
            return {};
        }
        auto data = Checkpoint::load(settings.checkpointPath, zeros(), settings.checkpointConfig);
        if (!data) {
            return Error { "cannot resume: " + data.error().message };
        }
        if (auto st = pipeline.mergeSums(data->sums); !st) {
            return Error { settings.checkpointPath + ": " + st.message() };
        }
        done.insert(data->shotsDone.begin(), data->shotsDone.end());
        accepted = data->shotsDone;
        out.resumed = static_cast<std::int64_t>(accepted.size());
        return {};
    }

    void sampleConvergence()
    {
        const C2Snapshot snap = C2Snapshot::compute(settledSums(), { true, false, false });
        out.convergenceShots.push_back(static_cast<double>(snap.shots));
        out.convergenceCC.push_back(snap.splitHalfCC);
    }

    void ledgerLine(const PipelineShot& s, bool ok, const std::string& reason)
    {
        out.ledger.shotIndex.push_back(s.shotIndex);
        out.ledger.accepted.push_back(ok ? 1 : 0);
        out.ledger.reason.push_back(ok ? std::string {} : reason);
        out.ledger.seriesId.push_back(s.meta.seriesId);
        out.ledger.frameNumber.push_back(s.meta.frameNumber);
        out.ledger.pulseId.push_back(s.meta.pulseId);
    }

    // One shot, in shot order; false stops the run.
    bool take(PipelineShot& s)
    {
        ++seen;
        if (s.outcome == ShotOutcome::Skipped) {
            ++skipped;
            ledgerLine(s, true, {}); // accepted in the run we resume
        } else if (s.outcome == ShotOutcome::Refused) {
            ++out.refused;
            VetoDecision d { false, "refused: " + s.refusal, { "refused" } };
            ShotStats none;
            none.shotIndex = s.shotIndex;
            none.takeIds(s.meta);
            out.shotLedger.record(none, d);
            ledgerLine(s, false, d.reason);
        } else {
            const VetoDecision d = settings.veto.decide(s.stats);
            out.shotLedger.record(s.stats, d);
            ledgerLine(s, d.accepted, d.reason);
            if (d.accepted) {
                accepted.push_back(s.shotIndex);
                if (s.frame && pipeline.remapsOnDevice()) {
                    pipeline.pushRaw(std::move(s.frame));
                } else {
                    pipeline.push(std::move(s.polar));
                }
                if (static_cast<std::int64_t>(accepted.size()) % every == 0) {
                    sampleConvergence();
                }
            } else {
                ++out.vetoed;
            }
        }
        if (std::chrono::steady_clock::now() - lastCheckpoint
            > std::chrono::duration<double>(settings.checkpointEveryS)) {
            if (auto st = checkpoint(); !st) {
                failure = st;
                return false;
            }
        }
        if (hooks.progress) {
            hooks.progress(seen, skipped, out.vetoed, out.refused);
        }
        if (hooks.stopRequested && hooks.stopRequested()) {
            out.interrupted = true;
            return false;
        }
        return true;
    }
};

} // namespace

Result<ShotRunOutcome> runShots(ShotPipeline& shots, const ShotRunSettings& settings, const ShotRunHooks& hooks)
{
    const auto start = std::chrono::steady_clock::now();
    Run run(shots, settings, hooks);
    if (auto st = run.resume(); !st) {
        return Error { st.message() };
    }
    const std::int64_t total = shots.totalFrames().value_or(-1);
    const std::int64_t planned
        = settings.maxShots >= 0 && (total < 0 || settings.maxShots < total) ? settings.maxShots : total;
    run.every = settings.convergencePoints <= 0 ? std::numeric_limits<std::int64_t>::max()
        : planned > 0 ? std::max<std::int64_t>(1, planned / settings.convergencePoints)
                      : 500;
    shots.config().maxShots = planned;
    if (!run.done.empty()) {
        shots.config().skipShot = [&run](std::int64_t shot) { return run.done.count(shot) != 0; };
    }
    const auto streamStart = std::chrono::steady_clock::now();
    Status st = shots.run([&run](PipelineShot& s) { return run.take(s); });
    shots.config().skipShot = nullptr; // it refers to this run
    shots.config().deferRemap = false;
    if (hooks.stopRequested && hooks.stopRequested()) {
        run.out.interrupted = true;
    }
    if (!st) {
        return Error { st.message() };
    }
    if (!run.failure) {
        return Error { run.failure.message() };
    }
    run.pipeline.close();
    run.pipeline.wait();
    run.pipeline.flush();
    run.out.streamSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - streamStart).count();
    if (auto cst = run.checkpoint(); !cst) {
        return Error { cst.message() };
    }
    run.out.sums = run.settledSums();
    if (run.out.convergenceShots.empty() || run.out.convergenceShots.back() < run.out.sums.totalShots()) {
        run.sampleConvergence();
    }
    run.out.accepted = run.out.sums.totalShots();
    run.out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return std::move(run.out);
}

} // namespace fxs
