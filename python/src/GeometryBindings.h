#pragma once

#include "Arrays.h"

#include <fxs/geometry/DetectorGeometry.h>
#include <fxs/polar/PolarRemapper.h>

#include <string>
#include <vector>

namespace fxs::python {

/// fxs.Geometry: a resolved detector geometry and where its camera length and photon energy came from.
struct Geometry {
    DetectorGeometry geometry;
    double cameraLengthM = 0.0;
    std::string cameraLengthSource = "unset";
    std::string photonEnergySource = "unset";
    std::vector<std::string> warnings; ///< keys of the .geom file the parser ignored
};

/// fxs.PolarRemapper: a remap table and the grid it maps onto.
struct Remapper {
    PolarRemapper remapper;
};

/// A numpy image (2D; uint16, int16, int32, float32 or float64 read as they are, other types as float32) as a
/// Frame; the pixels are copied once, since a Frame owns them.
Frame frameOf(const py::array& image, std::int64_t shotIndex = 0);

} // namespace fxs::python
