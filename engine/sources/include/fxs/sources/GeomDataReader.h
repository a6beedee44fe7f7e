#pragma once

#include <fxs/geometry/GeomTemplate.h>
#include <fxs/core/Result.h>

#include <string>
#include <vector>

namespace fxs {

/// Reads from a data file the values a geometry gives as HDF5 paths (LCLS `/LCLS/detector_1/EncoderValue`,
/// `/LCLS/photon_energy_eV`): a scalar, or one value per frame (a 1-D dataset, or N × 1). Paths the file lacks
/// are left out of the result; GeomTemplate::resolve() then names the key and the option that supplies it.
class GeomDataReader {
public:
    /// Every path of `paths` the file holds; fails when the file cannot be opened or a dataset is not numeric.
    /// A live file (being written in SWMR mode) is read as a SWMR reader. `growing`, when given, receives the
    /// paths whose datasets can still grow along frames (extendible 1-D or N × 1: a live file's per-frame values,
    /// per frame even while they hold one value).
    static Result<GeomDataValues> read(const std::string& file, const std::vector<std::string>& paths,
        std::vector<std::string>* growing = nullptr);
};

} // namespace fxs
