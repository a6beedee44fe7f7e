#pragma once

#include "JobFiles.h"
#include "RateMeter.h"
#include "fxs.pb.h"
#include <fxs/core/Result.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <sys/types.h>

namespace fxs::remote {

/// The latest C2 snapshot of a job, shared read-only by every watcher (so a slow watcher pins at most one).
struct SnapshotData {
    std::int64_t version = 0;
    int nQ = 0;
    int nPhi = 0;
    std::int64_t shots = 0;
    double splitHalfCC = 0.0;
    std::string bytes; ///< c2 as little-endian float64
};

/// One job as the server sees it: its spec, its status (what watchers get), its process, all kept on disk in the
/// job folder (spec.pb, status.pb, process.json) so that a restarted server finds it again.
/// Every member is guarded by `mutex`.
struct Job {
    Job(std::string jobId, JobFiles jobFiles, fxs::v1::JobSpec jobSpec);

    const std::string id;
    const JobFiles files;
    const fxs::v1::JobSpec spec;

    mutable std::mutex mutex;
    fxs::v1::JobStatus status;
    std::int64_t statusSeq = 0; ///< increases with every change of `status`
    std::shared_ptr<const SnapshotData> snapshot;
    std::filesystem::file_time_type snapshotTime {};
    std::filesystem::file_time_type checkpointTime {};

    pid_t pid = 0; ///< the launcher (its session id too); 0 when not running
    bool adopted = false; ///< launched by an earlier server: not our child, cannot be waited for
    double launchedAtS = 0.0;
    std::uintmax_t logOffset = 0; ///< size of the launcher log before this attempt: what it says is after this
    std::int64_t baseShots = 0; ///< accepted shots in the checkpoint the current attempt started from
    std::int64_t baseRejected = 0; ///< rejected shots in that checkpoint
    double lastReconstructionProgress = -1.0;
    std::int64_t lastShots = -1;
    double lastProgressAtS = 0.0;
    RateMeter rate; ///< all ranks' shots (JobStatus.shots_per_second)
    std::map<int, RateMeter> rankRates; ///< each rank's shots, done + rejected (RankHealth.shots_per_second)
    std::string endReason; ///< set by the watchdog or cancel before the process is killed
    fxs::v1::JobState endState = fxs::v1::JOB_STATE_UNSPECIFIED;

    /// True when the job has ended (succeeded, failed, cancelled).
    bool terminal() const;
    /// Marks a status change for watchers (bumps statusSeq and the update time). Lock held.
    void touch();
    /// Writes spec.pb, status.pb and process.json atomically. Lock held.
    Status persist() const;
    /// Reads a job folder written by persist().
    static Result<std::shared_ptr<Job>> load(const std::filesystem::path& dir);
};

/// True for SUCCEEDED, FAILED and CANCELLED.
bool isTerminal(fxs::v1::JobState s);

} // namespace fxs::remote
