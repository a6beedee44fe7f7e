#include "C2SliceView.h"

#include "ColorMaps.h"
#include "Format.h"
#include "ImageLevels.h"
#include "PlotExport.h"
#include "ShotCountsModel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QTextStream>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>

namespace fxs::widgets {

namespace {

QCPColorMap* makeMap(QCustomPlot* plot, const QString& xLabel, const QString& yLabel)
{
    plot->xAxis->setLabel(xLabel);
    plot->yAxis->setLabel(yLabel);
    auto* map = new QCPColorMap(plot->xAxis, plot->yAxis);
    map->setInterpolate(false);
    auto* scale = new QCPColorScale(plot);
    scale->setBarWidth(8);
    plot->plotLayout()->addElement(0, 1, scale);
    map->setColorScale(scale);
    map->setGradient(ColorMaps::gradient(ColorMap::Viridis)); // after setColorScale, which imposes its own
    return map;
}

QCPItemStraightLine* makeLine(QCustomPlot* plot)
{
    auto* line = new QCPItemStraightLine(plot);
    line->setPen(QPen(QColor(230, 40, 40), 1.2, Qt::DashLine));
    return line;
}

// Percentiles rather than min/max: a few hot elements near the self-term would otherwise flatten the map.
void setMapLevels(QCPColorMap* map, const std::vector<double>& values)
{
    std::vector<float> f(values.begin(), values.end());
    const Levels l = ImageLevels::percentileLevels(f, 1.0, 99.0, false);
    map->setDataRange(QCPRange(l.low, l.high));
}

void setVertical(QCPItemStraightLine* line, double x)
{
    line->point1->setCoords(x, 0.0);
    line->point2->setCoords(x, 1.0);
}

void setHorizontal(QCPItemStraightLine* line, double y)
{
    line->point1->setCoords(0.0, y);
    line->point2->setCoords(1.0, y);
}

} // namespace

C2SliceView::C2SliceView(QWidget* parent)
    : QWidget(parent)
{
    m_curvePlot = new QCustomPlot(this);
    m_curvePlot->xAxis->setLabel(tr("Δ (degrees)"));
    m_curvePlot->yAxis->setLabel(tr("C2 (ADU²)"));
    m_c2Graph = m_curvePlot->addGraph();
    m_c2Graph->setName(tr("C2"));
    m_c2Graph->setPen(QPen(QColor(30, 90, 200), 1.6));
    m_diffGraph = m_curvePlot->addGraph();
    m_diffGraph->setName(tr("difference C2 − C2(mean image)"));
    m_diffGraph->setPen(QPen(QColor(220, 120, 20), 1.4));
    // The ± 1 standard error band, on a layer below the curves so that they are drawn over it.
    m_curvePlot->addLayer(QStringLiteral("band"), m_curvePlot->layer(QStringLiteral("main")), QCustomPlot::limBelow);
    m_bandLow = m_curvePlot->addGraph();
    m_bandHigh = m_curvePlot->addGraph();
    for (QCPGraph* g : { m_bandLow, m_bandHigh }) {
        g->setLayer(QStringLiteral("band"));
        g->setPen(QPen(QColor(30, 90, 200, 90), 0.8));
    }
    m_bandHigh->setBrush(QColor(30, 90, 200, 60));
    m_bandHigh->setChannelFillGraph(m_bandLow);
    m_bandHigh->setName(tr("C2 ± 1 standard error"));
    m_bandLow->removeFromLegend();
    // The legend sits below the plot, outside the axes: inside them it hid the curve's end (the self-term rise at
    // Δ → 360°), wherever the data lie.
    m_curvePlot->legend->setVisible(true);
    m_curvePlot->legend->setFont(QFont(font().family(), 8));
    m_curvePlot->axisRect()->insetLayout()->take(m_curvePlot->legend);
    m_curvePlot->plotLayout()->addElement(1, 0, m_curvePlot->legend);
    m_curvePlot->plotLayout()->setRowStretchFactor(1, 0.001);
    m_curvePlot->plotLayout()->setRowSpacing(0);
    m_curvePlot->legend->setWrap(2); // two entries a row: the dock is narrow
    m_curvePlot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst); // rearranges the entries by the wrap
    m_curvePlot->legend->setBorderPen(Qt::NoPen);
    m_curvePlot->legend->setMargins(QMargins(4, 0, 4, 2));
    m_curveDelta = makeLine(m_curvePlot);
    m_curvePlot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);

    m_pairPlot = new QCustomPlot(this);
    m_pairMap = makeMap(m_pairPlot, tr("q (Å⁻¹)"), tr("q′ (Å⁻¹)"));
    m_pairMarker = m_pairPlot->addGraph();
    m_pairMarker->setLineStyle(QCPGraph::lsNone);
    m_pairMarker->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCrossCircle, QColor(230, 40, 40), 12));
    m_diagPlot = new QCustomPlot(this);
    m_diagMap = makeMap(m_diagPlot, tr("Δ (degrees)"), tr("q = q′ (Å⁻¹)"));
    m_diagQ = makeLine(m_diagPlot);
    for (QCPAxis* axis : { m_diagPlot->xAxis, m_curvePlot->xAxis }) {
        auto ticker = QSharedPointer<QCPAxisTickerFixed>::create();
        ticker->setTickStep(90.0); // Δ in quarter turns: the symmetries a scientist looks for
        axis->setTicker(ticker);
    }
    m_diagDelta = makeLine(m_diagPlot);

    connect(m_pairPlot, &QCustomPlot::mousePress, this, &C2SliceView::onPairClick);
    connect(m_diagPlot, &QCustomPlot::mousePress, this, &C2SliceView::onDiagClick);
    connect(m_curvePlot, &QCustomPlot::mousePress, this, &C2SliceView::onCurveClick);
    PlotExport::install(m_curvePlot, {}, [this] {
        m_curvePlot->rescaleAxes();
        m_curvePlot->replot();
    });
    for (auto* p : { m_pairPlot, m_diagPlot }) {
        auto* map = p == m_pairPlot ? m_pairMap : m_diagMap;
        PlotExport::install(p, [map] {
            QString out;
            QTextStream s(&out);
            QCPColorMapData* d = map->data();
            s << "# rows: " << map->valueAxis()->label() << ", columns: " << map->keyAxis()->label() << "\n";
            for (int r = 0; r < d->valueSize(); ++r) {
                for (int c = 0; c < d->keySize(); ++c) {
                    s << (c ? "," : "") << d->cell(c, r);
                }
                s << "\n";
            }
            return out;
        });
    }

    m_quantityCombo = new QComboBox(this);
    m_quantityCombo->addItems({ tr("maps: C2"), tr("maps: difference C2") });
    connect(m_quantityCombo, &QComboBox::currentIndexChanged, this,
        [this](int i) { setMapQuantity(i == 0 ? C2Quantity::C2 : C2Quantity::Difference); });
    m_title = new QLabel(tr("C2: waiting for shots"), this);
    m_title->setWordWrap(true); // one long line made the dock, and the window, 760 px wide at least
    auto* top = new QHBoxLayout;
    top->addWidget(m_title, 1);
    top->addWidget(m_quantityCombo);
    auto* maps = new QHBoxLayout;
    maps->addWidget(m_pairPlot);
    maps->addWidget(m_diagPlot);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(top);
    layout->addWidget(m_curvePlot, 1);
    layout->addLayout(maps, 1);
}

