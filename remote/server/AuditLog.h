#pragma once

#include "Caller.h"
#include <fxs/core/Result.h>

#include <filesystem>
#include <mutex>
#include <string>

namespace fxs::remote {

/// An append-only record of who changed what: one JSON object a line, for every submit, cancel and resume,
/// allowed or refused: {"time": "2026-12-02T06:30:01.123Z", "action": "submit", "token": "alice", "role":
/// "operate", "peer": "ipv4:127.0.0.1:53012", "job": "job-…", "ok": true, "detail": "…"}. Thread-safe.
class AuditLog {
public:
    /// Opens (creates) the log for appending, mode 0600; the Error names the file.
    static Result<std::unique_ptr<AuditLog>> open(const std::filesystem::path& path);
    ~AuditLog();

    /// Appends one line and flushes it to the file (a failed write is reported on stderr, the call goes on).
    void record(const std::string& action, const Caller& caller, const std::string& jobId, bool ok,
        const std::string& detail);
    /// The file written.
    const std::filesystem::path& path() const { return m_path; }

private:
    AuditLog(std::filesystem::path path, int fd);
    std::filesystem::path m_path;
    int m_fd = -1;
    std::mutex m_mutex;
};

} // namespace fxs::remote
