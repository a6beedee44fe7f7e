#pragma once

#ifndef Q_MOC_RUN
#include <fxs/correlation/C2Snapshot.h>
#include <fxs/invariants/KamInvariants.h>
#include <fxs/polar/PolarGrid.h>
#endif

#include <QWidget>
#include <vector>

class QCustomPlot;
class QCPColorMap;
class QCPColorScale;
class QLabel;
class QSpinBox;

namespace fxs::widgets {

/// Invariants: the Kam invariant B_l(q, q') of a chosen even l as a map over (q, q'), and the SAXS curve S(q).
class InvariantsView : public QWidget {
    Q_OBJECT
public:
    explicit InvariantsView(QWidget* parent = nullptr);

    /// Shows new invariants (keeps the chosen l when it still exists).
    void setInvariants(const KamInvariants& invariants);
    /// Shows a SAXS curve (q in Å⁻¹, intensity in ADU per shot).
    void setSaxs(const std::vector<double>& qInvA, const std::vector<double>& intensity);
    /// Shows nothing (a new source): no map, no SAXS curve.
    void clear();
    /// The SAXS curve of a snapshot: the mean image averaged over φ where it was ever valid.
    static std::pair<std::vector<double>, std::vector<double>> saxsFromSnapshot(
        const C2Snapshot& snapshot, const PolarGrid& grid);
    /// Shows B_l for this even l.
    void setL(int l);
    /// The l shown.
    int l() const;
    /// The value the map shows at (q, q') bin indices (tests).
    double mapValue(int q, int qp) const;
    /// The invariants shown.
    const KamInvariants& invariants() const { return m_invariants; }
    /// The map plot (export).
    QCustomPlot* mapPlot() const { return m_map; }
    /// The SAXS plot (export).
    QCustomPlot* saxsPlot() const { return m_saxs; }
    /// CSV of B_l shown: q, q', value.
    QString mapCsv() const;

private:
    void showMap();

    KamInvariants m_invariants;
    bool m_shownOnce = false;
    QSpinBox* m_l = nullptr;
    QLabel* m_info = nullptr;
    QCustomPlot* m_map = nullptr;
    QCPColorMap* m_colorMap = nullptr;
    QCPColorScale* m_scale = nullptr;
    QCustomPlot* m_saxs = nullptr;
};

} // namespace fxs::widgets
