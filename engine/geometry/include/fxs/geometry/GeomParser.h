#pragma once

#include <fxs/geometry/DetectorGeometry.h>
#include <fxs/core/Result.h>

#include <limits>
#include <string>
#include <string_view>

namespace fxs {

/// Values a .geom file may leave to the data file (an HDF5 path instead of a number).
struct GeomParseOptions {
    double cameraLengthM = std::numeric_limits<double>::quiet_NaN(); ///< used when clen is not a number
    double photonEnergyEv = std::numeric_limits<double>::quiet_NaN(); ///< used when photon_energy is absent or a path
};

/// Reads CrystFEL .geom files: global defaults, then `panel/key = value` lines (min/max_fs/ss, fs, ss,
/// corner_x/y, res, clen, coffset, max_adu, no_index, dimN), `bad_*` regions, mask keys and rigid groups.
/// A malformed file is refused with "<file>:<line>: key '<key>': <what was expected>".
class GeomParser {
public:
    /// Parses a .geom file.
    static Result<DetectorGeometry> parseFile(const std::string& path, const GeomParseOptions& options = {});
    /// Parses .geom text; `sourceName` names it in error messages.
    static Result<DetectorGeometry> parseText(
        std::string_view text, const std::string& sourceName = "<geom>", const GeomParseOptions& options = {});
    /// Writes a geometry as .geom text that parseText() reads back to the same geometry.
    static std::string toGeomText(const DetectorGeometry& geometry);
};

} // namespace fxs
