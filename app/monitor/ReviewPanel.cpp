#include "ReviewPanel.h"

#include <Format.h>
#include <QFile>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <fxs/hdf5/Hdf5Util.h>
#include <limits>
#include <numbers>
#include <qcustomplot.h>

namespace fxs::monitor {

namespace {

const QColor kColorA(30, 90, 200); // run A: blue, as the live curves
const QColor kColorB(220, 110, 20); // run B: orange (distinct in colour-blind palettes)
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// What a refusal was for, without its numbers: "sum 145506 < 151056" → "sum …", so that a threshold's refusals add up
// in one row; a hand-vetoed range's reason ("beam drop") stays as it is.
std::string reasonKind(const char* reason)
{
    std::string r = reason != nullptr ? reason : "";
    const auto digit = r.find_first_of("0123456789");
    if (digit != std::string::npos && digit > 0) {
        std::string head = r.substr(0, digit);
        while (!head.empty() && std::string(" <>=-+.,:(").find(head.back()) != std::string::npos) {
            head.pop_back();
        }
        if (!head.empty()) {
            r = head + " …";
        }
    }
    return r.empty() ? "(no reason given)" : r;
}

// The /ledger of a results file in counts: every shot, the accepted, the refused by reason (absent: present false).
Result<LedgerSummary> readLedger(const std::string& path)
{
    h5::quiet();
    LedgerSummary l;
    h5::Handle file = h5::file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    if (!file) {
        return Error { path + ": cannot open as HDF5" };
    }
    if (!h5::linkExists(file.get(), "/ledger/accepted")) {
        return l;
    }
    auto accepted = cli::readDoubleArray(path, "/ledger/accepted");
    if (!accepted) {
        return Error { accepted.error().message };
    }
    l.present = true;
    l.seen = static_cast<std::int64_t>(accepted->values.size());
    std::vector<char*> reasons(accepted->values.size(), nullptr);
    if (h5::linkExists(file.get(), "/ledger/reason") && !reasons.empty()) {
        h5::Handle d = h5::dataset(H5Dopen2(file.get(), "/ledger/reason", H5P_DEFAULT));
        h5::Handle space = h5::space(H5Dget_space(d.get()));
        h5::Handle t = h5::type(H5Tcopy(H5T_C_S1));
        H5Tset_size(t.get(), H5T_VARIABLE);
        H5Tset_cset(t.get(), H5T_CSET_UTF8);
        if (!d || H5Sget_simple_extent_npoints(space.get()) != static_cast<hssize_t>(reasons.size())
            || H5Dread(d.get(), t.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, reasons.data()) < 0) {
            return Error { path + ": /ledger/reason is not one string per shot of /ledger/accepted" };
        }
        for (std::size_t i = 0; i < reasons.size(); ++i) {
            if (accepted->values[i] == 0.0) {
                ++l.refusedBy[reasonKind(reasons[i])];
            }
            H5free_memory(reasons[i]);
        }
    }
    for (double a : accepted->values) {
        l.accepted += a != 0.0 ? 1 : 0;
    }
    return l;
}

// C2(q, q', Δ) against Δ in degrees for a snapshot; NaN where masked or the self-term.
std::vector<double> sliceOf(const C2Snapshot& s, int q, int qp)
{
    std::vector<double> v(static_cast<std::size_t>(s.nPhi), kNaN);
    if (q < 0 || qp < 0 || q >= s.nQ || qp >= s.nQ) {
        return v;
    }
    for (int k = 0; k < s.nPhi; ++k) {
        const std::size_t i = s.at(q, qp, k);
        if (i < s.flags.size() && s.flags[i] == C2Snapshot::Valid) {
            v[static_cast<std::size_t>(k)] = s.c2[i];
        }
    }
    return v;
}

QCustomPlot* makePlot(const QString& x, const QString& y, QWidget* parent)
{
    auto* p = new QCustomPlot(parent);
    p->xAxis->setLabel(x);
    p->yAxis->setLabel(y);
    p->setMinimumHeight(160);
    // The legend above the axes, outside them: inside, it hid the curves' ends.
    p->legend->setVisible(true);
    p->legend->setFont(QFont(p->font().family(), 8));
    p->axisRect()->insetLayout()->take(p->legend);
    p->plotLayout()->insertRow(0);
    p->plotLayout()->addElement(0, 0, p->legend);
    p->plotLayout()->setRowStretchFactor(0, 0.001);
    p->plotLayout()->setRowSpacing(0);
    p->legend->setWrap(2);
    p->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    p->legend->setBorderPen(Qt::NoPen);
    p->legend->setMargins(QMargins(4, 2, 4, 0));
    return p;
}

void setCurve(QCPGraph* g, const std::vector<double>& x, const std::vector<double>& y)
{
    QVector<double> xs(x.begin(), x.end());
    QVector<double> ys(y.begin(), y.end());
    g->setData(xs, ys, true);
}

// Blue for A below B, white for no difference, red for A above B; NaN (masked, self-term) left transparent.
QCPColorGradient divergingGradient()
{
    QCPColorGradient g;
    g.clearColorStops();
    g.setColorStopAt(0.0, QColor(33, 102, 172));
    g.setColorStopAt(0.25, QColor(146, 197, 222));
    g.setColorStopAt(0.5, QColor(247, 247, 247));
    g.setColorStopAt(0.75, QColor(244, 165, 130));
    g.setColorStopAt(1.0, QColor(178, 24, 43));
    g.setNanHandling(QCPColorGradient::nhTransparent);
    return g;
}

QJsonArray jsonArray(const std::vector<double>& v)
{
    QJsonArray a;
    for (double x : v) {
        a.append(std::isfinite(x) ? QJsonValue(x) : QJsonValue());
    }
    return a;
}

} // namespace

std::shared_ptr<const ReviewedRun> ReviewedRun::load(const QString& path, QString* error)
{
    if (!QFileInfo::exists(path)) {
        *error = QObject::tr("Results file %1 does not exist").arg(path);
        return nullptr;
    }
    auto stored = cli::readResults(path.toStdString());
    if (!stored) {
        *error = QObject::tr("Cannot review %1: %2").arg(path, QString::fromStdString(stored.error().message));
        return nullptr;
    }
    auto ledger = readLedger(path.toStdString());
    if (!ledger) {
        *error = QObject::tr("Cannot review %1: %2").arg(path, QString::fromStdString(ledger.error().message));
        return nullptr;
    }
    auto run = std::make_shared<ReviewedRun>();
    run->path = QFileInfo(path).absoluteFilePath();
    run->snapshot = std::make_shared<const C2Snapshot>(C2Snapshot::compute(stored->sums));
    run->stored = std::move(*stored);
    run->ledger = std::move(*ledger);
    return run;
}

ReviewPanel::ReviewPanel(QWidget* parent)
    : QWidget(parent)
{
    m_header = new QLabel(tr("No results file. File → Open results… shows a finished run; File → Compare with "
                             "results… overlays a second one."),
        this);
    m_header->setWordWrap(true);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_ledger = new QTableWidget(0, 3, this);
    m_ledger->setHorizontalHeaderLabels({ tr("Shots"), tr("A"), tr("B") });
    m_ledger->verticalHeader()->hide();
    m_ledger->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_ledger->setSelectionMode(QAbstractItemView::NoSelection);
    m_ledger->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_ledger->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_ledger->horizontalHeader()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    m_ledger->setMaximumHeight(150);
    m_ledger->setToolTip(tr("From each file's /ledger: every shot read, the ones in C2, and the refused ones by reason"));
    m_plots = new QWidget(this);
    auto* plots = new QVBoxLayout(m_plots);
    plots->setContentsMargins(0, 0, 0, 0);
    m_slice = makePlot(tr("Δφ (degrees)"), tr("C2(q, q′, Δφ)"), m_plots);
    m_difference = makePlot(tr("Δφ (degrees)"), tr("C2 of A − C2 of B"), m_plots);
    m_convergence = makePlot(tr("shots in C2"), tr("split-half correlation"), m_plots);
    const std::pair<QCustomPlot*, int> graphs[] = { { m_slice, 2 }, { m_difference, 1 }, { m_convergence, 2 } };
    for (const auto& [plot, n] : graphs) {
        for (int i = 0; i < n; ++i) {
            QCPGraph* g = plot->addGraph();
            g->setPen(QPen(plot == m_difference ? QColor(40, 40, 40) : (i == 0 ? kColorA : kColorB), 1.6));
            if (plot == m_convergence) {
                g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
            }
        }
        plots->addWidget(plot, 1);
    }
    // The difference over every (q, q′) at the cursor's Δ, beside its curve: where the two runs disagree.
    m_mapPlot = new QCustomPlot(m_plots);
    m_mapPlot->setMinimumHeight(160);
    m_mapPlot->setMinimumWidth(300);
    m_mapTitle = new QCPTextElement(m_mapPlot, QString(), QFont(m_mapPlot->font().family(), 8));
    m_mapPlot->plotLayout()->insertRow(0);
    m_mapPlot->plotLayout()->addElement(0, 0, m_mapTitle);
    for (QCPAxis* axis : { m_mapPlot->xAxis, m_mapPlot->yAxis }) {
        axis->ticker()->setTickCount(4); // a narrow plot: few labels, none overlapping
    }
    m_mapPlot->xAxis->setLabel(tr("q (Å⁻¹)"));
    m_mapPlot->yAxis->setLabel(tr("q′ (Å⁻¹)"));
    m_diffMap = new QCPColorMap(m_mapPlot->xAxis, m_mapPlot->yAxis);
    m_diffMap->setInterpolate(false);
    auto* scale = new QCPColorScale(m_mapPlot);
    scale->setBarWidth(10);
    m_mapPlot->plotLayout()->addElement(1, 1, scale);
    m_diffMap->setColorScale(scale);
    m_diffMap->setGradient(divergingGradient()); // after setColorScale, which imposes its own
    m_mapPlot->setToolTip(tr("C2 of A − C2 of B over every (q, q′) at the C2 explorer's Δφ; in combined standard "
                             "errors (A − B) / √(σA² + σB²) when both files hold them. Blue: A below B; red: A above."));
    auto* differenceRow = new QHBoxLayout;
    differenceRow->addWidget(m_difference, 1);
    differenceRow->addWidget(m_mapPlot, 1);
    plots->insertLayout(1, differenceRow, 1);
    m_difference->xAxis->ticker()->setTickCount(4); // half a row wide: fewer Δφ labels
    auto* zero = new QCPItemStraightLine(m_difference);
    zero->point1->setCoords(0, 0);
    zero->point2->setCoords(1, 0);
    zero->setPen(QPen(QColor(150, 150, 150), 1.0, Qt::DashLine));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_header);
    layout->addWidget(m_ledger);
    layout->addWidget(m_plots, 1);
    refresh();
}

