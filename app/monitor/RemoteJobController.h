#pragma once

// moc cannot parse the C++20 standard headers these pull in (<numbers>); it does not need them.
#ifndef Q_MOC_RUN
#include "RemoteJobStatus.h"
#include "RunConfig.h"

#include <fxs/correlation/C2Snapshot.h>
#include <fxs/shots/VetoRules.h>
#endif

#include <JobTracker.h>
#include <QObject>
#include <QStringList>
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

namespace fxs::remote {
class RemoteSession;
}

namespace fxs::monitor {

/// Runs one job on an fxs-server: submit, watch (statuses, per-rank health, C2 snapshots), cancel, and on success
/// fetch the sums into the results folder. Every network call runs off the GUI thread with a deadline (the job on a
/// JobTracker); results come back to the GUI thread by value, and a replaced job's are dropped, so the window never
/// waits on the network.
class RemoteJobController : public QObject {
    Q_OBJECT
public:
    explicit RemoteJobController(QObject* parent = nullptr);
    ~RemoteJobController() override;

    /// Submits a job built from `config` (its RemoteJobSettings, grid) and the veto rules; stops watching a job
    /// followed before. Every veto rule travels with the job.
    void start(const RunConfig& config, const VetoRules& rules);
    /// Asks the server who the settings' token is (WhoAmI, off the GUI thread): identityKnown follows.
    void probe(const RemoteJobSettings& settings);
    /// Asks the server to cancel the job (off the GUI thread); the watch then ends with CANCELLED.
    void cancel();
    /// Resumes the job followed last, which ended FAILED or CANCELLED, from its checkpoint on the server (units
    /// already done are skipped), and follows it again as start() would; false when there is no such job.
    bool resume();
    /// True when the job followed last ended FAILED or CANCELLED and may be resumed (resume() would do it).
    bool resumable() const;
    /// A job an earlier session of the window followed (its id, on `config`'s server): looks it up (off the GUI
    /// thread, read-only) and says what it is through `recalled`. An ended one can then be resumed (resume()); a
    /// running one is followed again as start() would, without submitting anything.
    void recall(const RunConfig& config, const VetoRules& rules, const QString& jobId);
    /// Stops following the job without cancelling it (it keeps running on the server).
    void detach();
    /// True from start() until the job ended or could not be followed.
    bool running() const { return m_running; }
    /// Shots in the checkpoint the last resume continued from (the server's reply to ResumeJob); −1: no resume.
    std::int64_t resumedFromShots() const { return m_resumedFromShots; }
    /// The last status received.
    const RemoteJobStatus& lastStatus() const { return m_last; }
    /// The newest C2 snapshot not yet taken (latest wins), or null.
    std::shared_ptr<const C2Snapshot> takeSnapshot();
    /// The newest snapshot the job's watch brought (not the one computed from the fetched results); null: none.
    std::shared_ptr<const C2Snapshot> lastWatchedSnapshot() const;
    /// The density fetched from a reconstruction job (after densityReady).
    const RemoteDensity& density() const { return m_density; }

signals:
    /// The server said who the token is (or why it could not: identity.error).
    void identityKnown(const fxs::monitor::RemoteIdentity& identity);
    /// The job was accepted by the server.
    void submitted(QString jobId);
    /// The job asked for by recall(): its status (followed again when it still runs); `status.jobId` is empty when
    /// it could not be looked up, and `why` says why.
    void recalled(const fxs::monitor::RemoteJobStatus& status, QString why);
    /// A new status (every update of the watch).
    void statusChanged(const fxs::monitor::RemoteJobStatus& status);
    /// A new snapshot waits in takeSnapshot().
    void snapshotReady();
    /// A reconstruction job succeeded and its density was fetched: density() holds it.
    void densityReady();
    /// The connection dropped; the watch reconnects (the server restarts, the network hiccups).
    void reconnecting(QString reason);
    /// The job ended (succeeded or cancelled); the message says where the results are.
    void finished(QString message);
    /// The job failed, or the server could not be used; the message names the server and what went wrong.
    void failed(QString message);

private:
    struct Job;
    /// WhoAmI with the settings' token (blocking; a short deadline).
    static RemoteIdentity whoIs(const RemoteJobSettings& settings);
    using Tracked = widgets::JobTracker::Job;
    void begin(const std::shared_ptr<Job>& job);
    void run(const std::shared_ptr<Job>& job, const Tracked& tracked);
    void finish(const std::shared_ptr<Job>& job, const Tracked& tracked, const RemoteJobStatus& end);

    widgets::JobTracker m_jobs { this };
    std::thread m_cancelThread;
    std::thread m_probeThread;
    std::atomic<bool> m_running { false };
    RemoteJobStatus m_last;
    RemoteDensity m_density; ///< GUI thread
    std::int64_t m_resumedFromShots = -1; ///< GUI thread
    mutable std::mutex m_mutex; ///< guards the members below
    std::shared_ptr<Job> m_job;
    std::shared_ptr<const C2Snapshot> m_snapshot;
    std::shared_ptr<const C2Snapshot> m_lastWatched;
};

} // namespace fxs::monitor
