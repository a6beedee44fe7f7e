#include "InvariantsView.h"

#include "ColorMaps.h"
#include "Format.h"
#include "PlotExport.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <QTextStream>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>

namespace fxs::widgets {

InvariantsView::InvariantsView(QWidget* parent)
    : QWidget(parent)
{
    m_l = new QSpinBox(this);
    m_l->setRange(0, 0);
    m_l->setSingleStep(2);
    m_l->setPrefix(QStringLiteral("l = "));
    m_info = new QLabel(tr("No invariants yet (they follow each C2 snapshot)"), this);
    m_map = new QCustomPlot(this);
    m_map->setMinimumSize(220, 200);
    m_colorMap = new QCPColorMap(m_map->xAxis, m_map->yAxis);
    m_colorMap->setGradient(ColorMaps::gradient(ColorMap::Viridis));
    m_colorMap->setInterpolate(false);
    m_scale = new QCPColorScale(m_map);
    m_map->plotLayout()->addElement(0, 1, m_scale);
    m_colorMap->setColorScale(m_scale);
    m_map->xAxis->setLabel(tr("q (Å⁻¹)"));
    m_map->yAxis->setLabel(tr("q' (Å⁻¹)"));
    PlotExport::install(
        m_map, [this] { return mapCsv(); }, [this] { showMap(); });
    m_saxs = new QCustomPlot(this);
    m_saxs->setMinimumSize(220, 150);
    m_saxs->addGraph()->setName(tr("SAXS"));
    m_saxs->graph(0)->setPen(QPen(QColor(30, 90, 200), 1.5));
    m_saxs->xAxis->setLabel(tr("q (Å⁻¹)"));
    m_saxs->yAxis->setLabel(tr("mean intensity (ADU)"));
    m_saxs->yAxis->setScaleType(QCPAxis::stLogarithmic);
    m_saxs->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    PlotExport::install(
        m_saxs, {},
        [this] {
            m_saxs->rescaleAxes();
            m_saxs->replot();
        },
        [this] {
            const bool log = m_saxs->yAxis->scaleType() == QCPAxis::stLogarithmic;
            m_saxs->yAxis->setScaleType(log ? QCPAxis::stLinear : QCPAxis::stLogarithmic);
            m_saxs->yAxis->setTicker(log ? QSharedPointer<QCPAxisTicker>(new QCPAxisTicker)
                                         : QSharedPointer<QCPAxisTicker>(new QCPAxisTickerLog));
            m_saxs->rescaleAxes();
            m_saxs->replot();
        });
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("B_l(q, q') for"), this));
    top->addWidget(m_l);
    top->addWidget(m_info, 1);
    auto* plots = new QHBoxLayout;
    plots->addWidget(m_map, 1);
    plots->addWidget(m_saxs, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(top);
    layout->addLayout(plots, 1);
    connect(m_l, &QSpinBox::valueChanged, this, [this] { showMap(); });
}

void InvariantsView::setInvariants(const KamInvariants& invariants)
{
    m_invariants = invariants;
    // The first invariants show l = 2: B_0 is the SAXS curve again, l = 2 is where anisotropy starts.
    const int keep = m_shownOnce ? m_l->value() : 2;
    m_shownOnce = true;
    m_l->setRange(0, std::max(0, invariants.lMax));
    m_l->setValue(std::min(keep, invariants.lMax) / 2 * 2);
    showMap();
}

void InvariantsView::clear()
{
    m_invariants = {};
    m_shownOnce = false; // the next run's first invariants show l = 2 again
    showMap();
    setSaxs({}, {});
    m_info->setText(tr("No invariants yet (they follow each C2 snapshot)"));
}

void InvariantsView::setL(int l) { m_l->setValue(l); }

int InvariantsView::l() const { return m_l->value(); }

