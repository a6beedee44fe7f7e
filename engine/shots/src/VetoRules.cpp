#include <fxs/shots/VetoRules.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

namespace fxs {

namespace {

std::string number(double v)
{
    std::ostringstream s;
    s.precision(6);
    s << v;
    return s.str();
}

nlohmann::json bound(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

} // namespace

Status VetoRules::addThreshold(const VetoThreshold& t)
{
    if (std::isnan(t.min) || std::isnan(t.max) || t.min > t.max) {
        return Error { std::string("veto on ") + ShotStats::name(t.statistic) + ": need min ≤ max (got " + number(t.min)
            + " … " + number(t.max) + ")" };
    }
    if (std::isinf(t.min) && std::isinf(t.max)) {
        return Error { std::string("veto on ") + ShotStats::name(t.statistic) + ": give a min, a max or both" };
    }
    m_thresholds.push_back(t);
    return {};
}

Status VetoRules::addRange(std::int64_t first, std::int64_t last, const std::string& reason)
{
    if (first > last) {
        return Error { "manual veto: first shot " + std::to_string(first) + " is after last shot "
            + std::to_string(last) };
    }
    if (reason.empty()) {
        return Error { "manual veto of shots " + std::to_string(first) + "–" + std::to_string(last)
            + ": a reason is required" };
    }
    m_ranges.push_back({ first, last, reason });
    return {};
}

int VetoRules::removeRanges(std::int64_t first, std::int64_t last)
{
    const auto before = m_ranges.size();
    std::erase_if(m_ranges, [&](const VetoRange& r) { return r.first <= last && first <= r.last; });
    return static_cast<int>(before - m_ranges.size());
}

VetoDecision VetoRules::decide(const ShotStats& stats) const
{
    VetoDecision d;
    std::string reasons;
    auto veto = [&](const std::string& rule, const std::string& why) {
        d.accepted = false;
        d.rules.push_back(rule);
        reasons += (reasons.empty() ? "" : "; ") + why;
    };
    for (const auto& r : m_ranges) {
        if (stats.shotIndex >= r.first && stats.shotIndex <= r.last) {
            veto("manual",
                "vetoed by hand (shots " + std::to_string(r.first) + "–" + std::to_string(r.last) + "): " + r.reason);
        }
    }
    for (const auto& t : m_thresholds) {
        const std::string name = ShotStats::name(t.statistic);
        const double v = stats.get(t.statistic);
        if (std::isnan(v)) {
            veto(name + "=nan", name + " is not available (not calibrated?)");
        } else if (v < t.min) {
            veto(name + "<min", name + " " + number(v) + " < " + number(t.min));
        } else if (v > t.max) {
            veto(name + ">max", name + " " + number(v) + " > " + number(t.max));
        }
    }
    d.reason = d.accepted ? "accepted" : reasons;
    return d;
}

nlohmann::json VetoRules::toJson() const
{
    nlohmann::json j { { "thresholds", nlohmann::json::array() }, { "ranges", nlohmann::json::array() } };
    for (const auto& t : m_thresholds) {
        j["thresholds"].push_back(
            { { "statistic", ShotStats::name(t.statistic) }, { "min", bound(t.min) }, { "max", bound(t.max) } });
    }
    for (const auto& r : m_ranges) {
        j["ranges"].push_back({ { "first", r.first }, { "last", r.last }, { "reason", r.reason } });
    }
    return j;
}

Result<VetoRules> VetoRules::fromJson(const nlohmann::json& j)
{
    VetoRules rules;
    if (!j.is_object()) {
        return Error { "veto rules: expected a JSON object with 'thresholds' and 'ranges'" };
    }
    const auto inf = std::numeric_limits<double>::infinity();
    const auto thresholds = j.value("thresholds", nlohmann::json::array());
    const auto ranges = j.value("ranges", nlohmann::json::array());
    if (!thresholds.is_array() || !ranges.is_array()) {
        return Error { "veto rules: 'thresholds' and 'ranges' must be arrays" };
    }
    int i = 0;
    for (const auto& t : thresholds) {
        const std::string where = "veto rules: thresholds[" + std::to_string(i++) + "]";
        const bool named = t.is_object() && t.contains("statistic") && t["statistic"].is_string();
        auto stat = named ? ShotStats::fromName(t["statistic"].get<std::string>()) : std::nullopt;
        if (!stat) {
            return Error { where
                + ": key 'statistic' must be one of sum, mean, max, saturated, masked_fraction, "
                  "hit_score, particles" };
        }
        const auto get = [&](const char* key, double dflt) -> std::optional<double> {
            if (!t.contains(key) || t[key].is_null()) {
                return dflt;
            }
            return t[key].is_number() ? std::optional<double>(t[key].get<double>()) : std::nullopt;
        };
        const auto lo = get("min", -inf), hi = get("max", inf);
        if (!lo || !hi) {
            return Error { where + ": keys 'min' and 'max' must be numbers or null" };
        }
        if (Status st = rules.addThreshold({ *stat, *lo, *hi }); !st) {
            return Error { where + ": " + st.message() };
        }
    }
    i = 0;
    for (const auto& r : ranges) {
        const std::string where = "veto rules: ranges[" + std::to_string(i++) + "]";
        if (!r.is_object() || !r.contains("first") || !r.contains("last") || !r["first"].is_number_integer()
            || !r["last"].is_number_integer() || !r.value("reason", nlohmann::json()).is_string()) {
            return Error { where + ": expected integer 'first', 'last' and a string 'reason'" };
        }
        if (Status st = rules.addRange(r["first"], r["last"], r["reason"]); !st) {
            return Error { where + ": " + st.message() };
        }
    }
    return rules;
}

} // namespace fxs
