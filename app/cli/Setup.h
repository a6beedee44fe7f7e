#pragma once

#include "GeometryOptions.h"

#include <cstdint>
#include <fxs/geometry/DetectorGeometry.h>
#include <fxs/pipeline/FileGeometry.h>
#include <fxs/polar/PolarGrid.h>
#include <fxs/core/Result.h>
#include <fxs/simulation/Simulator.h>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fxs::cli {

/// A detector geometry with its text (for results files) and the pixel mask the run uses.
struct GeometrySetup {
    DetectorGeometry geometry;
    std::string text; ///< .geom text
    std::string name; ///< "builtin" or the file path
    std::vector<std::uint8_t> mask; ///< slab order, 1 = usable (geometry mask and the built-in beamstop)
    std::string valuesJson; ///< clen, photon energy, beam shift and mask in effect, each with its source (JSON)
    /// The file as written, resolved against the data file (values per frame, a mask per frame: the source and the
    /// shot pipeline apply them through it).
    FileGeometry file;
};

/// "builtin": a 256 × 256 single panel, 300 µm pixels at 0.25 m, 9 keV (the example single-panel.geom binned 4 × 4),
/// with a beamstop (radius 6 px) and a 4-pixel horizontal gap; otherwise a CrystFEL .geom file. Values the file
/// gives as HDF5 paths are read from `dataFile` (FileGeometry: per frame when they change); the overrides win over both. A value
/// missing everywhere fails with a message naming the key and the option that supplies it. The geometry's `mask`
/// dataset (from `mask_file` or the data file) or `--mask` is applied to the pixel mask.
Result<GeometrySetup> loadGeometry(
    const std::string& spec, const GeometryOverrideOptions& overrides = {}, const std::string& dataFile = {});

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
