#pragma once

#ifndef Q_MOC_RUN
#include <fxs/invariants/KamInvariants.h>
#include <fxs/reconstruction/MtipReconstructor.h>
#endif

#include <JobTracker.h>
#include <QObject>
#include <QString>
#include <functional>

namespace fxs::monitor {

/// Runs MtipReconstructor on a worker thread (a JobTracker): progress and the result come back by value on the GUI
/// thread, and a replaced job's late messages are dropped.
/// (Callbacks rather than signals: no moc, so tests can compile it in.)
class ReconstructionRunner : public QObject {
public:
    /// Called on the GUI thread after every iteration (the density attached every config.densityEvery).
    std::function<void(const MtipProgress&)> onProgress;
    /// Called on the GUI thread when the job ends, finished or cancelled.
    std::function<void(const MtipResult&)> onFinished;
    /// Called on the GUI thread when the job fails (unusable settings or data), with what was wrong.
    std::function<void(const QString&)> onFailed;

    explicit ReconstructionRunner(QObject* parent = nullptr);
    ~ReconstructionRunner() override; ///< drops the running job and waits for it

    /// Starts a reconstruction (cancelling a running one first).
    void start(const KamInvariants& invariants, const MtipConfig& config);
    /// Asks the running reconstruction to stop after the current iteration (its best density so far is kept).
    void cancel() { m_jobs.cancel(); }
    /// True while a job runs.
    bool running() const { return m_jobs.running(); }
    /// The last result (empty density before the first one).
    const MtipResult& result() const { return m_result; }
    /// Writes the last result as an MRC map; the message says where or why not.
    bool saveMrc(const QString& path, QString* message) const;

private:
    widgets::JobTracker m_jobs { this };
    MtipResult m_result;
};

} // namespace fxs::monitor