void C2SliceView::setGrid(const PolarGrid& grid)
{
    m_grid = grid;
    setCursor(m_cursor);
}

void C2SliceView::setSnapshot(std::shared_ptr<const C2Snapshot> snapshot)
{
    m_snapshot = std::move(snapshot);
    if (m_snapshot && (m_snapshot->nQ != m_grid.nQ || m_snapshot->nPhi != m_grid.nPhi)) {
        m_grid.nQ = m_snapshot->nQ; // keep the q range, follow the shape: the axes stay meaningful
        m_grid.nPhi = m_snapshot->nPhi;
    }
    if (!m_snapshot) { // a new source: nothing of the last run's C2 stays on screen
        m_c2Graph->data()->clear();
        m_diffGraph->data()->clear();
        m_pairMap->data()->clear();
        m_diagMap->data()->clear();
    }
    setCursor(m_cursor);
    refreshMaps();
}

void C2SliceView::setCursor(const C2Cursor& cursor)
{
    C2Cursor c = cursor;
    c.q = std::clamp(c.q, 0, std::max(0, m_grid.nQ - 1));
    c.qp = std::clamp(c.qp, 0, std::max(0, m_grid.nQ - 1));
    c.k = std::clamp(c.k, 0, std::max(0, m_grid.nPhi - 1));
    const bool kChanged = c.k != m_cursor.k;
    const bool changed = !(c == m_cursor);
    m_cursor = c;
    refreshCurve();
    if (kChanged) {
        refreshMaps();
    }
    refreshCursorItems();
    if (changed) {
        emit cursorChanged(m_cursor);
    }
}