void ReviewPanel::setRun(std::shared_ptr<const ReviewedRun> run)
{
    m_a = std::move(run);
    if (m_a && m_b
        && (m_a->snapshot->nQ != m_b->snapshot->nQ || m_a->snapshot->nPhi != m_b->snapshot->nPhi)) {
        m_b.reset();
    }
    refresh();
}

bool ReviewPanel::setComparison(std::shared_ptr<const ReviewedRun> run, QString* error)
{
    if (run && !m_a) {
        *error = tr("Open a results file first (File → Open results…), then compare another with it");
        return false;
    }
    if (run) {
        const PolarGrid& a = m_a->stored.grid;
        const PolarGrid& b = run->stored.grid;
        if (a.nQ != b.nQ || a.nPhi != b.nPhi || std::abs(a.qMinInvA - b.qMinInvA) > 1e-9
            || std::abs(a.qMaxInvA - b.qMaxInvA) > 1e-9) {
            *error = tr("Cannot compare %1 with %2: their polar grids differ (A: %3 q × %4 φ bins, q %5–%6 Å⁻¹; "
                        "B: %7 q × %8 φ bins, q %9–%10 Å⁻¹); C2 is compared bin by bin on one grid")
                         .arg(QFileInfo(m_a->path).fileName(), QFileInfo(run->path).fileName())
                         .arg(a.nQ)
                         .arg(a.nPhi)
                         .arg(a.qMinInvA)
                         .arg(a.qMaxInvA)
                         .arg(b.nQ)
                         .arg(b.nPhi)
                         .arg(b.qMinInvA)
                         .arg(b.qMaxInvA);
            return false;
        }
    }
    m_b = std::move(run);
    refresh();
    return true;
}

