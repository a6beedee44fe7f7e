#pragma once

#include <fxs/correlation/C2Sums.h>
#include <fxs/pipeline/C2Pipeline.h>
#include <fxs/pipeline/ShotPipeline.h>
#include <fxs/results/ResultsFile.h>
#include <fxs/shots/ShotLedger.h>
#include <fxs/shots/VetoRules.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace fxs {

/// How a correlation run is driven.
struct ShotRunSettings {
    C2PipelineConfig pipeline;
    VetoRules veto; ///< thresholds on the shot statistics and manual ranges
    std::string checkpointPath; ///< empty: no checkpoint
    double checkpointEveryS = 30.0; ///< periodic checkpoints (and always one at the end)
    std::string checkpointConfig; ///< the science settings (JSON): a checkpoint only resumes the same run
    bool resume = false; ///< start from checkpointPath when it exists
    std::int64_t maxShots = -1; ///< stop after this many shots read (−1: the whole input)
    int convergencePoints = 20; ///< split-half CC samples for the convergence curve (≤ 0: one, at the end)
};

/// What a run produced.
struct ShotRunOutcome {
    C2Sums sums;
    LedgerColumns ledger; ///< for the results file: every shot, in shot order
    ShotLedger shotLedger; ///< every shot's statistics and decision (shots resumed from a checkpoint have none)
    std::vector<double> convergenceShots; ///< accepted shots at each convergence sample
    std::vector<double> convergenceCC; ///< split-half correlation coefficient at each sample
    std::int64_t accepted = 0; ///< shots in C2 (resumed ones included)
    std::int64_t vetoed = 0; ///< shots the veto rules kept out
    std::int64_t refused = 0; ///< frames refused by validation (NaN/inf, wrong size)
    std::int64_t resumed = 0; ///< shots taken from the checkpoint
    std::string backend; ///< what ran the correlation
    bool interrupted = false;
    double seconds = 0.0; ///< the whole run, setup and the final copies of the sums included
    /// From the first read to the last shot accumulated: the streaming part of the run (its rate is the path's
    /// throughput; setup, the final checkpoint and convergence sample are left out).
    double streamSeconds = 0.0;
};

/// Hooks of a run, all called on the thread that runs it.
struct ShotRunHooks {
    /// Polled between shots; true stops the run (what was accumulated is kept and checkpointed).
    std::function<bool()> stopRequested;
    /// After every shot: shots seen (skipped ones included), skipped (resumed) shots, vetoed, refused.
    std::function<void(std::int64_t seen, std::int64_t skipped, std::int64_t vetoed, std::int64_t refused)> progress;
};

/// The sequencer of the one shot path: takes a ShotPipeline's shots in shot order, decides each with the veto
/// rules (a frame the pipeline refused is recorded with its reason and changes nothing), records every shot in the
/// ledgers, feeds the accepted ones to a C2Pipeline (CPU workers or GPU batches), samples the convergence curve,
/// writes checkpoints and resumes from them (the shots a checkpoint holds are skipped by the reader).
Result<ShotRunOutcome> runShots(ShotPipeline& shots, const ShotRunSettings& settings, const ShotRunHooks& hooks = {});

} // namespace fxs
