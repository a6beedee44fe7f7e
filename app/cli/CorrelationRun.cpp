#include "CorrelationRun.h"

#include "CliSupport.h"

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fxs/correlation/C2Snapshot.h>
#include <fxs/results/Checkpoint.h>
#include <fxs/shots/ShotStats.h>
#include <iostream>
#include <set>
#include <thread>

namespace fxs::cli {

namespace {
// Non-finite values are vetoed here: C2Accumulator would refuse the frame without telling which one.
VetoDecision decide(const VetoRules& rules, const FedShot& shot)
{
    VetoDecision d = rules.decide(shot.stats);
    if (!shot.finite) {
        d.accepted = false;
        d.reason = d.reason == "accepted" ? "non-finite values" : d.reason + "; non-finite values";
        d.rules.push_back("non_finite");
    }
    return d;
}
} // namespace

namespace {
// State shared by the helpers of one run.
struct Run {
    PolarFeed& feed;
    const RunSettings& settings;
    C2Pipeline pipeline;
    RunOutcome out;
    std::set<std::int64_t> done; // shots in the checkpoint we resumed from
    std::vector<std::int64_t> accepted; // shot indices pushed into the pipeline (for checkpoints)
    std::chrono::steady_clock::time_point lastCheckpoint = std::chrono::steady_clock::now();

    Run(PolarFeed& f, const RunSettings& s)
        : feed(f)
        , settings(s)
        , pipeline(s.pipeline)
    {
        if (s.pipeline.backend != C2Backend::Cpu) {
            std::cerr << s.label << ": correlating on " << pipeline.backendDescription() << "\n";
        }
    }

    C2Sums zeros() const
    {
        const auto& a = settings.pipeline.accumulator;
        return C2Sums::zeros(a.nQ, a.nPhi, a.effectiveNMax(), a.subtractRingMean);
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

    // Skips over shots the checkpoint already holds; `next` is the index expected next.
    Status skipDone(std::int64_t& next)
    {
        const std::int64_t from = next;
        while (done.count(next) != 0) {
            out.ledger.shotIndex.push_back(next);
            out.ledger.accepted.push_back(1);
            out.ledger.reason.emplace_back();
            out.ledger.seriesId.push_back(-1);
            out.ledger.frameNumber.push_back(-1);
            out.ledger.pulseId.push_back(-1);
            ++next;
        }
        return next != from ? feed.seek(next) : Status {};
    }

    Status loop();
};

Status Run::loop()
{
    const std::int64_t total = feed.totalFrames().value_or(-1);
    const std::int64_t planned
        = settings.maxShots >= 0 && (total < 0 || settings.maxShots < total) ? settings.maxShots : total;
    const std::int64_t every = planned > 0 ? std::max<std::int64_t>(1, planned / settings.convergencePoints) : 500;
    Progress progress(settings.label, planned);
    std::int64_t next = 0;
    std::int64_t seen = 0;
    std::int64_t skipped = 0;
    while (!interrupted() && (planned < 0 || seen < planned)) {
        if (!done.empty()) {
            const std::int64_t before = next;
            if (auto st = skipDone(next); !st) {
                return st;
            }
            skipped += next - before;
            progress.setSkipped(skipped);
            seen = next;
            if (planned >= 0 && seen >= planned) {
                break;
            }
        }
        auto shot = feed.next();
        if (!shot) {
            return shot.error();
        }
        if (!shot->has_value()) {
            break;
        }
        FedShot& s = **shot;
        next = s.polar.shotIndex + 1;
        ++seen;
        s.stats.shotIndex = s.polar.shotIndex;
        const VetoDecision d = decide(settings.veto, s);
        const bool ok = d.accepted;
        out.shotLedger.record(s.stats, d);
        out.ledger.shotIndex.push_back(s.polar.shotIndex);
        out.ledger.accepted.push_back(ok ? 1 : 0);
        out.ledger.reason.push_back(ok ? std::string {} : d.reason);
        out.ledger.seriesId.push_back(s.meta.seriesId);
        out.ledger.frameNumber.push_back(s.meta.frameNumber);
        out.ledger.pulseId.push_back(s.meta.pulseId);
        if (ok) {
            accepted.push_back(s.polar.shotIndex);
            pipeline.push(std::move(s.polar));
        } else {
            ++out.vetoed;
        }
        if (ok && static_cast<std::int64_t>(accepted.size()) % every == 0) {
            sampleConvergence();
        }
        if (std::chrono::steady_clock::now() - lastCheckpoint
            > std::chrono::duration<double>(settings.checkpointEveryS)) {
            if (auto st = checkpoint(); !st) {
                return st;
            }
        }
        progress.update(seen, std::to_string(out.vetoed) + " vetoed");
    }
    out.interrupted = interrupted();
    progress.finish(seen, std::to_string(out.vetoed) + " vetoed" + (out.interrupted ? ", interrupted" : ""));
    return {};
}
} // namespace

Result<RunOutcome> runCorrelation(PolarFeed& feed, const RunSettings& settings)
{
    const auto start = std::chrono::steady_clock::now();
    Run run(feed, settings);
    if (auto st = run.resume(); !st) {
        return Error { st.message() };
    }
    // A live source blocks in next(); this watcher turns Ctrl-C into a prompt cancel().
    std::atomic<bool> finished { false };
    std::thread watcher([&] {
        while (!finished.load() && !interrupted()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        if (interrupted()) {
            feed.cancel();
        }
    });
    Status st = run.loop();
    finished.store(true);
    watcher.join();
    if (!st) {
        return Error { st.message() };
    }
    run.pipeline.close();
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

} // namespace fxs::cli
