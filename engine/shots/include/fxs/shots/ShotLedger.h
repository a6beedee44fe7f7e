#pragma once

#include <fxs/core/Result.h>
#include <fxs/shots/ShotStats.h>
#include <fxs/shots/VetoRules.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

namespace fxs {

/// One shot's line in the ledger: its statistics and the decision taken on it.
struct LedgerEntry {
    ShotStats stats;
    VetoDecision decision;
};

/// Every shot seen and what was decided about it, accepted or vetoed, with the reason: nothing is dropped
/// silently. Thread-safe: workers record concurrently; readers get copies.
class ShotLedger {
public:
    ShotLedger() = default;
    ShotLedger(const ShotLedger& other);
    ShotLedger& operator=(const ShotLedger& other);

    /// Records a shot with its decision (a shot recorded again is replaced).
    void record(const ShotStats& stats, const VetoDecision& decision);
    /// Decides with `rules`, records, and returns the decision.
    VetoDecision judge(const ShotStats& stats, const VetoRules& rules);
    /// Decides every recorded shot again with new rules; returns the shots whose verdict changed.
    std::vector<std::int64_t> redecide(const VetoRules& rules);

    /// The entry of one shot, if recorded.
    std::optional<LedgerEntry> entry(std::int64_t shotIndex) const;
    /// All entries in shot order (a copy).
    std::vector<LedgerEntry> entries() const;
    /// Number of shots recorded.
    std::int64_t size() const;
    /// Number of accepted shots.
    std::int64_t acceptedCount() const;
    /// Number of vetoed shots.
    std::int64_t vetoedCount() const;
    /// Vetoed shots per rule key ("hit_score<min", "manual"); a shot vetoed by two rules counts in both.
    std::map<std::string, std::int64_t> vetoCounts() const;

    /// {"shots": [{"shot", "accepted", "reason", "rules", statistics…}]}.
    nlohmann::json toJson() const;
    /// Reads toJson()'s form.
    static Result<ShotLedger> fromJson(const nlohmann::json& json);
    /// One line per shot: shot,accepted,reason,sum,mean,max,saturated,masked_fraction,hit_score,particles.
    std::string toCsv() const;

private:
    mutable std::mutex m_mutex;
    std::map<std::int64_t, LedgerEntry> m_entries;
};

} // namespace fxs
