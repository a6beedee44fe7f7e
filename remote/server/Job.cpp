#include "Job.h"

#include <fxs/results/AtomicFile.h>
#include "RankHeartbeat.h"

#include <nlohmann/json.hpp>

namespace fxs::remote {

bool isTerminal(fxs::v1::JobState s)
{
    return s == fxs::v1::JOB_STATE_SUCCEEDED || s == fxs::v1::JOB_STATE_FAILED || s == fxs::v1::JOB_STATE_CANCELLED;
}

Job::Job(std::string jobId, JobFiles jobFiles, fxs::v1::JobSpec jobSpec)
    : id(std::move(jobId))
    , files(std::move(jobFiles))
    , spec(std::move(jobSpec))
{
}

bool Job::terminal() const { return isTerminal(status.state()); }

void Job::touch()
{
    ++statusSeq;
    status.set_updated_unix_s(unixNowS());
}

Status Job::persist() const
{
    if (auto st = writeTextAtomically(files.dir / "spec.pb", spec.SerializeAsString()); !st) {
        return st;
    }
    if (auto st = writeTextAtomically(files.dir / "status.pb", status.SerializeAsString()); !st) {
        return st;
    }
    const nlohmann::json p = { { "pid", pid }, { "base_shots", baseShots }, { "base_rejected", baseRejected },
        { "launched_at_s", launchedAtS } };
    return writeTextAtomically(files.dir / "process.json", p.dump());
}

Result<std::shared_ptr<Job>> Job::load(const std::filesystem::path& dir)
{
    auto specText = readText(dir / "spec.pb");
    auto statusText = readText(dir / "status.pb");
    auto processText = readText(dir / "process.json");
    if (!specText || !statusText || !processText) {
        return Error { "job folder " + dir.string() + " is incomplete (spec.pb, status.pb, process.json)" };
    }
    fxs::v1::JobSpec spec;
    fxs::v1::JobStatus status;
    if (!spec.ParseFromString(*specText) || !status.ParseFromString(*statusText)) {
        return Error { "job folder " + dir.string() + ": spec.pb or status.pb is corrupt" };
    }
    const auto p = nlohmann::json::parse(*processText, nullptr, false);
    if (p.is_discarded() || !p.is_object()) {
        return Error { "job folder " + dir.string() + ": process.json is corrupt" };
    }
    auto job = std::make_shared<Job>(status.job_id(), JobFiles { dir }, std::move(spec));
    job->status = std::move(status);
    job->pid = p.value("pid", 0);
    job->baseShots = p.value("base_shots", std::int64_t { 0 });
    job->baseRejected = p.value("base_rejected", std::int64_t { 0 });
    job->launchedAtS = p.value("launched_at_s", 0.0);
    return job;
}

} // namespace fxs::remote
