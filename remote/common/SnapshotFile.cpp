#include "SnapshotFile.h"

#include <fxs/results/AtomicFile.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

namespace fxs::remote {

namespace {

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
