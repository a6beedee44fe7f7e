#pragma once

#include <MaskShapes.h>
#include <QWidget>
#include <functional>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QMainWindow;
class QToolButton;

namespace fxs::widgets {
class DiffractionView;
class MaskTool;
class ShotCountsModel;
}

namespace fxs::monitor {

class EngineController;

/// The Masks dock: draw (rectangle, polygon, threshold on the shown frame), undo, clear, load and save a pixel mask
/// of the detector. Every change applies at once to the whole run: the polar bins the masked pixels feed are
/// dropped from the C2 for every shot, re-evaluated exactly like a veto change (EngineController::setPixelMask),
/// also after the run ended. Shot statistics stay as computed on the detector.
class MaskPanel : public QWidget {
    Q_OBJECT
public:
    using Notify = std::function<void(const QString& message, bool error)>;
    /// Makes the panel and its dock (a tab beside the Vetoes panel) in `window`.
    static MaskPanel* install(QMainWindow* window, EngineController* engine, widgets::DiffractionView* view,
        widgets::ShotCountsModel* counts, Notify notify);

    /// Adds a rectangle or polygon in lab mm (as drawn on the view) and applies the mask; returns the pixels it
    /// masks.
    std::size_t addOutline(widgets::MaskShapes::Kind kind, const QPolygonF& mm);
    /// Masks the pixels of the frame shown above (`above`) or below `value` and applies the mask.
    std::size_t addThreshold(double value, bool above);
    /// Removes the last shape and applies the mask.
    bool undo();
    /// Removes every shape (the C2 gets its bins back).
    void clearAll();
    /// Reads a mask file (HDF5 FILE[:DATASET] or CrystFEL bad regions) as one more shape; false with `error`.
    bool loadFile(const QString& path, QString* error);
    /// Writes the mask (HDF5, or CrystFEL bad regions for .geom/.txt); false with `error`.
    bool saveFile(const QString& path, QString* error) const;
    /// The slab mask now (1 = masked; empty: none).
    std::vector<std::uint8_t> masked() const { return m_shapes.masked(); }
    /// The line under the tools: pixels masked and polar bins dropped.
    QString summary() const;

private:
    MaskPanel(EngineController* engine, widgets::DiffractionView* view, widgets::ShotCountsModel* counts,
        Notify notify, QWidget* parent);
    void buildTools();
    void apply();
    void chooseTool(QToolButton* button, int mode);
    void loadDialog();
    void saveDialog();

    EngineController* m_engine;
    widgets::DiffractionView* m_view;
    widgets::ShotCountsModel* m_counts;
    Notify m_notify;
    widgets::MaskShapes m_shapes;
    widgets::MaskTool* m_tool = nullptr;
    int m_droppedBins = 0; ///< from the last apply (−1: no run yet)
    QToolButton* m_rectButton = nullptr;
    QToolButton* m_polyButton = nullptr;
    QComboBox* m_aboveBelow = nullptr;
    QDoubleSpinBox* m_threshold = nullptr;
    QCheckBox* m_overlay = nullptr;
    QLabel* m_summary = nullptr;
    QLabel* m_shapesList = nullptr;
    QLabel* m_reevaluation = nullptr;
};

} // namespace fxs::monitor
