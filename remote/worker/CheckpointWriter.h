#pragma once

#include "JobFiles.h"
#include "SumsReduce.h"
#include <fxs/correlation/C2Snapshot.h>
#include <fxs/results/SumsFile.h>
#include <fxs/core/Result.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <memory>
#include <thread>

namespace fxs::remote {

/// Rank 0's writer of checkpoints, snapshots and the result, on its own thread: the ranks go on accumulating while
/// the disk works (a checkpoint of 300 × 256 sums is hundreds of MB). At most one write is in flight, and a rank
/// never waits for one in the middle of the run: a checkpoint handed in while the previous one is still being written
/// is dropped (the next one holds everything it held), so checkpoints come only as often as the disk allows and
/// memory holds at most one extra copy of the sums. The result is never dropped.
class CheckpointWriter {
public:
    explicit CheckpointWriter(JobFiles files);
    ~CheckpointWriter(); ///< waits for the write in flight

    /// Starts writing `cp` as the checkpoint and a snapshot of it (computed with `snapshotThreads`), unless a write
    /// is still in flight: then a checkpoint is dropped (counted in dropped()), while the result (`final`) is written
    /// after it, without the caller waiting. Returns the failure of an earlier write that has been waited for, if
    /// any. When `final` it is the result too, and no snapshot is computed: the final analysis computes the full one
    /// anyway and writes it (writeSnapshotFile), so the job's last wait holds only the disk write.
    Status submit(std::shared_ptr<const SumsFile> cp, bool final, int snapshotThreads = 1);
    /// The same for a reduction's packed total (plus `base`, the sums of an earlier attempt, when not null) with the
    /// units, rejected shots and hash of `meta` (whose sums are ignored): the unpacking and the merge happen on the
    /// writer's thread, into sums it keeps between checkpoints, so the caller only hands over a reference.
    Status submit(PackedSums total, std::shared_ptr<const C2Sums> base, std::shared_ptr<const SumsFile> meta,
        int snapshotThreads = 1);
    /// Waits for the write in flight; its outcome.
    Status wait();
    /// Waits until the writes handed in before the result are done (the result itself may still be being written):
    /// a snapshot written after this is not overwritten by an older one.
    void waitForEarlier();
    /// Checkpoints dropped because the previous one was still being written.
    int dropped() const { return m_dropped; }
    /// CPU time (its thread's clock) of the newest checkpoint write that has finished, snapshot included; 0 before.
    double lastCpuS() const { return m_lastCpuS.load(); }
    /// CPU time of every write so far, the result's included once waited for.
    double cpuS() const { return m_cpuS.load(); }

private:
    JobFiles m_files;
    std::thread m_thread;
    std::atomic<bool> m_busy { false };
    std::mutex m_earlierMutex;
    std::condition_variable m_earlierDone;
    bool m_earlier = false; ///< writes handed in before the result are still going on
    Status m_status;
    int m_dropped = 0;
    C2Sums m_scratch; ///< the writer thread's: packed totals are unpacked into it
    std::atomic<double> m_lastCpuS { 0.0 }, m_cpuS { 0.0 };

    void account(double cpuS);
};

/// The progress snapshot the server streams (files.snapshot()), from a snapshot of the sums.
Status writeSnapshotFile(const C2Snapshot& snapshot, const JobFiles& files);

} // namespace fxs::remote
