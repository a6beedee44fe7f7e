#include "AuditLog.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

namespace fxs::remote {

namespace {

std::string isoNow()
{
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm {};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[48];
    std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms));
    return out;
}

} // namespace

Result<std::unique_ptr<AuditLog>> AuditLog::open(const std::filesystem::path& path)
{
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        return Error { "cannot open the audit log " + path.string() + ": " + std::strerror(errno) };
    }
    return std::unique_ptr<AuditLog>(new AuditLog(path, fd));
}

AuditLog::AuditLog(std::filesystem::path path, int fd)
    : m_path(std::move(path))
    , m_fd(fd)
{
}

AuditLog::~AuditLog() { ::close(m_fd); }

void AuditLog::record(
    const std::string& action, const Caller& caller, const std::string& jobId, bool ok, const std::string& detail)
{
    const nlohmann::json line = { { "time", isoNow() }, { "action", action }, { "token", caller.entry.name },
        { "role", roleName(caller.entry.role) }, { "peer", caller.peer }, { "job", jobId }, { "ok", ok },
        { "detail", detail } };
    // One write(2) of the whole line on an O_APPEND file: lines of concurrent calls never interleave.
    const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::lock_guard lock(m_mutex);
    if (::write(m_fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
        spdlog::error("cannot write the audit log {}: {}", m_path.string(), std::strerror(errno));
    }
}

} // namespace fxs::remote
