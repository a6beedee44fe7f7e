#pragma once

#include <cstdint>
#include <fxs/core/Result.h>
#include <string>
#include <vector>

namespace fxs::cli {

/// One dataset of an HDF5 file.
struct DatasetEntry {
    std::string path;
    std::vector<std::int64_t> dims;
    std::string type; ///< e.g. "uint16", "float32", "string", "compound"
};

/// Lists every dataset of an HDF5 file in a forked child process with time and memory limits, so that a damaged
/// file that crashes or exhausts the HDF5 library only takes down the child (same idea as fxs-probe).
Result<std::vector<DatasetEntry>> listDatasets(const std::string& path, double timeLimitS = 20.0);

} // namespace fxs::cli
