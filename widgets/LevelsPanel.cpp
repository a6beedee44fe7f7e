#include "LevelsPanel.h"

#include "Format.h"
#include "PlotExport.h"

#include <QCheckBox>
#include <QDoubleValidator>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>
#include <qcustomplot.h>

namespace fxs::widgets {

LevelsPanel::LevelsPanel(QWidget* parent)
    : QWidget(parent)
{
    m_plot = new QCustomPlot(this);
    m_plot->setMinimumHeight(70);
    m_plot->setMaximumHeight(110);
    m_bars = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    m_bars->setPen(Qt::NoPen);
    m_bars->setBrush(QColor(90, 90, 90));
    m_bars->setWidthType(QCPBars::wtPlotCoords);
    m_plot->yAxis->setScaleType(QCPAxis::stLogarithmic);
    m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    m_plot->yAxis->setTickLabels(false);
    m_plot->xAxis->setLabel(tr("intensity (ADU)"));
    for (QCPItemStraightLine** line : { &m_lowLine, &m_highLine }) {
        *line = new QCPItemStraightLine(m_plot);
        (*line)->setPen(QPen(QColor(220, 60, 30), 1.5));
    }
    PlotExport::install(m_plot, {});

    m_low = new QLineEdit(this);
    m_high = new QLineEdit(this);
    for (QLineEdit* e : { m_low, m_high }) {
        e->setValidator(new QDoubleValidator(e));
        e->setMaximumWidth(90);
        connect(e, &QLineEdit::editingFinished, this, &LevelsPanel::commitTyped);
    }
    m_lock = new QCheckBox(tr("Lock levels"), this);
    m_auto = new QPushButton(tr("Auto 1–99.5 %"), this);
    connect(m_lock, &QCheckBox::toggled, this, &LevelsPanel::lockToggled);
    connect(m_auto, &QPushButton::clicked, this, &LevelsPanel::autoRequested);

    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("min"), this));
    row->addWidget(m_low);
    row->addWidget(new QLabel(tr("max"), this));
    row->addWidget(m_high);
    row->addWidget(m_lock);
    row->addWidget(m_auto);
    row->addStretch();
    auto* col = new QVBoxLayout(this);
    col->setContentsMargins(0, 0, 0, 0);
    col->addWidget(m_plot);
    col->addLayout(row);
}

void LevelsPanel::setHistogram(const Histogram& h)
{
    QVector<double> keys;
    QVector<double> counts;
    for (std::size_t i = 0; i < h.counts.size(); ++i) {
        keys << h.binCentre(i);
        counts << std::max(h.counts[i], 0.5); // an empty bin still sits on the log axis
    }
    m_plot->xAxis->setScaleType(h.logBins ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (h.logBins) {
        m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    } else {
        m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    }
    m_bars->setWidthType(h.logBins ? QCPBars::wtAxisRectRatio : QCPBars::wtPlotCoords);
    m_bars->setWidth(h.logBins ? 1.0 / double(std::max<std::size_t>(1, h.counts.size()))
                               : (h.high - h.low) / double(std::max<std::size_t>(1, h.counts.size())));
    m_bars->setData(keys, counts, true);
    m_plot->xAxis->setRange(h.low, h.high);
    m_plot->yAxis->rescale();
    m_plot->yAxis->setRangeLower(0.5);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void LevelsPanel::setLevels(const Levels& levels)
{
    for (auto [edit, value] : { std::pair { m_low, levels.low }, std::pair { m_high, levels.high } }) {
        if (!(edit->hasFocus() && edit->isModified())) { // never overwrite what the user is typing
            edit->setText(Format::value(value));
        }
    }
    m_lowLine->point1->setCoords(levels.low, 0.0);
    m_lowLine->point2->setCoords(levels.low, 1.0);
    m_highLine->point1->setCoords(levels.high, 0.0);
    m_highLine->point2->setCoords(levels.high, 1.0);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void LevelsPanel::setLocked(bool locked)
{
    const QSignalBlocker block(m_lock);
    m_lock->setChecked(locked);
}

void LevelsPanel::commitTyped()
{
    bool okLow = false;
    bool okHigh = false;
    const double low = m_low->text().toDouble(&okLow);
    const double high = m_high->text().toDouble(&okHigh);
    m_low->setModified(false);
    m_high->setModified(false);
    if (okLow && okHigh && high > low) {
        setLocked(true);
        emit levelsEdited({ low, high });
    }
}

} // namespace fxs::widgets
