#pragma once

#include <QString>
#include <fxs/shots/ShotStats.h>

namespace fxs::widgets {

/// The words the window uses for the per-shot statistics (ShotStats::name() keeps the machine names for files).
class StatisticNames {
public:
    /// Plain name with its unit, for menus and axes: "hit score (lit-pixel fraction)".
    static QString label(ShotStatistic statistic);
    /// Plain name in running text: "hit score".
    static QString name(ShotStatistic statistic);
};

} // namespace fxs::widgets
