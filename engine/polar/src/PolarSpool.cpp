#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fxs/polar/PolarSpool.h>
#include <system_error>
#include <unistd.h>

namespace fxs {

namespace {

constexpr char kMagic[8] = { 'F', 'X', 'S', 'P', 'O', 'L', 'S', '1' };
constexpr std::uint64_t kRecordHeaderBytes = 16; // int64 shot, uint64 checksum

// Word-wise FNV-style hash: cheap next to the write itself (~0.1 ms for a 300 × 256 frame) and catches torn or
// overwritten records.
std::uint64_t checksum(std::int64_t shot, const char* data, std::size_t bytes)
{
    std::uint64_t h = 0xcbf29ce484222325ULL ^ std::uint64_t(shot);
    std::size_t i = 0;
    for (; i + 8 <= bytes; i += 8) {
        std::uint64_t w = 0;
        std::memcpy(&w, data + i, 8);
        h = (h ^ w) * 0x100000001b3ULL;
        h ^= h >> 29;
    }
    for (; i < bytes; ++i) {
        h = (h ^ std::uint8_t(data[i])) * 0x100000001b3ULL;
    }
    return h;
}

std::string gigabytes(std::uint64_t bytes)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.1f GB", double(bytes) / 1e9);
    return text;
}

bool writeAll(int fd, const char* data, std::size_t bytes, std::uint64_t offset)
{
    while (bytes > 0) {
        const ssize_t n = ::pwrite(fd, data, bytes, off_t(offset));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        data += n;
        bytes -= std::size_t(n);
        offset += std::uint64_t(n);
    }
    return true;
}

std::string freshFolder(const std::filesystem::path& parent)
{
    static std::atomic<int> counter { 0 };
    return (parent / ("fxs-spool-" + std::to_string(::getpid()) + "-" + std::to_string(counter++))).string();
}

} // namespace

