#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace fxs::widgets {

/// One measurement of the split-half C2 correlation: total shots so far and the even/odd halves' Pearson r.
struct ConvergencePoint {
    std::int64_t shots = 0;
    double splitHalfCC = 0.0;
};

/// The q bin that converges last in a range: the one whose own split-half history needs the most shots.
struct SlowestQ {
    int bin = -1; ///< -1: no bin of the range has values
    std::optional<double> shotsToGo; ///< nothing: no positive correlation there yet (it cannot be estimated)
    double splitHalfCC = 0.0; ///< its latest split-half correlation
};

/// How many shots a run still needs, from the split-half correlation (docs/USER_GUIDE.md, "Deciding a sample
/// change"). Model: the C2 is a fixed signal plus noise whose variance falls as 1/N, so the correlation of two
/// halves of N/2 shots each is r(N) = N / (N + k); the whole data set's reliability follows from Spearman–Brown,
/// ρ(N) = 2r / (1 + r) = 2N / (2N + k), and reaches a target t at N = t·k / (2(1 − t)).
class ConvergenceModel {
public:
    /// Fits k to the points with 0 < r < 1 (each gives k_i = N_i (1/r_i − 1); weighted by r_i², since a
    /// small r is mostly noise); nothing when no point qualifies.
    static std::optional<double> fitK(const std::vector<ConvergencePoint>& points);
    /// The split-half correlation the model predicts at `shots`.
    static double splitHalf(double k, double shots);
    /// Spearman–Brown: the reliability of the full data from the split-half correlation.
    static double fullReliability(double splitHalfCC);
    /// Total shots at which the full-data reliability reaches `target` (0 < target < 1).
    static double shotsForReliability(double k, double target);
    /// Shots still to take to reach `target` after the last point (0 when reached); nothing without a fit.
    static std::optional<double> shotsToGo(const std::vector<ConvergencePoint>& points, double target);
    /// The slowest of bins firstBin … lastBin from per-point, per-bin values (`perQ[i][bin]` beside `points[i]`);
    /// a bin whose newest value is 0 or not finite has no data (outside the detector, masked) and is skipped.
    /// A bin without an estimate counts as slower than any with one.
    static SlowestQ slowestBin(const std::vector<ConvergencePoint>& points,
        const std::vector<std::vector<double>>& perQ, int firstBin, int lastBin, double target);
};

} // namespace fxs::widgets
