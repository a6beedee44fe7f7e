#pragma once

#include "fxs/C2Sums.h"
#include "fxs/Result.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace fxs {

/// What a checkpoint holds: the accumulator's sums and the shots already in them.
struct CheckpointData {
    C2Sums sums; ///< the additive state
    std::vector<std::int64_t> shotsDone; ///< indices of the shots accumulated into `sums`
    std::string configuration; ///< the configuration (JSON) the run was started with
    std::string softwareVersion; ///< fxs::versionString() of the writer
};

/// Crash-safe checkpoints of a C2 run (format in docs/RESULTS_SCHEMA.md): written to a temporary file, fsynced and
/// renamed into place, so a crash leaves either the old or the new checkpoint; a SHA-256 footer makes a truncated
/// or damaged file detectable, and loading refuses a checkpoint of another shape or configuration.
class Checkpoint {
public:
    /// Writes `sums`, `shotsDone` and `configuration` to `path` atomically (temp file, fsync, rename, fsync dir).
    static Status save(const std::string& path, const C2Sums& sums, std::span<const std::int64_t> shotsDone,
        const std::string& configuration);
    /// Reads `path` and checks it against the run about to resume: same shape and conventions as `like`
    /// (nQ, nPhi, nMax, ring-mean subtraction) and the same configuration text.
    static Result<CheckpointData> load(const std::string& path, const C2Sums& like, const std::string& configuration);
    /// Reads `path` without expectations (integrity is still verified).
    static Result<CheckpointData> read(const std::string& path);
};

} // namespace fxs
