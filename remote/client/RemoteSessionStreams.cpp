// RemoteSession's streaming calls: watch (with reconnects) and fetch (chunked, checksummed).
#include <fxs/core/Sha256.h>
#include "fxs/remote/RemoteSession.h"
#include "SnapshotFile.h"

#include <cstring>
#include <fstream>
#include <thread>

namespace fxs::remote {

namespace {

bool isTerminalState(fxs::v1::JobState s)
{
    return s == fxs::v1::JOB_STATE_SUCCEEDED || s == fxs::v1::JOB_STATE_FAILED || s == fxs::v1::JOB_STATE_CANCELLED;
}

// Collects a snapshot's chunks; a chunk of another version, or out of order, restarts the collection.
struct SnapshotAssembler {
    RemoteSnapshot snap;
    std::string bytes;
    int expected = 0;

    bool add(const fxs::v1::C2SnapshotChunk& c)
    {
        if (c.index() == 0 || c.version() != snap.version || c.index() != expected) {
            bytes.clear();
            expected = 0;
            snap.version = c.version();
            if (c.index() != 0) {
                return false;
            }
        }
        bytes += c.data();
        ++expected;
        if (expected < c.count()) {
            return false;
        }
        snap.nQ = c.n_q();
        snap.nPhi = c.n_phi();
        snap.shots = c.shots();
        snap.splitHalfCC = c.split_half_cc();
        SnapshotFile f;
        f.nQ = snap.nQ;
        f.nPhi = snap.nPhi;
        if (f.splitPayload(bytes)) { // c2, and its standard errors and split-half values when the worker sent them
            snap.c2 = std::move(f.c2);
            snap.c2StdError = std::move(f.c2StdError);
            snap.splitHalfCCPerPair = std::move(f.splitHalfCCPerPair);
            snap.splitHalfCCPerQ = std::move(f.splitHalfCCPerQ);
        } else { // a layout this client does not know: C2 as it comes
            snap.c2.resize(bytes.size() / sizeof(double));
            std::memcpy(snap.c2.data(), bytes.data(), snap.c2.size() * sizeof(double));
            snap.c2StdError.clear();
            snap.splitHalfCCPerPair.clear();
            snap.splitHalfCCPerQ.clear();
        }
        expected = 0;
        bytes.clear();
        return true;
    }
};

} // namespace

RemoteSession::WatchEnd RemoteSession::watchOnce(const std::string& jobId,
    const std::function<void(const fxs::v1::JobStatus&)>& onStatus,
    const std::function<void(const RemoteSnapshot&)>& onSnapshot, fxs::v1::JobStatus& last, std::string& error)
{
    auto ctx = context(m_options.watchTimeout);
    {
        std::lock_guard lock(m_watchMutex);
        if (m_stopWatching) {
            error = "CANCELLED: the watch was stopped";
            return WatchEnd::Failed;
        }
        m_watchContext = ctx.get();
    }
    fxs::v1::WatchJobRequest req;
    req.set_job_id(jobId);
    req.set_include_snapshots(static_cast<bool>(onSnapshot));
    auto reader = m_stub->WatchJob(ctx.get(), req);
    fxs::v1::WatchUpdate u;
    SnapshotAssembler assembler;
    bool gotAny = false;
    while (reader->Read(&u)) {
        gotAny = true;
        last = u.status();
        if (onStatus) {
            onStatus(last);
        }
        if (u.has_snapshot() && onSnapshot && assembler.add(u.snapshot())) {
            onSnapshot(assembler.snap);
        }
    }
    const grpc::Status st = reader->Finish();
    {
        std::lock_guard lock(m_watchMutex);
        m_watchContext = nullptr;
    }
    if (st.ok() && isTerminalState(last.state())) {
        return WatchEnd::Finished;
    }
    error = describe(st);
    // A restarting server drops the stream (UNAVAILABLE) or is briefly unreachable: try again.
    const bool transient = st.error_code() == grpc::StatusCode::UNAVAILABLE
        || (st.error_code() == grpc::StatusCode::CANCELLED && !m_stopWatching) || (st.ok() && gotAny);
    return transient && !m_stopWatching ? WatchEnd::Retry : WatchEnd::Failed;
}

Result<fxs::v1::JobStatus> RemoteSession::watch(const std::string& jobId,
    const std::function<void(const fxs::v1::JobStatus&)>& onStatus,
    const std::function<void(const RemoteSnapshot&)>& onSnapshot)
{
    m_stopWatching = false;
    fxs::v1::JobStatus last;
    std::string error;
    auto retryUntil = std::chrono::steady_clock::now() + m_options.reconnectWindow;
    for (;;) {
        const std::int64_t seenBefore = last.updated_unix_s() > 0 ? 1 : 0;
        switch (watchOnce(jobId, onStatus, onSnapshot, last, error)) {
        case WatchEnd::Finished:
            return last;
        case WatchEnd::Failed:
            return Error { error };
        case WatchEnd::Retry:
            break;
        }
        if (seenBefore == 0 && last.updated_unix_s() > 0) {
            retryUntil = std::chrono::steady_clock::now() + m_options.reconnectWindow;
        }
        if (std::chrono::steady_clock::now() > retryUntil) {
            return Error { error + " (gave up reconnecting)" };
        }
        if (m_onReconnect) {
            m_onReconnect(error);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

void RemoteSession::stopWatching()
{
    std::lock_guard lock(m_watchMutex);
    m_stopWatching = true;
    if (m_watchContext) {
        m_watchContext->TryCancel();
    }
}

Status RemoteSession::fetch(const std::string& jobId, const std::filesystem::path& path, fxs::v1::ResultKind kind)
{
    auto ctx = context(m_options.fetchTimeout);
    fxs::v1::FetchResultRequest req;
    req.set_job_id(jobId);
    req.set_kind(kind);
    auto reader = m_stub->FetchResult(ctx.get(), req);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) {
        ctx->TryCancel();
        reader->Finish();
        return Error { "cannot write " + path.string() };
    }
    Sha256 sha;
    fxs::v1::ResultChunk c;
    std::int64_t expected = 0, count = -1, bytes = 0, total = 0;
    std::string digest;
    std::string problem;
    while (reader->Read(&c)) {
        if (c.index() != expected || (count >= 0 && c.count() != count)) {
            problem
                = "chunk " + std::to_string(c.index()) + " arrived where " + std::to_string(expected) + " was expected";
            ctx->TryCancel();
            break;
        }
        count = c.count();
        total = c.total_bytes();
        ++expected;
        out.write(c.data().data(), static_cast<std::streamsize>(c.data().size()));
        sha.update(c.data().data(), c.data().size());
        bytes += static_cast<std::int64_t>(c.data().size());
        digest = c.sha256();
    }
    const grpc::Status st = reader->Finish();
    out.close();
    if (!problem.empty()) {
        return Error { "DATA_LOSS: " + problem };
    }
    if (!st.ok()) {
        return Error { describe(st) };
    }
    if (expected != count || bytes != total || !out) {
        return Error { "DATA_LOSS: received " + std::to_string(expected) + " of " + std::to_string(count) + " chunks, "
            + std::to_string(bytes) + " of " + std::to_string(total) + " bytes" };
    }
    if (sha.hexDigest() != digest) {
        return Error { "DATA_LOSS: the SHA-256 of " + path.string() + " does not match the server's" };
    }
    return {};
}

} // namespace fxs::remote
