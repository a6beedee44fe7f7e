#pragma once

#include <fxs/core/Result.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace fxs::remote {

/// What one rank reports about itself, several times a second, in its heartbeat file. A rank that is stopped
/// (SIGSTOP) or hung stops writing it: the server's watchdog sees the age grow and ends the job, because a
/// stopped rank makes Open MPI wait forever.
struct RankHeartbeat {
    int rank = 0;
    std::int64_t pid = 0;
    std::string host;
    std::int64_t shotsDone = 0; ///< shots this rank accumulated in this attempt
    std::int64_t shotsRejected = 0;
    std::int64_t shotsWithStatistics = 0; ///< shots read in this attempt whose statistics were computed
    std::int64_t shotsHit = 0; ///< of those, hits (hit score ≥ WorkerConfig::hitScoreMin)
    double meanIntensitySum = 0.0; ///< Σ of their mean intensities
    std::int64_t unitsDone = 0;
    std::int64_t shotsTotal = 0; ///< shots in the whole job, once the rank knows (0 before)
    std::string phase; ///< "starting", "accumulating", "reducing", "reconstructing", "waiting", "done"
    double reconstructionProgress = -1.0; ///< 0 … 1 while rank 0 reconstructs, −1 when it does not
    std::string device; ///< what correlates on this rank (C2Pipeline::backendDescription())
    double timeUnixS = 0.0; ///< when written (the writer's clock)
    std::int64_t sequence = 0; ///< increases with every write

    /// Writes atomically to `path`.
    Status write(const std::filesystem::path& path) const;
    /// Reads one heartbeat file.
    static Result<RankHeartbeat> read(const std::filesystem::path& path);
    /// Every readable heartbeat in a folder, sorted by rank.
    static std::vector<RankHeartbeat> readAll(const std::filesystem::path& dir);
};

/// Seconds since the epoch, as a double.
double unixNowS();

} // namespace fxs::remote
