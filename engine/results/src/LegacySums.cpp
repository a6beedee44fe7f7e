#include "LegacySums.h"

#include <cstring>
#include <nlohmann/json.hpp>

namespace fxs::detail {

namespace {

template <class T> bool readArray(std::ifstream& in, std::vector<T>& v)
{
    return static_cast<bool>(in.read(reinterpret_cast<char*>(v.data()), std::streamsize(v.size() * sizeof(T))));
}

Result<nlohmann::json> readJsonHeader(std::ifstream& in, const std::filesystem::path& path)
{
    char m[8] = {};
    std::uint32_t len = 0;
    if (!in.read(m, 8) || std::memcmp(m, kFxs1SumsMagic, 8) != 0) {
        return Error { path.string() + " is not an FXS1 sums file (wrong magic bytes)" };
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

} // namespace

Result<SumsFile> readFxs1Sums(std::ifstream& in, const std::filesystem::path& path, bool arrays)
{
    auto h = readJsonHeader(in, path);
    if (!h) {
        return h.error();
    }
    SumsFile f;
    f.format = "FXS1SUMS";
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

} // namespace fxs::detail
