#pragma once

#include <fxs/shots/ShotLedger.h>
#include <fxs/shots/ShotStats.h>
#include <vector>

namespace fxs::widgets {

/// A histogram of one shot statistic over the ledger, accepted and vetoed shots counted apart.
struct ShotHistogram {
    double lo = 0.0; ///< left edge of the first bin
    double width = 1.0; ///< bin width
    std::vector<double> centres;
    std::vector<double> accepted; ///< accepted shots per bin
    std::vector<double> vetoed; ///< vetoed shots per bin
    std::int64_t notFinite = 0; ///< shots whose statistic is NaN (not binned)

    /// Bins the statistic over `bins` equal bins spanning the finite values and the finite limits given.
    static ShotHistogram compute(
        const std::vector<LedgerEntry>& entries, ShotStatistic statistic, int bins, double includeLo, double includeHi);
};

} // namespace fxs::widgets
