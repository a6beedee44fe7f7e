#include "ConvergenceView.h"

#include "ColorMaps.h"
#include "Format.h"
#include "PlotExport.h"

#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QTextStream>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>

namespace fxs::widgets {

namespace {
const QColor kQColours[] = { QColor(0, 150, 120), QColor(200, 110, 0), QColor(150, 60, 170), QColor(90, 90, 90) };
}

ConvergenceView::ConvergenceView(QWidget* parent)
    : QWidget(parent)
{
    m_headline = new QLabel(tr("Waiting for the first C2 snapshot"), this);
    QFont big = m_headline->font();
    big.setPointSizeF(big.pointSizeF() * 1.6);
    big.setBold(true);
    m_headline->setFont(big);
    m_headline->setWordWrap(true);
    m_headline->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred); // wraps, never widens the dock
    m_detail = new QLabel(this);
    m_detail->setWordWrap(true);
    m_detail->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_targetBox = new QDoubleSpinBox(this);
    m_targetBox->setRange(0.05, 0.999);
    m_targetBox->setDecimals(3);
    m_targetBox->setSingleStep(0.01);
    m_targetBox->setValue(0.9);
    m_targetBox->setToolTip(tr("Target reliability of the full C2 (Spearman–Brown from the split-half correlation)"));
    for (QDoubleSpinBox** box : { &m_qFrom, &m_qTo }) {
        *box = new QDoubleSpinBox(this);
        (*box)->setDecimals(3);
        (*box)->setSingleStep(0.01);
        (*box)->setSuffix(tr(" Å⁻¹"));
        (*box)->setToolTip(tr("q range of interest: the headline follows the slowest q in it (default: every q bin "
                              "with data)"));
        connect(*box, &QDoubleSpinBox::valueChanged, this, [this] { refresh(); });
    }
    m_qEdit = new QLineEdit(this);
    m_qEdit->setPlaceholderText(tr("e.g. 0.2, 0.4"));
    m_qEdit->setToolTip(tr("q values (Å⁻¹) whose own split-half correlation is drawn"));
    m_plot = new QCustomPlot(this);
    m_plot->setMinimumHeight(140);
    m_plot->xAxis->setLabel(tr("shots"));
    m_plot->yAxis->setLabel(tr("split-half correlation"));
    m_plot->legend->setVisible(true);
    m_plot->legend->setFont(QFont(font().family(), 8));
    // Right, half-way up: the converged curves run along the top, a slow q along the bottom.
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignVCenter | Qt::AlignRight);
    m_plot->xAxis->ticker()->setTickCount(4); // shot counts are wide numbers
    auto* measured = m_plot->addGraph();
    measured->setName(tr("split-half CC"));
    measured->setPen(QPen(QColor(30, 90, 200), 1.5));
    measured->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 5));
    auto* fit = m_plot->addGraph();
    fit->setName(tr("model N/(N+k)"));
    fit->setPen(QPen(QColor(30, 90, 200), 1.0, Qt::DashLine));
    auto* full = m_plot->addGraph();
    full->setName(tr("full-data reliability"));
    // Black, with its target: red is the slowest q's alone, the curve a scientist must not miss.
    full->setPen(QPen(Qt::black, 1.5));
    m_targetLine = new QCPItemStraightLine(m_plot);
    m_targetLine->setPen(QPen(Qt::black, 1.0, Qt::DotLine));
    PlotExport::install(
        m_plot, [this] { return csv(); }, [this] { refresh(); });

    buildMap();

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Target reliability"), this));
    controls->addWidget(m_targetBox);
    controls->addSpacing(12);
    controls->addWidget(new QLabel(tr("q of interest"), this));
    controls->addWidget(m_qFrom);
    controls->addWidget(new QLabel(tr("to"), this));
    controls->addWidget(m_qTo);
    controls->addStretch();
    auto* also = new QHBoxLayout; // a second row: the panel stays narrow enough to share a screen
    also->addWidget(new QLabel(tr("Also draw q (Å⁻¹)"), this));
    also->addWidget(m_qEdit, 1);
    auto* plots = new QHBoxLayout;
    plots->addWidget(m_plot, 3);
    plots->addWidget(m_mapPlot, 2);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_headline);
    layout->addWidget(m_detail);
    layout->addLayout(controls);
    layout->addLayout(also);
    layout->addLayout(plots, 1);
    setGrid(m_grid);
    connect(m_targetBox, &QDoubleSpinBox::valueChanged, this, [this] { refresh(); });
    connect(m_qEdit, &QLineEdit::editingFinished, this, [this] {
        std::vector<double> qs;
        for (const QString& part :
            m_qEdit->text().split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts)) {
            bool ok = false;
            const double q = part.toDouble(&ok);
            if (ok) {
                qs.push_back(q);
            }
        }
        m_chosenQ = qs;
        refresh();
    });
}

