#pragma once

#include "RankHeartbeat.h"

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

namespace fxs::remote {

/// Writes this rank's heartbeat file at a fixed interval from its own thread (it calls no MPI), so that a rank
/// busy in a long accumulation or waiting in a reduction still shows it is alive; a stopped process stops it.
class HeartbeatThread {
public:
    HeartbeatThread(std::filesystem::path file, int rank, double intervalS);
    ~HeartbeatThread(); ///< writes a last beat and joins

    /// Counters the next beat reports (thread-safe).
    void setProgress(std::int64_t shotsDone, std::int64_t shotsRejected, std::int64_t unitsDone);
    /// Per-shot statistics so far in this attempt: shots with statistics, hits, Σ mean intensity.
    void setStatistics(std::int64_t shots, std::int64_t hits, double meanIntensitySum);
    /// Shots in the whole job (reported once known).
    void setShotsTotal(std::int64_t shots);
    /// What correlates on this rank, reported with every beat.
    void setDevice(const std::string& device);
    /// Reconstruction progress (0 … 1) the next beat reports.
    void setReconstructionProgress(double fraction);
    /// Phase the next beat reports ("accumulating", "reducing", "done"); writes a beat at once.
    void setPhase(const std::string& phase);

private:
    void beat();

    std::filesystem::path m_file;
    double m_intervalS;
    std::mutex m_mutex;
    std::mutex m_writeMutex;
    std::condition_variable m_wake;
    bool m_stop = false;
    RankHeartbeat m_state;
    std::thread m_thread;
};

} // namespace fxs::remote
