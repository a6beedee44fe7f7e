#pragma once

#include <CLI/CLI.hpp>
#include <fxs/geometry/GeomTemplate.h>
#include <fxs/core/Result.h>
#include <fxs/sources/MaskFile.h>
#include <limits>
#include <string>
#include <vector>

namespace fxs::cli {

/// What the user gives to supply or override a geometry's values, on every command that reads a geometry
/// (`--clen`, `--photon-energy`, `--beam-shift`, `--mask`; JSON config keys clen, photon-energy, beam-shift, mask).
struct GeometryOverrideOptions {
    double clenM = std::numeric_limits<double>::quiet_NaN(); ///< `--clen METRES`
    double photonEnergyEv = std::numeric_limits<double>::quiet_NaN(); ///< `--photon-energy EV`
    std::string beamShift; ///< `--beam-shift X,Y` in metres
    std::string mask; ///< `--mask FILE[:DATASET]`
};

/// Adds the four options to a subcommand.
void addGeometryOverrideOptions(CLI::App* sub, GeometryOverrideOptions& o);

/// The engine's overrides from the options; fails on a malformed --beam-shift.
Result<GeomOverrides> toOverrides(const GeometryOverrideOptions& o);

/// `config` (a JSON object text) with "geometry_values" set to `valuesJson` (when not empty): the results file
/// records the clen, photon energy, beam shift and mask used, and where each came from.
std::string withGeometryValues(const std::string& config, const std::string& valuesJson);

} // namespace fxs::cli
