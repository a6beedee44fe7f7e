#pragma once

// moc cannot parse the C++20 standard headers these pull in (<numbers>); it does not need them.
#ifndef Q_MOC_RUN
#include "RunConfig.h"

#include <fxs/pipeline/C2Pipeline.h>
#include <fxs/pipeline/VetoReevaluator.h>
#include <fxs/results/ResultsFile.h>
#endif

#include <QString>
#include <cstdio>
#include <memory>

namespace fxs::monitor {

/// How a local run of the window makes its vetoes exact (docs/USER_GUIDE.md, "Vetoes"): the re-evaluator with the
/// run's spool and memory settings, re-reading shots of a file through the engine's shot path, and what the run's
/// ledger and end message say about it.
class RunVetoes {
public:
    /// The run's re-evaluator: the polar spool and the memory ring as `config` says; a file source's shots that
    /// neither holds are read again from the file (ShotPipeline) and remapped.
    static std::shared_ptr<VetoReevaluator> make(const RunConfig& config, C2Pipeline& pipeline, const VetoRules& rules);
    /// Reads shots of the run's file again through the shot path (empty for sources that cannot be read again).
    static ShotRereader rereader(const RunConfig& config);
    /// The ledger as the C2 holds the shots at the end: accepted means in the C2, with the final rules' reasons.
    static void finalVerdicts(const VetoReevaluator& vetoes, LedgerColumns& ledger);
    /// What the end-of-run message adds when the C2 is not exact (shots pending or unreachable); empty when it is.
    static QString endNote(const VetoCounts& counts);
    /// Tests: appends a frame to a polar dump (int64 shot, int32 nQ, nPhi, float32 I, w).
    static void dumpPolar(std::FILE* file, const PolarFrame& frame);
};

} // namespace fxs::monitor
