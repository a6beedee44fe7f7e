#include "fxs/Checkpoint.h"

#include "fxs/Sha256.h"
#include "fxs/Version.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

namespace fxs {

namespace {

constexpr char kMagic[8] = { 'F', 'X', 'S', 'C', 'K', 'P', 'T', '\0' };
constexpr std::uint32_t kFormatVersion = 1;
constexpr std::uint64_t kMaxHeaderBytes = 1 << 24;
constexpr std::uint64_t kPreamble = 8 + 4 + 4 + 8; // magic, version, reserved, header length

// Writes to an fd while hashing, remembering the first error.
struct HashedWriter {
    int fd;
    Sha256 sha;
    bool ok = true;
    void put(const void* data, std::size_t n, bool hash = true)
    {
        if (hash) {
            sha.update(data, n);
        }
        const char* p = static_cast<const char*>(data);
        while (ok && n > 0) {
            const ssize_t w = ::write(fd, p, n);
            if (w < 0 && errno == EINTR) {
                continue;
            }
            ok = w > 0;
            p += w > 0 ? w : 0;
            n -= w > 0 ? static_cast<std::size_t>(w) : n;
        }
    }
    template <class T> void vec(const std::vector<T>& v) { put(v.data(), v.size() * sizeof(T)); }
};

struct HashedReader {
    int fd;
    Sha256 sha;
    bool read(void* data, std::size_t n, bool hash = true)
    {
        char* p = static_cast<char*>(data);
        std::size_t left = n;
        while (left > 0) {
            const ssize_t r = ::read(fd, p, left);
            if (r < 0 && errno == EINTR) {
                continue;
            }
            if (r <= 0) {
                return false;
            }
            p += r;
            left -= static_cast<std::size_t>(r);
        }
        if (hash) {
            sha.update(data, n);
        }
        return true;
    }
    template <class T> bool vec(std::vector<T>& v, std::size_t n)
    {
        v.resize(n);
        return read(v.data(), n * sizeof(T));
    }
};

struct Fd {
    int fd = -1;
    ~Fd()
    {
        if (fd >= 0) {
            ::close(fd);
        }
    }
};

std::string headerOf(const C2Sums& s, std::size_t nShots, const std::string& configuration)
{
    nlohmann::json h { { "nQ", s.nQ }, { "nPhi", s.nPhi }, { "nMax", s.nMax },
        { "ringMeanSubtracted", s.ringMeanSubtracted }, { "shotsEven", s.shots[0] }, { "shotsOdd", s.shots[1] },
        { "nSignal", s.signal[0].size() }, { "nMask", s.mask[0].size() }, { "nImage", s.weightSum.size() },
        { "nShotsDone", nShots }, { "configuration", configuration },
        { "softwareVersion", std::string(versionString()) } };
    return h.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Checks the header's numbers and derives the payload size before anything is allocated.
Result<std::uint64_t> payloadBytes(const nlohmann::json& h, CheckpointData& d, std::string& why)
{
    C2Sums& s = d.sums;
    s.nQ = h.at("nQ").get<int>();
    s.nPhi = h.at("nPhi").get<int>();
    s.nMax = h.at("nMax").get<int>();
    s.ringMeanSubtracted = h.at("ringMeanSubtracted").get<bool>();
    s.shots[0] = h.at("shotsEven").get<std::int64_t>();
    s.shots[1] = h.at("shotsOdd").get<std::int64_t>();
    d.configuration = h.at("configuration").get<std::string>();
    d.softwareVersion = h.at("softwareVersion").get<std::string>();
    const auto nSignal = h.at("nSignal").get<std::uint64_t>(), nMask = h.at("nMask").get<std::uint64_t>(),
               nImage = h.at("nImage").get<std::uint64_t>(), nShots = h.at("nShotsDone").get<std::uint64_t>();
    if (s.nQ < 1 || s.nQ > 100000 || s.nPhi < 1 || s.nPhi > 100000 || s.nMax < 0 || s.nMax > s.nPhi / 2
        || nSignal != std::uint64_t(s.nFreq()) * s.nQ * s.nQ || nMask != std::uint64_t(s.nFreqMask()) * s.nQ * s.nQ
        || nImage != std::uint64_t(s.nQ) * s.nPhi || nShots > (std::uint64_t { 1 } << 40)) {
        why = "inconsistent sizes in its header";
        return Error { why };
    }
    return 2 * 16 * (nSignal + nMask) + 2 * 8 * nImage + 8 * nShots;
}

Status readPayload(HashedReader& r, CheckpointData& d, const nlohmann::json& h)
{
    C2Sums& s = d.sums;
    const auto nSignal = h["nSignal"].get<std::size_t>(), nMask = h["nMask"].get<std::size_t>(),
               nImage = h["nImage"].get<std::size_t>(), nShots = h["nShotsDone"].get<std::size_t>();
    bool ok = r.vec(s.signal[0], nSignal) && r.vec(s.signal[1], nSignal) && r.vec(s.mask[0], nMask)
        && r.vec(s.mask[1], nMask) && r.vec(s.weightedIntensity, nImage) && r.vec(s.weightSum, nImage)
        && r.vec(d.shotsDone, nShots);
    return ok ? Status {} : Status { Error { "short read" } };
}

} // namespace

Status Checkpoint::save(const std::string& path, const C2Sums& sums, std::span<const std::int64_t> shotsDone,
    const std::string& configuration)
{
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    Fd f { ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) };
    if (f.fd < 0) {
        return Error { "cannot write checkpoint " + tmp + ": " + std::strerror(errno) };
    }
    const std::string header = headerOf(sums, shotsDone.size(), configuration);
    const std::uint32_t version[2] = { kFormatVersion, 0 };
    const std::uint64_t headerBytes = header.size();
    HashedWriter w { f.fd, {} };
    w.put(kMagic, sizeof kMagic);
    w.put(version, sizeof version);
    w.put(&headerBytes, sizeof headerBytes);
    w.put(header.data(), header.size());
    w.vec(sums.signal[0]);
    w.vec(sums.signal[1]);
    w.vec(sums.mask[0]);
    w.vec(sums.mask[1]);
    w.vec(sums.weightedIntensity);
    w.vec(sums.weightSum);
    w.put(shotsDone.data(), shotsDone.size_bytes());
    const auto digest = w.sha.finish();
    w.put(digest.data(), digest.size(), false);
    // fsync before rename: otherwise a crash can leave the new name pointing at unwritten blocks.
    const bool synced = w.ok && ::fsync(f.fd) == 0;
    const int err = errno;
    ::close(f.fd);
    f.fd = -1;
    if (!synced || ::rename(tmp.c_str(), path.c_str()) != 0) {
        ::unlink(tmp.c_str());
        return Error { "cannot write checkpoint " + path + ": " + std::strerror(synced ? errno : err) };
    }
    const std::string dir = path.find('/') == std::string::npos ? "." : path.substr(0, path.find_last_of('/') + 1);
    Fd d { ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC) };
    if (d.fd >= 0) {
        ::fsync(d.fd);
    }
    return {};
}

