// The supervisor's view of one running job: its process, its ranks' heartbeats, its files; the watchdog.
#include <fxs/results/AtomicFile.h>
#include "JobProcess.h"
#include "JobStore.h"
#include <fxs/results/SumsFile.h>
#include "SnapshotFile.h"
#include "SlurmLauncher.h"

#include <algorithm>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fxs::remote {

namespace {

std::string thisHost()
{
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    return host;
}

fxs::v1::RankHealth::Health healthOf(const RankHeartbeat& h, double ageS, bool local)
{
    if (h.phase == "done") {
        return fxs::v1::RankHealth::HEALTH_DONE;
    }
    if (local && !processAlive(static_cast<pid_t>(h.pid))) {
        return fxs::v1::RankHealth::HEALTH_GONE;
    }
    if (ageS > 1.5) {
        return fxs::v1::RankHealth::HEALTH_STALE;
    }
    return h.phase == "starting" ? fxs::v1::RankHealth::HEALTH_STARTING : fxs::v1::RankHealth::HEALTH_OK;
}

void updateRanks(Job& job, const std::vector<RankHeartbeat>& beats, double now)
{
    const std::string host = thisHost();
    job.status.clear_ranks();
    std::int64_t done = 0, rejected = 0, statShots = 0, hits = 0;
    double meanSum = 0.0;
    double reconstruction = job.status.reconstruction_progress();
    for (const auto& h : beats) {
        auto* r = job.status.add_ranks();
        r->set_rank(h.rank);
        r->set_pid(h.pid);
        r->set_host(h.host);
        r->set_shots_done(h.shotsDone);
        r->set_shots_rejected(h.shotsRejected);
        r->set_heartbeat_age_s(now - h.timeUnixS);
        r->set_phase(h.phase);
        r->set_device(h.device);
        r->set_health(healthOf(h, now - h.timeUnixS, h.host == host));
        RateMeter& rate = job.rankRates[h.rank];
        rate.update(h.shotsDone + h.shotsRejected, h.timeUnixS);
        r->set_shots_per_second(h.phase == "done" ? 0.0 : rate.perSecond());
        done += h.shotsDone;
        if (h.shotsTotal > job.status.shots_total()) {
            job.status.set_shots_total(h.shotsTotal); // a CXI stack's size is known once the ranks opened it
        }
        rejected += h.shotsRejected;
        statShots += h.shotsWithStatistics;
        hits += h.shotsHit;
        meanSum += h.meanIntensitySum;
        reconstruction = std::max(reconstruction, h.reconstructionProgress);
    }
    job.status.set_reconstruction_progress(reconstruction);
    job.status.set_shots_with_statistics(statShots);
    job.status.set_shots_hit(hits);
    job.status.set_mean_intensity_sum(meanSum);
    job.status.set_shots_accepted(job.baseShots + done);
    job.status.set_shots_rejected(job.baseRejected + rejected);
    job.status.set_shots_done(job.baseShots + job.baseRejected + done + rejected);
    // A reconstruction moving on is progress too (no shots are processed while rank 0 reconstructs).
    if (job.status.shots_done() != job.lastShots || reconstruction != job.lastReconstructionProgress) {
        job.lastShots = job.status.shots_done();
        job.lastReconstructionProgress = reconstruction;
        job.lastProgressAtS = now;
    }
    job.rate.update(job.status.shots_done(), now);
    job.status.set_shots_per_second(job.rate.perSecond());
}

void updateFiles(Job& job)
{
    std::error_code ec;
    const auto cpTime = std::filesystem::last_write_time(job.files.checkpoint(), ec);
    if (!ec && cpTime != job.checkpointTime) {
        if (auto cp = SumsFile::readHeader(job.files.checkpoint())) {
            job.checkpointTime = cpTime;
            job.status.set_checkpoint_shots(cp->sums.totalShots() + static_cast<std::int64_t>(cp->rejected.size()));
        }
    }
    const auto snTime = std::filesystem::last_write_time(job.files.snapshot(), ec);
    if (!ec && snTime != job.snapshotTime) {
        if (auto s = SnapshotFile::read(job.files.snapshot())) {
            auto d = std::make_shared<SnapshotData>();
            d->version = job.status.snapshot_version() + 1;
            d->nQ = s->nQ;
            d->nPhi = s->nPhi;
            d->shots = s->shots;
            d->splitHalfCC = s->splitHalfCC;
            d->bytes = s->payload(); // c2, then its standard errors and the split-half pair map when the worker wrote them
            job.snapshot = std::move(d);
            job.snapshotTime = snTime;
            job.status.set_snapshot_version(job.snapshot->version);
        }
    }
    // What the worker wants the user to know (the geometry's mask not applied) is the running job's message.
    if (job.status.state() == fxs::v1::JOB_STATE_RUNNING) {
        if (auto notice = readText(job.files.notice())) {
            job.status.set_message(notice->substr(0, notice->find('\n')));
        }
    }
}

// The watchdog: a reason to end the job, or "" when all is well.
std::string watchdogReason(const Job& job, const std::vector<RankHeartbeat>& beats, const ServerOptions& o, double now)
{
    const std::string host = thisHost();
    for (const auto& h : beats) {
        const double age = now - h.timeUnixS;
        if (h.phase == "done") {
            continue;
        }
        const std::string who
            = "rank " + std::to_string(h.rank) + " (pid " + std::to_string(h.pid) + " on " + h.host + ")";
        const bool local = h.host == host;
        // A rank on this host that is stopped is seen in /proc at once; its heartbeat only confirms it (a beat
        // older than a second), so that a rank stopped and continued between two polls is left alone.
        if (local && age > 1.0 && processStopped(static_cast<pid_t>(h.pid))) {
            return "watchdog: " + who
                + " is stopped (SIGSTOP, SIGTSTP or a debugger); a stopped rank would hang "
                  "the whole MPI job";
        }
        if (age <= o.heartbeatTimeoutS) {
            continue;
        }
        if (local && !processAlive(static_cast<pid_t>(h.pid))) {
            if (age > o.heartbeatTimeoutS + 3.0) { // the launcher normally reports a dead rank first, with its signal
                return "watchdog: " + who + " disappeared without the launcher noticing";
            }
            continue;
        }
        return "watchdog: " + who + " sent no heartbeat for " + std::to_string(static_cast<int>(age))
            + " s (stopped or hung; a stopped rank would hang the whole MPI job)";
    }
    if (static_cast<int>(beats.size()) < job.spec.ranks() && now - job.launchedAtS > o.startupTimeoutS) {
        return "watchdog: only " + std::to_string(beats.size()) + " of " + std::to_string(job.spec.ranks())
            + " ranks started within " + std::to_string(static_cast<int>(o.startupTimeoutS)) + " s";
    }
    if (now - job.lastProgressAtS > o.progressTimeoutS) {
        return "watchdog: no shot was processed (nor reconstruction step done) for "
            + std::to_string(static_cast<int>(now - job.lastProgressAtS)) + " s (--progress-timeout)";
    }
    return {};
}

std::vector<pid_t> rankPids(const std::vector<RankHeartbeat>& beats)
{
    const std::string host = thisHost();
    std::vector<pid_t> pids;
    for (const auto& h : beats) {
        if (h.host == host && h.pid > 0) {
            pids.push_back(static_cast<pid_t>(h.pid));
        }
    }
    return pids;
}

} // namespace

