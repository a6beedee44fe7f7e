#include "ReconstructionView.h"

#include "ColorMaps.h"
#include "Format.h"
#include "PlotExport.h"

#include <QComboBox>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <limits>
#include <qcustomplot.h>

namespace fxs::widgets {

namespace {
const char* const kAxisNames[] = { "x", "y", "z" };
const QColor kLColours[] = { QColor(200, 110, 0), QColor(0, 150, 120), QColor(150, 60, 170), QColor(90, 90, 90) };
constexpr int kMaxLCurves = 4;
}

ReconstructionView::ReconstructionView(QWidget* parent)
    : QWidget(parent)
{
    buildUi();
    setRunning(false);
    setInvariantsAvailable(false, tr("waiting for invariants from a C2 snapshot"));
}

void ReconstructionView::buildUi()
{
    m_grid = new QSpinBox(this);
    m_grid->setRange(16, 128);
    m_grid->setSingleStep(16);
    m_grid->setValue(32);
    m_grid->setSuffix(QStringLiteral("³"));
    m_grid->setToolTip(tr("Grid of the density (voxels per side, even)"));
    m_starts = new QSpinBox(this);
    m_starts->setRange(1, 10);
    m_starts->setValue(2);
    m_starts->setToolTip(tr("Random starts; the one with the lowest real-space error is kept"));
    m_cycles = new QSpinBox(this);
    m_cycles->setRange(1, 10);
    m_cycles->setValue(3);
    m_cycles->setToolTip(tr("Cycles of 60 HIO, shrink-wrap, 40 ER (then 100 ER)"));
    m_mode = new QComboBox(this);
    m_mode->addItems({ tr("Central slices"), tr("Projections") });
    m_start = new QPushButton(tr("▶ Reconstruct"), this);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_save = new QPushButton(tr("Save MRC…"), this);
    m_save->setEnabled(false);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_errors = new QCustomPlot(this);
    m_errors->setMinimumHeight(130);
    m_errors->xAxis->setLabel(tr("iteration"));
    m_errors->yAxis->setLabel(tr("relative error"));
    m_errors->yAxis->setScaleType(QCPAxis::stLogarithmic);
    m_errors->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    m_errors->legend->setVisible(true);
    m_errors->legend->setFont(QFont(font().family(), 8));
    auto* real = m_errors->addGraph();
    real->setName(tr("real space (support)"));
    real->setPen(QPen(QColor(30, 90, 200), 1.5));
    PlotExport::install(m_errors, {}, [this] {
        m_errors->rescaleAxes();
        m_errors->replot();
    });
    auto* images = new QHBoxLayout;
    for (int axis = 0; axis < 3; ++axis) {
        m_density[axis] = new QCustomPlot(this);
        m_density[axis]->setMinimumSize(120, 120);
        m_maps[axis] = new QCPColorMap(m_density[axis]->xAxis, m_density[axis]->yAxis);
        m_maps[axis]->setGradient(ColorMaps::gradient(ColorMap::Viridis));
        m_maps[axis]->setInterpolate(false);
        PlotExport::install(m_density[axis], {});
        QCustomPlot* plot = m_density[axis];
        // Voxels are cubes: keep the axes' scales equal whatever the panel's shape (re-done on every replot,
        // because the ratio depends on the widget's size).
        connect(plot, &QCustomPlot::beforeReplot, plot, [plot] { plot->yAxis->setScaleRatio(plot->xAxis, 1.0); });
        images->addWidget(m_density[axis], 1);
    }
    auto* controls = new QGridLayout;
    controls->addWidget(new QLabel(tr("Grid"), this), 0, 0);
    controls->addWidget(m_grid, 0, 1);
    controls->addWidget(new QLabel(tr("Starts"), this), 0, 2);
    controls->addWidget(m_starts, 0, 3);
    controls->addWidget(new QLabel(tr("Cycles"), this), 0, 4);
    controls->addWidget(m_cycles, 0, 5);
    controls->addWidget(m_start, 1, 0, 1, 2);
    controls->addWidget(m_cancel, 1, 2, 1, 2);
    controls->addWidget(m_save, 1, 4, 1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(controls);
    layout->addWidget(m_status);
    layout->addWidget(m_errors, 1);
    layout->addWidget(m_mode);
    layout->addLayout(images, 1);
    connect(m_start, &QPushButton::clicked, this, [this] { emit startRequested(config()); });
    connect(m_cancel, &QPushButton::clicked, this, &ReconstructionView::cancelRequested);
    connect(m_save, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Save the density"), QStringLiteral("reconstruction.mrc"), tr("MRC map (*.mrc)"));
        if (!path.isEmpty()) {
            emit saveRequested(path);
        }
    });
    connect(m_mode, &QComboBox::currentIndexChanged, this, [this] { showDensity(); });
}

MtipConfig ReconstructionView::config() const
{
    MtipConfig c;
    c.gridSize = m_grid->value() / 2 * 2;
    c.starts = m_starts->value();
    c.schedule = MtipConfig::cycles(m_cycles->value(), 60, 40, 100);
    c.densityEvery = 10; // a fresh picture every 10 iterations: cheap next to an iteration at 32³–64³
    return c;
}

void ReconstructionView::reset()
{
    while (m_errors->graphCount() > 1) {
        m_errors->removeGraph(m_errors->graphCount() - 1);
    }
    m_errors->graph(0)->data()->clear();
    m_n = 0;
    m_values.clear();
    m_iterationsPerStart = 0;
    m_save->setEnabled(false);
    showDensity();
    m_errors->replot(QCustomPlot::rpQueuedReplot);
}

void ReconstructionView::addProgress(const MtipProgress& p)
{
    m_iterationsPerStart = p.iterations;
    const double x = double(p.start) * p.iterations + p.iteration;
    m_errors->graph(0)->addData(x, p.realSpaceError);
    const int curves = std::min<int>(kMaxLCurves, int(p.invariantError.size()) - 1);
    for (int i = 0; i < curves; ++i) {
        // l = 0 is fitted exactly by the magnitude projection; l = 2, 4, … say whether the structure fits.
        const int l = 2 * (i + 1);
        while (m_errors->graphCount() <= i + 1) {
            auto* g = m_errors->addGraph();
            g->setName(tr("invariants l = %1").arg(2 * m_errors->graphCount() - 2));
            g->setPen(QPen(kLColours[(m_errors->graphCount() - 2) % 4], 1.0));
        }
        m_errors->graph(i + 1)->addData(x, p.invariantError[std::size_t(l / 2)]);
    }
    fitErrorRange();
    m_errors->replot(QCustomPlot::rpQueuedReplot);
    m_status->setText(tr("Start %1 of %2, iteration %3 of %4 (%5) · real-space error %6")
                          .arg(p.start + 1)
                          .arg(p.starts)
                          .arg(p.iteration)
                          .arg(p.iterations)
                          .arg(p.kind == MtipStep::Kind::Hio ? QStringLiteral("HIO") : QStringLiteral("ER"))
                          .arg(Format::value(p.realSpaceError)));
    if (!p.density.empty()) {
        int n = 1;
        while (std::size_t(n) * n * n < p.density.size()) {
            ++n;
        }
        setDensity(n, p.density);
    }
}

void ReconstructionView::fitErrorRange()
{
    // The first iterations from a random start are orders of magnitude off: scale to what follows them.
    m_errors->rescaleAxes();
    double lo = std::numeric_limits<double>::infinity();
    double hi = 0.0;
    for (int g = 0; g < m_errors->graphCount(); ++g) {
        for (auto it = m_errors->graph(g)->data()->constBegin(); it != m_errors->graph(g)->data()->constEnd(); ++it) {
            if (std::fmod(it->key, double(std::max(1, m_iterationsPerStart))) > 5.0 && it->value > 0.0) {
                lo = std::min(lo, it->value);
                hi = std::max(hi, it->value);
            }
        }
    }
    if (hi > 0.0 && lo < hi) {
        m_errors->yAxis->setRange(lo / 2.0, hi * 2.0);
    }
}

void ReconstructionView::setDensity(int n, const std::vector<float>& density)
{
    if (n <= 0 || density.size() != std::size_t(n) * n * n) {
        return;
    }
    m_n = n;
    m_values = density;
    showDensity();
}

void ReconstructionView::setDensityMode(DensityMode mode) { m_mode->setCurrentIndex(int(mode)); }

std::vector<double> ReconstructionView::densityImage(
    int n, const std::vector<float>& density, int axis, DensityMode mode)
{
    std::vector<double> image(std::size_t(n) * n, 0.0);
    if (n <= 0 || density.size() != std::size_t(n) * n * n || axis < 0 || axis > 2) {
        return image;
    }
    for (int row = 0; row < n; ++row) {
        for (int col = 0; col < n; ++col) {
            double value = 0.0;
            const int from = mode == DensityMode::Slices ? n / 2 : 0;
            const int to = mode == DensityMode::Slices ? n / 2 + 1 : n;
            for (int k = from; k < to; ++k) {
                // (ix, iy, iz): the axis gets k, the other two (col, row) in x, y, z order.
                const int ix = axis == 0 ? k : col;
                const int iy = axis == 1 ? k : (axis == 0 ? col : row);
                const int iz = axis == 2 ? k : row;
                value += density[(std::size_t(iz) * n + iy) * n + ix];
            }
            image[std::size_t(row) * n + col] = value;
        }
    }
    return image;
}

void ReconstructionView::showDensity()
{
    const auto mode = DensityMode(m_mode->currentIndex());
    for (int axis = 0; axis < 3; ++axis) {
        QCPColorMap* map = m_maps[axis];
        const auto image = densityImage(m_n, m_values, axis, mode);
        map->data()->setSize(m_n, m_n);
        map->data()->setRange(QCPRange(0, std::max(0, m_n - 1)), QCPRange(0, std::max(0, m_n - 1)));
        for (int row = 0; row < m_n; ++row) {
            for (int col = 0; col < m_n; ++col) {
                map->data()->setCell(col, row, image[std::size_t(row) * m_n + col]);
            }
        }
        map->rescaleDataRange(true);
        map->setVisible(m_n > 0); // no density yet: an empty frame, not a purple square
        const char* cols = axis == 0 ? "y" : "x";
        const char* rows = axis == 2 ? "y" : "z";
        m_density[axis]->xAxis->setLabel(QString::fromLatin1(cols));
        m_density[axis]->yAxis->setLabel(QString::fromLatin1(rows));
        m_density[axis]->setToolTip(
            (mode == DensityMode::Slices ? tr("central slice %1 = 0") : tr("projection along %1"))
                .arg(QString::fromLatin1(kAxisNames[axis])));
        m_density[axis]->rescaleAxes();
        m_density[axis]->replot(QCustomPlot::rpQueuedReplot);
    }
}

double ReconstructionView::densityValue(int axis, int column, int row) const
{
    return m_maps[axis]->data()->cell(column, row);
}

void ReconstructionView::setFinished(const MtipResult& result)
{
    setRunning(false);
    setDensity(result.gridSize, result.density);
    m_save->setEnabled(!result.density.empty());
    m_status->setText((result.cancelled ? tr("Cancelled after %1 iterations; best start %2, real-space error %3")
                                        : tr("Done: %1 iterations; best start %2, real-space error %3"))
                          .arg(result.iterationsRun)
                          .arg(result.bestStart + 1)
                          .arg(Format::value(result.realSpaceError)));
}

void ReconstructionView::showDensityFrom(int n, const std::vector<float>& density, const QString& status)
{
    reset();
    setDensity(n, density);
    m_status->setText(status);
}

void ReconstructionView::setFailed(const QString& message)
{
    setRunning(false);
    m_status->setText(tr("Reconstruction failed: %1").arg(message));
}

void ReconstructionView::setRunning(bool running)
{
    m_start->setEnabled(!running && m_start->property("available").toBool());
    m_cancel->setEnabled(running);
    m_grid->setEnabled(!running);
    m_starts->setEnabled(!running);
    m_cycles->setEnabled(!running);
    if (running) {
        m_save->setEnabled(false);
    }
}

void ReconstructionView::setInvariantsAvailable(bool available, const QString& why)
{
    m_start->setProperty("available", available);
    m_start->setEnabled(available && !m_cancel->isEnabled());
    m_start->setToolTip(available ? tr("Start M-TIP on the newest invariants") : why);
    if (!available && !m_cancel->isEnabled()) {
        m_status->setText(tr("Not ready: %1").arg(why));
    } else if (available && m_status->text().startsWith(tr("Not ready"))) {
        m_status->setText(tr("Ready: invariants from the newest C2 snapshot"));
    }
}

QString ReconstructionView::status() const { return m_status->text(); }

} // namespace fxs::widgets
