#pragma once

#include "CorrelationRun.h"

#include <fxs/correlation/C2Snapshot.h>
#include <fxs/invariants/KamInvariants.h>
#include <fxs/polar/PolarGrid.h>
#include <fxs/sources/StreamCounts.h>
#include <optional>
#include <string>
#include <vector>

namespace fxs::cli {

/// Everything a correlation run puts into its results file (pointers may be null: that part is left out).
struct ResultsContent {
    const RunOutcome* run = nullptr;
    const C2Snapshot* snapshot = nullptr;
    const KamInvariants* invariants = nullptr;
    PolarGrid grid;
    double wavelengthA = 0.0; ///< 0 when unknown (polar input without one)
    std::string geometryText; ///< the .geom text (empty for polar input)
    std::string configuration; ///< effective options, JSON
    std::vector<std::string> inputPaths; ///< identified by size and SHA-256 of the first MiB
    std::optional<StreamCounts> stream; ///< detector stream input: what it received, refused and dropped
};

/// Writes the results file (docs/RESULTS_SCHEMA.md); besides the engine's groups it adds /analysis/polar_grid
/// [n_q, n_phi, q_min, q_max, wavelength_A], /analysis/convergence (2 × samples: shots, split-half CC),
/// /analysis/shot_statistics and /analysis/invariants/B_l with /analysis/invariants/q_inv_angstrom.
Status writeResults(const std::string& path, const ResultsContent& c);

/// Writes /analysis/shot_statistics: one row per shot of the ledger (shot, sum, mean, max, saturated,
/// masked fraction, hit score, particles).
Status writeShotStatistics(ResultsFile& file, const ShotLedger& ledger);

/// Writes invariants into an open results file (used by writeResults and `fxs invariants`).
Status writeInvariants(ResultsFile& file, const KamInvariants& inv);

/// The grid array written into /analysis/polar_grid.
std::vector<double> gridArray(const PolarGrid& grid, double wavelengthA);

} // namespace fxs::cli
