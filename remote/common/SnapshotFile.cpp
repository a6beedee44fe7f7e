#include "SnapshotFile.h"

#include <fxs/results/AtomicFile.h>
#include <fxs/results/Fxs1Container.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

namespace fxs::remote {

namespace {

constexpr char kSnapMagic[8] = { 'F', 'X', 'S', '1', 'S', 'N', 'A', 'P' };

} // namespace

Status SnapshotFile::write(const std::filesystem::path& path) const
{
    const nlohmann::json h = { { "n_q", nQ }, { "n_phi", nPhi }, { "shots", shots }, { "split_half_cc", splitHalfCC } };
    return writeFileAtomically(
        path, [&](std::FILE* f) { return fxs1::writeHeader(f, kSnapMagic, h.dump()) && fxs1::writeArray(f, c2); });
}

Result<SnapshotFile> SnapshotFile::read(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return Error { "cannot open the snapshot file " + path.string() };
    }
    auto h = fxs1::readHeader(in, kSnapMagic, "snapshot", path);
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
    if (!fxs1::readArray(in, s.c2) || in.peek() != std::char_traits<char>::eof()) {
        return Error { path.string() + ": the file size does not match the shape in its header" };
    }
    return s;
}

} // namespace fxs::remote
