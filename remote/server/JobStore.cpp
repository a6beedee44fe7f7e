#include "JobStore.h"

#include <fxs/results/AtomicFile.h>
#include "JobProcess.h"
#include <fxs/results/SumsFile.h>
#include "SlurmLauncher.h"
#include "WatchReactor.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <random>
#include <spdlog/spdlog.h>

namespace fxs::remote {

namespace {

std::string newJobId()
{
    const std::time_t t = std::time(nullptr);
    std::tm tm {};
    gmtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    std::random_device rd;
    char rnd[16];
    std::snprintf(rnd, sizeof rnd, "%06x", rd() & 0xffffff);
    return std::string("job-") + stamp + "-" + rnd;
}

std::filesystem::path defaultWorker()
{
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::filesystem::path("fxs-worker") : exe.parent_path() / "fxs-worker";
}

} // namespace

JobStore::JobStore(ServerOptions options)
    : m_options(std::move(options))
{
    if (m_options.worker.empty()) {
        m_options.worker = defaultWorker();
    }
}

JobStore::~JobStore() { stop(); }

Status JobStore::loadAll()
{
    const auto jobsDir = m_options.stateDir / "jobs";
    std::error_code ec;
    std::filesystem::create_directories(jobsDir, ec);
    if (ec) {
        return Error { "cannot create the state folder " + jobsDir.string() + ": " + ec.message() };
    }
    for (const auto& e : std::filesystem::directory_iterator(jobsDir, ec)) {
        auto job = Job::load(e.path());
        if (!job) {
            spdlog::warn("skipping {}", job.error().message);
            continue;
        }
        Job& j = **job;
        std::lock_guard lock(j.mutex);
        if (j.status.state() == fxs::v1::JOB_STATE_RUNNING) {
            j.adopted = true; // still running? the supervisor adopts it; if gone, its first poll ends it
            j.launchedAtS = j.lastProgressAtS = unixNowS();
            spdlog::info("adopting job {} (launcher pid {})", j.id, j.pid);
        }
        m_jobs[j.id] = *job;
    }
    return {};
}

void JobStore::start()
{
    m_thread = std::thread([this] { loop(); });
}

void JobStore::stop()
{
    {
        std::lock_guard lock(m_loopMutex);
        if (m_stopped) {
            return;
        }
        m_stop = m_stopped = true;
    }
    m_loopWake.notify_all();
    if (m_thread.joinable()) {
        m_thread.join();
    }
    std::lock_guard lock(m_watchMutex);
    for (auto* w : std::vector<WatchReactor*>(m_watchers)) {
        w->shutdown();
    }
}

void JobStore::loop()
{
    std::unique_lock lock(m_loopMutex);
    while (!m_stop) {
        lock.unlock();
        for (const auto& job : all()) {
            std::lock_guard jl(job->mutex);
            pollJob(*job, m_options);
        }
        pokeWatchers();
        lock.lock();
        m_loopWake.wait_for(lock, std::chrono::milliseconds(100));
    }
}

void JobStore::pokeWatchers()
{
    std::lock_guard lock(m_watchMutex);
    for (auto* w : m_retired) {
        delete w;
    }
    m_retired.clear();
    // A watcher may finish (and retire itself) while poked: iterate over a copy.
    for (auto* w : std::vector<WatchReactor*>(m_watchers)) {
        w->poke();
    }
}

void JobStore::addWatcher(WatchReactor* w)
{
    std::lock_guard lock(m_watchMutex);
    m_watchers.push_back(w);
}

void JobStore::retireWatcher(WatchReactor* w)
{
    std::lock_guard lock(m_watchMutex);
    std::erase(m_watchers, w);
    m_retired.push_back(w);
}

Result<std::shared_ptr<Job>> JobStore::submit(const fxs::v1::JobSpec& spec, const std::string& owner)
{
    auto cfg = workerConfigFor(spec, m_options.maxRanks);
    if (!cfg) {
        return cfg.error();
    }
    const std::string id = newJobId();
    JobFiles files { m_options.stateDir / "jobs" / id };
    std::error_code ec;
    std::filesystem::create_directories(files.dir, ec);
    if (ec) {
        return Error { "cannot create the job folder " + files.dir.string() + ": " + ec.message() };
    }
    auto job = std::make_shared<Job>(id, files, spec);
    {
        std::lock_guard lock(job->mutex);
        job->status.set_job_id(id);
        job->status.set_name(spec.name());
        job->status.set_owner(owner);
        job->status.set_shots_total(cfg->shots);
        job->status.set_created_unix_s(unixNowS());
        if (auto st = launch(*job); !st) {
            return Error { st.message() };
        }
    }
    std::lock_guard lock(m_jobsMutex);
    m_jobs[id] = job;
    return job;
}

Status JobStore::launch(Job& job)
{
    auto cfg = workerConfigFor(job.spec, m_options.maxRanks);
    if (!cfg) {
        return cfg.error();
    }
    cfg->slowdownPerShotS = m_options.debugSlowdownPerShotS;
    if (auto st = writeTextAtomically(job.files.workerConfig(), cfg->toJson()); !st) {
        return st;
    }
    std::error_code ec;
    std::filesystem::remove(job.files.error(), ec);
    std::filesystem::remove_all(job.files.ranksDir(), ec);
    job.baseShots = 0;
    job.baseRejected = 0;
    if (auto cp = SumsFile::readHeader(job.files.checkpoint())) {
        job.baseShots = cp->sums.totalShots();
        job.baseRejected = static_cast<std::int64_t>(cp->rejected.size());
    }
    std::vector<std::string> argv;
    if (m_options.launcher == "slurm") {
        auto a = slurm::launcherArgv(m_options, job.spec, m_options.worker, job.files.dir, job.id);
        if (!a) {
            return a.error();
        }
        argv = std::move(*a);
    } else {
        argv = launcherArgv(m_options.launcher, job.spec.ranks(), m_options.worker, job.files.dir);
    }
    // The log keeps every attempt's output; this attempt's (its Slurm id, how it ended) is what follows.
    job.logOffset = std::filesystem::exists(job.files.log()) ? std::filesystem::file_size(job.files.log(), ec) : 0;
    job.status.clear_slurm_job_id();
    auto pid = launchInNewSession(argv, job.files.log());
    if (!pid) {
        return pid.error();
    }
    job.pid = *pid;
    job.adopted = false;
    job.launchedAtS = job.lastProgressAtS = unixNowS();
    job.lastShots = -1;
    job.rate = RateMeter();
    job.rankRates.clear();
    job.status.set_state(fxs::v1::JOB_STATE_RUNNING);
    job.status.set_message("");
    std::filesystem::remove(job.files.notice(), ec); // an earlier attempt's
    job.status.set_resumable(false);
    job.status.set_attempt(job.status.attempt() + 1);
    job.status.set_checkpoint_shots(job.baseShots + job.baseRejected);
    job.status.set_reconstruction_progress(0.0);
    job.touch();
    spdlog::info("job {} attempt {}: launched pid {}", job.id, job.status.attempt(), job.pid);
    return job.persist();
}

Status JobStore::cancel(Job& job)
{
    std::lock_guard lock(job.mutex);
    if (job.status.state() != fxs::v1::JOB_STATE_RUNNING) {
        return {}; // already over: cancelling is idempotent
    }
    endRunningJob(job, fxs::v1::JOB_STATE_CANCELLED, "cancelled by the client");
    return {};
}

Status JobStore::resume(Job& job)
{
    std::lock_guard lock(job.mutex);
    const auto s = job.status.state();
    if (s != fxs::v1::JOB_STATE_FAILED && s != fxs::v1::JOB_STATE_CANCELLED) {
        return Error { "job " + job.id + " is " + fxs::v1::JobState_Name(s)
            + "; only a failed or cancelled job can be resumed" };
    }
    return launch(job);
}

std::shared_ptr<Job> JobStore::find(const std::string& id) const
{
    std::lock_guard lock(m_jobsMutex);
    const auto it = m_jobs.find(id);
    return it == m_jobs.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<Job>> JobStore::all() const
{
    std::lock_guard lock(m_jobsMutex);
    std::vector<std::shared_ptr<Job>> out;
    for (const auto& [id, job] : m_jobs) {
        out.push_back(job);
    }
    std::sort(out.begin(), out.end(),
        [](const auto& a, const auto& b) { return a->status.created_unix_s() < b->status.created_unix_s(); });
    return out;
}

} // namespace fxs::remote