void ConvergenceView::buildMap()
{
    m_mapPlot = new QCustomPlot(this);
    m_mapPlot->setMinimumSize(160, 140);
    m_mapPlot->xAxis->setLabel(tr("q (Å⁻¹)"));
    m_mapPlot->yAxis->setLabel(tr("q′ (Å⁻¹)"));
    // A narrow map: few q ticks, or their labels run into each other.
    m_mapPlot->xAxis->ticker()->setTickCount(3);
    m_mapPlot->yAxis->ticker()->setTickCount(5);
    m_mapPlot->setToolTip(tr("Split-half correlation of C2(q, q′, Δ) over Δ for each pair (q, q′), newest snapshot: "
                             "dark pairs have not converged"));
    m_map = new QCPColorMap(m_mapPlot->xAxis, m_mapPlot->yAxis);
    auto* scale = new QCPColorScale(m_mapPlot);
    scale->setLabel(tr("split-half correlation"));
    m_mapPlot->plotLayout()->addElement(0, 1, scale);
    m_map->setColorScale(scale);
    m_map->setGradient(ColorMaps::gradient(ColorMap::Viridis));
    m_map->setDataRange(QCPRange(0.0, 1.0)); // fixed: a colour means the same correlation in every snapshot
    m_map->setInterpolate(false);
}

void ConvergenceView::setGrid(const PolarGrid& grid)
{
    m_grid = grid;
    const QSignalBlocker a(m_qFrom), b(m_qTo);
    for (QDoubleSpinBox* box : { m_qFrom, m_qTo }) {
        box->setRange(grid.qMinInvA, grid.qMaxInvA);
    }
    m_qFrom->setValue(grid.qMinInvA);
    m_qTo->setValue(grid.qMaxInvA);
    clear();
}

void ConvergenceView::setQRange(double fromInvA, double toInvA)
{
    {
        const QSignalBlocker a(m_qFrom), b(m_qTo);
        m_qFrom->setValue(std::min(fromInvA, toInvA));
        m_qTo->setValue(std::max(fromInvA, toInvA));
    }
    refresh();
}

std::pair<double, double> ConvergenceView::qRange() const { return { m_qFrom->value(), m_qTo->value() }; }

SlowestQ ConvergenceView::slowest() const
{
    if (m_grid.nQ <= 0 || m_grid.qStep() <= 0.0) {
        return {};
    }
    // Bins whose centre lies inside the range.
    const int first = static_cast<int>(std::ceil((m_qFrom->value() - m_grid.qMinInvA) / m_grid.qStep() - 0.5));
    const int last = static_cast<int>(std::floor((m_qTo->value() - m_grid.qMinInvA) / m_grid.qStep() - 0.5));
    return ConvergenceModel::slowestBin(m_points, m_perQ, first, std::min(last, m_grid.nQ - 1), target());
}

void ConvergenceView::setPairMap(const std::vector<double>& values, int nQ)
{
    if (nQ <= 0 || values.size() != std::size_t(nQ) * std::size_t(nQ)) {
        return;
    }
    const bool gridKnown = m_grid.nQ == nQ;
    const double lo = gridKnown ? m_grid.qCentre(0) : 0.0;
    const double hi = gridKnown ? m_grid.qCentre(nQ - 1) : double(nQ - 1);
    m_map->data()->setSize(nQ, nQ);
    m_map->data()->setRange(QCPRange(lo, hi), QCPRange(lo, hi));
    for (int q = 0; q < nQ; ++q) {
        for (int qp = 0; qp < nQ; ++qp) {
            m_map->data()->setCell(q, qp, values[std::size_t(q) * nQ + qp]);
        }
    }
    m_mapPlot->rescaleAxes();
    m_mapPlot->setVisible(true);
    m_mapPlot->replot(QCustomPlot::rpQueuedReplot);
}

void ConvergenceView::addSnapshot(const C2Snapshot& snapshot)
{
    if (!m_points.empty() && snapshot.shots <= m_points.back().shots) {
        return;
    }
    addPoint(snapshot.shots, snapshot.splitHalfCC, snapshot.splitHalfCCPerQ);
    setPairMap(snapshot.splitHalfCCPerPair, snapshot.nQ);
}

