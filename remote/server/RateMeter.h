#pragma once

#include <cstdint>
#include <deque>

namespace fxs::remote {

/// Shots per second from a count sampled now and then (JobStatus and each RankHealth): Δcount / Δt between the newest
/// sample and the oldest of the last `windowS` seconds, once at least a second lies between them. The times are the
/// writer's (a rank's heartbeat is stamped when the rank wrote it), so a heartbeat read late by a busy server is
/// neither a stall nor a burst; a window of two seconds keeps a rank that waits out one reduction off 0 Hz.
class RateMeter {
public:
    explicit RateMeter(double windowS = 2.0)
        : m_windowS(windowS)
    {
    }

    /// Takes `count` as it was at `atS`. A sample no newer than the last is ignored (the same heartbeat read again);
    /// a count that went back (a new attempt) starts over; until the first shot the window keeps starting afresh,
    /// so that the first rate is not diluted by start-up (MPI, allocation, opening a file).
    void update(std::int64_t count, double atS);

    /// The latest rate; 0 until a second of shots has been seen.
    double perSecond() const { return m_perSecond; }

private:
    struct Sample {
        double atS;
        std::int64_t count;
    };
    double m_windowS;
    std::deque<Sample> m_samples;
    double m_perSecond = 0.0;
};

} // namespace fxs::remote
