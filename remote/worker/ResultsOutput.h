#pragma once

#include "CheckpointWriter.h"
#include "JobFiles.h"
#include <fxs/results/ResultsFile.h>
#include <fxs/results/SumsFile.h>
#include "WorkerConfig.h"
#include <fxs/correlation/C2Snapshot.h>
#include <fxs/invariants/KamInvariants.h>
#include <fxs/reconstruction/MtipReconstructor.h>
#include <fxs/core/Result.h>

#include <functional>
#include <optional>

namespace fxs::remote {

/// Rank 0's products after the last reduction: the HDF5 results file and, for reconstruction jobs, the density.
struct FinalProducts {
    const WorkerConfig& cfg;
    const JobFiles& files;
    double wavelengthA = 0.0; ///< of the data (0: unknown, synthetic)
    int threads = 1; ///< every rank's cores are free by now
    const LedgerColumns* ledger = nullptr; ///< a stream job's shots (with series and frame numbers); null: 0 … shots−1
    const StreamCounts* stream = nullptr; ///< a stream job's counts over every rank and attempt
    CheckpointWriter* writer = nullptr; ///< the job's last snapshot is written only after its earlier ones
};

/// What the results file holds besides the sums and the ledger.
struct FinalAnalysis {
    C2Snapshot snapshot;
    std::optional<KamInvariants> invariants; ///< reconstruction jobs
    std::optional<MtipResult> density; ///< reconstruction jobs
};

/// The full snapshot of the final sums and, for reconstruction jobs, Kam invariants and M-TIP (FXS_SPEC §4–5),
/// with `progress` getting 0 … 1 as the iterations go and the map written to files.densityMrc().
Result<FinalAnalysis> analyse(const FinalProducts& p, const C2Sums& sums, const std::function<void(double)>& progress);

/// Writes files.resultsH5() (docs/RESULTS_SCHEMA.md) atomically: /c2, /sums, /ledger (every shot of the job, the
/// vetoed ones with their reason, as `fxs correlate` writes it), /run/configuration (worker.json), /run/geometry,
/// /analysis/polar_grid, and with a reconstruction /analysis/invariants/* and /analysis/density*.
Status writeResultsFile(const FinalProducts& p, const SumsFile& final, const FinalAnalysis& analysis);

} // namespace fxs::remote
