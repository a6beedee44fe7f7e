#pragma once

#ifndef Q_MOC_RUN
#include <fxs/pipeline/VetoCounts.h>
#endif

#include <QObject>
#include <QString>

namespace fxs::widgets {

/// The one model of a run's shot counts (read, vetoed by rule and by hand, in C2, pending re-evaluation,
/// unreachable) that the Vetoes panel, the health bar and the C2 explorer all show: each redraws from it on
/// changed(), so at every moment they show the same figures. No panel keeps a counter of its own.
class ShotCountsModel : public QObject {
    Q_OBJECT
public:
    explicit ShotCountsModel(QObject* parent = nullptr);

    /// New counts (taken together at one moment by the engine); emits changed() when they differ.
    void setCounts(const VetoCounts& counts);
    /// The counts now.
    const VetoCounts& counts() const { return m_counts; }
    /// "1,234 shots in C2".
    QString inC2Text() const;
    /// The state of the exact vetoes: "Re-evaluating 1,234 shots… 45 %" while the C2 is being corrected, then
    /// "C2 exact again: 1,234 shots re-evaluated", and how many shots could not be reached; empty before any change.
    QString reevaluationText() const;
    /// True while the re-evaluation text reports a problem (shots that could not be reached).
    bool hasUnreachable() const { return m_counts.unreachable > 0; }

signals:
    /// The counts changed: every view redraws its figures now.
    void changed();

private:
    VetoCounts m_counts;
};

} // namespace fxs::widgets
