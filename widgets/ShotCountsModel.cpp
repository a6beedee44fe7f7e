#include "ShotCountsModel.h"

#include "Format.h"

namespace fxs::widgets {

ShotCountsModel::ShotCountsModel(QObject* parent)
    : QObject(parent)
{
}

void ShotCountsModel::setCounts(const VetoCounts& c)
{
    const VetoCounts& o = m_counts;
    const bool same = c.read == o.read && c.refused == o.refused && c.vetoedByHand == o.vetoedByHand
        && c.vetoedByRule == o.vetoedByRule && c.inC2 == o.inC2 && c.pending == o.pending
        && c.unreachable == o.unreachable && c.passTotal == o.passTotal && c.passDone == o.passDone
        && c.lastPassShots == o.lastPassShots && c.spoolBytes == o.spoolBytes && c.problem == o.problem;
    m_counts = c;
    if (!same) {
        emit changed();
    }
}

QString ShotCountsModel::inC2Text() const { return tr("%1 shots in C2").arg(Format::count(m_counts.inC2)); }

QString ShotCountsModel::reevaluationText() const
{
    const VetoCounts& c = m_counts;
    const QString lost = tr("%1 shots could not be reached (polar spool too small) and keep their earlier place in C2")
                             .arg(Format::count(c.unreachable));
    if (c.pending > 0) {
        const double done = c.passTotal > 0 ? double(c.passDone) / double(c.passTotal) : 0.0;
        const QString text = tr("Re-evaluating %1 shots… %2").arg(Format::count(c.pending), Format::percent(done));
        return c.unreachable > 0 ? text + QStringLiteral(" · ") + lost : text;
    }
    if (c.unreachable > 0) {
        return tr("Re-evaluation done, C2 not exact: %1").arg(lost);
    }
    QString text;
    if (c.lastPassShots > 0) {
        text = tr("C2 exact again: %1 shots re-evaluated").arg(Format::count(c.lastPassShots));
    }
    return text;
}

} // namespace fxs::widgets
