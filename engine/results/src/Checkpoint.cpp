#include <fxs/results/Checkpoint.h>

namespace fxs {

Status Checkpoint::save(const std::string& path, const C2Sums& sums, std::span<const std::int64_t> shotsDone,
    const std::string& configuration)
{
    SumsFile meta;
    meta.shotsDone.assign(shotsDone.begin(), shotsDone.end());
    meta.configuration = configuration;
    return SumsFile::write(path, sums, meta);
}

Result<CheckpointData> Checkpoint::read(const std::string& path) { return SumsFile::read(path); }

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
