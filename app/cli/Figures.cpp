#include "Figures.h"

#include <filesystem>
#include <iostream>

#ifdef FXS_HAVE_WIDGETS
#include "C2SliceView.h"
#include "ColorMaps.h"
#include "DiffractionView.h"
#include "ImageAssembly.h"
#include "PixelLayout.h"
#include "PolarView.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <qcustomplot.h>
#include <unistd.h>
#endif

namespace fxs::cli {

void renderAndList(const FigureInputs& in, const std::string& outDir)
{
    auto figs = renderFigures(in, outDir);
    if (!figs) {
        std::cout << "  figures:       none (" << figs.error().message << ")\n";
        return;
    }
    for (const auto& f : *figs) {
        std::cout << "  figure:        " << std::filesystem::absolute(f).string() << "\n";
    }
}

#ifndef FXS_HAVE_WIDGETS

bool figuresAvailable() { return false; }

Result<std::vector<std::string>> renderFigures(const FigureInputs&, const std::string&, bool)
{
    return Error { "this fxs was built without the Qt widgets (engine-only build): no PNG/PDF figures; the results "
                   "file holds every array (see docs/RESULTS_SCHEMA.md)" };
}

#else

namespace {
constexpr int kWidth = 1000;
constexpr int kHeight = 760;

// The widgets need a QApplication; the offscreen platform keeps fxs from ever opening a window.
void ensureApplication()
{
    if (QApplication::instance() != nullptr) {
        return;
    }
    setenv("QT_QPA_PLATFORM", "offscreen", 1);
    if (std::getenv("XDG_RUNTIME_DIR") == nullptr) {
        // Qt warns without one; a private folder per user keeps its permission check happy.
        const QString dir = QDir::temp().filePath("fxs-runtime-" + QString::number(getuid()));
        QDir().mkpath(dir);
        QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        setenv("XDG_RUNTIME_DIR", dir.toLocal8Bit().constData(), 1);
    }
    static int argc = 1;
    static char name[] = "fxs";
    static char* argv[] = { name, nullptr };
    static QApplication app(argc, argv);
}

// The C2 maps come without a unit on their colour scale.
void labelColourScales(QCustomPlot* plot)
{
    for (int i = 0; i < plot->plotLayout()->elementCount(); ++i) {
        auto* scale = qobject_cast<QCPColorScale*>(plot->plotLayout()->elementAt(i));
        if (scale != nullptr && scale->axis()->label().isEmpty()) {
            scale->axis()->setLabel("C2 (photons²)");
        }
    }
}

struct Saver {
    QString dir;
    bool pdf = false;
    std::vector<std::string> written;

