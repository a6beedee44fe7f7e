#include "SnapshotFile.h"

#include <fxs/results/AtomicFile.h>
#include <fxs/results/Fxs1Container.h>

#include <cstdio>
#include <algorithm>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

namespace fxs::remote {

namespace {

constexpr char kSnapMagic[8] = { 'F', 'X', 'S', '1', 'S', 'N', 'A', 'P' };

} // namespace

Status SnapshotFile::write(const std::filesystem::path& path) const
{
    const nlohmann::json h = { { "n_q", nQ }, { "n_phi", nPhi }, { "shots", shots }, { "split_half_cc", splitHalfCC },
        { "std_error", !c2StdError.empty() }, { "split_half_map", !splitHalfCCPerPair.empty() && splitHalfCCPerQ.size() == std::size_t(nQ) } };
    return writeFileAtomically(path, [&](std::FILE* f) {
        return fxs1::writeHeader(f, kSnapMagic, h.dump()) && fxs1::writeArray(f, c2)
            && (c2StdError.empty() || fxs1::writeArray(f, c2StdError))
            && (splitHalfCCPerPair.empty() || splitHalfCCPerQ.size() != std::size_t(nQ)
                || (fxs1::writeArray(f, splitHalfCCPerPair) && fxs1::writeArray(f, splitHalfCCPerQ)));
    });
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
    bool hasStdError = false;
    bool hasMap = false;
    try {
        hasStdError = h->value("std_error", false);
        hasMap = h->value("split_half_map", false);
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
    const std::size_t n = static_cast<std::size_t>(s.nQ) * s.nQ * s.nPhi;
    s.c2.resize(n);
    s.c2StdError.resize(hasStdError ? n : 0);
    s.splitHalfCCPerPair.resize(hasMap ? static_cast<std::size_t>(s.nQ) * s.nQ : 0);
    s.splitHalfCCPerQ.resize(hasMap ? static_cast<std::size_t>(s.nQ) : 0);
    if (!fxs1::readArray(in, s.c2) || (hasStdError && !fxs1::readArray(in, s.c2StdError))
        || (hasMap && (!fxs1::readArray(in, s.splitHalfCCPerPair) || !fxs1::readArray(in, s.splitHalfCCPerQ)))
        || in.peek() != std::char_traits<char>::eof()) {
        return Error { path.string() + ": the file size does not match the shape in its header" };
    }
    return s;
}

std::string SnapshotFile::payload() const
{
    std::string out;
    for (const std::vector<double>* v : { &c2, &c2StdError, &splitHalfCCPerPair, &splitHalfCCPerQ }) {
        out.append(reinterpret_cast<const char*>(v->data()), v->size() * sizeof(double));
    }
    return out;
}

bool SnapshotFile::splitPayload(const std::string& bytes)
{
    const std::size_t q = static_cast<std::size_t>(std::max(nQ, 0));
    const std::size_t n = q * q * static_cast<std::size_t>(std::max(nPhi, 0));
    const std::size_t m = q * q + q; // the pair map, then the per-q values
    const std::size_t values = bytes.size() / sizeof(double);
    if (bytes.size() % sizeof(double) != 0 || n == 0) {
        return false;
    }
    // The layouts payload() writes: c2 [+ standard errors] [+ split-half map and per-q values]; told apart by size.
    bool se = false;
    bool map = false;
    if (values == n) {
    } else if (values == n + m) {
        map = true;
    } else if (values == 2 * n) {
        se = true;
    } else if (values == 2 * n + m) {
        se = map = true;
    } else {
        return false;
    }
    const double* p = reinterpret_cast<const double*>(bytes.data());
    c2.assign(p, p + n);
    p += n;
    c2StdError.assign(p, p + (se ? n : 0));
    p += se ? n : 0;
    splitHalfCCPerPair.assign(p, p + (map ? q * q : 0));
    p += map ? q * q : 0;
    splitHalfCCPerQ.assign(p, p + (map ? q : 0));
    return true;
}

} // namespace fxs::remote
