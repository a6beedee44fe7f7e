#include "PolarView.h"

#include "Format.h"
#include "PlotExport.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QTextStream>
#include <QVBoxLayout>
#include <cmath>
#include <limits>
#include <qcustomplot.h>

namespace fxs::widgets {

PolarView::PolarView(QWidget* parent)
    : QWidget(parent)
{
    m_plot = new QCustomPlot(this);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->xAxis->setLabel(tr("φ (degrees)"));
    m_plot->yAxis->setLabel(tr("q (Å⁻¹)"));
    m_map = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    m_map->setInterpolate(false);
    auto* scale = new QCPColorScale(m_plot);
    m_plot->plotLayout()->addElement(0, 1, scale);
    m_map->setColorScale(scale);
    scale->setLabel(tr("intensity (ADU)"));
    PlotExport::install(
        m_plot,
        [this] {
            QString out;
            QTextStream s(&out);
            s << "# rows: q bins, columns: phi bins, NaN = masked\n";
            for (int q = 0; q < m_grid.nQ; ++q) {
                for (int p = 0; p < m_grid.nPhi; ++p) {
                    s << (p ? "," : "") << cellValue(q, p);
                }
                s << "\n";
            }
            return out;
        },
        [this] {
            m_plot->rescaleAxes();
            m_plot->replot();
        },
        [this] { setScale(m_scale == IntensityScale::Log ? IntensityScale::Linear : IntensityScale::Log); });
    m_modeCombo = new QComboBox(this);
    m_modeCombo->addItems({ tr("current shot"), tr("mean of the run") });
    connect(m_modeCombo, &QComboBox::currentIndexChanged, this, [this](int i) { setMode(Mode(i)); });
    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("show"), this));
    row->addWidget(m_modeCombo);
    row->addStretch();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(row);
    layout->addWidget(m_plot, 1);
    setColorMap(ColorMap::Viridis);
    setScale(IntensityScale::Log);
}

void PolarView::setGrid(const PolarGrid& grid)
{
    m_grid = grid;
    m_frame.reset();
    m_mean.clear();
    refresh();
}

void PolarView::setFrame(std::shared_ptr<const PolarFrame> frame)
{
    m_frame = std::move(frame);
    if (m_mode == Mode::Current) {
        refresh();
    }
}

void PolarView::setMean(std::vector<double> mean, std::int64_t shots)
{
    m_mean = std::move(mean);
    m_meanShots = shots;
    if (m_mode == Mode::Mean) {
        refresh();
    }
}

void PolarView::setMode(Mode mode)
{
    m_mode = mode;
    const QSignalBlocker block(m_modeCombo);
    m_modeCombo->setCurrentIndex(int(mode));
    refresh();
}

void PolarView::setColorMap(ColorMap map)
{
    m_map->setGradient(ColorMaps::gradient(map));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void PolarView::setScale(IntensityScale scale)
{
    m_scale = scale;
    const bool log = scale == IntensityScale::Log;
    m_map->setDataScaleType(log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    m_map->colorScale()->axis()->setTicker(
        log ? QSharedPointer<QCPAxisTicker>(new QCPAxisTickerLog) : QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    refresh();
}

double PolarView::cellValue(int q, int phi) const
{
    if (q < 0 || phi < 0 || q >= m_grid.nQ || phi >= m_grid.nPhi || m_shown.empty()) {
        return std::nan("");
    }
    return m_shown[std::size_t(q) * m_grid.nPhi + phi];
}

void PolarView::refresh()
{
    const std::size_t n = std::size_t(std::max(0LL, m_grid.size()));
    m_shown.assign(n, std::numeric_limits<float>::quiet_NaN());
    if (m_mode == Mode::Current && m_frame && m_frame->intensity.size() == n && m_frame->weight.size() == n) {
        for (std::size_t i = 0; i < n; ++i) {
            if (m_frame->weight[i] > 0.0f) {
                m_shown[i] = m_frame->intensity[i];
            }
        }
    } else if (m_mode == Mode::Mean && m_mean.size() == n) {
        std::copy(m_mean.begin(), m_mean.end(), m_shown.begin());
    }
    const bool log = m_scale == IntensityScale::Log;
    m_levels = ImageLevels::percentileLevels(m_shown, 1.0, 99.5, log);
    QCPColorMapData* d = m_map->data();
    d->setSize(m_grid.nPhi, m_grid.nQ);
    d->setRange(QCPRange(m_grid.phiCentre(0) * 180.0 / M_PI, m_grid.phiCentre(m_grid.nPhi - 1) * 180.0 / M_PI),
        QCPRange(m_grid.qCentre(0), m_grid.qCentre(m_grid.nQ - 1)));
    for (int q = 0; q < m_grid.nQ; ++q) {
        for (int p = 0; p < m_grid.nPhi; ++p) {
            double v = m_shown[std::size_t(q) * m_grid.nPhi + p];
            if (log && v <= 0.0) {
                v = 1e-30;
            }
            d->setCell(p, q, ColorMaps::transform(v, m_scale));
        }
    }
    m_map->setDataRange(
        QCPRange(ColorMaps::transform(m_levels.low, m_scale), ColorMaps::transform(m_levels.high, m_scale)));
    m_map->colorScale()->setLabel(
        m_mode == Mode::Mean ? tr("mean intensity, %1 shots").arg(Format::count(m_meanShots)) : tr("intensity (ADU)"));
    m_plot->rescaleAxes();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace fxs::widgets
