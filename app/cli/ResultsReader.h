#pragma once

#include <cstdint>
#include <fxs/correlation/C2Sums.h>
#include <fxs/invariants/KamInvariants.h>
#include <fxs/polar/PolarGrid.h>
#include <fxs/core/Result.h>
#include <optional>
#include <string>
#include <vector>

namespace fxs::cli {

/// What `fxs` reads back from a results file (docs/RESULTS_SCHEMA.md) for invariants, reconstruct and report.
struct StoredRun {
    C2Sums sums; ///< /sums
    PolarGrid grid; ///< /analysis/polar_grid
    double wavelengthA = 0.0; ///< /analysis/polar_grid[4] (0: unknown)
    std::string configuration; ///< /run/configuration
    std::string geometry; ///< /run/geometry
    std::optional<KamInvariants> invariants; ///< /analysis/invariants
    std::vector<double> convergenceShots; ///< /analysis/convergence row 0
    std::vector<double> convergenceCC; ///< /analysis/convergence row 1
    std::vector<float> density; ///< /analysis/density (n³), empty when absent
    int densityN = 0;
    double densityVoxelA = 0.0; ///< attribute-free: /analysis/density_voxel_A[0]
};

/// Reads a results file; errors name the file and the dataset that is missing or malformed.
Result<StoredRun> readResults(const std::string& path);

/// One float64 dataset (any rank) of an HDF5 file and its dimensions (ints and floats are converted).
struct DoubleArray {
    std::vector<double> values;
    std::vector<std::int64_t> dims;
};
/// Reads dataset `dataset` of `path` as float64.
Result<DoubleArray> readDoubleArray(const std::string& path, const std::string& dataset);

} // namespace fxs::cli
