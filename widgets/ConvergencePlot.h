#pragma once

#include "ConvergenceEstimate.h"

#include <QWidget>

class QCustomPlot;
class QCPGraph;
class QCPItemStraightLine;
class QDoubleSpinBox;
class QLabel;

namespace fxs::widgets {

/// Split-half C2 correlation against shots (overall and at the cursor's q), the target drawn on it, and
/// "≈ N shots to go" from ConvergenceEstimate, so a scientist can decide when to change the sample.
class ConvergencePlot : public QWidget {
    Q_OBJECT
public:
    explicit ConvergencePlot(QWidget* parent = nullptr);

    /// Adds a snapshot's figures (ccAtQ NaN when unknown).
    void addPoint(std::int64_t shots, double cc, double ccAtQ, double qInvA);
    /// Forgets the run.
    void clear();
    /// The correlation to reach (default 0.9).
    void setTarget(double target);
    /// The line shown under the plot.
    QString summary() const;
    /// The plot (tests, export).
    QCustomPlot* plot() const { return m_plot; }

private:
    void refresh();

    ConvergenceEstimate m_estimate;
    std::int64_t m_shots = 0;
    double m_target = 0.9;
    QCustomPlot* m_plot = nullptr;
    QCPGraph* m_all = nullptr;
    QCPGraph* m_atQ = nullptr;
    QCPItemStraightLine* m_targetLine = nullptr;
    QDoubleSpinBox* m_targetBox = nullptr;
    QLabel* m_label = nullptr;
};

} // namespace fxs::widgets
