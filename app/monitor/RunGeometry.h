#pragma once

// moc never sees this header; RunConfig pulls in C++20 headers it cannot parse.
#include "RunConfig.h"

#include <QStringList>
#include <fxs/geometry/DetectorGeometry.h>
#include <fxs/geometry/GeomTemplate.h>
#include <fxs/pipeline/FileGeometry.h>
#include <fxs/sources/DectrisStreamDecoder.h>
#include <limits>

namespace fxs::monitor {

/// The camera length, photon energy and pixel size a run uses, and where each came from.
struct GeometryInEffect {
    double clenM = std::numeric_limits<double>::quiet_NaN();
    ValueSource clenSource = ValueSource::Unset;
    double photonEnergyEv = std::numeric_limits<double>::quiet_NaN();
    ValueSource energySource = ValueSource::Unset;
    double pixelSizeM = std::numeric_limits<double>::quiet_NaN();
    ValueSource pixelSource = ValueSource::Unset;
    bool perFrame = false; ///< the data file's values change per frame (the remap follows them)
    ValueRange clenRangeM; ///< camera length over the frames (min = max when it does not change)
    ValueRange energyRangeEv; ///< photon energy over the frames
};

/// What a run needs that neither the geometry, nor the data file, nor the user gave.
struct MissingValues {
    QStringList keys; ///< "clen", "photon_energy", "pixel_size"
    QString message; ///< one sentence per value: why it is missing and where to enter it
};

/// A run's detector geometry with the values in effect.
struct RunGeometry {
    DetectorGeometry geometry;
    GeometryInEffect values;
    /// A .geom file resolved against a file run's data file (values and mask per frame); empty otherwise.
    std::optional<FileGeometry> file;

    /// The geometry of `config`'s run on an nSlow × nFast slab: the .geom file (HDF5-path values read from the
    /// data file, per frame when they change there, the user's values winning) or, without one, a flat panel centred on the beam. A file run never
    /// assumes a value: when one is missing everywhere this fails and fills `missing` (when given). A detector
    /// stream's start message (`start`, DECTRIS) gives what the geometry file and the user do not: without a
    /// file, a flat panel at its distance, pixel size, beam centre and energy.
    static Result<RunGeometry> resolve(const RunConfig& config, int nSlow, int nFast, MissingValues* missing = nullptr,
        const std::optional<DectrisStart>& start = std::nullopt);
};

} // namespace fxs::monitor
