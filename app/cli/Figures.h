#pragma once

#include <fxs/correlation/C2Snapshot.h>
#include <fxs/geometry/DetectorGeometry.h>
#include <fxs/invariants/KamInvariants.h>
#include <fxs/polar/PolarGrid.h>
#include <fxs/core/Result.h>
#include <string>
#include <vector>

namespace fxs::cli {

/// What the figures of a run are drawn from (pointers may be null: that figure is skipped).
struct FigureInputs {
    std::string runLabel; ///< shown in every title, e.g. "demo: tetramer4, 3000 shots"
    PolarGrid grid;
    const C2Snapshot* snapshot = nullptr;
    const DetectorGeometry* geometry = nullptr; ///< with meanDetector: the assembled mean detector image
    std::vector<float> meanDetector; ///< slab order
    std::int64_t meanDetectorShots = 0;
    std::string maskNote = "red: pixels masked by the geometry"; ///< how masked pixels look on the mean image
    std::vector<double> convergenceShots; ///< split-half CC samples
    std::vector<double> convergenceCC;
    const KamInvariants* invariants = nullptr;
    std::vector<float> density; ///< n³ reconstruction (central slices drawn), empty: none
    int densityN = 0;
    double densityVoxelA = 0.0;
};

/// True when this build can draw figures (the Qt widgets are linked).
bool figuresAvailable();

/// Draws the figures into `outDir` with the project's widgets on an offscreen Qt platform (never a window) as
/// PNG, and also PDF when `pdf`; returns the files written. Without the widgets: an Error saying so.
Result<std::vector<std::string>> renderFigures(const FigureInputs& in, const std::string& outDir, bool pdf = false);

/// renderFigures, then one line per file written on stdout ("  figure: <absolute path>"), or why there are none.
void renderAndList(const FigureInputs& in, const std::string& outDir);

} // namespace fxs::cli
