#pragma once

#include <fxs/core/Result.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace fxs::remote {

/// A normalised C2 snapshot on disk, written by rank 0 for watchers: "FXS1SNAP", uint32 header length, JSON header
/// (n_q, n_phi, shots, split_half_cc, std_error, split_half_map), then c2 as little-endian float64, nQ × nQ × nPhi,
/// then, when the header says so, its standard errors (nQ × nQ × nPhi) and the split-half correlation of each
/// (q, q') pair (nQ × nQ) followed by that of each q (nQ): what a live run's window shows as error bands, as the
/// convergence map and as the per-q convergence curves. A file without
/// the two keys (an older worker) holds c2 alone.
///
/// The watch stream carries `payload()`: the same arrays back to back; `splitPayload` takes them apart by size.
struct SnapshotFile {
    int nQ = 0;
    int nPhi = 0;
    std::int64_t shots = 0;
    double splitHalfCC = 0.0;
    std::vector<double> c2;
    std::vector<double> c2StdError; ///< empty: the sums kept no squares
    std::vector<double> splitHalfCCPerPair; ///< empty: not computed
    std::vector<double> splitHalfCCPerQ; ///< nQ; empty exactly when splitHalfCCPerPair is

    /// c2, then c2StdError and splitHalfCCPerPair + splitHalfCCPerQ when present, as bytes (float64, native order).
    std::string payload() const;
    /// Takes a payload of this shape apart into this snapshot's arrays: false when its size fits none of the
    /// layouts payload() writes.
    bool splitPayload(const std::string& bytes);

    /// Writes atomically.
    Status write(const std::filesystem::path& path) const;
    /// Reads and checks the layout.
    static Result<SnapshotFile> read(const std::filesystem::path& path);
};

} // namespace fxs::remote
