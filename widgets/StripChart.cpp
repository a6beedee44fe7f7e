#include "StripChart.h"

#include "Format.h"
#include "PlotExport.h"

#include <QLabel>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>

namespace fxs::widgets {

StripChart::StripChart(const QString& title, const QString& unit, QWidget* parent)
    : QWidget(parent)
    , m_title(title)
    , m_unit(unit)
{
    m_plot = new QCustomPlot(this);
    m_plot->setMinimumHeight(80);
    m_graph = m_plot->addGraph();
    m_graph->setName(title);
    m_graph->setPen(QPen(QColor(30, 90, 200), 1.3));
    m_plot->xAxis->setLabel(tr("shot index"));
    // Shot indices are whole numbers: a chart with one point (a remote job's first snapshot) read 48862.2, 48862.4 …
    auto shots = QSharedPointer<QCPAxisTickerFixed>::create();
    shots->setTickStep(1.0);
    shots->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    shots->setTickCount(4);
    m_plot->xAxis->setTicker(shots);
    m_plot->yAxis->setLabel(unit);
    m_plot->axisRect()->setMinimumMargins(QMargins(0, 0, 0, 0));
    m_plot->yAxis->ticker()->setTickCount(3); // a strip chart is read at a glance: three labels, not six
    PlotExport::install(m_plot, {}, [this] { refresh(); });
    m_label = new QLabel(this);
    m_label->setText(QStringLiteral("<b>%1</b>: –").arg(title));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->setSpacing(0);
    layout->addWidget(m_label);
    layout->addWidget(m_plot, 1);
}

void StripChart::append(double x, double y)
{
    m_points.emplace_back(x, y);
    trim();
    refresh();
}

void StripChart::append(const std::vector<std::pair<double, double>>& points)
{
    m_points.insert(m_points.end(), points.begin(), points.end());
    trim();
    refresh();
}

void StripChart::setWindow(double width)
{
    m_window = width;
    trim();
    refresh();
}

void StripChart::setXLabel(const QString& label) { m_plot->xAxis->setLabel(label); }

void StripChart::clear()
{
    m_points.clear();
    refresh();
}

void StripChart::trim()
{
    if (m_points.empty()) {
        return;
    }
    const double oldest = m_points.back().first - m_window;
    while (!m_points.empty() && m_points.front().first < oldest) {
        m_points.pop_front();
    }
}

std::pair<double, double> StripChart::valueRange() const
{
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (const auto& [x, y] : m_points) {
        if (std::isfinite(y)) {
            lo = std::min(lo, y);
            hi = std::max(hi, y);
        }
    }
    if (!(hi >= lo)) {
        return { 0.0, 1.0 };
    }
    const double pad = hi > lo ? 0.05 * (hi - lo) : std::max(std::abs(hi) * 0.05, 1e-9);
    const double edge = std::isfinite(m_boundHi - m_boundLo) ? 0.01 * (m_boundHi - m_boundLo) : 0.0;
    return { std::max(lo - pad, m_boundLo - edge), std::min(hi + pad, m_boundHi + edge) };
}

void StripChart::setValueBounds(double lo, double hi)
{
    m_boundLo = lo;
    m_boundHi = hi;
    refresh();
}

void StripChart::refresh()
{
    QVector<double> xs;
    QVector<double> ys;
    xs.reserve(int(m_points.size()));
    ys.reserve(int(m_points.size()));
    for (const auto& [x, y] : m_points) {
        xs << x;
        ys << y;
    }
    m_graph->setData(xs, ys, true);
    const double last = m_points.empty() ? 0.0 : m_points.back().first;
    const double first = m_points.empty() ? 0.0 : m_points.front().first;
    m_plot->xAxis->setRange(std::max(first, last - m_window), std::max(last, first + 1.0));
    const auto [lo, hi] = valueRange();
    m_plot->yAxis->setRange(lo, hi);
    m_label->setText(
        QStringLiteral("<b>%1</b>: %2 %3")
            .arg(m_title, m_points.empty() ? QStringLiteral("–") : Format::value(m_points.back().second), m_unit));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace fxs::widgets
