#pragma once

#include "Job.h"
#include "ServerOptions.h"
#include "WorkerConfig.h"

#include <atomic>
#include <condition_variable>
#include <map>
#include <thread>
#include <vector>

namespace fxs::remote {

class WatchReactor;

/// Every job of the server, on disk under <state-dir>/jobs/<id>, and the supervisor thread that watches their
/// processes (exit, heartbeats, progress), loads new snapshots and wakes the watchers. Thread-safe.
class JobStore {
public:
    explicit JobStore(ServerOptions options);
    ~JobStore(); ///< stops the supervisor; running jobs keep running (a restarted server adopts them)

    /// Reads the jobs of an earlier server; a job whose process is still running is adopted.
    Status loadAll();
    /// Starts the supervisor thread.
    void start();
    /// Stops the supervisor and ends every watch stream (UNAVAILABLE), for a draining shutdown.
    void stop();

    /// Validates the spec (the Error names the field) and launches the job for the token named `owner`.
    Result<std::shared_ptr<Job>> submit(const fxs::v1::JobSpec& spec, const std::string& owner);
    /// Ends a running job (no process left behind); keeps its checkpoint.
    Status cancel(Job& job);
    /// Launches a failed or cancelled job again from its checkpoint.
    Status resume(Job& job);
    /// The job with this id, or nullptr.
    std::shared_ptr<Job> find(const std::string& id) const;
    /// Every job, oldest first.
    std::vector<std::shared_ptr<Job>> all() const;

    /// Registers a watcher; it is poked after every supervisor pass.
    void addWatcher(WatchReactor* w);
    /// Unregisters a finished watcher; it is deleted on the supervisor thread later.
    void retireWatcher(WatchReactor* w);

    /// The server's options.
    const ServerOptions& options() const { return m_options; }

private:
    Status launch(Job& job);
    void loop();
    void pokeWatchers();

    ServerOptions m_options;
    mutable std::mutex m_jobsMutex;
    std::map<std::string, std::shared_ptr<Job>> m_jobs;
    std::recursive_mutex m_watchMutex;
    std::vector<WatchReactor*> m_watchers;
    std::vector<WatchReactor*> m_retired;
    std::mutex m_loopMutex;
    std::condition_variable m_loopWake;
    bool m_stop = false;
    bool m_stopped = false;
    std::thread m_thread;
};

/// The worker configuration for a spec, or an Error naming the JobSpec field at fault.
Result<WorkerConfig> workerConfigFor(const fxs::v1::JobSpec& spec, int maxRanks);

/// Ends a job: state, message, resumable, result flag; persists. Lock held.
void finishJob(Job& job, fxs::v1::JobState state, const std::string& message);
/// Kills a running job's processes (none left behind) and ends it with `state`. Lock held.
void endRunningJob(Job& job, fxs::v1::JobState state, const std::string& reason);

/// Looks at a running job's process and files once: exit, heartbeats, watchdog, snapshot, checkpoint.
void pollJob(Job& job, const ServerOptions& options);

} // namespace fxs::remote
