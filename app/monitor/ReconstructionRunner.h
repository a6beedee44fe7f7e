#pragma once

#ifndef Q_MOC_RUN
#include <fxs/KamInvariants.h>
#include <fxs/MtipReconstructor.h>
#endif

#include <QObject>
#include <atomic>
#include <memory>
#include <thread>

namespace fxs::monitor {

/// Runs MtipReconstructor on a worker thread: progress and the result come back by value on the GUI thread,
/// tagged with a job id so that a cancelled or replaced job's late messages are dropped.
class ReconstructionRunner : public QObject {
    Q_OBJECT
public:
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

signals:
    /// One iteration done (at most every iteration; the density is attached every config.densityEvery).
    void progress(const fxs::MtipProgress& progress);
    /// The job ended, finished or cancelled.
    void finished(const fxs::MtipResult& result);
    /// The job failed (unusable settings or data); what was wrong.
    void failed(const QString& message);

private:
    void join();

    std::thread m_thread;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    std::atomic<bool> m_running { false };
    int m_job = 0; ///< GUI thread only
    MtipResult m_result;
};

} // namespace fxs::monitor
