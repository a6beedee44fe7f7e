#include "RankHeartbeat.h"

#include <fxs/results/AtomicFile.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

namespace fxs::remote {

double unixNowS() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

Status RankHeartbeat::write(const std::filesystem::path& path) const
{
    const nlohmann::json j = { { "rank", rank }, { "pid", pid }, { "host", host }, { "shots_done", shotsDone },
        { "shots_rejected", shotsRejected }, { "shots_with_statistics", shotsWithStatistics },
        { "shots_hit", shotsHit }, { "mean_intensity_sum", meanIntensitySum }, { "units_done", unitsDone },
        { "shots_total", shotsTotal }, { "phase", phase }, { "device", device },
        { "reconstruction_progress", reconstructionProgress }, { "time_unix_s", timeUnixS }, { "sequence", sequence } };
    return writeTextAtomically(path, j.dump(), Durability::Volatile); // whole for the server; no fsync stalls
}

Result<RankHeartbeat> RankHeartbeat::read(const std::filesystem::path& path)
{
    auto text = readText(path);
    if (!text) {
        return text.error();
    }
    const auto j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return Error { path.string() + ": not a heartbeat (JSON object expected)" };
    }
    RankHeartbeat h;
    try {
        h.rank = j.at("rank");
        h.pid = j.at("pid");
        h.host = j.value("host", "");
        h.shotsDone = j.at("shots_done");
        h.shotsRejected = j.value("shots_rejected", std::int64_t { 0 });
        h.shotsWithStatistics = j.value("shots_with_statistics", std::int64_t { 0 });
        h.shotsHit = j.value("shots_hit", std::int64_t { 0 });
        h.meanIntensitySum = j.value("mean_intensity_sum", 0.0);
        h.unitsDone = j.value("units_done", std::int64_t { 0 });
        h.shotsTotal = j.value("shots_total", std::int64_t { 0 });
        h.phase = j.value("phase", "");
        h.reconstructionProgress = j.value("reconstruction_progress", -1.0);
        h.device = j.value("device", "");
        h.timeUnixS = j.at("time_unix_s");
        h.sequence = j.value("sequence", std::int64_t { 0 });
    } catch (const nlohmann::json::exception& e) {
        return Error { path.string() + ": " + e.what() };
    }
    return h;
}

std::vector<RankHeartbeat> RankHeartbeat::readAll(const std::filesystem::path& dir)
{
    std::vector<RankHeartbeat> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        const auto name = e.path().filename().string();
        if (name.rfind("rank-", 0) == 0 && e.path().extension() == ".json") {
            if (auto h = read(e.path())) {
                out.push_back(*h);
            }
        }
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.rank < b.rank; });
    return out;
}

} // namespace fxs::remote
