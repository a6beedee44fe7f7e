#pragma once

#ifndef Q_MOC_RUN
#include "ConvergenceModel.h"

#include <fxs/correlation/C2Snapshot.h>
#include <fxs/polar/PolarGrid.h>
#endif

#include <QWidget>
#include <optional>
#include <vector>

class QCustomPlot;
class QCPColorMap;
class QCPItemStraightLine;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;

namespace fxs::widgets {

/// Convergence: the split-half C2 correlation against shots (overall, the slowest q and chosen q), the model's fit
/// and the Spearman–Brown full-data reliability, in large type the shots still needed for the slowest q of the q
/// range of interest to reach a target reliability, and a q × q′ map of the newest split-half correlation.
class ConvergenceView : public QWidget {
    Q_OBJECT
public:
    explicit ConvergenceView(QWidget* parent = nullptr);

    /// The polar grid (maps the chosen q in Å⁻¹ to bins); clears the history.
    void setGrid(const PolarGrid& grid);
    /// Adds one measurement from a snapshot (ignored when its shot count did not grow).
    void addSnapshot(const C2Snapshot& snapshot);
    /// Adds one overall measurement with per-q values (one per q bin, may be empty).
    void addPoint(std::int64_t shots, double splitHalfCC, const std::vector<double>& perQ = {});
    /// Shows the split-half correlation of each pair (q, q′) (nQ × nQ, row-major) as the map.
    void setPairMap(const std::vector<double>& values, int nQ);
    /// The q range of interest (Å⁻¹): the headline follows its slowest q (default: the whole grid, bins with data).
    void setQRange(double fromInvA, double toInvA);
    /// The q range of interest (Å⁻¹).
    std::pair<double, double> qRange() const;
    /// The slowest q bin of the range (the headline's).
    SlowestQ slowest() const;
    /// The q × q′ map (tests).
    QCPColorMap* pairMap() const { return m_map; }
    /// Removes every measurement.
    void clear();
    /// Target full-data reliability (0 … 1, default 0.9).
    void setTarget(double target);
    /// The target reliability.
    double target() const;
    /// Chosen q values (Å⁻¹) whose own split-half curves are drawn.
    void setChosenQ(const std::vector<double>& qInvA);
    /// Shots still needed (nothing when the model cannot be fitted yet).
    std::optional<double> shotsToGo() const;
    /// The headline text ("≈ 12,000 shots to go").
    QString headline() const;
    /// The measurements so far.
    const std::vector<ConvergencePoint>& points() const { return m_points; }
    /// The plot (export, tests).
    QCustomPlot* plot() const { return m_plot; }
    /// CSV of every curve: shots and each column plotted.
    QString csv() const;

private:
    void refresh();
    void refreshCurves();
    void refreshHeadline();
    QVector<double> addQCurve(int bin, const QString& name, const QPen& pen);
    int binOf(double qInvA) const;
    QString qText(int bin) const;
    void buildMap();

    PolarGrid m_grid;
    std::vector<ConvergencePoint> m_points;
    std::vector<std::vector<double>> m_perQ; ///< per point, one value per q bin
    std::vector<double> m_chosenQ;
    QCustomPlot* m_plot = nullptr;
    QCPItemStraightLine* m_targetLine = nullptr;
    QDoubleSpinBox* m_targetBox = nullptr;
    QLineEdit* m_qEdit = nullptr;
    QDoubleSpinBox* m_qFrom = nullptr;
    QDoubleSpinBox* m_qTo = nullptr;
    QCustomPlot* m_mapPlot = nullptr;
    QCPColorMap* m_map = nullptr;
    QLabel* m_headline = nullptr;
    QLabel* m_detail = nullptr;
};

} // namespace fxs::widgets
