#include <fxs/results/SumsFile.h>

#include "LegacySums.h"
#include <fxs/core/Sha256.h>
#include <fxs/core/Version.h>
#include <fxs/results/AtomicFile.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

namespace fxs {

namespace {

constexpr char kMagic[8] = { 'F', 'X', 'S', 'C', 'K', 'P', 'T', '\0' };
constexpr std::uint32_t kFormatVersion = 3;
constexpr std::uint64_t kMaxHeaderBytes = std::uint64_t { 1 } << 30; // a million rejected shots with reasons fit
constexpr std::uint64_t kPreamble = 8 + 4 + 4 + 8; // magic, version, reserved, header length
constexpr std::uint64_t kDigestBytes = 32;

// Writes to a FILE while hashing, remembering the first error.
struct HashedWriter {
    std::FILE* f;
    Sha256 sha;
    bool ok = true;
    void put(const void* data, std::size_t n)
    {
        sha.update(data, n);
        ok = ok && std::fwrite(data, 1, n, f) == n;
    }
    template <class T> void vec(const std::vector<T>& v) { put(v.data(), v.size() * sizeof(T)); }
};

struct HashedReader {
    std::ifstream& in;
    Sha256 sha;
    bool read(void* data, std::size_t n, bool hash = true)
    {
        if (!in.read(static_cast<char*>(data), static_cast<std::streamsize>(n))) {
            return false;
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

std::string headerOf(const C2Sums& s, const SumsFile& f)
{
    nlohmann::json h { { "nQ", s.nQ }, { "nPhi", s.nPhi }, { "nMax", s.nMax },
        { "ringMeanSubtracted", s.ringMeanSubtracted }, { "shotsEven", s.shots[0] }, { "shotsOdd", s.shots[1] },
        { "nSignal", s.signal[0].size() }, { "nMask", s.mask[0].size() }, { "nImage", s.weightSum.size() },
        { "nSquares", s.squares.size() },
        { "nShotsDone", f.shotsDone.size() }, { "configuration", f.configuration },
        { "softwareVersion", std::string(versionString()) }, { "computationHash", f.computationHash },
        { "unitsDone", f.unitsDone }, { "rejected", nlohmann::json::array() } };
    for (const auto& r : f.rejected) {
        h["rejected"].push_back({ r.shot, r.reason });
    }
    return h.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

struct Counts {
    std::uint64_t signal = 0, mask = 0, image = 0, shots = 0, squares = 0;
    std::uint64_t payloadBytes() const { return 2 * 16 * (signal + mask) + 8 * squares + 2 * 8 * image + 8 * shots; }
};

// Checks the header's numbers before anything is allocated; fills everything but the arrays.
Result<Counts> parseHeader(const nlohmann::json& h, std::uint32_t version, SumsFile& d)
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
    if (version >= 2) {
        d.computationHash = h.at("computationHash").get<std::uint64_t>();
        d.unitsDone = h.at("unitsDone").get<std::vector<std::int64_t>>();
        for (const auto& r : h.at("rejected")) {
            d.rejected.push_back({ r.at(0).get<std::int64_t>(), r.at(1).get<std::string>() });
        }
    }
    Counts c { h.at("nSignal").get<std::uint64_t>(), h.at("nMask").get<std::uint64_t>(),
        h.at("nImage").get<std::uint64_t>(), h.at("nShotsDone").get<std::uint64_t>(),
        version >= 3 ? h.at("nSquares").get<std::uint64_t>() : 0 }; // versions 1 and 2: no squares
    if (s.nQ < 1 || s.nQ > 100000 || s.nPhi < 1 || s.nPhi > 100000 || s.nMax < 0 || s.nMax > s.nPhi / 2
        || c.signal != std::uint64_t(s.nFreq()) * s.nQ * s.nQ || c.mask != std::uint64_t(s.nFreqMask()) * s.nQ * s.nQ
        || c.image != std::uint64_t(s.nQ) * s.nPhi || c.shots > (std::uint64_t { 1 } << 40)
        || (c.squares != 0 && c.squares != c.signal)) {
        return Error { "inconsistent sizes in its header" };
    }
    return c;
}

Result<SumsFile> readCurrent(std::ifstream& in, std::uint64_t size, const std::string& refused, bool arrays)
{
    HashedReader r { in, {} };
    char magic[8];
    std::uint32_t version[2];
    std::uint64_t headerBytes = 0;
    if (!r.read(magic, 8) || !r.read(version, sizeof version) || version[0] < 1 || version[0] > kFormatVersion
        || !r.read(&headerBytes, 8) || headerBytes > kMaxHeaderBytes || headerBytes > size - kPreamble - kDigestBytes) {
        return Error { refused + "unknown format version or damaged header" };
    }
    std::string text(headerBytes, '\0');
    SumsFile d;
    d.format = "FXSCKPT " + std::to_string(version[0]);
    const auto header = r.read(text.data(), text.size()) ? nlohmann::json::parse(text, nullptr, false)
                                                         : nlohmann::json(nlohmann::json::value_t::discarded);
    Result<Counts> counts = Error { "unreadable header" };
    try {
        counts = header.is_object() ? parseHeader(header, version[0], d) : counts;
    } catch (const nlohmann::json::exception&) {
        counts = Error { "incomplete header" };
    }
    if (!counts) {
        return Error { refused + counts.error().message };
    }
    const std::uint64_t expected = kPreamble + headerBytes + counts->payloadBytes() + kDigestBytes;
    if (size != expected) {
        return Error { refused + "it has " + std::to_string(size) + " bytes where its header announces "
            + std::to_string(expected) + " (truncated or damaged)" };
    }
    if (!arrays) {
        return d;
    }
    C2Sums& s = d.sums;
    std::array<unsigned char, kDigestBytes> stored {};
    const bool ok = r.vec(s.signal[0], counts->signal) && r.vec(s.signal[1], counts->signal)
        && r.vec(s.mask[0], counts->mask) && r.vec(s.mask[1], counts->mask) && r.vec(s.squares, counts->squares)
        && r.vec(s.weightedIntensity, counts->image) && r.vec(s.weightSum, counts->image)
        && r.vec(d.shotsDone, counts->shots) && r.read(stored.data(), stored.size(), false);
    if (!ok || stored != r.sha.finish()) {
        return Error { refused + "its checksum does not match (the file is damaged)" };
    }
    return d;
}

Result<SumsFile> readAny(const std::filesystem::path& path, bool arrays)
{
    std::ifstream in(path, std::ios::binary);
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (!in || ec) {
        return Error { "cannot open the sums file " + path.string() + ": " + std::strerror(errno) };
    }
    const std::string refused = "sums file " + path.string() + " is refused: ";
    char magic[8] = {};
    in.read(magic, 8);
    in.seekg(0);
    if (size >= kPreamble + kDigestBytes && std::memcmp(magic, kMagic, 8) == 0) {
        return readCurrent(in, size, refused, arrays);
    }
    if (std::memcmp(magic, detail::kFxs1SumsMagic, 8) == 0) {
        return detail::readFxs1Sums(in, path, arrays);
    }
    return Error { refused + "not an fxs sums file or checkpoint (wrong magic bytes), or truncated to "
        + std::to_string(size) + " bytes" };
}

} // namespace

Status SumsFile::write(const std::filesystem::path& path, const C2Sums& sums, const SumsFile& meta)
{
    const std::string header = headerOf(sums, meta);
    return writeFileAtomically(path, [&](std::FILE* f) {
        const std::uint32_t version[2] = { kFormatVersion, 0 };
        const std::uint64_t headerBytes = header.size();
        HashedWriter w { f, {} };
        w.put(kMagic, sizeof kMagic);
        w.put(version, sizeof version);
        w.put(&headerBytes, sizeof headerBytes);
        w.put(header.data(), header.size());
        for (int k = 0; k < 2; ++k) {
            w.vec(sums.signal[k]);
        }
        for (int k = 0; k < 2; ++k) {
            w.vec(sums.mask[k]);
        }
        w.vec(sums.squares);
        w.vec(sums.weightedIntensity);
        w.vec(sums.weightSum);
        w.vec(meta.shotsDone);
        const auto digest = w.sha.finish();
        return w.ok && std::fwrite(digest.data(), 1, digest.size(), f) == digest.size();
    });
}

Result<SumsFile> SumsFile::read(const std::filesystem::path& path) { return readAny(path, true); }

Result<SumsFile> SumsFile::readHeader(const std::filesystem::path& path) { return readAny(path, false); }

} // namespace fxs
