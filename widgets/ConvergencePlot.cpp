#include "ConvergencePlot.h"

#include "Format.h"
#include "PlotExport.h"

#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <cmath>
#include <qcustomplot.h>

namespace fxs::widgets {

ConvergencePlot::ConvergencePlot(QWidget* parent)
    : QWidget(parent)
{
    m_plot = new QCustomPlot(this);
    m_plot->xAxis->setLabel(tr("shots"));
    m_plot->yAxis->setLabel(tr("split-half CC"));
    m_all = m_plot->addGraph();
    m_all->setName(tr("all q"));
    m_all->setPen(QPen(QColor(30, 90, 200), 1.6));
    m_atQ = m_plot->addGraph();
    m_atQ->setName(tr("at the cursor's q"));
    m_atQ->setPen(QPen(QColor(220, 120, 20), 1.3));
    m_plot->legend->setVisible(true);
    m_plot->legend->setFont(QFont(font().family(), 8));
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignRight | Qt::AlignBottom);
    m_targetLine = new QCPItemStraightLine(m_plot);
    m_targetLine->setPen(QPen(QColor(40, 160, 60), 1.2, Qt::DashLine));
    PlotExport::install(m_plot, {});
    m_targetBox = new QDoubleSpinBox(this);
    m_targetBox->setRange(0.05, 0.999);
    m_targetBox->setDecimals(3);
    m_targetBox->setSingleStep(0.05);
    m_targetBox->setPrefix(tr("target CC "));
    connect(m_targetBox, &QDoubleSpinBox::valueChanged, this, &ConvergencePlot::setTarget);
    m_label = new QLabel(this);
    QFont f = m_label->font();
    f.setBold(true);
    m_label->setFont(f);
    auto* row = new QHBoxLayout;
    row->addWidget(m_label, 1);
    row->addWidget(m_targetBox);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(m_plot, 1);
    layout->addLayout(row);
    setTarget(m_target);
}

void ConvergencePlot::addPoint(std::int64_t shots, double cc, double ccAtQ, double qInvA)
{
    m_shots = shots;
    if (std::isfinite(cc)) {
        m_all->addData(double(shots), cc);
        m_estimate.add(shots, cc);
    }
    if (std::isfinite(ccAtQ)) {
        m_atQ->addData(double(shots), ccAtQ);
        m_atQ->setName(tr("at q = %1 Å⁻¹").arg(qInvA, 0, 'f', 3));
    }
    refresh();
}

void ConvergencePlot::clear()
{
    m_all->data()->clear();
    m_atQ->data()->clear();
    m_estimate.clear();
    m_shots = 0;
    refresh();
}

void ConvergencePlot::setTarget(double target)
{
    m_target = target;
    const QSignalBlocker block(m_targetBox);
    m_targetBox->setValue(target);
    m_targetLine->point1->setCoords(0.0, target);
    m_targetLine->point2->setCoords(1.0, target);
    refresh();
}

QString ConvergencePlot::summary() const
{
    const auto toGo = m_estimate.shotsToGo(m_target, m_shots);
    if (!toGo) {
        return tr("Convergence: waiting for the first snapshots");
    }
    if (*toGo <= 0.0) {
        return tr("Target CC %1 reached at %2 shots").arg(m_target, 0, 'f', 2).arg(Format::count(m_shots));
    }
    // Two significant figures: the model is a guide, more digits would pretend otherwise.
    const double rounded = std::pow(10.0, std::floor(std::log10(*toGo)) - 1.0);
    return tr("≈ %1 shots to go to CC %2")
        .arg(Format::count(std::int64_t(std::round(*toGo / rounded) * rounded)))
        .arg(m_target, 0, 'f', 2);
}

void ConvergencePlot::refresh()
{
    m_plot->xAxis->setRange(0.0, std::max<double>(10.0, double(m_shots)));
    m_plot->yAxis->setRange(std::min(0.0, m_plot->yAxis->range().lower), 1.0);
    m_label->setText(summary());
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace fxs::widgets
