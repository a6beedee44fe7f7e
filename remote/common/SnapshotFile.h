#pragma once

#include <fxs/core/Result.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace fxs::remote {

/// A normalised C2 snapshot on disk, written by rank 0 for watchers: "FXS1SNAP", uint32 header length, JSON header
/// (n_q, n_phi, shots, split_half_cc), then c2 as little-endian float64, nQ × nQ × nPhi.
struct SnapshotFile {
    int nQ = 0;
    int nPhi = 0;
    std::int64_t shots = 0;
    double splitHalfCC = 0.0;
    std::vector<double> c2;

    /// Writes atomically.
    Status write(const std::filesystem::path& path) const;
    /// Reads and checks the layout.
    static Result<SnapshotFile> read(const std::filesystem::path& path);
};

} // namespace fxs::remote
