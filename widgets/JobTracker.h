#pragma once

#include <QObject>
#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <type_traits>
#include <utility>

namespace fxs::widgets {

/// Runs one job at a time on a worker thread for a GUI object (after KDAB Hotspot's JobTracker): what the job
/// posts, and the value it returns, come back by value on the GUI thread through the object's event queue, and only
/// while the job is still the current one: a job replaced by start() or dropped by discard() is never heard from
/// again, even when its results were already queued. Keep the tracker a member of its context object (or of
/// something that dies first): its destructor waits for the worker, which may post to the context until then.
class JobTracker {
public:
    /// A job as its worker sees it: a small value, safe to copy to other threads while the context lives.
    class Job {
    public:
        /// This job's id: 1, 2, … in the order start() was called.
        std::uint64_t id() const { return m_id; }
        /// True once cancel() or discard() asked the job to stop (a replaced job is discarded).
        bool cancelled() const { return m_cancel->load(); }
        /// The flag behind cancelled(), for engine loops that poll an atomic (MtipControl::cancel).
        const std::atomic<bool>* cancelFlag() const { return m_cancel.get(); }
        /// True while this job is the tracker's current one.
        bool current() const { return m_id != 0 && m_current->load() == m_id; }
        /// Runs `fn` later on the context's (GUI) thread, if this job is still the current one then.
        template <class F> void post(F fn) const
        {
            QMetaObject::invokeMethod(
                m_context,
                [current = m_current, id = m_id, fn = std::move(fn)]() mutable {
                    if (id != 0 && current->load() == id) {
                        fn();
                    }
                },
                Qt::QueuedConnection);
        }

    private:
        friend class JobTracker;
        QObject* m_context = nullptr;
        std::shared_ptr<const std::atomic<std::uint64_t>> m_current;
        std::shared_ptr<std::atomic<bool>> m_cancel;
        std::uint64_t m_id = 0;
    };

    /// Delivers through `context`'s event queue: its thread is the one that calls start() and gets the results.
    explicit JobTracker(QObject* context);
    /// Discards the current job and waits for its thread.
    ~JobTracker();
    JobTracker(const JobTracker&) = delete;
    JobTracker& operator=(const JobTracker&) = delete;

    /// Discards the current job and waits for its thread to end, then runs `work(job)` on a new thread; the value
    /// it returns goes to `onResult` on the GUI thread (`onResult()` without an argument when work returns void).
    template <class Work, class OnResult> void start(Work work, OnResult onResult)
    {
        const Job job = begin();
        m_thread = std::thread(
            [job, work = std::move(work), onResult = std::move(onResult), running = &m_running]() mutable {
                // `running` is touched only on delivery, which a discarded job (and so a destroyed tracker) never gets.
                if constexpr (std::is_void_v<std::invoke_result_t<Work&, const Job&>>) {
                    work(job);
                    job.post([onResult = std::move(onResult), running]() mutable {
                        *running = false;
                        onResult();
                    });
                } else {
                    auto result = work(job);
                    job.post([result = std::move(result), onResult = std::move(onResult), running]() mutable {
                        *running = false;
                        onResult(std::move(result));
                    });
                }
            });
    }
    /// Asks the current job to stop (its cancelled() turns true); what it still posts and returns is delivered.
    void cancel();
    /// Drops the current job: it is asked to stop, and nothing it posts or returns is delivered any more.
    void discard();
    /// Waits for the worker thread to end (blocks the caller: after discard() or cancel(), or in a destructor).
    void wait();
    /// True from start() until the current job's result was delivered or the job was discarded.
    bool running() const { return m_running; }
    /// The current job (id 0 before the first start()), for helper threads that post on its behalf.
    Job current() const { return m_job; }

private:
    Job begin();

    QObject* m_context;
    std::shared_ptr<std::atomic<std::uint64_t>> m_current;
    std::uint64_t m_lastId = 0;
    Job m_job;
    bool m_running = false; ///< GUI thread only
    std::thread m_thread;
};

} // namespace fxs::widgets
