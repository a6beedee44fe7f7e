#pragma once

#ifndef Q_MOC_RUN
#include <fxs/invariants/KamInvariants.h>
#include <fxs/reconstruction/MtipReconstructor.h>
#endif

#include <QObject>
#include <QString>
#include <atomic>
#include <functional>
#include <memory>
#include <thread>

namespace fxs::monitor {

/// Runs MtipReconstructor on a worker thread: progress and the result come back by value on the GUI thread,
/// tagged with a job id so that a cancelled or replaced job's late messages are dropped.
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
    ~ReconstructionRunner() override; ///< cancels and joins

    /// Starts a reconstruction (cancelling a running one first).
    void start(const KamInvariants& invariants, const MtipConfig& config);
    /// Asks the running reconstruction to stop after the current iteration (its best density so far is kept).
    void cancel();
    /// True while a job runs.
    bool running() const { return m_running; }
    /// The last result (empty density before the first one).
    const MtipResult& result() const { return m_result; }
    /// Writes the last result as an MRC map; the message says where or why not.
    bool saveMrc(const QString& path, QString* message) const;

private:
    void join();

    std::thread m_thread;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    std::atomic<bool> m_running { false };
    int m_job = 0; ///< GUI thread only
    MtipResult m_result;
};

} // namespace fxs::monitor
