#include <fxs/shots/ShotLedger.h>

#include <array>
#include <cmath>
#include <functional>
#include <type_traits>
#include <utility>
#include <nlohmann/json.hpp>
#include <sstream>

namespace fxs {

namespace {

nlohmann::json finiteOrNull(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

double numberOr(const nlohmann::json& j, const char* key, double dflt)
{
    return j.contains(key) && j[key].is_number() ? j[key].get<double>() : dflt;
}

// CSV field: quoted when it holds a comma, quote or newline (RFC 4180).
std::string csvField(const std::string& s)
{
    if (s.find_first_of(",\"\n") == std::string::npos) {
        return s;
    }
    std::string out = "\"";
    for (char c : s) {
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    }
    return out + "\"";
}

// The source's ids of a shot with their JSON/CSV names (ShotStats: -1 when the source gave none).
template <class Stats> auto sourceIds(Stats& s)
{
    using Id = std::conditional_t<std::is_const_v<Stats>, const std::int64_t, std::int64_t>;
    return std::array<std::pair<const char*, std::reference_wrapper<Id>>, 3> { {
        { "series_id", std::ref(s.seriesId) },
        { "frame_number", std::ref(s.frameNumber) },
        { "pulse_id", std::ref(s.pulseId) },
    } };
}

} // namespace

ShotLedger::ShotLedger(const ShotLedger& other)
{
    std::lock_guard lock(other.m_mutex);
    m_entries = other.m_entries;
}

ShotLedger& ShotLedger::operator=(const ShotLedger& other)
{
    if (this != &other) {
        std::scoped_lock lock(m_mutex, other.m_mutex);
        m_entries = other.m_entries;
    }
    return *this;
}

void ShotLedger::record(const ShotStats& stats, const VetoDecision& decision)
{
    std::lock_guard lock(m_mutex);
    m_entries[stats.shotIndex] = { stats, decision };
}

VetoDecision ShotLedger::judge(const ShotStats& stats, const VetoRules& rules)
{
    VetoDecision d = rules.decide(stats);
    record(stats, d);
    return d;
}

std::vector<std::int64_t> ShotLedger::redecide(const VetoRules& rules)
{
    std::lock_guard lock(m_mutex);
    std::vector<std::int64_t> changed;
    for (auto& [shot, e] : m_entries) {
        VetoDecision d = rules.decide(e.stats);
        if (d.accepted != e.decision.accepted) {
            changed.push_back(shot);
        }
        e.decision = std::move(d);
    }
    return changed;
}

std::optional<LedgerEntry> ShotLedger::entry(std::int64_t shotIndex) const
{
    std::lock_guard lock(m_mutex);
    auto it = m_entries.find(shotIndex);
    return it == m_entries.end() ? std::nullopt : std::optional<LedgerEntry>(it->second);
}

std::vector<LedgerEntry> ShotLedger::entries() const
{
    std::lock_guard lock(m_mutex);
    std::vector<LedgerEntry> out;
    out.reserve(m_entries.size());
    for (const auto& [shot, e] : m_entries) {
        out.push_back(e);
    }
    return out;
}

std::int64_t ShotLedger::size() const
{
    std::lock_guard lock(m_mutex);
    return static_cast<std::int64_t>(m_entries.size());
}

std::int64_t ShotLedger::acceptedCount() const
{
    std::lock_guard lock(m_mutex);
    std::int64_t n = 0;
    for (const auto& [shot, e] : m_entries) {
        n += e.decision.accepted ? 1 : 0;
    }
    return n;
}

std::int64_t ShotLedger::vetoedCount() const { return size() - acceptedCount(); }

std::map<std::string, std::int64_t> ShotLedger::vetoCounts() const
{
    std::lock_guard lock(m_mutex);
    std::map<std::string, std::int64_t> counts;
    for (const auto& [shot, e] : m_entries) {
        for (const auto& rule : e.decision.rules) {
            ++counts[rule];
        }
    }
    return counts;
}

nlohmann::json ShotLedger::toJson() const
{
    nlohmann::json shots = nlohmann::json::array();
    for (const auto& e : entries()) {
        const ShotStats& s = e.stats;
        shots.push_back({ { "shot", s.shotIndex }, { "accepted", e.decision.accepted }, { "reason", e.decision.reason },
            { "rules", e.decision.rules }, { "sum", s.sum }, { "mean", s.mean }, { "max", s.max },
            { "saturated", s.saturated }, { "masked_fraction", s.maskedFraction }, { "hit_score", s.hitScore },
            { "particles", finiteOrNull(s.particles) }, { "valid_pixels", s.validPixels } });
        // The source's own numbering, only where it gave one (files and streams from facilities).
        for (const auto& [key, value] : sourceIds(s)) {
            if (value.get() >= 0) {
                shots.back()[key] = value.get();
            }
        }
    }
    return { { "shots", shots } };
}

Result<ShotLedger> ShotLedger::fromJson(const nlohmann::json& j)
{
    if (!j.is_object() || !j.contains("shots") || !j["shots"].is_array()) {
        return Error { "shot ledger: expected a JSON object with a 'shots' array" };
    }
    ShotLedger ledger;
    std::size_t i = 0;
    for (const auto& e : j["shots"]) {
        const bool ok = e.is_object() && e.contains("shot") && e["shot"].is_number_integer() && e.contains("accepted")
            && e["accepted"].is_boolean() && e.contains("reason") && e["reason"].is_string();
        if (!ok) {
            return Error { "shot ledger: shots[" + std::to_string(i) + "] needs 'shot', 'accepted' and 'reason'" };
        }
        ++i;
        ShotStats s;
        s.shotIndex = e["shot"].get<std::int64_t>();
        s.sum = numberOr(e, "sum", 0.0);
        s.mean = numberOr(e, "mean", 0.0);
        s.max = numberOr(e, "max", 0.0);
        s.saturated = static_cast<std::int64_t>(numberOr(e, "saturated", 0.0));
        s.maskedFraction = numberOr(e, "masked_fraction", 0.0);
        s.hitScore = numberOr(e, "hit_score", 0.0);
        s.particles = numberOr(e, "particles", std::numeric_limits<double>::quiet_NaN());
        s.validPixels = static_cast<std::int64_t>(numberOr(e, "valid_pixels", 0.0));
        for (auto& [key, value] : sourceIds(s)) {
            value.get() = e.contains(key) && e[key].is_number_integer() ? e[key].get<std::int64_t>() : -1;
        }
        VetoDecision d { e["accepted"].get<bool>(), e["reason"].get<std::string>(), {} };
        if (e.contains("rules") && e["rules"].is_array()) {
            for (const auto& r : e["rules"]) {
                if (r.is_string()) {
                    d.rules.push_back(r.get<std::string>());
                }
            }
        }
        ledger.record(s, d);
    }
    return ledger;
}

std::string ShotLedger::toCsv() const
{
    std::ostringstream out;
    out.precision(10);
    out << "shot,accepted,reason,sum,mean,max,saturated,masked_fraction,hit_score,particles,series_id,frame_number,"
           "pulse_id\n";
    for (const auto& e : entries()) {
        const ShotStats& s = e.stats;
        out << s.shotIndex << ',' << (e.decision.accepted ? 1 : 0) << ',' << csvField(e.decision.reason) << ',' << s.sum
            << ',' << s.mean << ',' << s.max << ',' << s.saturated << ',' << s.maskedFraction << ',' << s.hitScore
            << ',' << (std::isfinite(s.particles) ? std::to_string(s.particles) : std::string());
        for (const auto& [key, value] : sourceIds(s)) {
            out << ',' << (value.get() >= 0 ? std::to_string(value.get()) : std::string());
        }
        out << '\n';
    }
    return out.str();
}

} // namespace fxs
