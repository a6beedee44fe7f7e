#include "LegacySums.h"

#include <fxs/results/Fxs1Container.h>

#include <cstring>
#include <nlohmann/json.hpp>

namespace fxs::detail {

Result<SumsFile> readFxs1Sums(std::ifstream& in, const std::filesystem::path& path, bool arrays)
{
    auto h = fxs1::readHeader(in, kFxs1SumsMagic, "sums", path);
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
        ok = ok && fxs1::readArray(in, f.sums.signal[k]);
    }
    for (int k = 0; k < 2; ++k) {
        ok = ok && fxs1::readArray(in, f.sums.mask[k]);
    }
    ok = ok && fxs1::readArray(in, f.sums.weightedIntensity) && fxs1::readArray(in, f.sums.weightSum);
    if (!ok || in.peek() != std::char_traits<char>::eof()) {
        return Error { path.string() + ": the file size does not match the shape in its header (truncated?)" };
    }
    return f;
}

} // namespace fxs::detail