void C2SliceView::setMapQuantity(C2Quantity quantity)
{
    m_mapQuantity = quantity;
    const QSignalBlocker block(m_quantityCombo);
    m_quantityCombo->setCurrentIndex(quantity == C2Quantity::C2 ? 0 : 1);
    refreshMaps();
}

void C2SliceView::setCountsModel(const ShotCountsModel* model)
{
    m_counts = model;
    connect(model, &ShotCountsModel::changed, this, &C2SliceView::refreshTitle);
    refreshTitle();
}

QString C2SliceView::title() const { return m_title->text(); }

QString C2SliceView::shotsText() const
{
    const std::int64_t drawn = m_snapshot ? m_snapshot->shots : 0;
    if (!m_counts) {
        return tr("%1 shots").arg(Format::count(drawn));
    }
    // The run's count (the one the Vetoes panel and the health bar show); the curves and maps are drawn from the
    // newest snapshot, which may be a moment older.
    QString text = m_counts->inC2Text();
    if (m_snapshot && drawn != m_counts->counts().inC2) {
        text += tr(" (drawn from %1)").arg(Format::count(drawn));
    } else if (!m_snapshot && m_counts->counts().inC2 > 0) { // a remote job before its first reduction
        text += tr(" (nothing drawn yet: waiting for the first C2 snapshot)");
    }
    if (m_counts->counts().pending > 0) {
        text += tr(" · re-evaluating %1").arg(Format::count(m_counts->counts().pending));
    }
    return text;
}

void C2SliceView::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    const int wrap = width() < 640 ? 1 : 2;
    if (m_curvePlot->legend->wrap() != wrap) {
        m_curvePlot->legend->setWrap(wrap);
        m_curvePlot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst); // rearranges the entries by the wrap
        m_curvePlot->replot(QCustomPlot::rpQueuedReplot);
    }
}

void C2SliceView::refreshTitle()
{
    const double q = m_grid.qCentre(m_cursor.q);
    const double qp = m_grid.qCentre(m_cursor.qp);
    m_title->setText(tr("<b>C2(q, q′, Δ)</b> at q = %1 Å⁻¹, q′ = %2 Å⁻¹ · Δ = %3° · %4")
                         .arg(q, 0, 'f', 3)
                         .arg(qp, 0, 'f', 3)
                         .arg(m_cursor.k * 360.0 / std::max(1, m_grid.nPhi), 0, 'f', 1)
                         .arg(shotsText()));
}

void C2SliceView::refreshCurve()
{
    refreshTitle();
    if (!m_snapshot || m_snapshot->c2.empty()) {
        return;
    }
    const C2Curve c = C2Slices::versusDelta(*m_snapshot, m_cursor.q, m_cursor.qp);
    const QVector<double> keys(c.deltaDeg.begin(), c.deltaDeg.end());
    m_c2Graph->setData(keys, QVector<double>(c.c2.begin(), c.c2.end()), true);
    refreshBand(c);
    if (c.difference.empty()) {
        m_diffGraph->data()->clear(); // a snapshot without the inter-shot term (a remote job's live C2)
    } else {
        m_diffGraph->setData(keys, QVector<double>(c.difference.begin(), c.difference.end()), true);
    }
    m_diffGraph->setVisible(!c.difference.empty());
    m_curvePlot->xAxis->setRange(0.0, 360.0);
    bool found = false;
    QCPRange range = m_c2Graph->getValueRange(found);
    for (QCPGraph* g : { m_diffGraph, m_bandLow, m_bandHigh }) {
        bool found2 = false;
        const QCPRange r2 = g->visible() ? g->getValueRange(found2) : QCPRange();
        range = found ? (found2 ? QCPRange(std::min(range.lower, r2.lower), std::max(range.upper, r2.upper)) : range)
                      : r2;
        found = found || found2;
    }
    if (found) {
        const double pad = 0.05 * std::max(range.size(), std::abs(range.center()) * 1e-6 + 1e-30);
        m_curvePlot->yAxis->setRange(range.lower - pad, range.upper + pad);
    }
    m_curvePlot->replot(QCustomPlot::rpQueuedReplot);
}

