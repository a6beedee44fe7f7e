#pragma once

#include <fxs/geometry/DetectorGeometry.h>
#include <fxs/core/Result.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace fxs {

/// Where a value in effect came from (recorded in results files, shown by the monitor).
enum class ValueSource { Unset, Geometry, DataFile, User, Stream };

/// "geometry", "data file", "user", "stream start message" or "unset".
const char* valueSourceName(ValueSource s);

/// A .geom value given as a number (SI units: metres, eV) or as an HDF5 path into the data file.
struct GeomScalar {
    double value = std::numeric_limits<double>::quiet_NaN(); ///< the number, in SI units; NaN when a path or unset
    std::string path; ///< HDF5 path of the value in the data file; empty when a number
    double fileScale = 1.0; ///< multiplies the value read from the file into SI units (clen: mm → m)
    int line = 0; ///< line of the .geom file that set it (0: not set)
    std::string key; ///< the key as the file wrote it ("clen", "q0a0/clen"), for messages

    bool isPath() const { return !path.empty(); }
    bool isNumber() const { return path.empty() && std::isfinite(value); }
    bool isSet() const { return isPath() || isNumber(); }
};

/// Values the user gives on the command line, in a JSON config or in the monitor; they win over the geometry
/// and the data file. NaN: not given.
struct GeomOverrides {
    double cameraLengthM = std::numeric_limits<double>::quiet_NaN(); ///< `--clen`: replaces every panel's clen
    double photonEnergyEv = std::numeric_limits<double>::quiet_NaN(); ///< `--photon-energy`
    double beamShiftXM = 0.0; ///< `--beam-shift X,Y`: where the beam meets the detector, in the geometry's lab
    double beamShiftYM = 0.0; ///< frame (metres); every pixel moves by (−X, −Y)
};

/// Values read from the data file, by HDF5 path: one value for the run, or one per frame.
using GeomDataValues = std::map<std::string, std::vector<double>>;

/// A geometry with its deferred values filled in, and where each came from.
struct ResolvedGeometry {
    DetectorGeometry geometry;
    double cameraLengthM = 0.0; ///< the first panel's clen in effect (metres)
    ValueSource cameraLengthSource = ValueSource::Unset;
    double photonEnergyEv = 0.0;
    ValueSource photonEnergySource = ValueSource::Unset;
    double beamShiftXM = 0.0, beamShiftYM = 0.0; ///< the beam shift applied (user), metres
    double aduPerEv = std::numeric_limits<double>::quiet_NaN(); ///< detector gain when known (NaN otherwise)
};

/// A CrystFEL geometry as written in its file: the panels, and the values the file leaves to the data file
/// (HDF5 paths) or to the user (absent). resolve() turns it into a DetectorGeometry, per run or per frame.
class GeomTemplate {
public:
    /// Name of the file it was read from, for messages.
    std::string sourceName;
    /// Panels with every number the file gives; clen/coffset are taken from `clen`/`coffset` below at resolve().
    std::vector<DetectorPanel> panels;
    std::vector<GeomScalar> clen; ///< one per panel
    std::vector<GeomScalar> coffset; ///< one per panel (0 when the file gives none)
    std::vector<std::string> dataPath; ///< one per panel: the `data` key (empty when none)
    GeomScalar photonEnergy; ///< eV (a path's value is in eV)
    GeomScalar aduPerEv; ///< `adu_per_eV` (or `adu_per_photon` ÷ photon energy, when that is a number)
    GeomScalar aduPerPhoton;
    GeomScalar detectorShiftX, detectorShiftY; ///< CrystFEL `detector_shift_x/y`: metres (a path's value in mm)
    std::vector<BadRegion> badRegions;
    GeomMaskSource mask;
    /// `group_*` (CrystFEL ≤ 0.9 hierarchy) and `rigid_group*` keys, in file order: name → members.
    std::vector<std::pair<std::string, std::vector<std::string>>> groups;
    /// Keys the parser did not know and ignored, each named once ("file:line: key 'x' ignored ...").
    std::vector<std::string> warnings;

    /// Distinct HDF5 paths the file names for clen, coffset, photon energy, gain or detector shift.
    std::vector<std::string> dataPaths() const;
    /// The HDF5 paths that move pixels or change q once `overrides` are applied (clen unless overridden, coffset,
    /// photon energy unless overridden, detector shifts): a value per frame there means a geometry per frame.
    std::vector<std::string> geometryPaths(const GeomOverrides& overrides) const;
    /// Keys ("clen", "photon_energy") that neither the overrides, nor the file's numbers, nor `data` supply.
    std::vector<std::string> missing(const GeomOverrides& overrides, const GeomDataValues& data = {}) const;
    /// The geometry in effect for one frame: overrides first, then numbers in the file, then `data` (one value
    /// per path, or one per frame, indexed by `frame`). Fails naming the key and the option that supplies it.
    Result<ResolvedGeometry> resolve(
        const GeomOverrides& overrides, const GeomDataValues& data = {}, std::int64_t frame = 0) const;
};

} // namespace fxs
