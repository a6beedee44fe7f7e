#pragma once

// The counters of one detector stream, written by its receiver thread and read by anyone (thread-safe), and the
// one place where its problems are logged (with the frame number when known).

#include <fxs/sources/StreamCounts.h>

#include <functional>
#include <mutex>
#include <string>

namespace fxs::detail {

class StreamTally {
public:
    using Log = std::function<void(const std::string&)>;
    /// `name` prefixes every log line (the endpoint); `log` receives them (empty: spdlog warnings).
    StreamTally(std::string name, Log log);

    void message();
    void frames(std::int64_t n);
    /// A refused message: counted, logged, skipped.
    void malformed(const std::string& why);
    /// Frames the publisher numbered but never delivered.
    void dropped(std::int64_t n, const std::string& why);
    void reconnect(const std::string& why);
    void series();
    void state(const std::string& s);
    StreamCounts counts() const;

private:
    void log(const std::string& line);

    std::string m_name;
    Log m_log;
    mutable std::mutex m_mutex;
    StreamCounts m_counts;
};

} // namespace fxs::detail
