#pragma once

#include "PolarFeed.h"

#include <cstdint>
#include <fxs/pipeline/C2Pipeline.h>
#include <fxs/correlation/C2Sums.h>
#include <fxs/results/ResultsFile.h>
#include <fxs/shots/ShotLedger.h>
#include <fxs/shots/VetoRules.h>
#include <limits>
#include <string>
#include <vector>

namespace fxs::cli {

/// How a correlation run is driven.
struct RunSettings {
    C2PipelineConfig pipeline;
    VetoRules veto; ///< thresholds on the shot statistics and manual ranges
    std::string checkpointPath; ///< empty: no checkpoint
    double checkpointEveryS = 30.0; ///< periodic checkpoints (and always one on Ctrl-C and at the end)
    std::string checkpointConfig; ///< the science settings (JSON): a checkpoint only resumes the same run
    bool resume = false; ///< start from checkpointPath when it exists
    std::int64_t maxShots = -1; ///< stop after this many shots read (−1: the whole input)
    int convergencePoints = 20; ///< split-half CC samples for the convergence curve
    std::string label = "correlate"; ///< progress-line label
};

/// What a run produced.
struct RunOutcome {
    C2Sums sums;
    LedgerColumns ledger; ///< for the results file
    ShotLedger shotLedger; ///< every shot's statistics and decision (shots resumed from a checkpoint have none)
    std::vector<double> convergenceShots; ///< accepted shots at each convergence sample
    std::vector<double> convergenceCC; ///< split-half correlation coefficient at each sample
    std::int64_t accepted = 0; ///< shots in C2 (resumed ones included)
    std::int64_t vetoed = 0;
    std::int64_t resumed = 0; ///< shots taken from the checkpoint
    bool interrupted = false;
    double seconds = 0.0;
};

/// Streams a feed through the vetoes into a C2Pipeline, with progress, checkpoints and Ctrl-C handling.
Result<RunOutcome> runCorrelation(PolarFeed& feed, const RunSettings& settings);

} // namespace fxs::cli
