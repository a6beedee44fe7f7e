#pragma once

#include <fxs/pipeline/ShotPipeline.h>
#include <fxs/pipeline/ShotRun.h>

#include <string>

namespace fxs::cli {

/// How a correlation run is driven from the command line.
struct RunSettings : ShotRunSettings {
    std::string label = "correlate"; ///< progress-line label
};

/// What a run produced.
using RunOutcome = ShotRunOutcome;

/// Runs the shot pipeline into C2 (fxs::runShots) with a progress line and Ctrl-C handling (the run stops, is
/// checkpointed and its results kept).
Result<RunOutcome> runCorrelation(ShotPipeline& shots, const RunSettings& settings);

} // namespace fxs::cli