Result<std::unique_ptr<PolarSpool>> PolarSpool::create(int nQ, int nPhi, const PolarSpoolOptions& options)
{
    if (nQ <= 0 || nPhi <= 0) {
        return Error { "polar spool: the grid is empty (" + std::to_string(nQ) + " × " + std::to_string(nPhi) + ")" };
    }
    std::error_code ec;
    const std::filesystem::path parent = options.parentDir.empty() ? std::filesystem::temp_directory_path(ec)
                                                                   : std::filesystem::path(options.parentDir);
    std::unique_ptr<PolarSpool> s(new PolarSpool);
    s->m_nQ = nQ;
    s->m_nPhi = nPhi;
    s->m_keep = options.keep;
    s->m_folder = freshFolder(parent);
    if (!std::filesystem::create_directories(s->m_folder, ec) || ec) {
        return Error { "polar spool: cannot make the folder " + s->m_folder + ": " + ec.message() };
    }
    s->m_path = s->m_folder + "/polar.spool";
    s->m_recordBytes = kRecordHeaderBytes + 2 * sizeof(float) * std::uint64_t(nQ) * std::uint64_t(nPhi);
    std::uint64_t bound = options.maxBytes;
    const auto space = std::filesystem::space(s->m_folder, ec);
    if (!ec) {
        const std::uint64_t room
            = space.available > options.freeMarginBytes ? space.available - options.freeMarginBytes : 0;
        if (room < bound) {
            s->m_note = "the polar spool is limited to " + gigabytes(room) + " instead of " + gigabytes(bound)
                + ": the filesystem of " + parent.string() + " has " + gigabytes(space.available) + " free and "
                + gigabytes(options.freeMarginBytes) + " is left free";
            bound = room;
        }
    }
    s->m_capacityShots = bound > kHeaderBytes ? std::int64_t((bound - kHeaderBytes) / s->m_recordBytes) : 0;
    s->m_capacityBytes = bound;
    s->m_slotShot.assign(std::size_t(s->m_capacityShots), -1);
    s->m_fd = ::open(s->m_path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (s->m_fd < 0) {
        return Error { "polar spool: cannot create " + s->m_path + ": " + std::strerror(errno) };
    }
    char header[kHeaderBytes] = {};
    std::memcpy(header, kMagic, sizeof kMagic);
    const std::int32_t shape[2] = { nQ, nPhi };
    std::memcpy(header + 8, shape, sizeof shape);
    std::memcpy(header + 16, &s->m_capacityShots, sizeof s->m_capacityShots);
    if (s->m_capacityShots > 0 && !writeAll(s->m_fd, header, sizeof header, 0)) {
        return Error { "polar spool: cannot write " + s->m_path + ": " + std::strerror(errno) };
    }
    return s;
}

PolarSpool::~PolarSpool()
{
    if (m_fd >= 0) {
        ::close(m_fd);
    }
    if (!m_keep && !m_folder.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(m_folder, ec);
    }
}

Status PolarSpool::append(const PolarFrame& frame)
{
    if (frame.nQ != m_nQ || frame.nPhi != m_nPhi) {
        return Error { "polar spool: shot " + std::to_string(frame.shotIndex) + " is " + std::to_string(frame.nQ)
            + " × " + std::to_string(frame.nPhi) + ", the spool holds " + std::to_string(m_nQ) + " × "
            + std::to_string(m_nPhi) };
    }
    if (m_capacityShots == 0) {
        return {};
    }
    const std::size_t n = frame.intensity.size() * sizeof(float);
    std::vector<char> record(m_recordBytes);
    std::memcpy(record.data() + kRecordHeaderBytes, frame.intensity.data(), n);
    std::memcpy(record.data() + kRecordHeaderBytes + n, frame.weight.data(), n);
    const std::uint64_t sum = checksum(frame.shotIndex, record.data() + kRecordHeaderBytes, 2 * n);
    std::memcpy(record.data(), &frame.shotIndex, 8);
    std::memcpy(record.data() + 8, &sum, 8);
    const std::lock_guard lock(m_mutex);
    const std::int64_t slot = m_next % m_capacityShots;
    if (const std::int64_t old = m_slotShot[std::size_t(slot)]; old >= 0) {
        m_slotOf.erase(old);
    }
    m_slotShot[std::size_t(slot)] = -1;
    if (!writeAll(m_fd, record.data(), record.size(), offsetOf(slot))) {
        return Error { "polar spool: cannot write shot " + std::to_string(frame.shotIndex) + " to " + m_path + ": "
            + std::strerror(errno) };
    }
    m_slotShot[std::size_t(slot)] = frame.shotIndex;
    m_slotOf[frame.shotIndex] = slot;
    ++m_next;
    return {};
}

Result<PolarFrame> PolarSpool::read(std::int64_t shotIndex) const
{
    const std::lock_guard lock(m_mutex);
    const auto it = m_slotOf.find(shotIndex);
    if (it == m_slotOf.end()) {
        return Error { "polar spool " + m_path + " no longer holds shot " + std::to_string(shotIndex) };
    }
    const std::uint64_t offset = offsetOf(it->second);
    std::vector<char> record(m_recordBytes);
    std::size_t got = 0;
    while (got < record.size()) {
        const ssize_t n = ::pread(m_fd, record.data() + got, record.size() - got, off_t(offset + got));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        got += std::size_t(n);
    }
    const std::string where = " (bytes " + std::to_string(offset) + "–" + std::to_string(offset + m_recordBytes) + ")";
    if (got < record.size()) {
        return Error { "polar spool " + m_path + " is truncated: shot " + std::to_string(shotIndex) + "'s record"
            + where + " lies past its end (" + std::to_string(offset + got) + " bytes)" };
    }
    std::int64_t shot = 0;
    std::uint64_t sum = 0;
    std::memcpy(&shot, record.data(), 8);
    std::memcpy(&sum, record.data() + 8, 8);
    if (shot != shotIndex
        || sum != checksum(shot, record.data() + kRecordHeaderBytes, record.size() - kRecordHeaderBytes)) {
        return Error { "polar spool " + m_path + " is damaged: shot " + std::to_string(shotIndex) + "'s record" + where
            + " does not match its checksum" };
    }
    PolarFrame f;
    f.shotIndex = shotIndex;
    f.nQ = m_nQ;
    f.nPhi = m_nPhi;
    const std::size_t n = std::size_t(m_nQ) * std::size_t(m_nPhi);
    f.intensity.resize(n);
    f.weight.resize(n);
    std::memcpy(f.intensity.data(), record.data() + kRecordHeaderBytes, n * sizeof(float));
    std::memcpy(f.weight.data(), record.data() + kRecordHeaderBytes + n * sizeof(float), n * sizeof(float));
    return f;
}

bool PolarSpool::contains(std::int64_t shotIndex) const
{
    const std::lock_guard lock(m_mutex);
    return m_slotOf.count(shotIndex) > 0;
}

std::int64_t PolarSpool::shotsHeld() const
{
    const std::lock_guard lock(m_mutex);
    return std::int64_t(m_slotOf.size());
}

std::uint64_t PolarSpool::fileBytes() const
{
    const std::lock_guard lock(m_mutex);
    const std::int64_t records = std::min(m_next, m_capacityShots);
    return records > 0 ? offsetOf(records) : 0;
}

} // namespace fxs
