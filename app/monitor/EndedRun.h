#pragma once

// moc cannot parse the C++20 standard headers these pull in (<numbers>); it does not need them.
#ifndef Q_MOC_RUN
#include "RunConfig.h"
#include "RunGeometry.h"
#include "RunResults.h"

#include <fxs/pipeline/C2Pipeline.h>
#include <fxs/pipeline/VetoReevaluator.h>
#include <fxs/results/ResultsFile.h>
#include <fxs/sources/StreamCounts.h>
#endif

#include <memory>
#include <optional>
#include <string>

namespace fxs::monitor {

/// A local run that has ended but whose C2 can still be corrected: vetoes and masks changed after the end are
/// re-evaluated exactly (its VetoReevaluator and polar spool stay alive until the next run) and its results file is
/// then written again under the same name.
struct EndedRun {
    RunConfig config;
    DetectorGeometry geometry;
    GeometryInEffect values;
    std::optional<StreamCounts> stream;
    LedgerColumns ledger; ///< as read; the verdicts are taken from `vetoes` at each rewrite
    std::string resultsPath; ///< the file written at the end (empty: none was)
    std::shared_ptr<C2Pipeline> pipeline;
    std::shared_ptr<VetoReevaluator> vetoes;

    /// Writes the results file again with the C2 and ledger as they are now: into a temporary file beside it, then
    /// renamed over it (a reader never sees half a file). The path, or why it failed.
    Result<std::string> rewrite(const std::string& vetoStateJson, const WindowMask& mask) const;
};

} // namespace fxs::monitor
