#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace fxs {

/// A small persistent pool for PolarRemapper: run(n, fn) calls fn(task) for task = 0 … n − 1 on the pool
/// threads and the caller, and returns when all are done. Threads live as long as the pool, because at
/// hundreds of frames per second starting threads per frame would cost more than the remap itself.
/// run() may be called from several threads: a caller that finds the pool busy does its tasks alone.
class RemapWorkers {
public:
    /// A pool of `threads` − 1 helpers (the caller is the last worker); threads ≤ 0: all cores.
    explicit RemapWorkers(int threads);
    ~RemapWorkers();
    RemapWorkers(const RemapWorkers&) = delete;
    RemapWorkers& operator=(const RemapWorkers&) = delete;

    /// Number of workers including the caller.
    int size() const { return static_cast<int>(m_threads.size()) + 1; }
    /// Runs fn(task) for every task in [0, nTasks) and waits.
    void run(int nTasks, const std::function<void(int)>& fn);

private:
    void loop();
    void drain();

    std::vector<std::thread> m_threads;
    std::mutex m_runMutex; // one run() at a time uses the helpers
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_done;
    const std::function<void(int)>* m_fn = nullptr;
    int m_nTasks = 0;
    int m_next = 0;
    int m_pending = 0; // tasks not yet finished
    unsigned m_generation = 0;
    bool m_stop = false;
};

} // namespace fxs
