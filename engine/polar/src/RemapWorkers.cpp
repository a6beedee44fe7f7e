#include "RemapWorkers.h"

#include <algorithm>

namespace fxs {

RemapWorkers::RemapWorkers(int threads)
{
    const int n = threads > 0 ? threads : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    for (int i = 1; i < n; ++i) {
        m_threads.emplace_back([this] { loop(); });
    }
}

RemapWorkers::~RemapWorkers()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    for (auto& t : m_threads) {
        t.join();
    }
}

void RemapWorkers::run(int nTasks, const std::function<void(int)>& fn)
{
    std::unique_lock runLock(m_runMutex, std::try_to_lock);
    if (!runLock.owns_lock() || m_threads.empty() || nTasks <= 1) {
        for (int t = 0; t < nTasks; ++t) {
            fn(t);
        }
        return;
    }
    {
        std::lock_guard lock(m_mutex);
        m_fn = &fn;
        m_nTasks = nTasks;
        m_next = 0;
        m_pending = nTasks;
        ++m_generation;
    }
    m_wake.notify_all();
    drain();
    std::unique_lock lock(m_mutex);
    m_done.wait(lock, [this] { return m_pending == 0; });
    m_fn = nullptr;
}

// Takes tasks until none are left; tasks are handed out one by one so uneven blocks balance.
void RemapWorkers::drain()
{
    std::unique_lock lock(m_mutex);
    while (m_fn && m_next < m_nTasks) {
        const int task = m_next++;
        const auto* fn = m_fn;
        lock.unlock();
        (*fn)(task);
        lock.lock();
        if (--m_pending == 0) {
            m_done.notify_all();
        }
    }
}

void RemapWorkers::loop()
{
    unsigned seen = 0;
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [&] { return m_stop || m_generation != seen; });
            if (m_stop) {
                return;
            }
            seen = m_generation;
        }
        drain();
    }
}

} // namespace fxs
