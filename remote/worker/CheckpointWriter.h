#pragma once

#include "JobFiles.h"
#include <fxs/results/SumsFile.h>
#include <fxs/core/Result.h>

#include <thread>

namespace fxs::remote {

/// Rank 0's writer of checkpoints, snapshots and the result, on its own thread: the ranks go on accumulating while
/// the disk works (a checkpoint of 300 × 256 sums is hundreds of MB). At most one write is in flight: a new one
/// first waits for the previous one, so memory holds at most one extra copy of the sums.
class CheckpointWriter {
public:
    explicit CheckpointWriter(JobFiles files);
    ~CheckpointWriter(); ///< waits for the write in flight

    /// Waits for the previous write (returning its failure, if any), then starts writing `cp` as the checkpoint
    /// and a snapshot of it (computed with `snapshotThreads`), and as the result too when `final`.
    Status submit(SumsFile cp, bool final, int snapshotThreads = 1);
    /// Waits for the write in flight; its outcome.
    Status wait();

private:
    JobFiles m_files;
    std::thread m_thread;
    Status m_status;
};

} // namespace fxs::remote