void ConvergenceView::addPoint(std::int64_t shots, double splitHalfCC, const std::vector<double>& perQ)
{
    m_points.push_back({ shots, splitHalfCC });
    m_perQ.push_back(perQ);
    refresh();
}

void ConvergenceView::clear()
{
    m_points.clear();
    m_perQ.clear();
    m_map->data()->clear();
    m_mapPlot->setVisible(false); // until a snapshot brings the pairs (a remote job's do not)
    refresh();
}

void ConvergenceView::setTarget(double target) { m_targetBox->setValue(target); }

double ConvergenceView::target() const { return m_targetBox->value(); }

void ConvergenceView::setChosenQ(const std::vector<double>& qInvA)
{
    m_chosenQ = qInvA;
    QStringList parts;
    for (double q : qInvA) {
        parts << QString::number(q);
    }
    m_qEdit->setText(parts.join(QStringLiteral(", ")));
    refresh();
}

std::optional<double> ConvergenceView::shotsToGo() const { return ConvergenceModel::shotsToGo(m_points, target()); }

QString ConvergenceView::headline() const { return m_headline->text(); }

int ConvergenceView::binOf(double qInvA) const
{
    if (m_grid.nQ <= 0 || m_grid.qStep() <= 0.0) {
        return -1;
    }
    const int bin = static_cast<int>(std::floor((qInvA - m_grid.qMinInvA) / m_grid.qStep()));
    return bin >= 0 && bin < m_grid.nQ ? bin : -1;
}

QString ConvergenceView::csv() const
{
    QString out;
    QTextStream s(&out);
    s << "shots,split_half_cc,full_reliability";
    for (double q : m_chosenQ) {
        s << ",split_half_cc_q" << QString::number(q);
    }
    const int slow = slowest().bin;
    if (slow >= 0) {
        s << ",split_half_cc_slowest_q" << QString::number(m_grid.qCentre(slow));
    }
    s << "\n";
    for (std::size_t i = 0; i < m_points.size(); ++i) {
        const double r = m_points[i].splitHalfCC;
        s << m_points[i].shots << "," << QString::number(r, 'g', 17) << ","
          << QString::number(ConvergenceModel::fullReliability(r), 'g', 17);
        for (double q : m_chosenQ) {
            const int b = binOf(q);
            const bool has = b >= 0 && b < static_cast<int>(m_perQ[i].size());
            s << "," << (has ? QString::number(m_perQ[i][std::size_t(b)], 'g', 17) : QString());
        }
        if (slow >= 0) {
            const bool has = slow < static_cast<int>(m_perQ[i].size());
            s << "," << (has ? QString::number(m_perQ[i][std::size_t(slow)], 'g', 17) : QString());
        }
        s << "\n";
    }
    return out;
}

QString ConvergenceView::qText(int bin) const { return tr("q = %1 Å⁻¹").arg(m_grid.qCentre(bin), 0, 'f', 3); }

// One per-q curve; returns its values (the y range must hold them).
QVector<double> ConvergenceView::addQCurve(int bin, const QString& name, const QPen& pen)
{
    QVector<double> xs;
    QVector<double> ys;
    for (std::size_t i = 0; i < m_points.size(); ++i) {
        if (bin >= 0 && bin < static_cast<int>(m_perQ[i].size())) {
            xs << double(m_points[i].shots);
            ys << m_perQ[i][std::size_t(bin)];
        }
    }
    auto* g = m_plot->addGraph();
    g->setName(name);
    g->setPen(pen);
    g->setData(xs, ys, true);
    return ys;
}

