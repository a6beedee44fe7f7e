#pragma once

#include <fxs/core/Result.h>
#include <fxs/reconstruction/MtipReconstructor.h>

#include <array>
#include <string>
#include <vector>

namespace fxs {

/// A 3D density on a regular grid, x fastest: values[(z · ny + y) · nx + x].
struct MrcMap {
    int nx = 0;
    int ny = 0;
    int nz = 0;
    std::vector<float> values; ///< nx · ny · nz voxels, x fastest
    double voxelSizeAngstrom = 1.0; ///< edge of a (cubic) voxel
    std::array<double, 3> originAngstrom { 0.0, 0.0, 0.0 }; ///< position of voxel (0, 0, 0)
    std::string label; ///< up to 80 characters kept, e.g. "fxs M-TIP reconstruction, run 42"
};

/// Writes MRC2014 map files (mode 2, float32, little-endian) that ChimeraX, PyMOL and mrcfile read.
class MrcWriter {
public:
    /// Writes `map` to `path` (replacing it); the header's statistics (min, max, mean, rms) are computed here.
    static Status write(const std::string& path, const MrcMap& map);
    /// Reads a little-endian mode-2 (float32) MRC2014 map: grid, voxel size (CELLA / MX), origin, label, values;
    /// an error names the file and what is wrong with it (not MRC, another mode, truncated).
    static Result<MrcMap> read(const std::string& path);
    /// A reconstruction's density as a map (origin at voxel n/2, as MtipResult says), ready for write().
    static MrcMap mapOf(const MtipResult& result, const std::string& label = "fxs M-TIP reconstruction");
};

} // namespace fxs
