#pragma once

#include "AccessControl.h"
#include "AuditLog.h"
#include "DataRoots.h"
#include "JobStore.h"
#include "fxs.grpc.pb.h"

#include <mutex>
#include <string>

namespace fxs::remote {

/// The gRPC JobService (callback API). Every call must carry `authorization: Bearer <token>` of an entry of the
/// token table (else UNAUTHENTICATED before anything else is looked at) whose role allows the call (else
/// PERMISSION_DENIED naming the role needed). Submit, cancel and resume are written to the audit log.
class JobService final : public fxs::v1::JobService::CallbackService {
public:
    JobService(JobStore& store, AccessControl& access, DataRoots roots, AuditLog& audit);

    grpc::ServerUnaryReactor* SubmitJob(grpc::CallbackServerContext* ctx, const fxs::v1::SubmitJobRequest* req,
        fxs::v1::SubmitJobReply* reply) override;
    grpc::ServerWriteReactor<fxs::v1::WatchUpdate>* WatchJob(
        grpc::CallbackServerContext* ctx, const fxs::v1::WatchJobRequest* req) override;
    grpc::ServerUnaryReactor* CancelJob(grpc::CallbackServerContext* ctx, const fxs::v1::CancelJobRequest* req,
        fxs::v1::CancelJobReply* reply) override;
    grpc::ServerUnaryReactor* ListJobs(
        grpc::CallbackServerContext* ctx, const fxs::v1::ListJobsRequest* req, fxs::v1::ListJobsReply* reply) override;
    grpc::ServerUnaryReactor* ResumeJob(grpc::CallbackServerContext* ctx, const fxs::v1::ResumeJobRequest* req,
        fxs::v1::ResumeJobReply* reply) override;
    grpc::ServerWriteReactor<fxs::v1::ResultChunk>* FetchResult(
        grpc::CallbackServerContext* ctx, const fxs::v1::FetchResultRequest* req) override;
    grpc::ServerUnaryReactor* WhoAmI(
        grpc::CallbackServerContext* ctx, const fxs::v1::WhoAmIRequest* req, fxs::v1::WhoAmIReply* reply) override;
    grpc::ServerUnaryReactor* GetServerInfo(grpc::CallbackServerContext* ctx, const fxs::v1::ServerInfoRequest* req,
        fxs::v1::ServerInfoReply* reply) override;

private:
    /// Authenticates and checks the role: OK with `caller` filled in, or the status to answer.
    grpc::Status admit(const grpc::CallbackServerContext* ctx, Role needed, const std::string& what, Caller& caller) const;
    grpc::Status findJob(const std::string& id, std::shared_ptr<Job>& job) const;
    /// RESOURCE_EXHAUSTED when `ranks` more would pass the caller's limit on running jobs or ranks.
    grpc::Status checkLimits(const Caller& caller, int ranks) const;
    /// The submission proper, once admitted: data roots, limits, launch. Lock m_launchMutex held.
    grpc::Status submitAs(const Caller& caller, const fxs::v1::JobSpec& spec, fxs::v1::SubmitJobReply* reply);
    /// CancelJob and ResumeJob: admit (operate; admin for another token's job), find the job, apply the store's
    /// action (refused: FAILED_PRECONDITION), audit, reply with the job's status.
    grpc::ServerUnaryReactor* changeJob(grpc::CallbackServerContext* ctx, const std::string& id,
        const std::string& action, fxs::v1::JobStatus* status);
    grpc::Status changeJobAs(const Caller& caller, Job& job, const std::string& action);

    JobStore& m_store;
    AccessControl& m_access;
    const DataRoots m_roots;
    AuditLog& m_audit;
    std::mutex m_launchMutex; ///< makes the limit check and the launch one step
};

} // namespace fxs::remote