void ConvergenceView::refresh()
{
    refreshCurves();
    refreshHeadline();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void ConvergenceView::refreshCurves()
{
    while (m_plot->graphCount() > 3) {
        m_plot->removeGraph(m_plot->graphCount() - 1);
    }
    QVector<double> n;
    QVector<double> r;
    QVector<double> full;
    for (const auto& p : m_points) {
        n << double(p.shots);
        r << p.splitHalfCC;
        full << ConvergenceModel::fullReliability(p.splitHalfCC);
    }
    m_plot->graph(0)->setData(n, r, true);
    m_plot->graph(2)->setData(n, full, true);
    QVector<double> shown = r; // every value drawn: the y axis holds them all
    shown << full;
    int colour = 0;
    for (double q : m_chosenQ) {
        shown << addQCurve(binOf(q), tr("q = %1 Å⁻¹").arg(q), QPen(kQColours[colour++ % 4], 1.2));
    }
    if (const int slow = slowest().bin; slow >= 0) {
        shown << addQCurve(slow, tr("slowest %1").arg(qText(slow)), QPen(QColor(220, 30, 30), 2.0));
    }
    const auto k = ConvergenceModel::fitK(m_points);
    const double t = target();
    const double lastN = m_points.empty() ? 0.0 : double(m_points.back().shots);
    const double needed = k ? ConvergenceModel::shotsForReliability(*k, t) : 0.0;
    const double xMax = std::max({ 1.0, lastN, k ? std::min(needed, 20.0 * std::max(lastN, 1.0)) : 0.0 }) * 1.05;
    QVector<double> fx;
    QVector<double> fy;
    if (k) {
        for (int i = 1; i <= 100; ++i) {
            fx << xMax * i / 100.0;
            fy << ConvergenceModel::splitHalf(*k, fx.back());
        }
    }
    m_plot->graph(1)->setData(fx, fy, true);
    m_targetLine->point1->setCoords(0.0, t);
    m_targetLine->point2->setCoords(1.0, t);
    m_plot->xAxis->setRange(0.0, xMax);
    // Zoom on where the curves are (a well-converged run sits at 0.99, and its wiggles matter), but every curve,
    // the slowest q's too, stays inside the axes.
    double lowest = t;
    for (double v : shown) {
        if (std::isfinite(v)) {
            lowest = std::min(lowest, v);
        }
    }
    lowest = std::max(-1.0, lowest);
    m_plot->yAxis->setRange(std::max(-1.05, lowest - 0.05 * (1.0 - lowest) - 0.02), 1.0);
}

void ConvergenceView::refreshHeadline()
{
    if (m_points.empty()) {
        m_headline->setText(tr("Waiting for the first C2 snapshot"));
        m_detail->clear();
        return;
    }
    const double t = target();
    const ConvergencePoint& last = m_points.back();
    const QString overall = tr("overall split-half %1 after %2 shots")
                                .arg(QString::number(last.splitHalfCC, 'f', 2), Format::count(last.shots));
    const SlowestQ slow = slowest();
    if (slow.bin >= 0) { // per-q values: the headline is the slowest q of the range of interest
        const QString range = tr("q of interest %1–%2 Å⁻¹").arg(m_qFrom->value(), 0, 'f', 2).arg(m_qTo->value(), 0, 'f', 2);
        if (!slow.shotsToGo) {
            m_headline->setText(tr("Not converging yet at %1").arg(qText(slow.bin)));
        } else if (*slow.shotsToGo <= 0.0) {
            m_headline->setText(tr("Target %1 reached at every q of interest").arg(t));
        } else {
            m_headline->setText(tr("≈ %1 shots to go (slowest: %2)")
                                    .arg(Format::count(std::llround(*slow.shotsToGo)), qText(slow.bin)));
        }
        m_detail->setText(tr("slowest %1: split-half %2, reliability %3 (target %4) · %5 · %6")
                              .arg(qText(slow.bin), QString::number(slow.splitHalfCC, 'f', 2),
                                  QString::number(ConvergenceModel::fullReliability(slow.splitHalfCC), 'f', 2),
                                  QString::number(t), range, overall));
        return;
    }
    const auto togo = shotsToGo();
    if (!togo) {
        m_headline->setText(tr("Not enough signal yet to estimate"));
        m_detail->setText(tr("split-half CC %1 after %2 shots (needs a positive correlation)")
                              .arg(Format::value(last.splitHalfCC), Format::count(last.shots)));
        return;
    }
    const double needed = ConvergenceModel::shotsForReliability(*ConvergenceModel::fitK(m_points), t);
    const double nowFull = ConvergenceModel::fullReliability(last.splitHalfCC);
    m_headline->setText(*togo <= 0.0 ? tr("Target reached: enough shots for %1").arg(t)
                                     : tr("≈ %1 shots to go").arg(Format::count(std::llround(*togo))));
    m_detail->setText(tr("reliability now %1 (split-half %2) after %3 shots; target %4 at ≈ %5 shots (overall: no "
                         "per-q values)")
                          .arg(Format::value(nowFull), Format::value(last.splitHalfCC), Format::count(last.shots),
                              QString::number(t), Format::count(std::llround(needed))));
}

} // namespace fxs::widgets