Result<CheckpointData> Checkpoint::read(const std::string& path)
{
    Fd f { ::open(path.c_str(), O_RDONLY | O_CLOEXEC) };
    struct stat st { };
    if (f.fd < 0 || ::fstat(f.fd, &st) != 0) {
        return Error { "cannot open checkpoint " + path + ": " + std::strerror(errno) };
    }
    const auto size = static_cast<std::uint64_t>(st.st_size);
    const std::string refused = "checkpoint " + path + " is refused: ";
    HashedReader r { f.fd, {} };
    char magic[8];
    std::uint32_t version[2];
    std::uint64_t headerBytes = 0;
    if (size < kPreamble + 32 || !r.read(magic, 8) || std::memcmp(magic, kMagic, 8) != 0) {
        return Error { refused + "not an fxs checkpoint, or truncated to " + std::to_string(size) + " bytes" };
    }
    if (!r.read(version, sizeof version) || version[0] != kFormatVersion || !r.read(&headerBytes, 8)
        || headerBytes > kMaxHeaderBytes || headerBytes > size - kPreamble - 32) {
        return Error { refused + "unknown format version or damaged header" };
    }
    std::string text(headerBytes, '\0');
    CheckpointData d;
    std::string why;
    const auto header = r.read(text.data(), text.size()) ? nlohmann::json::parse(text, nullptr, false)
                                                         : nlohmann::json(nlohmann::json::value_t::discarded);
    Result<std::uint64_t> payload = Error { "unreadable header" };
    try {
        payload = header.is_object() ? payloadBytes(header, d, why)
                                     : Result<std::uint64_t> { Error { "unreadable header" } };
    } catch (const nlohmann::json::exception&) {
        payload = Error { "incomplete header" };
    }
    if (!payload) {
        return Error { refused + payload.error().message };
    }
    if (size != kPreamble + headerBytes + *payload + 32) {
        return Error { refused + "it has " + std::to_string(size) + " bytes where its header announces "
            + std::to_string(kPreamble + headerBytes + *payload + 32) + " (truncated or damaged)" };
    }
    std::array<unsigned char, 32> stored {};
    if (!readPayload(r, d, header) || !r.read(stored.data(), stored.size(), false) || stored != r.sha.finish()) {
        return Error { refused + "its checksum does not match (the file is damaged)" };
    }
    return d;
}

Result<CheckpointData> Checkpoint::load(const std::string& path, const C2Sums& like, const std::string& configuration)
{
    auto d = read(path);
    if (!d) {
        return d;
    }
    const C2Sums& s = d->sums;
    if (s.nQ != like.nQ || s.nPhi != like.nPhi || s.nMax != like.nMax
        || s.ringMeanSubtracted != like.ringMeanSubtracted) {
        return Error { "checkpoint " + path + " is for C2 of " + std::to_string(s.nQ) + " q × " + std::to_string(s.nPhi)
            + " φ (n_max " + std::to_string(s.nMax) + (s.ringMeanSubtracted ? ", ring mean subtracted" : "")
            + "), this run computes " + std::to_string(like.nQ) + " q × " + std::to_string(like.nPhi) + " φ (n_max "
            + std::to_string(like.nMax) + (like.ringMeanSubtracted ? ", ring mean subtracted" : "")
            + "); refusing to resume from it" };
    }
    if (d->configuration != configuration) {
        return Error { "checkpoint " + path
            + " was written with a different configuration; refusing to resume "
              "from it (checkpoint: "
            + d->configuration.substr(0, 160) + "; now: " + configuration.substr(0, 160) + ")" };
    }
    return d;
}

} // namespace fxs