// C2 ± 1 standard error as a filled band; without standard errors (a GPU run, sums from an older file, fewer than two
// shots) no band, and the legend says so rather than drawing a band of zero width.
void C2SliceView::refreshBand(const C2Curve& c)
{
    const bool has = !c.stdError.empty();
    m_bandLow->setVisible(has);
    m_bandHigh->setVisible(has);
    if (!has) {
        m_bandLow->data()->clear();
        m_bandHigh->data()->clear();
        m_bandHigh->setName(tr("no error bars (these sums keep no variance)"));
        return;
    }
    QVector<double> keys, low, high;
    for (std::size_t k = 0; k < c.c2.size(); ++k) {
        keys.push_back(c.deltaDeg[k]);
        low.push_back(c.c2[k] - c.stdError[k]); // NaN stays NaN: a gap in the band where C2 has one
        high.push_back(c.c2[k] + c.stdError[k]);
    }
    m_bandLow->setData(keys, low, true);
    m_bandHigh->setData(keys, high, true);
    m_bandHigh->setName(tr("C2 ± 1 standard error (%1 shots)").arg(Format::count(m_snapshot->shots)));
}

void C2SliceView::refreshMaps()
{
    if (!m_snapshot || m_snapshot->c2.empty()) {
        return;
    }
    const C2Snapshot& s = *m_snapshot;
    const auto pair = C2Slices::mapAtDelta(s, m_cursor.k, m_mapQuantity);
    const auto diag = C2Slices::diagonal(s, m_mapQuantity);
    const double q0 = m_grid.qCentre(0);
    const double q1 = m_grid.qCentre(s.nQ - 1);
    m_pairMap->data()->setSize(s.nQ, s.nQ);
    m_pairMap->data()->setRange(QCPRange(q0, q1), QCPRange(q0, q1));
    for (int q = 0; q < s.nQ; ++q) {
        for (int qp = 0; qp < s.nQ; ++qp) {
            m_pairMap->data()->setCell(q, qp, pair[std::size_t(q) * s.nQ + qp]);
        }
    }
    m_diagMap->data()->setSize(s.nPhi, s.nQ);
    m_diagMap->data()->setRange(QCPRange(0.0, (s.nPhi - 1) * 360.0 / s.nPhi), QCPRange(q0, q1));
    for (int q = 0; q < s.nQ; ++q) {
        for (int k = 0; k < s.nPhi; ++k) {
            m_diagMap->data()->setCell(k, q, diag[std::size_t(q) * s.nPhi + k]);
        }
    }
    setMapLevels(m_pairMap, pair);
    setMapLevels(m_diagMap, diag);
    m_pairPlot->rescaleAxes();
    m_diagPlot->rescaleAxes();
    m_pairPlot->replot(QCustomPlot::rpQueuedReplot);
    m_diagPlot->replot(QCustomPlot::rpQueuedReplot);
}

void C2SliceView::refreshCursorItems()
{
    const double delta = m_cursor.k * 360.0 / std::max(1, m_grid.nPhi);
    m_pairMarker->setData(
        QVector<double> { m_grid.qCentre(m_cursor.q) }, QVector<double> { m_grid.qCentre(m_cursor.qp) });
    setVertical(m_curveDelta, delta);
    setHorizontal(m_diagQ, m_grid.qCentre(m_cursor.q));
    setVertical(m_diagDelta, delta);
    m_pairPlot->replot(QCustomPlot::rpQueuedReplot);
    m_diagPlot->replot(QCustomPlot::rpQueuedReplot);
    m_curvePlot->replot(QCustomPlot::rpQueuedReplot);
}

int C2SliceView::qBin(double qInvA) const { return int(std::floor((qInvA - m_grid.qMinInvA) / m_grid.qStep())); }

int C2SliceView::deltaBin(double deg) const
{
    const int k = int(std::lround(deg / 360.0 * m_grid.nPhi));
    return ((k % m_grid.nPhi) + m_grid.nPhi) % m_grid.nPhi;
}

void C2SliceView::onPairClick(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton) {
        return;
    }
    const double q = m_pairPlot->xAxis->pixelToCoord(event->position().x());
    const double qp = m_pairPlot->yAxis->pixelToCoord(event->position().y());
    setCursor({ qBin(q), qBin(qp), m_cursor.k });
}

void C2SliceView::onDiagClick(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton) {
        return;
    }
    const double delta = m_diagPlot->xAxis->pixelToCoord(event->position().x());
    const int q = qBin(m_diagPlot->yAxis->pixelToCoord(event->position().y()));
    setCursor({ q, q, deltaBin(delta) });
}

void C2SliceView::onCurveClick(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton) {
        return;
    }
    setCursor({ m_cursor.q, m_cursor.qp, deltaBin(m_curvePlot->xAxis->pixelToCoord(event->position().x())) });
}

} // namespace fxs::widgets
