#include "JobService.h"

#include "FetchReactor.h"
#include "WatchReactor.h"

namespace fxs::remote {

namespace {

grpc::ServerUnaryReactor* finish(grpc::CallbackServerContext* ctx, const grpc::Status& status)
{
    auto* r = ctx->DefaultReactor();
    r->Finish(status);
    return r;
}

template <class Message> class FailedWrite final : public grpc::ServerWriteReactor<Message> {
public:
    explicit FailedWrite(const grpc::Status& s) { this->Finish(s); }
    void OnDone() override { delete this; }
};

// Compares without an early exit, so the time taken says nothing about how much of a guess was right.
bool sameSecret(const std::string& a, const std::string& b)
{
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (std::size_t i = 0; i < a.size(); ++i) {
        diff |= static_cast<unsigned char>(a[i] ^ b[i % std::max<std::size_t>(1, b.size())]);
    }
    return diff == 0;
}

fxs::v1::JobStatus statusOf(const Job& job)
{
    std::lock_guard lock(job.mutex);
    return job.status;
}

} // namespace

JobService::JobService(JobStore& store, std::string token)
    : m_store(store)
    , m_expected("Bearer " + std::move(token))
{
}

grpc::Status JobService::authenticate(const grpc::CallbackServerContext* ctx) const
{
    const auto& md = ctx->client_metadata();
    const auto it = md.find("authorization");
    if (it == md.end()) {
        return { grpc::StatusCode::UNAUTHENTICATED, "no bearer token: send 'authorization: Bearer <token>'" };
    }
    if (!sameSecret(std::string(it->second.data(), it->second.size()), m_expected)) {
        return { grpc::StatusCode::UNAUTHENTICATED, "the bearer token is wrong" };
    }
    return grpc::Status::OK;
}

grpc::Status JobService::findJob(const std::string& id, std::shared_ptr<Job>& job) const
{
    if (id.empty()) {
        return { grpc::StatusCode::INVALID_ARGUMENT, "job_id is empty" };
    }
    job = m_store.find(id);
    if (!job) {
        return { grpc::StatusCode::NOT_FOUND, "no job with id '" + id + "' on this server" };
    }
    return grpc::Status::OK;
}

grpc::ServerUnaryReactor* JobService::SubmitJob(
    grpc::CallbackServerContext* ctx, const fxs::v1::SubmitJobRequest* req, fxs::v1::SubmitJobReply* reply)
{
    if (auto st = authenticate(ctx); !st.ok()) {
        return finish(ctx, st);
    }
    if (!req->has_spec()) {
        return finish(ctx, { grpc::StatusCode::INVALID_ARGUMENT, "spec: missing" });
    }
    auto job = m_store.submit(req->spec());
    if (!job) {
        return finish(ctx, { grpc::StatusCode::INVALID_ARGUMENT, job.error().message });
    }
    reply->set_job_id((*job)->id);
    *reply->mutable_status() = statusOf(**job);
    return finish(ctx, grpc::Status::OK);
}

grpc::ServerWriteReactor<fxs::v1::WatchUpdate>* JobService::WatchJob(
    grpc::CallbackServerContext* ctx, const fxs::v1::WatchJobRequest* req)
{
    std::shared_ptr<Job> job;
    grpc::Status st = authenticate(ctx);
    if (st.ok()) {
        st = findJob(req->job_id(), job);
    }
    if (!st.ok()) {
        return new FailedWrite<fxs::v1::WatchUpdate>(st);
    }
    return new WatchReactor(m_store, job, req->include_snapshots());
}

grpc::ServerUnaryReactor* JobService::changeJob(grpc::CallbackServerContext* ctx, const std::string& id,
    Status (JobStore::*action)(Job&), fxs::v1::JobStatus* status)
{
    std::shared_ptr<Job> job;
    grpc::Status st = authenticate(ctx);
    if (st.ok()) {
        st = findJob(id, job);
    }
    if (!st.ok()) {
        return finish(ctx, st);
    }
    if (auto r = (m_store.*action)(*job); !r) {
        return finish(ctx, { grpc::StatusCode::FAILED_PRECONDITION, r.message() });
    }
    *status = statusOf(*job);
    return finish(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* JobService::CancelJob(
    grpc::CallbackServerContext* ctx, const fxs::v1::CancelJobRequest* req, fxs::v1::CancelJobReply* reply)
{
    return changeJob(ctx, req->job_id(), &JobStore::cancel, reply->mutable_status());
}

grpc::ServerUnaryReactor* JobService::ListJobs(
    grpc::CallbackServerContext* ctx, const fxs::v1::ListJobsRequest*, fxs::v1::ListJobsReply* reply)
{
    if (auto st = authenticate(ctx); !st.ok()) {
        return finish(ctx, st);
    }
    // Newest first, within a byte budget well below the 4 MiB message limit (tens of thousands of jobs fit).
    const auto jobs = m_store.all();
    std::size_t bytes = 0;
    for (auto it = jobs.rbegin(); it != jobs.rend(); ++it) {
        fxs::v1::JobStatus s = statusOf(**it);
        s.clear_ranks(); // WatchJob has the ranks
        bytes += s.ByteSizeLong() + 8;
        if (bytes > (std::size_t { 3 } << 20)) {
            break;
        }
        *reply->add_jobs() = std::move(s);
    }
    return finish(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* JobService::ResumeJob(
    grpc::CallbackServerContext* ctx, const fxs::v1::ResumeJobRequest* req, fxs::v1::ResumeJobReply* reply)
{
    return changeJob(ctx, req->job_id(), &JobStore::resume, reply->mutable_status());
}

grpc::ServerWriteReactor<fxs::v1::ResultChunk>* JobService::FetchResult(
    grpc::CallbackServerContext* ctx, const fxs::v1::FetchResultRequest* req)
{
    std::shared_ptr<Job> job;
    grpc::Status st = authenticate(ctx);
    if (st.ok()) {
        st = findJob(req->job_id(), job);
    }
    if (!st.ok()) {
        return new FailedWrite<fxs::v1::ResultChunk>(st);
    }
    std::filesystem::path path;
    switch (req->kind()) {
    case fxs::v1::RESULT_KIND_UNSPECIFIED:
    case fxs::v1::RESULT_KIND_C2_SUMS:
        path = job->files.result();
        break;
    case fxs::v1::RESULT_KIND_CHECKPOINT:
        path = job->files.checkpoint();
        break;
    case fxs::v1::RESULT_KIND_LOG:
        path = job->files.log();
        break;
    case fxs::v1::RESULT_KIND_RESULTS_H5:
        path = job->files.resultsH5();
        break;
    case fxs::v1::RESULT_KIND_DENSITY_MRC:
        if (!job->spec.reconstruction().enabled()) {
            return new FailedWrite<fxs::v1::ResultChunk>({ grpc::StatusCode::FAILED_PRECONDITION,
                "job " + job->id + " did not ask for a reconstruction (reconstruction.enabled)" });
        }
        path = job->files.densityMrc();
        break;
    default:
        return new FailedWrite<fxs::v1::ResultChunk>(
            { grpc::StatusCode::INVALID_ARGUMENT, "kind: unknown result kind " + std::to_string(req->kind()) });
    }
    if (!std::filesystem::exists(path)) {
        return new FailedWrite<fxs::v1::ResultChunk>({ grpc::StatusCode::NOT_FOUND,
            "job " + job->id + " has no " + path.filename().string() + " (yet): " + statusOf(*job).message() });
    }
    return new FetchReactor(path);
}

} // namespace fxs::remote
