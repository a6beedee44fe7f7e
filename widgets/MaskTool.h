#pragma once

#include "MaskShapes.h"

#include <QObject>
#include <QPolygonF>

class QCustomPlot;
class QCPCurve;

namespace fxs::widgets {

/// Drawing mask outlines on the detector view's plot (lab mm): a rectangle is dragged; a polygon takes a vertex per
/// click and closes with a double-click or Enter (Escape drops it, Backspace drops the last vertex). While a tool is
/// active the plot does not pan; the outline being drawn is shown dashed.
class MaskTool : public QObject {
    Q_OBJECT
public:
    enum class Mode { Off, Rectangle, Polygon };
    /// Works on `plot` (the DiffractionView's).
    explicit MaskTool(QCustomPlot* plot, QObject* parent = nullptr);
    /// Chooses the tool (Off: the plot pans and zooms again).
    void setMode(Mode mode);
    /// The tool in use.
    Mode mode() const { return m_mode; }

signals:
    /// An outline was finished (lab mm): Rectangle or Polygon.
    void outlineDrawn(fxs::widgets::MaskShapes::Kind kind, QPolygonF mm);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QPointF toMm(const QPointF& widgetPos) const;
    void showOutline(const QPolygonF& mm);
    void finishPolygon();

    QCustomPlot* m_plot;
    QCPCurve* m_outline = nullptr;
    Mode m_mode = Mode::Off;
    QPolygonF m_points; ///< vertices so far (polygon) or the corner pressed (rectangle)
    bool m_dragging = false;
};

} // namespace fxs::widgets