void ReviewPanel::setCursor(const widgets::C2Cursor& cursor)
{
    m_cursor = cursor;
    refresh();
}

void ReviewPanel::refreshHeader()
{
    if (!m_a) {
        return;
    }
    const auto describe = [](const ReviewedRun& r, const QString& letter) {
        const PolarGrid& g = r.stored.grid;
        return tr("<b>%1</b> %2 · %3 shots in C2 · %4 q × %5 φ bins, q %6–%7 Å⁻¹ · split-half correlation %8")
            .arg(letter, r.path.toHtmlEscaped(), widgets::Format::count(r.snapshot->shots))
            .arg(g.nQ)
            .arg(g.nPhi)
            .arg(g.qMinInvA, 0, 'g', 4)
            .arg(g.qMaxInvA, 0, 'g', 4)
            .arg(r.snapshot->splitHalfCC, 0, 'f', 3);
    };
    QString text = describe(*m_a, tr("A"));
    if (m_b) {
        text += QStringLiteral("<br>") + describe(*m_b, tr("B"));
    }
    m_header->setText(text);
}

void ReviewPanel::refreshLedger()
{
    struct Row {
        QString label;
        QString a, b;
    };
    std::vector<Row> rows;
    const auto put = [&rows](const QString& label, int column, const QString& value) {
        auto it = std::find_if(rows.begin(), rows.end(), [&](const Row& r) { return r.label == label; });
        if (it == rows.end()) {
            rows.push_back({ label, QStringLiteral("–"), QStringLiteral("–") });
            it = rows.end() - 1;
        }
        (column == 0 ? it->a : it->b) = value;
    };
    const std::shared_ptr<const ReviewedRun> runs[2] = { m_a, m_b };
    for (int c = 0; c < 2; ++c) {
        if (!runs[c]) {
            continue;
        }
        const LedgerSummary& l = runs[c]->ledger;
        if (!l.present) {
            put(tr("ledger"), c, tr("none in the file"));
            continue;
        }
        put(tr("read"), c, widgets::Format::count(l.seen));
        put(tr("in C2"), c, widgets::Format::count(l.accepted));
        for (const auto& [reason, n] : l.refusedBy) {
            put(tr("refused: %1").arg(QString::fromStdString(reason)), c, widgets::Format::count(n));
        }
    }
    m_ledger->setColumnHidden(2, !m_b);
    m_ledger->setRowCount(int(rows.size()));
    for (int i = 0; i < int(rows.size()); ++i) {
        const QString cells[3] = { rows[std::size_t(i)].label, rows[std::size_t(i)].a, rows[std::size_t(i)].b };
        for (int c = 0; c < 3; ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            item->setTextAlignment(Qt::AlignVCenter | (c == 0 ? Qt::AlignLeft : Qt::AlignRight));
            m_ledger->setItem(i, c, item);
        }
    }
}

