#include "DiffractionView.h"

#include "Format.h"
#include "LevelsPanel.h"
#include "PlotExport.h"

#include <QCheckBox>
#include <cmath>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QTextStream>
#include <QVBoxLayout>
#include <cmath>
#include <numbers>
#include <qcustomplot.h>

namespace fxs::widgets {

namespace {
constexpr double kTinyPositive = 1e-30; // log scale: non-positive values take the first colour, not a gap
constexpr int kHistogramMs = 1000; // the histogram is a glance aid; refreshing it faster only costs CPU
} // namespace

DiffractionView::DiffractionView(QWidget* parent)
    : QWidget(parent)
{
    m_plot = new QCustomPlot(this);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->xAxis->setLabel(tr("x (mm)"));
    m_plot->yAxis->setLabel(tr("y (mm)"));
    // The image is a pixmap coloured off the GUI thread (ImageRenderer); the colour scale stands alone.
    for (QCPItemPixmap** p : { &m_pixmap, &m_maskPixmap, &m_userMaskPixmap }) {
        *p = new QCPItemPixmap(m_plot);
        (*p)->setScaled(true, Qt::IgnoreAspectRatio, Qt::FastTransformation);
        (*p)->setClipToAxisRect(true);
    }
    m_colorScale = new QCPColorScale(m_plot);
    m_plot->plotLayout()->addElement(0, 1, m_colorScale);
    auto* beam = m_plot->addGraph();
    beam->setName(tr("beam centre"));
    beam->setLineStyle(QCPGraph::lsNone);
    beam->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCrossCircle, QColor(255, 80, 80), 14));
    beam->addData(0.0, 0.0);
    connect(m_plot, &QCustomPlot::mouseMove, this, &DiffractionView::onMouseMove);
    // Square pixels drawn square at every widget size: the ranges are fixed after each layout, before drawing.
    connect(m_plot, &QCustomPlot::afterLayout, this, &DiffractionView::keepSquarePixels);
    connect(m_plot, &QCustomPlot::mousePress, this, [this] { m_fitWhole = false; });
    connect(m_plot, &QCustomPlot::mouseWheel, this, [this] { m_fitWhole = false; });
    PlotExport::install(
        m_plot,
        [this] {
            QString out;
            QTextStream s(&out);
            s << "# shot " << (m_image ? m_image->shotIndex : -1) << ", assembled image, rows = y, NaN = gap\n";
            if (m_image) {
                for (int r = 0; r < m_image->height; ++r) {
                    for (int c = 0; c < m_image->width; ++c) {
                        s << (c ? "," : "") << m_image->values[std::size_t(r) * m_image->width + c];
                    }
                    s << "\n";
                }
            }
            return out;
        },
        [this] { resetZoom(); },
        [this] { setScale(m_scale == IntensityScale::Log ? IntensityScale::Linear : IntensityScale::Log); });

    m_levelsPanel = new LevelsPanel(this);
    connect(m_levelsPanel, &LevelsPanel::levelsEdited, this, &DiffractionView::setLevels);
    connect(m_levelsPanel, &LevelsPanel::lockToggled, this, &DiffractionView::setLevelsLocked);
    connect(m_levelsPanel, &LevelsPanel::autoRequested, this, [this] {
        setLevelsLocked(false);
        applyLevels(true);
    });
    m_readout = new QLabel(tr("Move the cursor over the detector for value, q, resolution, φ and panel"), this);
    m_readout->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* bar = new QWidget(this);
    buildToolbar(bar);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(bar);
    layout->addWidget(m_plot, 1);
    layout->addWidget(m_readout);
    layout->addWidget(m_levelsPanel);
    setColorMap(m_colorMap);
    setScale(m_scale);
    m_histogramAge.start();
}

DiffractionView::~DiffractionView() = default;

void DiffractionView::buildToolbar(QWidget* bar)
{
    m_mapCombo = new QComboBox(bar);
    m_mapCombo->addItems(ColorMaps::mapNames());
    m_scaleCombo = new QComboBox(bar);
    m_scaleCombo->addItems(ColorMaps::scaleNames());
    m_scaleCombo->setCurrentIndex(int(m_scale));
    m_maskCheck = new QCheckBox(tr("mask"), bar);
    m_maskCheck->setChecked(true);
    connect(m_mapCombo, &QComboBox::currentIndexChanged, this, [this](int i) { setColorMap(ColorMap(i)); });
    connect(m_scaleCombo, &QComboBox::currentIndexChanged, this, [this](int i) { setScale(IntensityScale(i)); });
    connect(m_maskCheck, &QCheckBox::toggled, this, &DiffractionView::setMaskVisible);
    auto* row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(new QLabel(tr("colours"), bar));
    row->addWidget(m_mapCombo);
    row->addWidget(new QLabel(tr("scale"), bar));
    row->addWidget(m_scaleCombo);
    row->addWidget(m_maskCheck);
    row->addStretch();
}