void InvariantsView::showMap()
{
    const auto& inv = m_invariants;
    const int l = m_l->value() / 2 * 2;
    if (inv.nQ <= 0 || l > inv.lMax || inv.qInvA.size() != std::size_t(inv.nQ)) {
        m_colorMap->data()->clear();
        m_map->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    // Cells are centred on the q values; assume a regular spacing (the polar grid's bins).
    const double q0 = inv.qInvA.front();
    const double q1 = inv.qInvA.back();
    m_colorMap->data()->setSize(inv.nQ, inv.nQ);
    m_colorMap->data()->setRange(QCPRange(q0, q1), QCPRange(q0, q1));
    const double* b = inv.matrix(l);
    double lo = 0.0;
    double hi = 0.0;
    for (int q = 0; q < inv.nQ; ++q) {
        for (int qp = 0; qp < inv.nQ; ++qp) {
            const double v = b[std::size_t(q) * inv.nQ + qp];
            m_colorMap->data()->setCell(q, qp, v);
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    }
    m_colorMap->setDataRange(QCPRange(lo, hi > lo ? hi : lo + 1.0));
    m_scale->axis()->setLabel(QStringLiteral("B_%1").arg(l));
    m_map->rescaleAxes();
    m_info->setText(tr("%1 q values, %2–%3 Å⁻¹, even l up to %4; B_%5 from %6 to %7")
                        .arg(inv.nQ)
                        .arg(q0, 0, 'f', 3)
                        .arg(q1, 0, 'f', 3)
                        .arg(inv.lMax)
                        .arg(l)
                        .arg(Format::value(lo), Format::value(hi)));
    m_map->replot(QCustomPlot::rpQueuedReplot);
}

double InvariantsView::mapValue(int q, int qp) const { return m_colorMap->data()->cell(q, qp); }

void InvariantsView::setSaxs(const std::vector<double>& qInvA, const std::vector<double>& intensity)
{
    m_saxs->graph(0)->setData(
        QVector<double>(qInvA.begin(), qInvA.end()), QVector<double>(intensity.begin(), intensity.end()), true);
    m_saxs->rescaleAxes();
    m_saxs->replot(QCustomPlot::rpQueuedReplot);
}

std::pair<std::vector<double>, std::vector<double>> InvariantsView::saxsFromSnapshot(
    const C2Snapshot& snapshot, const PolarGrid& grid)
{
    std::vector<double> q;
    std::vector<double> intensity;
    if (snapshot.meanImage.size() != std::size_t(snapshot.nQ) * snapshot.nPhi || grid.nQ != snapshot.nQ) {
        return { q, intensity };
    }
    for (int i = 0; i < snapshot.nQ; ++i) {
        double sum = 0.0;
        int n = 0;
        for (int j = 0; j < snapshot.nPhi; ++j) {
            const double v = snapshot.meanImage[std::size_t(i) * snapshot.nPhi + j];
            // The mean image is exactly 0 where a bin was never valid (masked, outside the detector).
            if (v != 0.0 && std::isfinite(v)) {
                sum += v;
                ++n;
            }
        }
        if (n > 0) {
            q.push_back(grid.qCentre(i));
            intensity.push_back(sum / n);
        }
    }
    return { q, intensity };
}

QString InvariantsView::mapCsv() const
{
    QString out;
    QTextStream s(&out);
    const int l = m_l->value();
    s << "q_inv_angstrom,qp_inv_angstrom,B_" << l << "\n";
    if (m_invariants.nQ <= 0 || l > m_invariants.lMax) {
        return out;
    }
    for (int q = 0; q < m_invariants.nQ; ++q) {
        for (int qp = 0; qp < m_invariants.nQ; ++qp) {
            s << QString::number(m_invariants.qInvA[q], 'g', 17) << ","
              << QString::number(m_invariants.qInvA[qp], 'g', 17) << ","
              << QString::number(m_invariants.b[m_invariants.at(l, q, qp)], 'g', 17) << "\n";
        }
    }
    return out;
}

} // namespace fxs::widgets
