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

fxs::v1::JobStatus statusOf(const Job& job)
{
    std::lock_guard lock(job.mutex);
    return job.status;
}

} // namespace

JobService::JobService(JobStore& store, AccessControl& access, DataRoots roots, AuditLog& audit)
    : m_store(store)
    , m_access(access)
    , m_roots(std::move(roots))
    , m_audit(audit)
{
}

grpc::Status JobService::admit(
    const grpc::CallbackServerContext* ctx, Role needed, const std::string& what, Caller& caller) const
{
    if (auto st = m_access.authenticate(*ctx, caller); !st.ok()) {
        return st;
    }
    return AccessControl::require(caller, needed, what);
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
    Caller caller;
    if (auto st = admit(ctx, Role::Operate, "SubmitJob", caller); !st.ok()) {
        if (st.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
            m_audit.record("submit", caller, "", false, st.error_message());
        }
        return finish(ctx, st);
    }
    if (!req->has_spec()) {
        return finish(ctx, { grpc::StatusCode::INVALID_ARGUMENT, "spec: missing" });
    }
    grpc::Status st;
    {
        std::lock_guard lock(m_launchMutex);
        st = submitAs(caller, req->spec(), reply);
    }
    m_audit.record("submit", caller, reply->job_id(), st.ok(),
        st.ok() ? req->spec().name() + ", " + std::to_string(req->spec().ranks()) + " ranks" : st.error_message());
    return finish(ctx, st);
}

grpc::Status JobService::submitAs(const Caller& caller, const fxs::v1::JobSpec& spec, fxs::v1::SubmitJobReply* reply)
{
    auto resolved = m_roots.resolveSpec(spec);
    if (!resolved) {
        return { grpc::StatusCode::PERMISSION_DENIED, resolved.error().message };
    }
    if (auto st = m_roots.checkLinkedFiles(*resolved); !st.ok()) {
        return st;
    }
    if (auto st = checkLimits(caller, spec.ranks()); !st.ok()) {
        return st;
    }
    auto job = m_store.submit(*resolved, caller.entry.name);
    if (!job) {
        return { grpc::StatusCode::INVALID_ARGUMENT, job.error().message };
    }
    reply->set_job_id((*job)->id);
    *reply->mutable_status() = statusOf(**job);
    return grpc::Status::OK;
}

grpc::Status JobService::checkLimits(const Caller& caller, int ranks) const
{
    const TokenEntry& e = caller.entry;
    if (e.maxJobs == 0 && e.maxRanks == 0) {
        return grpc::Status::OK;
    }
    int jobs = 0, used = 0;
    for (const auto& job : m_store.all()) {
        std::lock_guard lock(job->mutex);
        if (job->status.owner() == e.name && job->status.state() == fxs::v1::JOB_STATE_RUNNING) {
            ++jobs;
            used += job->spec.ranks();
        }
    }
    if (e.maxJobs > 0 && jobs + 1 > e.maxJobs) {
        return { grpc::StatusCode::RESOURCE_EXHAUSTED,
            "the token '" + e.name + "' may run at most " + std::to_string(e.maxJobs) + " jobs at a time and has "
                + std::to_string(jobs) + " running" };
    }
    if (e.maxRanks > 0 && used + ranks > e.maxRanks) {
        return { grpc::StatusCode::RESOURCE_EXHAUSTED,
            "the token '" + e.name + "' may use at most " + std::to_string(e.maxRanks) + " ranks in all; its running "
                + "jobs use " + std::to_string(used) + " and this one asks for " + std::to_string(ranks) };
    }
    return grpc::Status::OK;
}

grpc::ServerWriteReactor<fxs::v1::WatchUpdate>* JobService::WatchJob(
    grpc::CallbackServerContext* ctx, const fxs::v1::WatchJobRequest* req)
{
    std::shared_ptr<Job> job;
    Caller caller;
    grpc::Status st = admit(ctx, Role::Watch, "WatchJob", caller);
    if (st.ok()) {
        st = findJob(req->job_id(), job);
    }
    if (!st.ok()) {
        return new FailedWrite<fxs::v1::WatchUpdate>(st);
    }
    return new WatchReactor(m_store, job, req->include_snapshots());
}

grpc::ServerUnaryReactor* JobService::changeJob(grpc::CallbackServerContext* ctx, const std::string& id,
    const std::string& action, fxs::v1::JobStatus* status)
{
    const std::string rpc = action == "cancel" ? "CancelJob" : "ResumeJob";
    Caller caller;
    grpc::Status st = admit(ctx, Role::Operate, rpc, caller);
    std::shared_ptr<Job> job;
    if (st.ok()) {
        st = findJob(id, job);
    }
    if (st.ok()) {
        std::lock_guard lock(m_launchMutex);
        st = changeJobAs(caller, *job, action);
    }
    if (st.error_code() != grpc::StatusCode::UNAUTHENTICATED) {
        m_audit.record(action, caller, id, st.ok(), st.ok() ? "" : st.error_message());
    }
    if (st.ok()) {
        *status = statusOf(*job);
    }
    return finish(ctx, st);
}