void DiffractionView::setAssembly(std::shared_ptr<const ImageAssembly> assembly)
{
    m_assembly = std::move(assembly);
    m_image.reset();
    m_pixmap->setVisible(false); // until the first image of this geometry
    QPixmap none(1, 1); // no geometry (a source being opened): nothing of the last one's mask stays
    none.fill(Qt::transparent);
    m_maskPixmap->setPixmap(none);
    m_userMaskPixmap->setPixmap(none);
    if (m_assembly && m_assembly->width() > 0) {
        const int w = m_assembly->width();
        const int h = m_assembly->height();
        const double step = m_assembly->stepM() * 1e3;
        const double left = m_assembly->x0M() * 1e3 - step / 2.0;
        const double bottom = m_assembly->y0M() * 1e3 - step / 2.0;
        for (QCPItemPixmap* p : { m_pixmap, m_maskPixmap, m_userMaskPixmap }) {
            p->topLeft->setCoords(left, bottom + h * step);
            p->bottomRight->setCoords(left + w * step, bottom);
        }
        QImage mask = ImageRenderer::render(
            m_assembly->maskImage(), w, h, { ColorMap::Grey, IntensityScale::Linear, { 0.0, 1.0 } });
        for (int r = 0; r < h; ++r) {
            auto* line = reinterpret_cast<QRgb*>(mask.scanLine(r));
            for (int c = 0; c < w; ++c) {
                line[c] = qAlpha(line[c]) ? qRgba(255, 40, 40, 130) : qRgba(0, 0, 0, 0);
            }
        }
        m_maskPixmap->setPixmap(QPixmap::fromImage(mask));
    }
    setRings(m_ringsQ);
    resetZoom();
}

