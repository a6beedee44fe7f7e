#pragma once

#include <fxs/geometry/DetectorGeometry.h>
#include <fxs/geometry/GeomTemplate.h>
#include <fxs/core/Result.h>

#include <limits>
#include <string>
#include <string_view>

namespace fxs {

/// User values for parseFile()/parseText(): when given they win over the file (GeomOverrides).
struct GeomParseOptions {
    double cameraLengthM = std::numeric_limits<double>::quiet_NaN(); ///< replaces every panel's clen
    double photonEnergyEv = std::numeric_limits<double>::quiet_NaN(); ///< replaces photon_energy
};

/// Reads CrystFEL .geom files as CrystFEL does: global defaults copied into each panel when it is first named,
/// then `panel/key = value` lines (min/max_fs/ss, written as integers or as reals like 0.0, fs, ss, corner_x/y,
/// res, clen, coffset, max_adu, no_index, data, dimN), `bad_*` regions (fs/ss or x/y, with `panel`), mask keys,
/// `group_*`/`rigid_group*` hierarchies. A repeated key: the later wins. Values take units (clen/coffset: m or mm,
/// photon_energy: eV or keV; wavelength: m or A); clen, coffset, photon_energy, adu_per_eV and detector_shift_x/y
/// may be HDF5 paths into the data file (clen and shifts read in mm). Unknown keys are warned about once
/// (GeomTemplate::warnings); keys that would change the geometry's meaning in an unimplemented way are refused.
/// A malformed file is refused with "<file>:<line>: key '<key>': <what was expected>".
class GeomParser {
public:
    /// Parses a .geom file, leaving HDF5-path and absent values to GeomTemplate::resolve().
    static Result<GeomTemplate> parseTemplateFile(const std::string& path);
    /// Parses .geom text into a template; `sourceName` names it in messages.
    static Result<GeomTemplate> parseTemplateText(std::string_view text, const std::string& sourceName = "<geom>");
    /// Parses a .geom file and resolves it with `options` alone (no data file): fails when clen or the photon
    /// energy is a path or absent and not given in `options`.
    static Result<DetectorGeometry> parseFile(const std::string& path, const GeomParseOptions& options = {});
    /// Parses .geom text; `sourceName` names it in error messages.
    static Result<DetectorGeometry> parseText(
        std::string_view text, const std::string& sourceName = "<geom>", const GeomParseOptions& options = {});
    /// Writes a geometry as .geom text that parseText() reads back to the same geometry.
    static std::string toGeomText(const DetectorGeometry& geometry);
};

} // namespace fxs
