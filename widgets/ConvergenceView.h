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
class QCPItemStraightLine;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;

namespace fxs::widgets {

/// Convergence: the split-half C2 correlation against shots (overall and for chosen q), the model's fit and the
/// Spearman–Brown full-data reliability, and in large type the shots still needed to reach a target reliability.
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
    int binOf(double qInvA) const;

    PolarGrid m_grid;
    std::vector<ConvergencePoint> m_points;
    std::vector<std::vector<double>> m_perQ; ///< per point, one value per q bin
    std::vector<double> m_chosenQ;
    QCustomPlot* m_plot = nullptr;
    QCPItemStraightLine* m_targetLine = nullptr;
    QDoubleSpinBox* m_targetBox = nullptr;
    QLineEdit* m_qEdit = nullptr;
    QLabel* m_headline = nullptr;
    QLabel* m_detail = nullptr;
};

} // namespace fxs::widgets
