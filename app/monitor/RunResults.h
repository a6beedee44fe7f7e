#pragma once

#include "RunConfig.h"
#include "RunGeometry.h"

#include <fxs/pipeline/C2Pipeline.h>
#include <fxs/geometry/DetectorGeometry.h>
#include <fxs/results/ResultsFile.h>
#include <string>
#include <vector>

namespace fxs::monitor {

/// The window's mask in force when a results file is written (MaskPanel; EngineController::windowMask).
struct WindowMask {
    std::vector<std::uint8_t> maskedPixels; ///< slab order, nonzero = masked (empty: no mask)
    std::size_t droppedBins = 0; ///< polar bins those pixels feed, dropped from C2 for every shot
};

/// Writes what a run accumulated into its HDF5 results file (docs/RESULTS_SCHEMA.md) when the run ends, is
/// stopped or its source fails, so nothing accumulated is lost.
class RunResults {
public:
    /// The file a run started now writes: <resultsDir>/fxs-run-<yyyyMMdd-HHmmss>.h5 (resultsDir empty: ~/fxs-results).
    static std::string pathFor(const RunConfig& config);
    /// Writes C2 (a final snapshot), the sums, the ledger, the geometry and the configuration; the path or an Error.
    /// `values` (when given): the camera length, photon energy and pixel size used, each with its source;
    /// `stream` (a detector stream's run): its counts, as /analysis/stream_counts; `mask` (when it masks pixels):
    /// the window's mask as /analysis/window_mask (1 = masked) and "window_mask" in the configuration.
    static Result<std::string> write(const std::string& path, const RunConfig& config, const DetectorGeometry& geometry,
        C2Pipeline& pipeline, const LedgerColumns& ledger, const std::string& vetoStateJson = {},
        const GeometryInEffect* values = nullptr, const StreamCounts* stream = nullptr,
        const WindowMask* mask = nullptr);
    /// Writes sums made elsewhere (a remote job) and their snapshot, with a configuration JSON; the path or an Error.
    static Result<std::string> writeSums(
        const std::string& path, const C2Sums& sums, const C2Snapshot& snapshot, const std::string& configurationJson);
};

} // namespace fxs::monitor