QString ReviewPanel::label(const ReviewedRun& run) const
{
    // Two runs' files often share a name (demo_results.h5 in two folders): then the folder tells them apart.
    const QFileInfo f(run.path);
    const bool clash = m_a && m_b && QFileInfo(m_a->path).fileName() == QFileInfo(m_b->path).fileName();
    return clash ? f.dir().dirName() + QLatin1Char('/') + f.fileName() : f.fileName();
}

void ReviewPanel::refresh()
{
    refreshHeader();
    refreshLedger();
    m_plots->setVisible(bool(m_a));
    if (!m_a) {
        return;
    }
    const C2Snapshot& a = *m_a->snapshot;
    const int q = std::clamp(m_cursor.q, 0, a.nQ - 1);
    const int qp = std::clamp(m_cursor.qp, 0, a.nQ - 1);
    std::vector<double> delta(static_cast<std::size_t>(a.nPhi));
    for (int k = 0; k < a.nPhi; ++k) {
        delta[static_cast<std::size_t>(k)] = 360.0 * k / a.nPhi;
    }
    const PolarGrid& g = m_a->stored.grid;
    const QString pair = tr("q = %1, q′ = %2 Å⁻¹")
                             .arg(g.qCentre(q), 0, 'f', 3)
                             .arg(g.qCentre(qp), 0, 'f', 3);
    const std::vector<double> sa = sliceOf(a, q, qp);
    setCurve(m_slice->graph(0), delta, sa);
    m_slice->graph(0)->setName(tr("A: %1").arg(label(*m_a)));
    std::vector<double> diff(sa.size(), kNaN);
    if (m_b) {
        const std::vector<double> sb = sliceOf(*m_b->snapshot, q, qp);
        for (std::size_t k = 0; k < sa.size(); ++k) {
            diff[k] = sa[k] - sb[k]; // NaN where either is masked
        }
        setCurve(m_slice->graph(1), delta, sb);
        m_slice->graph(1)->setName(tr("B: %1").arg(label(*m_b)));
    } else {
        m_slice->graph(1)->data()->clear();
    }
    m_slice->graph(1)->setVisible(bool(m_b));
    m_slice->graph(1)->removeFromLegend();
    if (m_b) {
        m_slice->graph(1)->addToLegend();
    }
    setCurve(m_difference->graph(0), delta, diff);
    m_difference->graph(0)->setName(m_b ? tr("A − B at %1").arg(pair) : tr("open a second file to compare"));
    m_slice->xAxis->setLabel(tr("Δφ (degrees) at %1").arg(pair));
    const std::shared_ptr<const ReviewedRun> runs[2] = { m_a, m_b };
    for (int i = 0; i < 2; ++i) {
        QCPGraph* c = m_convergence->graph(i);
        if (runs[i]) {
            setCurve(c, runs[i]->stored.convergenceShots, runs[i]->stored.convergenceCC);
            c->setName(tr("%1: %2").arg(i == 0 ? tr("A") : tr("B"), label(*runs[i])));
            c->addToLegend();
        } else {
            c->data()->clear();
            c->removeFromLegend();
        }
    }
    refreshDifferenceMap();
    for (QCustomPlot* p : { m_slice, m_difference, m_convergence }) {
        p->rescaleAxes();
        if (p == m_difference || p == m_slice) {
            p->xAxis->setRange(0.0, 360.0);
        }
        p->yAxis->scaleRange(1.1, p->yAxis->range().center()); // the curves off the frame's edge
        p->replot();
    }
}

