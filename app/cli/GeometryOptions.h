#pragma once

#include <CLI/CLI.hpp>
#include <fxs/geometry/GeomTemplate.h>
#include <fxs/core/Result.h>
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

/// `--mask FILE[:DATASET]` split; the dataset defaults to `fallback` (the geometry's `mask` key) or "/mask".
struct MaskSpec {
    std::string file;
    std::string dataset;
};
MaskSpec parseMaskSpec(const std::string& spec, const std::string& fallback);

/// `config` (a JSON object text) with "geometry_values" set to `valuesJson` (when not empty): the results file
/// records the clen, photon energy, beam shift and mask used, and where each came from.
std::string withGeometryValues(const std::string& config, const std::string& valuesJson);

/// Applies to `mask` (slab order, 1 = usable) the pixel mask of `--mask` (`maskOption`) or, without it, the
/// dataset the geometry's `mask` key names (in `mask_file`, else in `dataFile`). Values follow the geometry's
/// mask_good/mask_bad bits when it gives any, else nonzero = bad (NeXus pixel_mask). Returns "FILE:DATASET" used
/// (empty: none).
/// A mask with one slab per frame (European XFEL's `mask`): read by the source with each frame, not here.
struct PerFrameMask {
    std::string dataset; ///< in the data file
    std::uint32_t goodBits = 0;
    std::uint32_t badBits = 0;
};
/// When the mask dataset has one slab per frame (N × … of the detector's pixels, N > 1) and `perFrame` is given,
/// it is returned there instead of being applied (it must then be in the data file itself).
Result<std::string> applyGeometryMask(const GeomTemplate& t, const DetectorGeometry& g, const std::string& maskOption,
    const std::string& dataFile, std::vector<std::uint8_t>& mask, PerFrameMask* perFrame = nullptr);

} // namespace fxs::cli
