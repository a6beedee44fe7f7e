#include "ShotHistogram.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace fxs::widgets {

ShotHistogram ShotHistogram::compute(
    const std::vector<LedgerEntry>& entries, ShotStatistic statistic, int bins, double includeLo, double includeHi)
{
    ShotHistogram h;
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (const auto& e : entries) {
        const double v = e.stats.get(statistic);
        if (std::isfinite(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        } else {
            ++h.notFinite;
        }
    }
    // The limits are drawn on the histogram, so they must be inside it.
    for (double limit : { includeLo, includeHi }) {
        if (std::isfinite(limit)) {
            lo = std::min(lo, limit);
            hi = std::max(hi, limit);
        }
    }
    if (!(hi >= lo)) {
        lo = 0.0;
        hi = 1.0;
    }
    if (hi == lo) {
        const double pad = std::max(std::abs(lo) * 0.05, 0.5);
        lo -= pad;
        hi += pad;
    }
    bins = std::max(bins, 1);
    h.lo = lo;
    h.width = (hi - lo) / bins;
    h.centres.resize(std::size_t(bins));
    h.accepted.assign(std::size_t(bins), 0.0);
    h.vetoed.assign(std::size_t(bins), 0.0);
    for (int i = 0; i < bins; ++i) {
        h.centres[std::size_t(i)] = lo + (i + 0.5) * h.width;
    }
    for (const auto& e : entries) {
        const double v = e.stats.get(statistic);
        if (!std::isfinite(v)) {
            continue;
        }
        const int bin = std::clamp(static_cast<int>((v - lo) / h.width), 0, bins - 1);
        (e.decision.accepted ? h.accepted : h.vetoed)[std::size_t(bin)] += 1.0;
    }
    return h;
}

} // namespace fxs::widgets
