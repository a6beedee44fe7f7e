#pragma once

#include "JobFiles.h"
#include <fxs/correlation/C2Snapshot.h>
#include <fxs/results/SumsFile.h>
#include <fxs/core/Result.h>

#include <memory>
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
    /// and a snapshot of it (computed with `snapshotThreads`). When `final` it is the result too, and no snapshot is
    /// computed: the final analysis computes the full one anyway and writes it (writeSnapshotFile), so the job's
    /// last wait holds only the disk write.
    Status submit(std::shared_ptr<const SumsFile> cp, bool final, int snapshotThreads = 1);
    /// Waits for the write in flight; its outcome.
    Status wait();

private:
    JobFiles m_files;
    std::thread m_thread;
    Status m_status;
};

/// The progress snapshot the server streams (files.snapshot()), from a snapshot of the sums.
Status writeSnapshotFile(const C2Snapshot& snapshot, const JobFiles& files);

} // namespace fxs::remote
