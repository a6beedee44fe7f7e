#pragma once

#include <fxs/core/Result.h>
#include <fxs/correlation/C2Sums.h>
#include <fxs/results/SumsFile.h>

#include <cstdint>
#include <span>
#include <string>

namespace fxs {

/// What a checkpoint holds: the accumulator's sums and the shots already in them (a SumsFile).
using CheckpointData = SumsFile;

/// Crash-safe checkpoints of a local C2 run, in the one sums format (SumsFile; docs/RESULTS_SCHEMA.md): a crash
/// leaves either the old or the new checkpoint, a SHA-256 footer makes a truncated or damaged file detectable, and
/// loading refuses a checkpoint of another shape or configuration.
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