void finishJob(Job& job, fxs::v1::JobState state, const std::string& message)
{
    job.pid = 0;
    job.adopted = false;
    job.status.set_state(state);
    job.status.set_message(message);
    job.status.set_resumable(state != fxs::v1::JOB_STATE_SUCCEEDED);
    job.status.set_has_result(std::filesystem::exists(job.files.result()));
    job.status.set_shots_per_second(0.0);
    job.touch();
    (void)job.persist();
}

namespace {

// scancel of the job's Slurm allocation, when it has one (a no-op for an allocation that has ended).
void cancelAllocation(const Job& job)
{
    if (!job.status.slurm_job_id().empty() && !slurm::cancel(job.status.slurm_job_id())) {
        spdlog::warn("job {}: Slurm job {} still runs 10 s after scancel", job.id, job.status.slurm_job_id());
    }
}

} // namespace

void endRunningJob(Job& job, fxs::v1::JobState state, const std::string& reason)
{
    // Under Slurm the ranks are children of slurmstepd on the allocation's nodes, not of our launcher: Slurm
    // ends them (and frees the nodes); the local salloc and srun go with the session below.
    cancelAllocation(job);
    const auto beats = RankHeartbeat::readAll(job.files.ranksDir());
    killSession(job.pid, rankPids(beats), !job.adopted);
    updateRanks(job, RankHeartbeat::readAll(job.files.ranksDir()), unixNowS());
    updateFiles(job);
    finishJob(job, state, reason);
}

