#pragma once

#include "fxs/C2Sums.h"
#include "fxs/Result.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace fxs::remote {

/// A shot the veto rules kept out of the sums, with the reason (VetoDecision::reason).
struct RejectedShot {
    std::int64_t shot = 0;
    std::string reason;
};

/// C2 sums on disk: a checkpoint (with the ids of the work units done) or a final result.
///
/// Layout ("FXS1 sums file"): 8 bytes "FXS1SUMS", uint32 length of a JSON header, the header (shape, shot counts,
/// computation hash, units done, rejected shots as [shot, reason] pairs), then the arrays as little-endian float64 in
/// the order signal[0], signal[1], mask[0], mask[1] (complex as re, im pairs), weightedIntensity, weightSum. Readable
/// from numpy with one np.frombuffer per array.
struct SumsFile {
    C2Sums sums;
    std::uint64_t computationHash = 0; ///< WorkerConfig::computationHash of the run that made it
    std::vector<std::int64_t> unitsDone; ///< ids of the work units included in the sums, ascending
    std::vector<RejectedShot> rejected; ///< shots of those units the vetoes rejected, ascending

    /// Writes atomically (temporary file + rename).
    Status write(const std::filesystem::path& path) const;
    /// Reads and checks the layout; the message names the file and what is wrong.
    static Result<SumsFile> read(const std::filesystem::path& path);
    /// Reads the header only (shape, shot counts, units done); the arrays stay empty. Cheap for large sums.
    static Result<SumsFile> readHeader(const std::filesystem::path& path);

private:
    static Result<SumsFile> readImpl(const std::filesystem::path& path, bool arrays);
};

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
