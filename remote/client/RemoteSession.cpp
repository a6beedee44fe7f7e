#include "fxs/remote/RemoteSession.h"

#include <fxs/core/Sha256.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <thread>

namespace fxs::remote {

namespace {

const char* codeName(grpc::StatusCode c)
{
    switch (c) {
    case grpc::StatusCode::OK:
        return "OK";
    case grpc::StatusCode::CANCELLED:
        return "CANCELLED";
    case grpc::StatusCode::INVALID_ARGUMENT:
        return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
        return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
        return "NOT_FOUND";
    case grpc::StatusCode::FAILED_PRECONDITION:
        return "FAILED_PRECONDITION";
    case grpc::StatusCode::UNAUTHENTICATED:
        return "UNAUTHENTICATED";
    case grpc::StatusCode::PERMISSION_DENIED:
        return "PERMISSION_DENIED";
    case grpc::StatusCode::UNAVAILABLE:
        return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
        return "DATA_LOSS";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
        return "RESOURCE_EXHAUSTED";
    default:
        return "ERROR";
    }
}

} // namespace

std::string describe(const grpc::Status& status)
{
    return std::string(codeName(status.error_code())) + ": " + status.error_message();
}

RemoteSession::RemoteSession(RemoteOptions options)
    : m_options(std::move(options))
{
    std::shared_ptr<grpc::ChannelCredentials> creds;
    grpc::ChannelArguments args;
    if (m_options.rootCertsPem.empty()) {
        creds = grpc::InsecureChannelCredentials();
    } else {
        grpc::SslCredentialsOptions ssl;
        ssl.pem_root_certs = m_options.rootCertsPem;
        creds = grpc::SslCredentials(ssl);
        if (!m_options.tlsServerName.empty()) {
            args.SetSslTargetNameOverride(m_options.tlsServerName);
        }
    }
    args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
    args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
    // Reconnect quickly after a server restart rather than backing off for minutes.
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 200);
    m_channel = grpc::CreateCustomChannel(m_options.target, creds, args);
    m_stub = fxs::v1::JobService::NewStub(m_channel);
}

std::unique_ptr<grpc::ClientContext> RemoteSession::context(std::chrono::milliseconds timeout) const
{
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + timeout);
    ctx->AddMetadata("authorization", "Bearer " + m_options.token);
    return ctx;
}

Status RemoteSession::health()
{
    auto ctx = context(m_options.callTimeout);
    grpc::Slice empty(std::string {}); // an empty HealthCheckRequest (service "" = the whole server)
    grpc::ByteBuffer request(&empty, 1), reply;
    // grpc.health.v1.Health/Check with an empty HealthCheckRequest; the reply's field 1 is the serving status.
    grpc::GenericStub generic(m_channel);
    grpc::Status result;
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    generic.UnaryCall(
        ctx.get(), "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &reply, [&](grpc::Status s) {
            std::lock_guard lock(m);
            result = std::move(s);
            done = true;
            cv.notify_all();
        });
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return done; });
    if (!result.ok()) {
        return Error { describe(result) };
    }
    std::vector<grpc::Slice> slices;
    (void)reply.Dump(&slices);
    std::string bytes;
    for (const auto& s : slices) {
        bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    if (bytes.size() != 2 || bytes[0] != 0x08 || bytes[1] != 0x01) { // field 1 varint = SERVING
        return Error { "the server is up but not serving" };
    }
    return {};
}

Result<fxs::v1::JobStatus> RemoteSession::submit(const fxs::v1::JobSpec& spec)
{
    fxs::v1::SubmitJobRequest req;
    *req.mutable_spec() = spec;
    fxs::v1::SubmitJobReply reply;
    auto ctx = context(m_options.callTimeout);
    if (auto st = m_stub->SubmitJob(ctx.get(), req, &reply); !st.ok()) {
        return Error { describe(st) };
    }
    return reply.status();
}

Result<fxs::v1::JobStatus> RemoteSession::cancel(const std::string& jobId)
{
    fxs::v1::CancelJobRequest req;
    req.set_job_id(jobId);
    fxs::v1::CancelJobReply reply;
    auto ctx = context(std::max(m_options.callTimeout, m_options.cancelTimeout));
    if (auto st = m_stub->CancelJob(ctx.get(), req, &reply); !st.ok()) {
        return Error { describe(st) };
    }
    return reply.status();
}

Result<fxs::v1::JobStatus> RemoteSession::resume(const std::string& jobId)
{
    fxs::v1::ResumeJobRequest req;
    req.set_job_id(jobId);
    fxs::v1::ResumeJobReply reply;
    auto ctx = context(m_options.callTimeout);
    if (auto st = m_stub->ResumeJob(ctx.get(), req, &reply); !st.ok()) {
        return Error { describe(st) };
    }
    return reply.status();
}

Result<fxs::v1::WhoAmIReply> RemoteSession::whoAmI()
{
    fxs::v1::WhoAmIReply reply;
    auto ctx = context(m_options.callTimeout);
    if (auto st = m_stub->WhoAmI(ctx.get(), fxs::v1::WhoAmIRequest(), &reply); !st.ok()) {
        return Error { describe(st) };
    }
    return reply;
}

Result<std::vector<fxs::v1::JobStatus>> RemoteSession::list()
{
    fxs::v1::ListJobsReply reply;
    auto ctx = context(m_options.callTimeout);
    if (auto st = m_stub->ListJobs(ctx.get(), fxs::v1::ListJobsRequest(), &reply); !st.ok()) {
        return Error { describe(st) };
    }
    return std::vector<fxs::v1::JobStatus>(reply.jobs().begin(), reply.jobs().end());
}

} // namespace fxs::remote
