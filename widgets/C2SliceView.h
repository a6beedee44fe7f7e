#pragma once

#include "C2Slices.h"

#include <QWidget>
#include <fxs/polar/PolarGrid.h>
#include <memory>

class QCustomPlot;
class QCPColorMap;
class QCPGraph;
class QCPItemStraightLine;
class QComboBox;
class QLabel;

namespace fxs::widgets {

class ShotCountsModel;

/// The cursor shared by the three C2 views: a (q, q') pair and a Δ bin.
struct C2Cursor {
    int q = 0;
    int qp = 0;
    int k = 0;
    bool operator==(const C2Cursor&) const = default;
};

/// The C2 explorer: C2(q, q', Δ) against Δ (with the difference correlation), the (q, q') map at Δ and
/// C2(q, q, Δ) over (q, Δ). A click on any view moves the shared cursor; the others follow.
class C2SliceView : public QWidget {
    Q_OBJECT
public:
    explicit C2SliceView(QWidget* parent = nullptr);

    /// The polar grid the snapshots are on (axis values).
    void setGrid(const PolarGrid& grid);
    /// Shows a snapshot (kept by value, shared with whoever made it).
    void setSnapshot(std::shared_ptr<const C2Snapshot> snapshot);
    /// The snapshot shown (may be null).
    std::shared_ptr<const C2Snapshot> snapshot() const { return m_snapshot; }
    /// Moves the cursor (clamped to the grid) and refreshes the views.
    void setCursor(const C2Cursor& cursor);
    /// The current cursor.
    C2Cursor cursor() const { return m_cursor; }
    /// Chooses what the maps show (C2 or the difference correlation).
    void setMapQuantity(C2Quantity quantity);
    /// The ± 1 standard error band around C2 against Δ: its lower and upper edges (tests).
    QCPGraph* bandLow() const { return m_bandLow; }
    QCPGraph* bandHigh() const { return m_bandHigh; }
    /// Shows the run's shot count from this model (the Vetoes panel and the health bar show the same).
    void setCountsModel(const ShotCountsModel* model);
    /// The title line (cursor and shots; tests read it).
    QString title() const;
    /// The curve plot (tests, export).
    QCustomPlot* curvePlot() const { return m_curvePlot; }
    /// The (q, q') map plot.
    QCustomPlot* pairMapPlot() const { return m_pairPlot; }
    /// The (q, Δ) map plot.
    QCustomPlot* diagonalPlot() const { return m_diagPlot; }
    /// The colour map of the (q, q') view (tests).
    QCPColorMap* pairMap() const { return m_pairMap; }
    /// The colour map of the (q, Δ) view (tests).
    QCPColorMap* diagonalMap() const { return m_diagMap; }

signals:
    /// The cursor moved (by a click or setCursor).
    void cursorChanged(fxs::widgets::C2Cursor cursor);

protected:
    /// Narrow, the legend takes one entry a row (two a row cut "difference C2 − C2(mean image)" off).
    void resizeEvent(QResizeEvent* event) override;

private:
    void refreshCurve();
    void refreshBand(const C2Curve& curve);
    void refreshTitle();
    QString shotsText() const;
    void refreshMaps();
    void refreshCursorItems();
    void onPairClick(QMouseEvent* event);
    void onDiagClick(QMouseEvent* event);
    void onCurveClick(QMouseEvent* event);
    int qBin(double qInvA) const;
    int deltaBin(double deg) const;

    PolarGrid m_grid;
    std::shared_ptr<const C2Snapshot> m_snapshot;
    const ShotCountsModel* m_counts = nullptr; ///< the run's shot counts (null: the snapshot's)
    C2Cursor m_cursor;
    C2Quantity m_mapQuantity = C2Quantity::C2;
    QCustomPlot* m_curvePlot = nullptr;
    QCustomPlot* m_pairPlot = nullptr;
    QCustomPlot* m_diagPlot = nullptr;
    QCPGraph* m_c2Graph = nullptr;
    QCPGraph* m_diffGraph = nullptr;
    QCPGraph* m_bandLow = nullptr; // C2 − 1 standard error (no legend entry)
    QCPGraph* m_bandHigh = nullptr; // C2 + 1 standard error, filled down to m_bandLow; its legend entry names the band
    QCPColorMap* m_pairMap = nullptr;
    QCPColorMap* m_diagMap = nullptr;
    QCPGraph* m_pairMarker = nullptr;
    QCPItemStraightLine* m_curveDelta = nullptr;
    QCPItemStraightLine* m_diagQ = nullptr;
    QCPItemStraightLine* m_diagDelta = nullptr;
    QComboBox* m_quantityCombo = nullptr;
    QLabel* m_title = nullptr;
};

} // namespace fxs::widgets