    // Puts a two-line title on top of the plot and writes PNG (and PDF).
    void save(QCustomPlot* plot, const QString& file, const QString& title, const QString& subtitle, int width = kWidth,
        int height = kHeight)
    {
        auto* grid = plot->plotLayout();
        grid->insertRow(0);
        // One fact per line: long single-line subtitles get clipped at the figure's edges.
        QString sub = subtitle;
        sub.replace(" | ", "\n");
        auto* text = new QCPTextElement(plot, title + "\n" + sub);
        QFont f = text->font();
        f.setPointSize(11);
        text->setFont(f);
        grid->addElement(0, 0, text);
        grid->setRowStretchFactor(0, 0.01);
        labelColourScales(plot);
        plot->replot();
        const QString png = QDir(dir).filePath(file + ".png");
        if (plot->savePng(png, width, height)) {
            written.push_back(png.toStdString());
        }
        if (pdf) {
            const QString p = QDir(dir).filePath(file + ".pdf");
            if (plot->savePdf(p, width, height)) {
                written.push_back(p.toStdString());
            }
        }
    }
};

widgets::PixelLayout layoutOf(const DetectorGeometry& g)
{
    widgets::PixelLayout l;
    l.nSlow = g.nSlow();
    l.nFast = g.nFast();
    const auto pos = g.pixelPositionsM();
    const auto valid = g.validMask();
    l.xM.resize(pos.size());
    l.yM.resize(pos.size());
    l.zM.resize(pos.size());
    l.panel.resize(pos.size());
    l.bad.resize(pos.size());
    for (std::size_t i = 0; i < pos.size(); ++i) {
        l.xM[i] = static_cast<float>(pos[i][0]);
        l.yM[i] = static_cast<float>(pos[i][1]);
        l.zM[i] = static_cast<float>(pos[i][2]);
        const int p = g.panelAt(static_cast<int>(i / g.nFast()), static_cast<int>(i % g.nFast()));
        l.panel[i] = static_cast<std::uint16_t>(std::max(0, p));
        l.bad[i] = valid[i] != 0 ? 0 : 1;
    }
    for (const auto& p : g.panels()) {
        l.panelNames.push_back(QString::fromStdString(p.name));
    }
    l.wavelengthA = g.wavelengthA();
    l.pixelSizeM = g.panels().empty() ? 100e-6 : 1.0 / g.panels().front().pixelsPerM;
    return l;
}

void meanDetectorFigure(const FigureInputs& in, Saver& s)
{
    widgets::DiffractionView view;
    auto assembly = std::make_shared<widgets::ImageAssembly>(layoutOf(*in.geometry));
    view.setAssembly(assembly);
    Frame f = Frame::zeros(in.geometry->nSlow(), in.geometry->nFast(), PixelType::Float32);
    std::copy(in.meanDetector.begin(), in.meanDetector.end(), f.as<float>().begin());
    view.setImage(std::make_shared<widgets::AssembledImage>(assembly->assemble(f)));
    view.setRings({ in.grid.qMinInvA, in.grid.qMaxInvA });
    view.setMaskVisible(true);
    s.save(view.plot(), "mean_detector", "Mean detector image, " + QString::number(in.meanDetectorShots) + " shots",
        QString::fromStdString(in.runLabel) + " | log colour scale (photons / pixel); "
            + QString::fromStdString(in.maskNote) + " | rings: " + "q range of the polar grid ("
            + QString::number(in.grid.qMinInvA, 'f', 3) + "–" + QString::number(in.grid.qMaxInvA, 'f', 3) + " Å⁻¹)",
        900, 860);
}

void polarFigures(const FigureInputs& in, Saver& s)
{
    const C2Snapshot& snap = *in.snapshot;
    widgets::PolarView polar;
    polar.setGrid(in.grid);
    polar.setMode(widgets::PolarView::Mode::Mean);
    std::vector<double> mean = snap.meanImage;
    for (double& v : mean) {
        // Bins no valid pixel ever reached hold exactly 0: show them as gaps, not as the darkest colour.
        v = v == 0.0 ? std::numeric_limits<double>::quiet_NaN() : v;
    }
    polar.setMean(std::move(mean), snap.shots);
    s.save(polar.plot(), "mean_polar", "Mean polar image I(q, φ), " + QString::number(snap.shots) + " shots",
        QString::fromStdString(in.runLabel)
            + " | after solid-angle and polarisation correction; white: masked (beamstop, gap)");

    widgets::C2SliceView c2;
    c2.setGrid(in.grid);
    c2.setSnapshot(std::make_shared<C2Snapshot>(snap));
    const int q = snap.nQ / 3;
    c2.setCursor({ q, q, snap.nPhi / 8 });
    const QString qText = QString::number(in.grid.qCentre(q), 'f', 3) + " Å⁻¹";
    const QString sub = QString::fromStdString(in.runLabel) + " | " + QString::number(snap.shots)
        + " shots, split-half CC " + QString::number(snap.splitHalfCC, 'f', 3);
    s.save(c2.curvePlot(), "c2_vs_delta", "C2(q, q, Δ) at q = " + qText + " against the angle Δ", sub);
    s.save(c2.pairMapPlot(), "c2_map_q_q", "C2(q, q', Δ) at Δ = " + QString::number(360.0 / 8, 'f', 1) + "°", sub);
    s.save(c2.diagonalPlot(), "c2_map_q_delta", "C2(q, q, Δ) over q and Δ", sub);
}

void convergenceFigure(const FigureInputs& in, Saver& s)
{
    QCustomPlot plot;
    auto* g = plot.addGraph();
    g->setData(QVector<double>(in.convergenceShots.begin(), in.convergenceShots.end()),
        QVector<double>(in.convergenceCC.begin(), in.convergenceCC.end()));
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
    plot.xAxis->setLabel("shots accepted into C2");
    plot.yAxis->setLabel("split-half correlation coefficient of C2 (even vs odd shots)");
    plot.rescaleAxes();
    plot.yAxis->setRange(std::min(0.0, plot.yAxis->range().lower), 1.05);
    plot.xAxis->setRange(0.0, plot.xAxis->range().upper * 1.05);
    s.save(&plot, "convergence", "Convergence: split-half correlation of C2",
        QString::fromStdString(in.runLabel) + " | close to 1: enough shots for a stable C2");
}

void invariantsFigure(const FigureInputs& in, Saver& s)
{
    const KamInvariants& inv = *in.invariants;
    QCustomPlot plot;
    plot.legend->setVisible(true);
    plot.yAxis->setScaleType(QCPAxis::stLogarithmic);
    plot.yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    const QColor colours[] = { Qt::black, Qt::blue, Qt::red, QColor(0, 150, 0), Qt::magenta, QColor(200, 120, 0) };
    for (int l = 0, c = 0; l <= std::min(inv.lMax, 10); l += 2, ++c) {
        auto* g = plot.addGraph();
        g->setName("B_" + QString::number(l) + "(q, q)");
        g->setPen(QPen(colours[c % 6], 1.5));
        for (int q = 0; q < inv.nQ; ++q) {
            const double v = inv.b[inv.at(l, q, q)];
            if (v > 0.0 && std::isfinite(v)) {
                g->addData(inv.qInvA[q], v);
            }
        }
    }
    plot.xAxis->setLabel("q (Å⁻¹)");
    plot.yAxis->setLabel("B_l(q, q) (photons²)");
    plot.rescaleAxes();
    s.save(&plot, "invariants", "Kam invariants B_l(q, q), even l ≤ 10 (of " + QString::number(inv.lMax) + ")",
        QString::fromStdString(in.runLabel));
}

void densityFigure(const FigureInputs& in, Saver& s)
{
    const int n = in.densityN;
    QCustomPlot plot;
    auto* map = new QCPColorMap(plot.xAxis, plot.yAxis);
    const double half = 0.5 * n * in.densityVoxelA;
    map->data()->setSize(n, n);
    map->data()->setRange(QCPRange(-half, half), QCPRange(-half, half));
    for (int y = 0; y < n; ++y) {
        for (int x = 0; x < n; ++x) {
            map->data()->setCell(x, y, in.density[(static_cast<std::size_t>(n / 2) * n + y) * n + x]);
        }
    }
    auto* scale = new QCPColorScale(&plot);
    plot.plotLayout()->addElement(0, 1, scale);
    map->setColorScale(scale);
    map->setGradient(widgets::ColorMaps::gradient(widgets::ColorMap::Viridis));
    map->rescaleDataRange();
    plot.xAxis->setLabel("x (Å)");
    plot.yAxis->setLabel("y (Å)");
    scale->axis()->setLabel("density (arb. units)");
    plot.rescaleAxes();
    s.save(&plot, "density_slice", "Reconstructed density (M-TIP), central slice z = 0",
        QString::fromStdString(in.runLabel) + " | " + QString::number(n) + "³ grid, voxel "
            + QString::number(in.densityVoxelA, 'f', 2) + " Å; defined up to rotation and inversion",
        860, 820);
}
} // namespace

bool figuresAvailable() { return true; }

Result<std::vector<std::string>> renderFigures(const FigureInputs& in, const std::string& outDir, bool pdf)
{
    ensureApplication();
    Saver s { QString::fromStdString(outDir), pdf, {} };
    if (in.geometry != nullptr && in.meanDetector.size() == in.geometry->pixelCount()) {
        meanDetectorFigure(in, s);
    }
    if (in.snapshot != nullptr && in.snapshot->nQ == in.grid.nQ && in.snapshot->nPhi == in.grid.nPhi) {
        polarFigures(in, s);
    }
    if (!in.convergenceShots.empty()) {
        convergenceFigure(in, s);
    }
    if (in.invariants != nullptr && in.invariants->nQ > 0) {
        invariantsFigure(in, s);
    }
    if (in.densityN > 0 && in.density.size() == static_cast<std::size_t>(in.densityN) * in.densityN * in.densityN) {
        densityFigure(in, s);
    }
    if (s.written.empty()) {
        return Error { "no figure could be written into " + outDir + " (is the folder writable?)" };
    }
    return s.written;
}

#endif

} // namespace fxs::cli
