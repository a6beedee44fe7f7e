#pragma once

#include "fxs.grpc.pb.h"
#include <fxs/core/Result.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace fxs::remote {

/// How to reach an fxs-server.
struct RemoteOptions {
    std::string target = "127.0.0.1:50051"; ///< host:port
    std::string token; ///< bearer token (see readTokenFile)
    std::string rootCertsPem; ///< PEM CA certificates; non-empty turns TLS on
    std::string tlsServerName; ///< overrides the name checked against the certificate (empty: the host)
    std::chrono::milliseconds callTimeout { 10'000 }; ///< deadline of every unary call (but cancel)
    /// deadline of CancelJob, which answers once every process of the job is gone: on a busy disk a rank in
    /// uninterruptible I/O can take seconds to die
    std::chrono::milliseconds cancelTimeout { 30'000 };
    std::chrono::milliseconds fetchTimeout { 600'000 }; ///< deadline of a whole FetchResult
    std::chrono::milliseconds watchTimeout { 24 * 3'600'000LL }; ///< deadline of a whole watch, reconnects included
    std::chrono::milliseconds reconnectWindow { 60'000 }; ///< how long a watch keeps retrying an unreachable server
};

/// A complete C2 snapshot received by watch(): c2(q, q', Δ), row-major nQ × nQ × nPhi.
struct RemoteSnapshot {
    std::int64_t version = 0;
    int nQ = 0;
    int nPhi = 0;
    std::int64_t shots = 0;
    double splitHalfCC = 0.0;
    std::vector<double> c2;
    std::vector<double> c2StdError; ///< like c2; empty when the job's sums keep no squares (or an older server)
    std::vector<double> splitHalfCCPerPair; ///< nQ × nQ; empty from an older server
    std::vector<double> splitHalfCCPerQ; ///< nQ; empty exactly when splitHalfCCPerPair is
};

/// A client of one fxs-server (no Qt: the GUI wraps it). Every call carries the bearer token and a deadline;
/// failures are Errors whose message starts with the gRPC status name ("UNAUTHENTICATED: ...").
/// Thread-safe; watch() blocks, and stopWatching() from another thread ends it.
class RemoteSession {
public:
    explicit RemoteSession(RemoteOptions options);

    /// Asks the standard health service; ok when the server is up and serving.
    Status health();
    /// Submits a job; its first status.
    Result<fxs::v1::JobStatus> submit(const fxs::v1::JobSpec& spec);
    /// Cancels a job; its final status.
    Result<fxs::v1::JobStatus> cancel(const std::string& jobId);
    /// Resumes a failed or cancelled job from its checkpoint.
    Result<fxs::v1::JobStatus> resume(const std::string& jobId);
    /// The token in use: its name, role (what this session may do) and limits.
    Result<fxs::v1::WhoAmIReply> whoAmI();
    /// Every job of the server.
    Result<std::vector<fxs::v1::JobStatus>> list();
    /// Follows a job until it ends (its final status), calling onStatus for every update and onSnapshot for every
    /// complete snapshot (when given). Reconnects when the server restarts, for up to reconnectWindow.
    Result<fxs::v1::JobStatus> watch(const std::string& jobId,
        const std::function<void(const fxs::v1::JobStatus&)>& onStatus,
        const std::function<void(const RemoteSnapshot&)>& onSnapshot = {});
    /// Ends a watch() in progress (from any thread).
    void stopWatching();
    /// Called by watch() (on its thread) each time the stream dropped and it is about to reconnect, with the reason.
    void setReconnectHandler(std::function<void(const std::string&)> handler) { m_onReconnect = std::move(handler); }
    /// Downloads a result file (the final C2 sums by default) to `path`, checking chunk order and the SHA-256.
    Status fetch(const std::string& jobId, const std::filesystem::path& path,
        fxs::v1::ResultKind kind = fxs::v1::RESULT_KIND_C2_SUMS);
    /// The raw stub, for callers that need the gRPC status codes (tests).
    fxs::v1::JobService::Stub& stub() { return *m_stub; }
    /// A context with the token and a deadline `timeout` from now.
    std::unique_ptr<grpc::ClientContext> context(std::chrono::milliseconds timeout) const;

private:
    enum class WatchEnd { Finished, Retry, Failed };
    WatchEnd watchOnce(const std::string& jobId, const std::function<void(const fxs::v1::JobStatus&)>& onStatus,
        const std::function<void(const RemoteSnapshot&)>& onSnapshot, fxs::v1::JobStatus& last, std::string& error);

    RemoteOptions m_options;
    std::shared_ptr<grpc::Channel> m_channel;
    std::unique_ptr<fxs::v1::JobService::Stub> m_stub;
    std::mutex m_watchMutex;
    grpc::ClientContext* m_watchContext = nullptr;
    std::atomic<bool> m_stopWatching { false };
    std::function<void(const std::string&)> m_onReconnect;
};

/// "CODE: message" for a failed gRPC status.
std::string describe(const grpc::Status& status);

} // namespace fxs::remote
