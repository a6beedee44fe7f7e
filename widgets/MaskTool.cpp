#include "MaskTool.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <qcustomplot.h>

namespace fxs::widgets {

MaskTool::MaskTool(QCustomPlot* plot, QObject* parent)
    : QObject(parent)
    , m_plot(plot)
{
    m_outline = new QCPCurve(plot->xAxis, plot->yAxis);
    m_outline->setName(tr("mask outline being drawn"));
    QPen pen(QColor(255, 220, 0), 2, Qt::DashLine);
    m_outline->setPen(pen);
    m_outline->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssSquare, QColor(255, 220, 0), 6));
    m_outline->removeFromLegend();
    plot->installEventFilter(this);
}

void MaskTool::setMode(Mode mode)
{
    m_mode = mode;
    m_points.clear();
    m_dragging = false;
    showOutline({});
    // Dragging draws while a tool is active; the wheel still zooms.
    m_plot->setInteraction(QCP::iRangeDrag, mode == Mode::Off);
    m_plot->setCursor(mode == Mode::Off ? Qt::ArrowCursor : Qt::CrossCursor);
    if (mode != Mode::Off) {
        m_plot->setFocus();
    }
}

QPointF MaskTool::toMm(const QPointF& p) const
{
    return { m_plot->xAxis->pixelToCoord(p.x()), m_plot->yAxis->pixelToCoord(p.y()) };
}

void MaskTool::showOutline(const QPolygonF& mm)
{
    QVector<double> x, y;
    for (const QPointF& p : mm) {
        x << p.x();
        y << p.y();
    }
    m_outline->setData(x, y);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void MaskTool::finishPolygon()
{
    if (m_points.size() >= 3) {
        QPolygonF closed = m_points;
        closed << m_points.front();
        m_points.clear();
        showOutline({});
        emit outlineDrawn(MaskShapes::Kind::Polygon, closed);
    }
}

bool MaskTool::eventFilter(QObject* watched, QEvent* event)
{
    if (watched != m_plot || m_mode == Mode::Off) {
        return false;
    }
    const auto rectangle = [](QPointF a, QPointF b) {
        return QPolygonF { a, { b.x(), a.y() }, b, { a.x(), b.y() }, a };
    };
    switch (event->type()) {
    case QEvent::MouseButtonPress: {
        const auto* e = static_cast<QMouseEvent*>(event);
        if (e->button() != Qt::LeftButton) {
            return false;
        }
        const QPointF p = toMm(e->position());
        if (m_mode == Mode::Rectangle) {
            m_points = { p };
            m_dragging = true;
        } else {
            m_points << p;
            showOutline(m_points);
        }
        return true;
    }
    case QEvent::MouseMove: {
        const auto* e = static_cast<QMouseEvent*>(event);
        if (m_mode == Mode::Rectangle && m_dragging) {
            showOutline(rectangle(m_points.front(), toMm(e->position())));
        } else if (m_mode == Mode::Polygon && !m_points.isEmpty()) {
            showOutline(QPolygonF(m_points) << toMm(e->position()));
        }
        return false; // the readout under the cursor keeps working
    }
    case QEvent::MouseButtonRelease: {
        const auto* e = static_cast<QMouseEvent*>(event);
        if (m_mode == Mode::Rectangle && m_dragging && e->button() == Qt::LeftButton) {
            m_dragging = false;
            const QPolygonF r = rectangle(m_points.front(), toMm(e->position()));
            m_points.clear();
            showOutline({});
            emit outlineDrawn(MaskShapes::Kind::Rectangle, r);
        }
        return true;
    }
    case QEvent::MouseButtonDblClick:
        if (m_mode == Mode::Polygon) {
            finishPolygon(); // the double-click's own press added its point already
        }
        return true;
    case QEvent::KeyPress: {
        const int key = static_cast<QKeyEvent*>(event)->key();
        if (m_mode == Mode::Polygon && (key == Qt::Key_Return || key == Qt::Key_Enter)) {
            finishPolygon();
            return true;
        }
        if (key == Qt::Key_Backspace && !m_points.isEmpty()) {
            m_points.removeLast();
            showOutline(m_points);
            return true;
        }
        if (key == Qt::Key_Escape) {
            m_points.clear();
            showOutline({});
            return true;
        }
        return false;
    }
    default:
        return false;
    }
}

} // namespace fxs::widgets
