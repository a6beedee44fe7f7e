#include "StreamTally.h"

#include <spdlog/spdlog.h>

namespace fxs::detail {

StreamTally::StreamTally(std::string name, Log log)
    : m_name(std::move(name))
    , m_log(std::move(log))
{
    m_counts.state = "connecting";
}

void StreamTally::log(const std::string& line)
{
    if (m_log) {
        m_log(m_name + ": " + line);
    } else {
        spdlog::warn("{}: {}", m_name, line);
    }
}

void StreamTally::message()
{
    std::lock_guard lock(m_mutex);
    ++m_counts.messages;
    // Messages the publisher sent before it went away are still read after the disconnection was seen: they do not
    // bring it back (the next connection does).
    if (m_counts.state.rfind("disconnected", 0) != 0) {
        m_counts.state = "receiving";
    }
}

void StreamTally::frames(std::int64_t n)
{
    std::lock_guard lock(m_mutex);
    m_counts.frames += n;
}

void StreamTally::malformed(const std::string& why)
{
    {
        std::lock_guard lock(m_mutex);
        ++m_counts.malformed;
        m_counts.lastProblem = "malformed message skipped: " + why;
    }
    log("malformed message skipped: " + why);
}

void StreamTally::dropped(std::int64_t n, const std::string& why)
{
    {
        std::lock_guard lock(m_mutex);
        m_counts.dropped += n;
        m_counts.lastProblem = std::to_string(n) + " frame(s) dropped: " + why;
    }
    log(std::to_string(n) + " frame(s) dropped: " + why);
}

void StreamTally::reconnect(const std::string& why)
{
    {
        std::lock_guard lock(m_mutex);
        ++m_counts.reconnects;
        m_counts.state = "reconnecting";
    }
    log("reconnecting: " + why);
}

void StreamTally::series()
{
    std::lock_guard lock(m_mutex);
    ++m_counts.series;
}

void StreamTally::state(const std::string& s)
{
    std::lock_guard lock(m_mutex);
    m_counts.state = s;
}

StreamCounts StreamTally::counts() const
{
    std::lock_guard lock(m_mutex);
    return m_counts;
}

} // namespace fxs::detail
