#pragma once

#include <cstdint>
#include <fxs/geometry/DetectorGeometry.h>
#include <fxs/polar/PolarGrid.h>
#include <fxs/core/Result.h>
#include <fxs/simulation/Simulator.h>
#include <memory>
#include <string>
#include <vector>

namespace fxs::cli {

/// A detector geometry with its text (for results files) and the pixel mask the run uses.
struct GeometrySetup {
    DetectorGeometry geometry;
    std::string text; ///< .geom text
    std::string name; ///< "builtin" or the file path
    std::vector<std::uint8_t> mask; ///< slab order, 1 = usable (geometry mask and the built-in beamstop)
};

/// "builtin": a 256 × 256 single panel, 300 µm pixels at 0.25 m, 9 keV (the example single-panel.geom binned 4 × 4),
/// with a beamstop (radius 6 px) and a 4-pixel horizontal gap; otherwise a CrystFEL .geom file.
Result<GeometrySetup> loadGeometry(const std::string& spec);

/// A simulator of a built-in model name or a JSON model file, with the demo's shot settings.
struct SimSettings {
    std::string model = "tetramer4";
    double particles = 1.0;
    bool poissonParticles = false;
    double peakPhotons = 300.0;
    double fluenceJitter = 0.2;
    std::uint64_t seed = 1;
    int threads = 0;
};

/// Builds the simulator; the error names the model.
Result<std::shared_ptr<const Simulator>> makeSimulator(const SimSettings& s);

/// Default polar grid for a geometry: nQ × nPhi between qMin and the largest q fully inside the detector.
PolarGrid defaultGrid(const DetectorGeometry& g, int nQ, int nPhi);

} // namespace fxs::cli
