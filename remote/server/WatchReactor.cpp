#include "WatchReactor.h"

#include "JobStore.h"

#include <algorithm>

namespace fxs::remote {

WatchReactor::WatchReactor(JobStore& store, std::shared_ptr<Job> job, bool includeSnapshots)
    : m_store(store)
    , m_job(std::move(job))
    , m_includeSnapshots(includeSnapshots)
{
    m_store.addWatcher(this);
    poke(); // the current state at once, not after the next supervisor pass
}

void WatchReactor::poke()
{
    std::lock_guard lock(m_mutex);
    if (m_writing || m_finished) {
        return;
    }
    m_message.Clear();
    bool terminal = false;
    bool newStatus = false;
    {
        std::lock_guard jl(m_job->mutex);
        terminal = m_job->terminal();
        if (m_job->statusSeq != m_sentSeq) {
            newStatus = true;
            m_sentSeq = m_job->statusSeq;
        }
        if (m_includeSnapshots && !m_snapshot && m_job->snapshot && m_job->snapshot->version != m_sentSnapshotVersion) {
            m_snapshot = m_job->snapshot;
            m_nextChunk = 0;
        }
        *m_message.mutable_status() = m_job->status;
    }
    if (m_snapshot) {
        const std::size_t total = m_snapshot->bytes.size();
        const int count
            = static_cast<int>(std::max<std::size_t>(1, (total + kSnapshotChunkBytes - 1) / kSnapshotChunkBytes));
        auto* c = m_message.mutable_snapshot();
        c->set_version(m_snapshot->version);
        c->set_n_q(m_snapshot->nQ);
        c->set_n_phi(m_snapshot->nPhi);
        c->set_shots(m_snapshot->shots);
        c->set_split_half_cc(m_snapshot->splitHalfCC);
        c->set_index(m_nextChunk);
        c->set_count(count);
        const std::size_t off = static_cast<std::size_t>(m_nextChunk) * kSnapshotChunkBytes;
        c->set_data(m_snapshot->bytes.substr(off, std::min(kSnapshotChunkBytes, total - off)));
        if (++m_nextChunk == count) {
            m_sentSnapshotVersion = m_snapshot->version;
            m_snapshot.reset();
        }
    } else if (!newStatus) {
        if (terminal && m_sentTerminal) {
            finishLocked(grpc::Status::OK);
        }
        return;
    }
    m_sentTerminal = terminal;
    m_writing = true;
    StartWrite(&m_message);
}

void WatchReactor::shutdown()
{
    std::lock_guard lock(m_mutex);
    finishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE, "fxs-server is shutting down; reconnect later"));
}

void WatchReactor::OnWriteDone(bool ok)
{
    {
        std::lock_guard lock(m_mutex);
        m_writing = false;
        if (!ok) {
            finishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "the watcher went away"));
            return;
        }
    }
    poke();
}

void WatchReactor::OnCancel()
{
    std::lock_guard lock(m_mutex);
    finishLocked(grpc::Status::CANCELLED);
}

void WatchReactor::OnDone() { m_store.retireWatcher(this); }

void WatchReactor::finishLocked(const grpc::Status& status)
{
    if (!m_finished) {
        m_finished = true;
        Finish(status);
    }
}

} // namespace fxs::remote
