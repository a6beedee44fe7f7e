#include "ConvergenceView.h"

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
    m_detail = new QLabel(this);
    m_detail->setWordWrap(true);
    m_targetBox = new QDoubleSpinBox(this);
    m_targetBox->setRange(0.05, 0.999);
    m_targetBox->setDecimals(3);
    m_targetBox->setSingleStep(0.01);
    m_targetBox->setValue(0.9);
    m_targetBox->setToolTip(tr("Target reliability of the full C2 (Spearman–Brown from the split-half correlation)"));
    m_qEdit = new QLineEdit(this);
    m_qEdit->setPlaceholderText(tr("e.g. 0.2, 0.4"));
    m_qEdit->setToolTip(tr("q values (Å⁻¹) whose own split-half correlation is drawn"));
    m_plot = new QCustomPlot(this);
    m_plot->setMinimumHeight(140);
    m_plot->xAxis->setLabel(tr("shots"));
    m_plot->yAxis->setLabel(tr("correlation"));
    m_plot->legend->setVisible(true);
    m_plot->legend->setFont(QFont(font().family(), 8));
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    auto* measured = m_plot->addGraph();
    measured->setName(tr("split-half CC"));
    measured->setPen(QPen(QColor(30, 90, 200), 1.5));
    measured->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 5));
    auto* fit = m_plot->addGraph();
    fit->setName(tr("model N/(N+k)"));
    fit->setPen(QPen(QColor(30, 90, 200), 1.0, Qt::DashLine));
    auto* full = m_plot->addGraph();
    full->setName(tr("full-data reliability"));
    full->setPen(QPen(QColor(200, 40, 40), 1.5));
    m_targetLine = new QCPItemStraightLine(m_plot);
    m_targetLine->setPen(QPen(QColor(200, 40, 40), 1.0, Qt::DotLine));
    PlotExport::install(
        m_plot, [this] { return csv(); }, [this] { refresh(); });

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Target"), this));
    controls->addWidget(m_targetBox);
    controls->addSpacing(12);
    controls->addWidget(new QLabel(tr("q (Å⁻¹)"), this));
    controls->addWidget(m_qEdit, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_headline);
    layout->addWidget(m_detail);
    layout->addLayout(controls);
    layout->addWidget(m_plot, 1);
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
    refresh();
}

void ConvergenceView::setGrid(const PolarGrid& grid)
{
    m_grid = grid;
    clear();
}

void ConvergenceView::addSnapshot(const C2Snapshot& snapshot)
{
    if (!m_points.empty() && snapshot.shots <= m_points.back().shots) {
        return;
    }
    addPoint(snapshot.shots, snapshot.splitHalfCC, snapshot.splitHalfCCPerQ);
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
        s << "\n";
    }
    return out;
}

void ConvergenceView::refresh()
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
    int colour = 0;
    for (double q : m_chosenQ) {
        const int b = binOf(q);
        QVector<double> xs;
        QVector<double> ys;
        for (std::size_t i = 0; i < m_points.size(); ++i) {
            if (b >= 0 && b < static_cast<int>(m_perQ[i].size())) {
                xs << double(m_points[i].shots);
                ys << m_perQ[i][std::size_t(b)];
            }
        }
        auto* g = m_plot->addGraph();
        g->setName(tr("q = %1 Å⁻¹").arg(q));
        g->setPen(QPen(kQColours[colour++ % 4], 1.2));
        g->setData(xs, ys, true);
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
    // Zoom on where the curves are: a well-converged run sits at 0.99, and its wiggles matter.
    const double lowest = r.isEmpty() ? 0.0 : std::min(t, *std::min_element(r.begin(), r.end()));
    m_plot->yAxis->setRange(std::max(-1.0, lowest - 0.05 * (1.0 - lowest) - 0.02), 1.0);
    const auto togo = shotsToGo();
    if (m_points.empty()) {
        m_headline->setText(tr("Waiting for the first C2 snapshot"));
        m_detail->clear();
    } else if (!togo) {
        m_headline->setText(tr("Not enough signal yet to estimate"));
        m_detail->setText(tr("split-half CC %1 after %2 shots (needs a positive correlation)")
                              .arg(Format::value(m_points.back().splitHalfCC), Format::count(m_points.back().shots)));
    } else {
        const double nowFull = ConvergenceModel::fullReliability(m_points.back().splitHalfCC);
        m_headline->setText(*togo <= 0.0 ? tr("Target reached: enough shots for %1").arg(t)
                                         : tr("≈ %1 shots to go").arg(Format::count(std::llround(*togo))));
        m_detail->setText(
            tr("reliability now %1 (split-half %2) after %3 shots; target %4 at ≈ %5 shots")
                .arg(Format::value(nowFull), Format::value(m_points.back().splitHalfCC),
                    Format::count(m_points.back().shots), QString::number(t), Format::count(std::llround(needed))));
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace fxs::widgets
