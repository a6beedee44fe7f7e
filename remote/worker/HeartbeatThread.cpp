#include "HeartbeatThread.h"

#include <chrono>
#include <unistd.h>

namespace fxs::remote {

HeartbeatThread::HeartbeatThread(std::filesystem::path file, int rank, double intervalS)
    : m_file(std::move(file))
    , m_intervalS(intervalS > 0 ? intervalS : 0.25)
{
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    m_state.rank = rank;
    m_state.pid = ::getpid();
    m_state.host = host;
    m_state.phase = "starting";
    beat();
    m_thread = std::thread([this] {
        std::unique_lock lock(m_mutex);
        while (!m_stop) {
            m_wake.wait_for(lock, std::chrono::duration<double>(m_intervalS));
            lock.unlock();
            beat();
            lock.lock();
        }
    });
}

HeartbeatThread::~HeartbeatThread()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    m_thread.join();
    beat();
}

void HeartbeatThread::setProgress(std::int64_t shotsDone, std::int64_t shotsRejected, std::int64_t unitsDone)
{
    std::lock_guard lock(m_mutex);
    m_state.shotsDone = shotsDone;
    m_state.shotsRejected = shotsRejected;
    m_state.unitsDone = unitsDone;
}

void HeartbeatThread::setStatistics(std::int64_t shots, std::int64_t hits, double meanIntensitySum)
{
    std::lock_guard lock(m_mutex);
    m_state.shotsWithStatistics = shots;
    m_state.shotsHit = hits;
    m_state.meanIntensitySum = meanIntensitySum;
}

void HeartbeatThread::setShotsTotal(std::int64_t shots)
{
    std::lock_guard lock(m_mutex);
    m_state.shotsTotal = shots;
}

void HeartbeatThread::setDevice(const std::string& device)
{
    std::lock_guard lock(m_mutex);
    m_state.device = device;
}

void HeartbeatThread::setReconstructionProgress(double fraction)
{
    std::lock_guard lock(m_mutex);
    m_state.reconstructionProgress = fraction;
}

void HeartbeatThread::setPhase(const std::string& phase)
{
    {
        std::lock_guard lock(m_mutex);
        m_state.phase = phase;
    }
    beat();
}

void HeartbeatThread::beat()
{
    RankHeartbeat copy;
    {
        std::lock_guard lock(m_mutex);
        m_state.timeUnixS = unixNowS();
        ++m_state.sequence;
        copy = m_state;
    }
    // A failed write (full disk) only makes the beat late; the watchdog then reports it. Both threads may beat:
    // the writes share one temporary file name, so they take turns.
    std::lock_guard lock(m_writeMutex);
    (void)copy.write(m_file);
}

} // namespace fxs::remote
