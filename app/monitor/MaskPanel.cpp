#include "MaskPanel.h"

#include "EngineController.h"

#include <DiffractionView.h>
#include <Format.h>
#include <MaskTool.h>
#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QGridLayout>
#include <QLabel>
#include <QMainWindow>
#include <QPushButton>
#include <QScrollArea>
#include <QToolButton>
#include <QVBoxLayout>
#include <ShotCountsModel.h>

namespace fxs::monitor {

using Kind = widgets::MaskShapes::Kind;

MaskPanel* MaskPanel::install(QMainWindow* window, EngineController* engine, widgets::DiffractionView* view,
    widgets::ShotCountsModel* counts, Notify notify)
{
    auto* panel = new MaskPanel(engine, view, counts, std::move(notify), window);
    auto* scroll = new QScrollArea(window); // the dock may be narrower than the tools: it scrolls, the window stays
    scroll->setWidget(panel);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* d = new QDockWidget(tr("Masks"), window);
    d->setObjectName(QStringLiteral("masks")); // saveState() keys docks by object name
    d->setWidget(scroll);
    window->addDockWidget(Qt::LeftDockWidgetArea, d);
    if (auto* vetoes = window->findChild<QDockWidget*>(QStringLiteral("vetoes"))) {
        window->tabifyDockWidget(vetoes, d);
        vetoes->raise(); // the Vetoes panel stays in front; Masks is a tab beside it
    }
    return panel;
}

MaskPanel::MaskPanel(EngineController* engine, widgets::DiffractionView* view, widgets::ShotCountsModel* counts,
    Notify notify, QWidget* parent)
    : QWidget(parent)
    , m_engine(engine)
    , m_view(view)
    , m_counts(counts)
    , m_notify(std::move(notify))
{
    m_tool = new widgets::MaskTool(view->plot(), this);
    buildTools();
    connect(m_tool, &widgets::MaskTool::outlineDrawn, this,
        [this](Kind kind, const QPolygonF& mm) { addOutline(kind, mm); });
    connect(engine, &EngineController::runStarted, this,
        [this](const QString&, std::shared_ptr<const widgets::ImageAssembly> assembly, const PolarGrid&) {
            m_shapes.setAssembly(std::move(assembly)); // the same detector keeps its mask for the next run
            m_view->setUserMask(m_shapes.masked());
            m_droppedBins = -1; // the engine applies it as the run starts; the count follows at the next change
            m_summary->setText(summary());
        });
    connect(counts, &widgets::ShotCountsModel::changed, this, [this] {
        const QString text = m_counts->reevaluationText();
        m_reevaluation->setText(text);
        m_reevaluation->setVisible(!text.isEmpty() && !m_shapes.shapes().empty());
    });
}

void MaskPanel::buildTools()
{
    auto* layout = new QVBoxLayout(this);
    auto* draw = new QGridLayout;
    m_rectButton = new QToolButton(this);
    m_rectButton->setText(tr("▭ Rectangle"));
    m_rectButton->setToolTip(tr("Drag on the detector view to mask a rectangle (lab x, y)"));
    m_polyButton = new QToolButton(this);
    m_polyButton->setText(tr("⬠ Polygon"));
    m_polyButton->setToolTip(tr("Click the vertices on the detector view; double-click or Enter closes the polygon, "
                                "Backspace removes the last vertex, Esc drops it"));
    for (auto [b, mode] : { std::pair { m_rectButton, int(widgets::MaskTool::Mode::Rectangle) },
             std::pair { m_polyButton, int(widgets::MaskTool::Mode::Polygon) } }) {
        b->setCheckable(true);
        b->setToolButtonStyle(Qt::ToolButtonTextOnly);
        connect(b, &QToolButton::clicked, this, [this, b = b, mode = mode] { chooseTool(b, mode); });
    }
    draw->addWidget(m_rectButton, 0, 0);
    draw->addWidget(m_polyButton, 0, 1);
    auto* undo = new QPushButton(tr("Undo last"), this);
    auto* clear = new QPushButton(tr("Clear all"), this);
    connect(undo, &QPushButton::clicked, this, [this] { this->undo(); });
    connect(clear, &QPushButton::clicked, this, &MaskPanel::clearAll);
    draw->addWidget(undo, 1, 0);
    draw->addWidget(clear, 1, 1);
    layout->addLayout(draw);

    auto* threshold = new QHBoxLayout;
    m_aboveBelow = new QComboBox(this);
    m_aboveBelow->addItems({ tr("above"), tr("below") });
    m_threshold = new QDoubleSpinBox(this);
    m_threshold->setRange(-1e9, 1e9);
    m_threshold->setDecimals(1);
    m_threshold->setValue(10000.0);
    m_threshold->setSuffix(tr(" ADU"));
    auto* mask = new QPushButton(tr("Mask"), this);
    mask->setToolTip(tr("Masks the pixels of the frame shown in the detector view (not of the run's mean) whose value "
                        "is above or below this value: hot pixels, a shadow"));
    connect(mask, &QPushButton::clicked, this,
        [this] { addThreshold(m_threshold->value(), m_aboveBelow->currentIndex() == 0); });
    threshold->addWidget(m_aboveBelow);
    threshold->addWidget(m_threshold, 1);
    threshold->addWidget(mask);
    layout->addWidget(new QLabel(tr("Pixels of the shown frame"), this));
    layout->addLayout(threshold);

    auto* files = new QHBoxLayout;
    auto* load = new QPushButton(tr("Load…"), this);
    auto* save = new QPushButton(tr("Save…"), this);
    connect(load, &QPushButton::clicked, this, &MaskPanel::loadDialog);
    connect(save, &QPushButton::clicked, this, &MaskPanel::saveDialog);
    m_overlay = new QCheckBox(tr("show on detector"), this);
    m_overlay->setChecked(true);
    connect(m_overlay, &QCheckBox::toggled, m_view, &widgets::DiffractionView::setUserMaskVisible);
    files->addWidget(load);
    files->addWidget(save);
    files->addStretch(1);
    files->addWidget(m_overlay);
    layout->addLayout(files);

    m_summary = new QLabel(summary(), this);
    m_summary->setWordWrap(true);
    m_summary->setToolTip(tr("The mask acts on C2 only: every polar bin that a masked pixel feeds is dropped for every "
                             "shot of the run, earlier shots included (re-evaluated from memory, the polar spool or "
                             "the file, like a veto change). Shot statistics (veto rules, strip charts) stay as "
                             "computed on the whole detector."));
    QFont bold = m_summary->font();
    bold.setBold(true);
    m_summary->setFont(bold);
    m_shapesList = new QLabel(this);
    m_shapesList->setWordWrap(true);
    m_reevaluation = new QLabel(this);
    m_reevaluation->setWordWrap(true);
    m_reevaluation->setVisible(false);
    layout->addWidget(m_summary);
    layout->addWidget(m_reevaluation);
    layout->addWidget(m_shapesList);
    layout->addStretch(1);
}

void MaskPanel::chooseTool(QToolButton* button, int mode)
{
    const bool on = button->isChecked();
    for (QToolButton* b : { m_rectButton, m_polyButton }) {
        b->setChecked(b == button && on);
    }
    m_tool->setMode(on ? widgets::MaskTool::Mode(mode) : widgets::MaskTool::Mode::Off);
}

std::size_t MaskPanel::addOutline(Kind kind, const QPolygonF& mm)
{
    const std::size_t n = m_shapes.addOutline(kind, mm);
    if (n == 0) {
        m_notify(tr("Mask: the shape holds no detector pixel; nothing masked"), false);
        return 0;
    }
    apply();
    return n;
}

std::size_t MaskPanel::addThreshold(double value, bool above)
{
    const auto image = m_view->image();
    const std::size_t n = image ? m_shapes.addThreshold(*image, value, above) : 0;
    if (n == 0) {
        m_notify(image ? tr("Mask: no pixel of shot %1 is %2 %3; nothing masked")
                             .arg(image->shotIndex)
                             .arg(above ? tr("above") : tr("below"))
                             .arg(value)
                       : tr("Mask: no frame is shown yet"),
            false);
        return 0;
    }
    apply();
    return n;
}

bool MaskPanel::undo()
{
    if (!m_shapes.undo()) {
        return false;
    }
    apply();
    return true;
}

void MaskPanel::clearAll()
{
    m_shapes.clear();
    apply();
}

void MaskPanel::apply()
{
    const auto masked = m_shapes.masked();
    m_view->setUserMask(masked);
    m_droppedBins = m_engine->setPixelMask(masked);
    m_summary->setText(summary());
    QStringList lines;
    for (const auto& s : m_shapes.shapes()) {
        lines << QStringLiteral("• %1 (%2 px)").arg(s.label, widgets::Format::count(std::int64_t(s.pixels.size())));
    }
    m_shapesList->setText(lines.join('\n'));
}

QString MaskPanel::summary() const
{
    if (m_shapes.shapes().empty()) {
        return tr("No mask: every pixel the geometry allows goes into C2");
    }
    const QString pixels = tr("%1 pixels masked").arg(widgets::Format::count(std::int64_t(m_shapes.maskedCount())));
    return m_droppedBins < 0 ? tr("%1 · applied to C2 when a run starts").arg(pixels)
                             : tr("%1 · %2 polar bins dropped from C2 for every shot")
                                   .arg(pixels, widgets::Format::count(m_droppedBins));
}

void MaskPanel::loadDialog()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Load mask"), {}, tr("Masks (*.h5 *.hdf5 *.nxs *.geom *.txt);;All files (*)"));
    QString error;
    if (!path.isEmpty() && !loadFile(path, &error)) {
        m_notify(error, true);
    }
}

void MaskPanel::saveDialog()
{
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save mask"), {}, tr("HDF5 mask (*.h5);;CrystFEL bad regions (*.geom)"));
    QString error;
    if (!path.isEmpty() && !saveFile(path, &error)) {
        m_notify(error, true);
    }
}

} // namespace fxs::monitor
