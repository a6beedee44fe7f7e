#pragma once

#include "Job.h"
#include "fxs.grpc.pb.h"

#include <memory>
#include <mutex>

namespace fxs::remote {

class JobStore;

/// One WatchJob stream. Latest wins: the reactor keeps no queue; whenever its previous write is done it sends the
/// job's current status and, if asked, the next chunk of the snapshot it is sending (a snapshot version is sent
/// whole; then the newest one). A watcher that stops reading therefore costs the server one message and one
/// shared snapshot, however long it stalls. Ends with OK once the job's final state has been sent.
class WatchReactor final : public grpc::ServerWriteReactor<fxs::v1::WatchUpdate> {
public:
    WatchReactor(JobStore& store, std::shared_ptr<Job> job, bool includeSnapshots);

    /// Sends what is new, if the previous write is done (called by the supervisor after every pass).
    void poke();
    /// Ends the stream with UNAVAILABLE (server draining).
    void shutdown();

    void OnWriteDone(bool ok) override;
    void OnCancel() override;
    void OnDone() override;

private:
    void finishLocked(const grpc::Status& status);

    JobStore& m_store;
    std::shared_ptr<Job> m_job;
    bool m_includeSnapshots;
    std::recursive_mutex m_mutex; // recursive: a reaction may run inline from StartWrite/Finish
    bool m_writing = false;
    bool m_finished = false;
    std::int64_t m_sentSeq = -1;
    bool m_sentTerminal = false;
    std::shared_ptr<const SnapshotData> m_snapshot; // the version being sent
    int m_nextChunk = 0;
    std::int64_t m_sentSnapshotVersion = 0;
    fxs::v1::WatchUpdate m_message; // must outlive the write
};

/// Bytes of snapshot data per WatchUpdate (with the status it stays far below the 4 MiB limit).
constexpr std::size_t kSnapshotChunkBytes = 1 << 20;

} // namespace fxs::remote
