#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace fxs::widgets {

/// How many shots a run still needs, from its split-half C2 correlation.
///
/// Model: each half's C2 is the true C2 plus noise whose variance falls as 1 / (shots in the half), so the
/// correlation of the two halves over (q, q', Δ) grows as CC(N) = N / (N + K) for N shots in all, with one
/// constant K = 2 σ² / var(C2) per run and grid (Spearman–Brown). K is estimated from each recorded point as
/// K = N (1 − CC) / CC and the median over the last points is used; shots needed for a target T are
/// N_T = K T / (1 − T).
class ConvergenceEstimate {
public:
    /// Records a point (ignored when CC is not in (0, 1) or shots ≤ 0).
    void add(std::int64_t shots, double splitHalfCC);
    /// Forgets every point.
    void clear() { m_k.clear(); }
    /// The run constant K from the last `window` points, if any point was usable.
    std::optional<double> constant(std::size_t window = 5) const;
    /// Total shots for CC to reach `target` (0 < target < 1).
    std::optional<double> shotsFor(double target, std::size_t window = 5) const;
    /// Shots still to go from `shotsNow` (0 when already there).
    std::optional<double> shotsToGo(double target, std::int64_t shotsNow, std::size_t window = 5) const;

private:
    std::vector<double> m_k;
};

} // namespace fxs::widgets
