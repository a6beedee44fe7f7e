#pragma once

#include <algorithm>

namespace fxs::remote {

/// The MPI worker's checkpoint policy (issue 22): checkpoints come only as often as their cost allows, so that fault
/// tolerance takes at most `share` of the run whatever the grid (the sums grow as nQ² · nPhi), the disk and the
/// ranks.
///
/// A round accumulates for an interval I and then pays its checkpoint's cost c (in the ranks' wall time); its share
/// of the round is c / (I + c), which stays at most `share` when I ≥ c · (1 − share) / share. The cost is measured
/// every round and is made of:
///  - the ranks' own time at the round's end (`criticalS`: the reduction's start, rank 0's hand-off to the writer,
///    and the ranks waiting for each other there), which every rank loses, and
///  - the checkpoint writer's CPU time on rank 0's node (`writerCpuS`: unpacking, SHA-256, the write and the progress
///    snapshot), which costs the ranks nothing while the node has a core to spare for it, but when the ranks' threads
///    fill the node's cores (`busyThreads` ≥ `cores`) is taken from them: `cores` cores lose `writerCpuS`
///    core-seconds, the run `writerCpuS / cores` seconds.
struct CheckpointCost {
    double criticalS = 0.0; ///< the ranks' wall time at a round's end (the slowest rank's)
    double writerCpuS = 0.0; ///< CPU time of the newest finished checkpoint write
    int busyThreads = 1; ///< accumulating threads on rank 0's node (ranks there × threads per rank)
    int cores = 1; ///< cores the job's ranks on rank 0's node may run on
};

/// The share of the run the policy allows checkpoints (4 %: under the 5 % with room for the last round).
constexpr double kCheckpointShare = 0.04;

/// A checkpoint's cost in the ranks' wall time (see CheckpointCost).
inline double checkpointCostS(const CheckpointCost& c)
{
    const double stolen = c.busyThreads >= c.cores ? c.writerCpuS / std::max(1, c.cores) : 0.0;
    return std::max(0.0, c.criticalS) + std::max(0.0, stolen);
}

/// The next round's accumulation time: the job's reduce interval, or longer when a checkpoint costing `costS` would
/// take more than `share` of the round.
inline double checkpointIntervalS(double minIntervalS, double costS, double share = kCheckpointShare)
{
    return std::max(minIntervalS, costS * (1.0 - share) / share);
}

} // namespace fxs::remote
