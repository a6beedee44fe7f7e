#pragma once

#include <fxs/core/Result.h>
#include <fxs/shots/ShotStats.h>

#include <cstdint>
#include <limits>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace fxs {

/// A shot is vetoed when a statistic is NaN or outside [min, max].
struct VetoThreshold {
    ShotStatistic statistic = ShotStatistic::HitScore;
    double min = -std::numeric_limits<double>::infinity(); ///< smallest accepted value
    double max = std::numeric_limits<double>::infinity(); ///< largest accepted value
};

/// Shots first … last (inclusive) vetoed by hand, with the scientist's reason.
struct VetoRange {
    std::int64_t first = 0;
    std::int64_t last = 0;
    std::string reason; ///< never empty
};

/// The verdict on one shot: accepted, or vetoed with every reason that applies.
struct VetoDecision {
    bool accepted = true;
    std::string reason; ///< "accepted", or the reasons joined by "; " ("hit_score 0.002 < 0.01")
    std::vector<std::string> rules; ///< short keys of the rules that vetoed it ("hit_score<min", "manual")
};

/// Veto rules: thresholds on any ShotStats statistic and shot ranges vetoed by hand, each with a reason.
class VetoRules {
public:
    /// Adds a threshold; fails when min > max or both are infinite.
    Status addThreshold(const VetoThreshold& threshold);
    /// Vetoes shots first … last by hand; fails when first > last or the reason is empty.
    Status addRange(std::int64_t first, std::int64_t last, const std::string& reason);
    /// Removes every manual range that overlaps first … last; returns how many were removed.
    int removeRanges(std::int64_t first, std::int64_t last);

    /// The verdict for one shot (manual ranges and thresholds together).
    VetoDecision decide(const ShotStats& stats) const;

    /// The thresholds, in the order they were added.
    const std::vector<VetoThreshold>& thresholds() const { return m_thresholds; }
    /// The manual ranges, in the order they were added.
    const std::vector<VetoRange>& ranges() const { return m_ranges; }

    /// {"thresholds": [{"statistic", "min", "max"}], "ranges": [{"first", "last", "reason"}]}; ±inf as null.
    nlohmann::json toJson() const;
    /// Reads toJson()'s form; says which entry and key are wrong.
    static Result<VetoRules> fromJson(const nlohmann::json& json);

private:
    std::vector<VetoThreshold> m_thresholds;
    std::vector<VetoRange> m_ranges;
};

} // namespace fxs