void ReviewPanel::refreshDifferenceMap()
{
    m_mapPlot->setVisible(bool(m_b));
    m_diffMapValues.clear();
    if (!m_a || !m_b) {
        return;
    }
    const C2Snapshot& a = *m_a->snapshot;
    const C2Snapshot& b = *m_b->snapshot;
    const int n = a.nQ;
    const int k = std::clamp(m_cursor.k, 0, a.nPhi - 1);
    m_diffMapInSigma = a.hasStdError() && b.hasStdError();
    m_diffMapValues.assign(std::size_t(n) * n, kNaN);
    std::vector<double> sizes; // |A − B| of every cell shown
    for (int q = 0; q < n; ++q) {
        for (int qp = 0; qp < n; ++qp) {
            const std::size_t i = a.at(q, qp, k);
            if (i >= a.flags.size() || i >= b.flags.size() || a.flags[i] != C2Snapshot::Valid
                || b.flags[i] != C2Snapshot::Valid) {
                continue; // masked or the self-term in either run: no value, not a zero
            }
            double d = a.c2[i] - b.c2[i];
            if (m_diffMapInSigma) {
                const double se = std::hypot(a.c2StdError[i], b.c2StdError[i]);
                d = se > 0.0 ? d / se : kNaN;
            }
            m_diffMapValues[std::size_t(q) * n + qp] = d;
            if (std::isfinite(d)) {
                sizes.push_back(std::abs(d));
            }
        }
    }
    const PolarGrid& g = m_a->stored.grid;
    m_diffMap->data()->setSize(n, n);
    m_diffMap->data()->setRange(QCPRange(g.qCentre(0), g.qCentre(n - 1)), QCPRange(g.qCentre(0), g.qCentre(n - 1)));
    for (int q = 0; q < n; ++q) {
        for (int qp = 0; qp < n; ++qp) {
            m_diffMap->data()->setCell(q, qp, m_diffMapValues[std::size_t(q) * n + qp]);
        }
    }
    // Symmetric about 0, so white is no difference, up to the 99th percentile of |A − B| (a few extreme cells beside
    // the self-term would otherwise wash the rest out); in standard errors at least ±3, so noise stays pale.
    double typical = 0.0;
    if (!sizes.empty()) {
        const auto at = sizes.begin() + std::ptrdiff_t(0.99 * double(sizes.size() - 1));
        std::nth_element(sizes.begin(), at, sizes.end());
        typical = *at;
    }
    const double half = m_diffMapInSigma ? std::max(3.0, typical) : (typical > 0.0 ? typical : 1.0);
    m_diffMap->setDataRange(QCPRange(-half, half));
    const QString delta = QString::number(360.0 * k / a.nPhi, 'f', 1);
    m_diffMap->colorScale()->axis()->setLabel(m_diffMapInSigma ? tr("(A − B) / σ") : tr("A − B (ADU²)"));
    m_mapTitle->setText(m_diffMapInSigma
            ? tr("A − B at Δφ = %1° · σ = √(σA² + σB²)").arg(delta)
            : tr("A − B at Δφ = %1° (no standard errors)").arg(delta));
    m_mapPlot->rescaleAxes();
    m_mapPlot->replot();
}