void DiffractionView::setUserMask(const std::vector<std::uint8_t>& masked)
{
    if (!m_assembly || m_assembly->width() <= 0 || masked.size() != m_assembly->layout().size()) {
        QPixmap none(1, 1);
        none.fill(Qt::transparent);
        m_userMaskPixmap->setPixmap(none);
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    // The same image grid and colouring path as the geometry mask, so both overlays sit on the same cells.
    const int w = m_assembly->width();
    const int h = m_assembly->height();
    std::vector<float> cells(std::size_t(w) * h, std::nanf(""));
    for (int r = 0; r < h; ++r) {
        for (int c = 0; c < w; ++c) {
            const std::int64_t slab = m_assembly->slabIndex(c, r);
            if (slab >= 0 && masked[std::size_t(slab)]) {
                cells[std::size_t(r) * w + c] = 1.0f;
            }
        }
    }
    QImage image = ImageRenderer::render(cells, w, h, { ColorMap::Grey, IntensityScale::Linear, { 0.0, 1.0 } });
    for (int r = 0; r < h; ++r) {
        auto* line = reinterpret_cast<QRgb*>(image.scanLine(r));
        for (int c = 0; c < w; ++c) {
            line[c] = qAlpha(line[c]) ? qRgba(255, 0, 255, 120) : qRgba(0, 0, 0, 0);
        }
    }
    m_userMaskPixmap->setPixmap(QPixmap::fromImage(image));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void DiffractionView::setUserMaskVisible(bool visible)
{
    m_userMaskPixmap->setVisible(visible);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void DiffractionView::setImage(std::shared_ptr<const AssembledImage> image, std::optional<Levels> autoLevels)
{
    m_image = std::move(image);
    if (!m_locked) {
        m_levels = autoLevels ? *autoLevels : computeAutoLevels();
        m_levelsPanel->setLevels(m_levels);
        emit levelsChanged(m_levels);
    }
    applyLevels(false);
    updateHistogram(false);
}

Levels DiffractionView::computeAutoLevels() const
{
    if (!m_image || m_image->values.empty()) {
        return m_levels;
    }
    return ImageLevels::percentileLevels(m_image->values, m_pLow, m_pHigh, m_scale == IntensityScale::Log);
}

void DiffractionView::redraw()
{
    if (!m_image || !m_assembly || m_image->width != m_assembly->width() || m_image->height != m_assembly->height()) {
        return;
    }
    const RenderSettings settings = renderSettings();
    // Coloured by the worker with these very settings: only the drawing is left for the GUI thread.
    const QImage img = (!m_image->rendered.isNull() && m_image->renderedWith == settings)
        ? m_image->rendered
        : ImageRenderer::render(m_image->values, m_image->width, m_image->height, settings);
    m_pixmap->setPixmap(QPixmap::fromImage(img));
    m_pixmap->setVisible(true);
}

void DiffractionView::applyLevels(bool recompute)
{
    if (recompute && !m_locked && m_image) {
        m_levels = computeAutoLevels();
        m_levelsPanel->setLevels(m_levels);
    }
    Levels shown = m_levels;
    if (m_scale == IntensityScale::Log && shown.low <= 0.0) {
        shown.low = std::max(shown.high * 1e-4, kTinyPositive);
    }
    m_colorScale->setDataRange(QCPRange(shown.low, shown.high));
    redraw();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void DiffractionView::updateHistogram(bool force)
{
    if (!m_image || (!force && m_histogramAge.elapsed() < kHistogramMs)) {
        return;
    }
    m_histogramAge.restart();
    const bool log = m_scale == IntensityScale::Log;
    const Levels range = ImageLevels::percentileLevels(m_image->values, 0.0, 99.99, log, 1u << 17);
    const double low = std::min(range.low, m_levels.low > 0.0 || !log ? m_levels.low : range.low);
    const double high = std::max(range.high, m_levels.high);
    m_levelsPanel->setHistogram(ImageLevels::histogram(m_image->values, low, high, 80, log));
    m_levelsPanel->setLevels(m_levels);
}

void DiffractionView::setColorMap(ColorMap map)
{
    m_colorMap = map;
    m_colorScale->setGradient(ColorMaps::gradient(map));
    redraw();
    emit renderRequestChanged();
    const QSignalBlocker block(m_mapCombo);
    m_mapCombo->setCurrentIndex(int(map));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void DiffractionView::setScale(IntensityScale scale)
{
    m_scale = scale;
    const bool log = scale == IntensityScale::Log;
    m_colorScale->setDataScaleType(log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    m_colorScale->axis()->setTicker(
        log ? QSharedPointer<QCPAxisTicker>(new QCPAxisTickerLog) : QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    m_colorScale->setLabel(scale == IntensityScale::Sqrt ? tr("√intensity") : tr("intensity (ADU)"));
    {
        const QSignalBlocker block(m_scaleCombo);
        m_scaleCombo->setCurrentIndex(int(scale));
    }
    applyLevels(true);
    updateHistogram(true);
    emit renderRequestChanged();
}

void DiffractionView::setLevels(const Levels& levels)
{
    if (!(levels.high > levels.low)) {
        return;
    }
    m_levels = levels;
    setLevelsLocked(true);
    m_levelsPanel->setLevels(m_levels);
    applyLevels(true);
    emit levelsChanged(m_levels);
}

void DiffractionView::setLevelsLocked(bool locked)
{
    m_locked = locked;
    m_levelsPanel->setLocked(locked);
    emit renderRequestChanged();
}

RenderRequest DiffractionView::renderRequest() const
{
    return { m_colorMap, m_scale, m_locked, m_levels, m_pLow, m_pHigh };
}

void DiffractionView::setPercentiles(double lowPercent, double highPercent)
{
    m_pLow = lowPercent;
    m_pHigh = highPercent;
    applyLevels(true);
}

void DiffractionView::setRings(const std::vector<double>& qInvA)
{
    m_ringsQ = qInvA;
    for (int i = m_plot->itemCount() - 1; i >= 0; --i) {
        if (m_plot->item(i)->property("fxsRing").toBool()) {
            m_plot->removeItem(i);
        }
    }
    if (!m_assembly || m_assembly->width() == 0) {
        return;
    }
    for (const double q : m_ringsQ) {
        const double rMm = m_assembly->layout().ringRadiusM(q) * 1e3;
        if (!std::isfinite(rMm)) {
            continue;
        }
        auto* ring = new QCPItemEllipse(m_plot);
        ring->setProperty("fxsRing", true);
        ring->setPen(QPen(QColor(255, 255, 255, 170), 1.0, Qt::DashLine));
        ring->topLeft->setCoords(-rMm, rMm);
        ring->bottomRight->setCoords(rMm, -rMm);
        auto* label = new QCPItemText(m_plot);
        label->setProperty("fxsRing", true);
        label->setColor(QColor(255, 255, 255, 220));
        label->setText(QStringLiteral("%1 Å⁻¹ · %2 Å").arg(q, 0, 'g', 3).arg(2.0 * std::numbers::pi / q, 0, 'f', 1));
        // The text ends on the ring (at 45°) and runs inwards: outwards, an outer ring's label ran past the detector's
        // edge and was cut ("0.6 Å⁻¹ · 10.5").
        label->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
        label->position->setCoords(rMm * 0.7071, rMm * 0.7071);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void DiffractionView::setMaskVisible(bool visible)
{
    m_maskPixmap->setVisible(visible);
    const QSignalBlocker block(m_maskCheck);
    m_maskCheck->setChecked(visible);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

PixelReadout DiffractionView::readoutAt(double xMm, double yMm) const
{
    PixelReadout r;
    if (!m_assembly) {
        return r;
    }
    r.slabIndex = m_assembly->slabIndexAt(xMm * 1e-3, yMm * 1e-3);
    if (r.slabIndex < 0) {
        return r;
    }
    const PixelLayout& layout = m_assembly->layout();
    const auto i = std::size_t(r.slabIndex);
    r.valid = true;
    r.qInvA = layout.qInvA(i);
    r.resolutionA = r.qInvA > 0.0 ? 2.0 * std::numbers::pi / r.qInvA : std::numeric_limits<double>::infinity();
    r.phiDeg = layout.phiRad(i) * 180.0 / std::numbers::pi;
    if (r.phiDeg < 0.0) { // one convention in the window: 0 … 360°, as the polar view and the C2 Δ
        r.phiDeg += 360.0;
    }
    const std::size_t p = layout.panel.empty() ? 0 : layout.panel[i];
    r.panel = p < layout.panelNames.size() ? layout.panelNames[p] : QString::number(p);
    if (m_image && m_image->width == m_assembly->width()) {
        const int c = int(std::lround((xMm * 1e-3 - m_assembly->x0M()) / m_assembly->stepM()));
        const int row = int(std::lround((yMm * 1e-3 - m_assembly->y0M()) / m_assembly->stepM()));
        r.value = m_image->values[std::size_t(row) * m_image->width + c];
    } else {
        r.value = std::nan("");
    }
    return r;
}

QString DiffractionView::readoutText(const PixelReadout& r)
{
    if (!r.valid) {
        return tr("outside the detector");
    }
    return tr("I = %1   q = %2 Å⁻¹   d = %3 Å   φ = %4°   panel %5   (pixel %6)")
        .arg(Format::value(r.value))
        .arg(r.qInvA, 0, 'f', 4)
        .arg(r.resolutionA, 0, 'f', 2)
        .arg(r.phiDeg, 0, 'f', 1)
        .arg(r.panel)
        .arg(r.slabIndex);
}

void DiffractionView::onMouseMove(QMouseEvent* event)
{
    const double x = m_plot->xAxis->pixelToCoord(event->position().x());
    const double y = m_plot->yAxis->pixelToCoord(event->position().y());
    m_readout->setText(readoutText(readoutAt(x, y)));
}

void DiffractionView::resetZoom()
{
    m_fitWhole = true;
    keepSquarePixels();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

// Equal millimetres per screen pixel in x and y (rings of constant q are circles): the whole detector centred
// in the axis rect, or, once the user zoomed or panned, y follows x's scale around its centre.
void DiffractionView::keepSquarePixels()
{
    const QRect rect = m_plot->axisRect()->rect();
    if (!m_assembly || m_assembly->width() <= 0 || rect.width() <= 0 || rect.height() <= 0) {
        return;
    }
    if (!m_fitWhole) {
        m_plot->yAxis->setScaleRatio(m_plot->xAxis, 1.0);
        return;
    }
    const double step = m_assembly->stepM() * 1e3;
    const double left = m_assembly->x0M() * 1e3 - step;
    const double bottom = m_assembly->y0M() * 1e3 - step;
    const double widthMm = (m_assembly->width() + 1) * step;
    const double heightMm = (m_assembly->height() + 1) * step;
    const double mmPerPixel = std::max(widthMm / rect.width(), heightMm / rect.height());
    const double cx = left + widthMm / 2.0;
    const double cy = bottom + heightMm / 2.0;
    m_plot->xAxis->setRange(cx, mmPerPixel * rect.width(), Qt::AlignCenter);
    m_plot->yAxis->setRange(cy, mmPerPixel * rect.height(), Qt::AlignCenter);
}

} // namespace fxs::widgets
