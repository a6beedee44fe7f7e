#pragma once

#include "JobStore.h"
#include "fxs.grpc.pb.h"

#include <string>

namespace fxs::remote {

/// The gRPC JobService (callback API). Every call must carry `authorization: Bearer <token>`; a missing or wrong
/// token is UNAUTHENTICATED before anything else is looked at.
class JobService final : public fxs::v1::JobService::CallbackService {
public:
    JobService(JobStore& store, std::string token);

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

private:
    grpc::Status authenticate(const grpc::CallbackServerContext* ctx) const;
    grpc::Status findJob(const std::string& id, std::shared_ptr<Job>& job) const;
    /// CancelJob and ResumeJob: authenticate, find the job, apply the store's action (refused: FAILED_PRECONDITION),
    /// reply with the job's status.
    grpc::ServerUnaryReactor* changeJob(grpc::CallbackServerContext* ctx, const std::string& id,
        Status (JobStore::*action)(Job&), fxs::v1::JobStatus* status);

    JobStore& m_store;
    std::string m_expected; // "Bearer <token>"
};

} // namespace fxs::remote