bool ReviewPanel::dumpCompare(const QString& path) const
{
    QJsonObject o;
    o[QStringLiteral("q")] = m_cursor.q;
    o[QStringLiteral("qp")] = m_cursor.qp;
    const auto values = [](const QCPGraph* g, bool keys) {
        std::vector<double> v;
        for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) {
            v.push_back(keys ? it->key : it->value);
        }
        return v;
    };
    o[QStringLiteral("deltaDeg")] = jsonArray(values(m_slice->graph(0), true));
    o[QStringLiteral("a")] = jsonArray(values(m_slice->graph(0), false));
    o[QStringLiteral("b")] = jsonArray(values(m_slice->graph(1), false));
    o[QStringLiteral("difference")] = jsonArray(values(m_difference->graph(0), false));
    o[QStringLiteral("convergenceShotsA")] = jsonArray(values(m_convergence->graph(0), true));
    o[QStringLiteral("convergenceA")] = jsonArray(values(m_convergence->graph(0), false));
    o[QStringLiteral("convergenceShotsB")] = jsonArray(values(m_convergence->graph(1), true));
    o[QStringLiteral("convergenceB")] = jsonArray(values(m_convergence->graph(1), false));
    o[QStringLiteral("differenceMap")] = jsonArray(m_diffMapValues);
    o[QStringLiteral("differenceMapUnit")]
        = m_diffMapValues.empty() ? QString() : (m_diffMapInSigma ? QStringLiteral("standard errors") : QStringLiteral("C2"));
    o[QStringLiteral("differenceMapK")] = m_a ? std::clamp(m_cursor.k, 0, m_a->snapshot->nPhi - 1) : 0;
    o[QStringLiteral("fileA")] = m_a ? m_a->path : QString();
    o[QStringLiteral("fileB")] = m_b ? m_b->path : QString();
    QJsonArray ledger; // [label, A, B] as the table shows them
    for (int r = 0; r < m_ledger->rowCount(); ++r) {
        QJsonArray row;
        for (int c = 0; c < 3; ++c) {
            row.append(m_ledger->item(r, c) ? m_ledger->item(r, c)->text() : QString());
        }
        ledger.append(row);
    }
    o[QStringLiteral("ledger")] = ledger;
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(QJsonDocument(o).toJson()) > 0;
}

} // namespace fxs::monitor