grpc::Status JobService::changeJobAs(const Caller& caller, Job& job, const std::string& action)
{
    const std::string owner = statusOf(job).owner();
    if (owner != caller.entry.name) {
        const std::string whose = owner.empty() ? "no token's (an earlier server's)" : "the token '" + owner + "'";
        if (auto st = AccessControl::require(caller, Role::Admin,
                (action == "cancel" ? "cancelling job " : "resuming job ") + job.id + " of " + whose);
            !st.ok()) {
            return st;
        }
    }
    if (action == "cancel") {
        if (auto r = m_store.cancel(job); !r) {
            return { grpc::StatusCode::FAILED_PRECONDITION, r.message() };
        }
        return grpc::Status::OK;
    }
    // The roots may have changed since the submission (a restarted server): the input is checked again.
    if (auto resolved = m_roots.resolveSpec(job.spec); !resolved) {
        return { grpc::StatusCode::PERMISSION_DENIED, resolved.error().message };
    } else if (auto st = m_roots.checkLinkedFiles(*resolved); !st.ok()) {
        return st;
    }
    if (auto st = checkLimits(caller, job.spec.ranks()); !st.ok()) {
        return st;
    }
    if (auto r = m_store.resume(job); !r) {
        return { grpc::StatusCode::FAILED_PRECONDITION, r.message() };
    }
    return grpc::Status::OK;
}

grpc::ServerUnaryReactor* JobService::CancelJob(
    grpc::CallbackServerContext* ctx, const fxs::v1::CancelJobRequest* req, fxs::v1::CancelJobReply* reply)
{
    return changeJob(ctx, req->job_id(), "cancel", reply->mutable_status());
}

grpc::ServerUnaryReactor* JobService::ListJobs(
    grpc::CallbackServerContext* ctx, const fxs::v1::ListJobsRequest*, fxs::v1::ListJobsReply* reply)
{
    Caller caller;
    if (auto st = admit(ctx, Role::Watch, "ListJobs", caller); !st.ok()) {
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
    return changeJob(ctx, req->job_id(), "resume", reply->mutable_status());
}

grpc::ServerWriteReactor<fxs::v1::ResultChunk>* JobService::FetchResult(
    grpc::CallbackServerContext* ctx, const fxs::v1::FetchResultRequest* req)
{
    std::shared_ptr<Job> job;
    Caller caller;
    grpc::Status st = admit(ctx, Role::Watch, "FetchResult", caller);
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

grpc::ServerUnaryReactor* JobService::WhoAmI(
    grpc::CallbackServerContext* ctx, const fxs::v1::WhoAmIRequest*, fxs::v1::WhoAmIReply* reply)
{
    Caller caller;
    if (auto st = admit(ctx, Role::Watch, "WhoAmI", caller); !st.ok()) {
        return finish(ctx, st);
    }
    reply->set_token_name(caller.entry.name);
    reply->set_role(static_cast<fxs::v1::Role>(caller.entry.role));
    reply->set_max_jobs(caller.entry.maxJobs);
    reply->set_max_ranks(caller.entry.maxRanks);
    reply->set_peer(caller.peer);
    for (const auto& job : m_store.all()) {
        std::lock_guard lock(job->mutex);
        if (job->status.owner() == caller.entry.name && job->status.state() == fxs::v1::JOB_STATE_RUNNING) {
            reply->set_running_jobs(reply->running_jobs() + 1);
            reply->set_running_ranks(reply->running_ranks() + job->spec.ranks());
        }
    }
    return finish(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* JobService::GetServerInfo(
    grpc::CallbackServerContext* ctx, const fxs::v1::ServerInfoRequest*, fxs::v1::ServerInfoReply* reply)
{
    Caller caller;
    if (auto st = admit(ctx, Role::Admin, "GetServerInfo", caller); !st.ok()) {
        return finish(ctx, st);
    }
    for (const auto& r : m_roots.roots()) {
        reply->add_data_roots(r.string());
    }
    reply->set_launcher(m_store.options().launcher);
    reply->set_max_ranks(m_store.options().maxRanks);
    reply->set_audit_log(m_audit.path().string());
    for (const auto& e : m_access.table()->entries()) {
        auto* t = reply->add_tokens();
        t->set_name(e.name);
        t->set_role(static_cast<fxs::v1::Role>(e.role));
        t->set_max_jobs(e.maxJobs);
        t->set_max_ranks(e.maxRanks);
    }
    return finish(ctx, grpc::Status::OK);
}

} // namespace fxs::remote
