#pragma once

#include <QString>
#include <cmath>
#include <cstdint>
#include <vector>

namespace fxs::monitor {

/// How a rank of a remote job looks to the server's watchdog (fxs.proto RankHealth.Health).
enum class RankHealthKind { Unknown, Starting, Ok, Stale, Gone, Done };

/// One row of the Ranks table: a rank of the MPI job, as the server last saw it.
struct RankRow {
    int rank = 0;
    QString host;
    std::int64_t pid = 0;
    QString device; ///< what correlates on it ("CPU, 2 threads", "GPU 1 (…)")
    QString phase; ///< "accumulating", "reducing", "done", …
    std::int64_t shotsDone = 0;
    std::int64_t shotsRejected = 0;
    double shotsPerSecond = 0.0;
    double heartbeatAgeS = 0.0;
    RankHealthKind health = RankHealthKind::Unknown;
};

/// A remote job's status as the window shows it (a copy of fxs.proto JobStatus without gRPC types).
struct RemoteJobStatus {
    QString server; ///< host:port
    QString jobId;
    QString state; ///< QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED
    QString message; ///< the server's word on it (why it failed, …)
    std::int64_t shotsTotal = 0;
    std::int64_t shotsDone = 0;
    std::int64_t shotsAccepted = 0;
    std::int64_t shotsRejected = 0;
    std::int64_t checkpointShots = 0;
    double shotsPerSecond = 0.0;
    // Per-shot statistics of this attempt (restart with a resume; fxs.proto JobStatus): their differences give
    // the hit rate and the mean intensity of the shots read between two updates.
    std::int64_t shotsWithStatistics = 0;
    std::int64_t shotsHit = 0;
    double meanIntensitySum = 0.0;
    int attempt = 1;
    bool terminal = false; ///< SUCCEEDED, FAILED or CANCELLED
    bool resumable = false; ///< FAILED or CANCELLED: the server can resume it from its last checkpoint
    bool reconstructs = false; ///< the job was submitted with a reconstruction on the server
    double reconstructionProgress = 0.0; ///< 0 … 1, rank 0's M-TIP once the C2 is complete
    QString owner; ///< the token name that submitted the job
    QString slurmJobId; ///< the Slurm allocation running it (fxs-server --launcher slurm); empty otherwise
    std::vector<RankRow> ranks;

    /// Every shot of a job of known length is read: the job's rate is 0 Hz from then on, which is no stall.
    bool everyShotIn() const { return shotsTotal > 0 && shotsDone >= shotsTotal; }
    /// The reconstruction's progress in whole percent, as every view shows it (rounded down: 100 only when done).
    int reconstructionPercent() const { return int(std::floor(100.0 * reconstructionProgress)); }
    /// True while rank 0 reconstructs (the shots are all in, the density is not yet).
    bool reconstructing() const
    {
        if (!reconstructs || terminal) {
            return false;
        }
        for (const RankRow& r : ranks) {
            if (r.phase == QLatin1String("reconstructing")) {
                return true;
            }
        }
        return reconstructionProgress > 0.0;
    }
};

/// Who this window is on an fxs-server (WhoAmI): the token's name and role, which decide the controls it may use.
struct RemoteIdentity {
    QString server; ///< host:port asked
    QString tokenName;
    QString role; ///< "watch", "operate", "admin"; empty: unknown (not asked yet, or the server could not say)
    QString error; ///< why the role is unknown
    int maxJobs = 0; ///< 0: no limit
    int maxRanks = 0;

    bool known() const { return !role.isEmpty(); }
    /// Submit, and cancel its own jobs: operate or admin.
    bool mayOperate() const { return role == QLatin1String("operate") || role == QLatin1String("admin"); }
    /// Cancel the job of `owner`: its own with operate, anyone's with admin.
    bool mayCancel(const QString& owner) const
    {
        return role == QLatin1String("admin") || (mayOperate() && (owner.isEmpty() || owner == tokenName));
    }
    /// "alice (operate)".
    QString describe() const { return known() ? tokenName + QStringLiteral(" (") + role + QStringLiteral(")") : QString(); }
};

/// A density the server reconstructed, fetched as an MRC map.
struct RemoteDensity {
    int n = 0; ///< n³ voxels, x fastest
    std::vector<float> values;
    double voxelSizeA = 0.0;
    QString path; ///< where the map was saved
};

/// Upper-case name of a rank's health ("OK", "STALE", …).
inline QString healthName(RankHealthKind h)
{
    static const char* const names[] = { "?", "STARTING", "OK", "STALE", "GONE", "DONE" };
    return QString::fromLatin1(names[int(h)]);
}

/// A rank's health as the window shows it in a job of state `jobState`: the ranks of a cancelled job were stopped on
/// purpose, so the watchdog's GONE (its processes are gone) reads "CANCELLED" there, not as a failure.
inline QString shownHealth(const QString& jobState, RankHealthKind h)
{
    const bool stoppedOnPurpose = jobState == QLatin1String("CANCELLED") && h != RankHealthKind::Done;
    return stoppedOnPurpose ? QStringLiteral("CANCELLED") : healthName(h);
}

} // namespace fxs::monitor
