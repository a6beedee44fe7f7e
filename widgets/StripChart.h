#pragma once

#include <QWidget>
#include <deque>
#include <limits>
#include <utility>
#include <vector>

class QCustomPlot;
class QCPGraph;
class QLabel;

namespace fxs::widgets {

/// A rolling plot of one scalar (shot rate, hit rate, accepted fraction, mean intensity) against shot
/// index or time: only the last `window` units of x are kept and the y axis follows the visible data.
class StripChart : public QWidget {
    Q_OBJECT
public:
    /// `title` e.g. "shot rate", `unit` e.g. "Hz".
    StripChart(const QString& title, const QString& unit, QWidget* parent = nullptr);

    /// Appends one point (x must not decrease); drops points older than the window.
    void append(double x, double y);
    /// Appends a batch (the lossless scalar queue drained at once), replotting once.
    void append(const std::vector<std::pair<double, double>>& points);
    /// Width of the rolling window in x units (shots or seconds).
    void setWindow(double width);
    /// Label of the x axis ("shot index" or "time (s)").
    void setXLabel(const QString& label);
    /// Removes every point.
    void clear();
    /// The points kept (inside the window).
    std::vector<std::pair<double, double>> points() const { return { m_points.begin(), m_points.end() }; }
    /// The y range shown: visible min and max, padded by 5 %, kept within the bounds (padding past a bound is cut
    /// to 1 % of the bounds' span, so that a line on the bound stays visible).
    std::pair<double, double> valueRange() const;
    /// Values that cannot lie outside [lo, hi] (a percentage: 0 … 100): the axis never shows past them.
    void setValueBounds(double lo, double hi);
    /// The plot (tests, export).
    QCustomPlot* plot() const { return m_plot; }

private:
    void trim();
    void refresh();

    QString m_title;
    QString m_unit;
    double m_window = 2000.0;
    double m_boundLo = -std::numeric_limits<double>::infinity();
    double m_boundHi = std::numeric_limits<double>::infinity();
    std::deque<std::pair<double, double>> m_points;
    QCustomPlot* m_plot = nullptr;
    QCPGraph* m_graph = nullptr;
    QLabel* m_label = nullptr;
};

} // namespace fxs::widgets
