#include "SumsFile.h"

#include "AtomicFile.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

namespace fxs::remote {

namespace {

constexpr char kSumsMagic[8] = { 'F', 'X', 'S', '1', 'S', 'U', 'M', 'S' };
constexpr char kSnapMagic[8] = { 'F', 'X', 'S', '1', 'S', 'N', 'A', 'P' };

template <class T> bool writeArray(std::FILE* f, const std::vector<T>& v)
{
    return std::fwrite(v.data(), sizeof(T), v.size(), f) == v.size();
}

bool writeHeader(std::FILE* f, const char (&magic)[8], const std::string& header)
{
    const auto len = static_cast<std::uint32_t>(header.size());
    return std::fwrite(magic, 1, 8, f) == 8 && std::fwrite(&len, 4, 1, f) == 1
        && std::fwrite(header.data(), 1, header.size(), f) == header.size();
}

// Reads magic + JSON header; leaves the stream at the first array.
Result<nlohmann::json> readJsonHeader(
    std::ifstream& in, const char (&magic)[8], const std::string& what, const std::filesystem::path& path)
{
    char m[8] = {};
    std::uint32_t len = 0;
    if (!in.read(m, 8) || std::memcmp(m, magic, 8) != 0) {
        return Error { path.string() + " is not an FXS1 " + what + " file (wrong magic bytes)" };
    }
    if (!in.read(reinterpret_cast<char*>(&len), 4) || len > (1u << 30)) {
        return Error { path.string() + ": truncated or corrupt header" };
    }
    std::string header(len, '\0');
    if (!in.read(header.data(), len)) {
        return Error { path.string() + ": truncated header" };
    }
    auto j = nlohmann::json::parse(header, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return Error { path.string() + ": the header is not a JSON object" };
    }
    return j;
}

template <class T> bool readArray(std::ifstream& in, std::vector<T>& v)
{
    return static_cast<bool>(in.read(reinterpret_cast<char*>(v.data()), std::streamsize(v.size() * sizeof(T))));
}

} // namespace

Status SumsFile::write(const std::filesystem::path& path) const
{
    nlohmann::json h = { { "n_q", sums.nQ }, { "n_phi", sums.nPhi }, { "n_max", sums.nMax },
        { "ring_mean_subtracted", sums.ringMeanSubtracted }, { "shots", { sums.shots[0], sums.shots[1] } },
        { "computation_hash", computationHash }, { "units_done", unitsDone }, { "rejected", nlohmann::json::array() } };
    for (const auto& r : rejected) {
        h["rejected"].push_back({ r.shot, r.reason });
    }
    return writeFileAtomically(path, [&](std::FILE* f) {
        bool ok = writeHeader(f, kSumsMagic, h.dump());
        for (int k = 0; k < 2; ++k) {
            ok = ok && writeArray(f, sums.signal[k]);
        }
        for (int k = 0; k < 2; ++k) {
            ok = ok && writeArray(f, sums.mask[k]);
        }
        return ok && writeArray(f, sums.weightedIntensity) && writeArray(f, sums.weightSum);
    });
}

Result<SumsFile> SumsFile::read(const std::filesystem::path& path) { return readImpl(path, true); }

Result<SumsFile> SumsFile::readHeader(const std::filesystem::path& path) { return readImpl(path, false); }

Result<SumsFile> SumsFile::readImpl(const std::filesystem::path& path, bool arrays)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return Error { "cannot open the sums file " + path.string() };
    }
    auto h = readJsonHeader(in, kSumsMagic, "sums", path);
    if (!h) {
        return h.error();
    }
    SumsFile f;
    try {
        const int nQ = h->at("n_q"), nPhi = h->at("n_phi"), nMax = h->at("n_max");
        if (nQ < 1 || nQ > 65536 || nPhi < 2 || nPhi > 65536 || nMax < 0 || nMax > nPhi / 2) {
            return Error { path.string() + ": implausible shape in the header" };
        }
        const bool ringMean = h->at("ring_mean_subtracted").get<bool>();
        if (arrays) {
            f.sums = C2Sums::zeros(nQ, nPhi, nMax, ringMean);
        } else {
            f.sums.nQ = nQ;
            f.sums.nPhi = nPhi;
            f.sums.nMax = nMax;
            f.sums.ringMeanSubtracted = ringMean;
        }
        f.sums.shots[0] = h->at("shots").at(0);
        f.sums.shots[1] = h->at("shots").at(1);
        f.computationHash = h->at("computation_hash");
        f.unitsDone = h->at("units_done").get<std::vector<std::int64_t>>();
        for (const auto& r : h->value("rejected", nlohmann::json::array())) {
            f.rejected.push_back({ r.at(0).get<std::int64_t>(), r.at(1).get<std::string>() });
        }
    } catch (const nlohmann::json::exception& e) {
        return Error { path.string() + ": header key missing or of the wrong type (" + e.what() + ")" };
    }
    if (!arrays) {
        return f;
    }
    bool ok = true;
    for (int k = 0; k < 2; ++k) {
        ok = ok && readArray(in, f.sums.signal[k]);
    }
    for (int k = 0; k < 2; ++k) {
        ok = ok && readArray(in, f.sums.mask[k]);
    }
    ok = ok && readArray(in, f.sums.weightedIntensity) && readArray(in, f.sums.weightSum);
    if (!ok || in.peek() != std::char_traits<char>::eof()) {
        return Error { path.string() + ": the file size does not match the shape in its header (truncated?)" };
    }
    return f;
}

Status SnapshotFile::write(const std::filesystem::path& path) const
{
    const nlohmann::json h = { { "n_q", nQ }, { "n_phi", nPhi }, { "shots", shots }, { "split_half_cc", splitHalfCC } };
    return writeFileAtomically(
        path, [&](std::FILE* f) { return writeHeader(f, kSnapMagic, h.dump()) && writeArray(f, c2); });
}

Result<SnapshotFile> SnapshotFile::read(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return Error { "cannot open the snapshot file " + path.string() };
    }
    auto h = readJsonHeader(in, kSnapMagic, "snapshot", path);
    if (!h) {
        return h.error();
    }
    SnapshotFile s;
    try {
        s.nQ = h->at("n_q");
        s.nPhi = h->at("n_phi");
        s.shots = h->at("shots");
        s.splitHalfCC = h->at("split_half_cc");
    } catch (const nlohmann::json::exception& e) {
        return Error { path.string() + ": header key missing or of the wrong type (" + e.what() + ")" };
    }
    if (s.nQ < 1 || s.nQ > 65536 || s.nPhi < 1 || s.nPhi > 65536) {
        return Error { path.string() + ": implausible shape in the header" };
    }
    s.c2.resize(static_cast<std::size_t>(s.nQ) * s.nQ * s.nPhi);
    if (!readArray(in, s.c2) || in.peek() != std::char_traits<char>::eof()) {
        return Error { path.string() + ": the file size does not match the shape in its header" };
    }
    return s;
}

} // namespace fxs::remote
