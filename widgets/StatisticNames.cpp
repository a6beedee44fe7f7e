#include "StatisticNames.h"

#include <QObject>

namespace fxs::widgets {

QString StatisticNames::name(ShotStatistic statistic)
{
    switch (statistic) {
    case ShotStatistic::Sum:
        return QObject::tr("total intensity");
    case ShotStatistic::Mean:
        return QObject::tr("mean intensity");
    case ShotStatistic::Max:
        return QObject::tr("brightest pixel");
    case ShotStatistic::Saturated:
        return QObject::tr("saturated pixels");
    case ShotStatistic::MaskedFraction:
        return QObject::tr("masked fraction");
    case ShotStatistic::HitScore:
        return QObject::tr("hit score");
    case ShotStatistic::Particles:
        return QObject::tr("particles per shot");
    }
    return QString::fromLatin1(ShotStats::name(statistic));
}

QString StatisticNames::label(ShotStatistic statistic)
{
    switch (statistic) {
    case ShotStatistic::Sum:
    case ShotStatistic::Mean:
    case ShotStatistic::Max:
        return QObject::tr("%1 (ADU)").arg(name(statistic));
    case ShotStatistic::Saturated:
        return QObject::tr("%1 (count)").arg(name(statistic));
    case ShotStatistic::MaskedFraction:
        return QObject::tr("%1 (0–1 of all pixels)").arg(name(statistic));
    case ShotStatistic::HitScore:
        return QObject::tr("%1 (lit-pixel fraction)").arg(name(statistic));
    case ShotStatistic::Particles:
        return name(statistic);
    }
    return name(statistic);
}

} // namespace fxs::widgets