void pollJob(Job& job, const ServerOptions& options)
{
    if (job.status.state() != fxs::v1::JOB_STATE_RUNNING) {
        return;
    }
    const double now = unixNowS();
    const auto beats = RankHeartbeat::readAll(job.files.ranksDir());
    std::optional<int> waitStatus;
    if (job.adopted) {
        if (!processAlive(job.pid)) {
            waitStatus = -1;
        }
    } else {
        waitStatus = reapIfExited(job.pid);
    }
    updateRanks(job, beats, now);
    updateFiles(job);
    const bool throughSlurm = options.launcher == "slurm" || options.launcher.find("salloc") != std::string::npos;
    if (throughSlurm && job.status.slurm_job_id().empty()) {
        if (auto log = readText(job.files.log())) {
            if (auto id = slurm::jobIdFromLog(log->substr(std::min<std::size_t>(job.logOffset, log->size())))) {
                job.status.set_slurm_job_id(*id);
                spdlog::info("job {}: Slurm job {}", job.id, *id);
            }
        }
    }
    job.touch();
    if (waitStatus) {
        // Whatever the launcher left behind (a rank it did not kill) goes too; and an allocation whose salloc is
        // gone without releasing it (killed, or lost with an earlier server) would hold its nodes until its time
        // limit: it is cancelled (scancel of an ended job is a no-op).
        killSession(job.pid, rankPids(beats), false);
        if (*waitStatus == -1 || WIFSIGNALED(*waitStatus)) {
            cancelAllocation(job);
        }
        const bool exitedOk = *waitStatus == -1 || (WIFEXITED(*waitStatus) && WEXITSTATUS(*waitStatus) == 0);
        if (exitedOk && std::filesystem::exists(job.files.result())) {
            // The worker's notice (the geometry mask's warning, a stream job's frames left uncorrelated), if any.
            const auto notice = readText(job.files.notice());
            finishJob(job, fxs::v1::JOB_STATE_SUCCEEDED,
                notice && !notice->empty() ? notice->substr(0, notice->find('\n')) : job.status.message());
        } else if (auto err = readText(job.files.error())) {
            finishJob(job, fxs::v1::JOB_STATE_FAILED, "fxs-worker: " + err->substr(0, err->find('\n')));
        } else {
            const auto log = readText(job.files.log());
            // Only this attempt's output: an earlier attempt's dead rank is not this one's reason.
            const std::string text = log ? log->substr(std::min<std::size_t>(job.logOffset, log->size())) : "";
            finishJob(job, fxs::v1::JOB_STATE_FAILED,
                *waitStatus == -1 ? "the job's processes ended while it was adopted; its exit status is unknown"
                                  : slurm::describeExit(text, beats).value_or(describeLauncherExit(text, *waitStatus, beats)));
        }
        return;
    }
    if (const std::string reason = watchdogReason(job, beats, options, now); !reason.empty()) {
        endRunningJob(job, fxs::v1::JOB_STATE_FAILED, reason);
    }
}

} // namespace fxs::remote
