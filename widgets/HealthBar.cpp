#include "HealthBar.h"

#include "Format.h"
#include "ShotCountsModel.h"

#include <QHBoxLayout>
#include <QLabel>

namespace fxs::widgets {

HealthBar::HealthBar(QWidget* parent)
    : QWidget(parent)
{
    m_dot = new QLabel(this);
    m_text = new QLabel(this);
    QFont f = m_text->font();
    f.setPointSizeF(f.pointSizeF() * 1.1);
    m_text->setFont(f);
    // A long line (a stream's state and counts) must not widen the window: it is cut at the window's edge, and the
    // tooltip holds all of it.
    m_text->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_text->setMinimumWidth(0);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 2, 6, 2);
    layout->addWidget(m_dot);
    layout->addWidget(m_text, 1);
    setFigures({});
}

QColor HealthBar::stateColor(RunState state)
{
    switch (state) {
    case RunState::Running:
        return QColor(40, 170, 60);
    case RunState::Paused:
    case RunState::Waiting:
        return QColor(230, 160, 20);
    case RunState::Finished:
        return QColor(40, 110, 200);
    case RunState::Failed:
        return QColor(210, 40, 40);
    case RunState::Review:
        return QColor(130, 80, 180);
    case RunState::Idle:
        break;
    }
    return QColor(140, 140, 140);
}

QString HealthBar::stateName(RunState state)
{
    switch (state) {
    case RunState::Running:
        return tr("running");
    case RunState::Paused:
        return tr("paused");
    case RunState::Finished:
        return tr("finished");
    case RunState::Failed:
        return tr("failed");
    case RunState::Waiting:
        return tr("waiting");
    case RunState::Review:
        return tr("review");
    case RunState::Idle:
        break;
    }
    return tr("idle");
}

QString HealthBar::describe(const HealthFigures& f, const ShotCountsModel* counts)
{
    const QString state = (f.stateText.isEmpty() ? stateName(f.state) : f.stateText).toUpper();
    if (!f.detail.isEmpty()) {
        return state + QStringLiteral(" · ") + f.detail;
    }
    QString shots = tr("shots %1").arg(Format::count(f.shotsDone));
    if (counts) { // the run's one model of the counts, as the Vetoes panel and the C2 explorer show it
        const VetoCounts& c = counts->counts();
        shots = tr("read %1 · %2").arg(Format::count(c.read), counts->inC2Text());
        if (c.pending > 0) {
            shots += QStringLiteral(" · ") + counts->reevaluationText();
        } else if (c.unreachable > 0) {
            shots += tr(" · %1 unreachable").arg(Format::count(c.unreachable));
        }
    }
    return tr("%1 · %2in %3 · processed %4 · latency %5 · display frames skipped %6 · %7 · memory %8")
        .arg(state, f.source.isEmpty() ? QString() : f.source + QStringLiteral(" · "), Format::rateHz(f.inputHz),
            Format::rateHz(f.processedHz), Format::durationMs(f.latencyMs), Format::count(f.droppedDisplayFrames),
            shots, Format::bytes(f.memoryBytes));
}

void HealthBar::setCountsModel(const ShotCountsModel* model)
{
    m_counts = model;
    connect(model, &ShotCountsModel::changed, this, [this] { setFigures(m_figures); });
    setFigures(m_figures);
}

void HealthBar::setFigures(const HealthFigures& f)
{
    m_figures = f;
    m_dot->setText(QStringLiteral("<span style='color:%1; font-size:16pt'>●</span>").arg(stateColor(f.state).name()));
    // The state word in its colour and bold: the one thing to read from across the control room.
    const QString text = describe(f, m_counts).toHtmlEscaped();
    const QString state = (f.stateText.isEmpty() ? stateName(f.state) : f.stateText).toUpper();
    m_text->setText(
        QStringLiteral("<b style='color:%1'>%2</b>%3").arg(stateColor(f.state).name(), state, text.mid(state.size())));
    m_text->setToolTip(describe(f, m_counts) + QStringLiteral("\n\n")
        + (f.toolTip.isEmpty() ? tr("Display frames skipped: images the display did not draw so as to show the newest "
                                    "one. No data is lost: every shot is still read, judged and accumulated in C2.")
                               : f.toolTip));
}

QString HealthBar::text() const { return describe(m_figures, m_counts); }

QString HealthBar::toolTipText() const { return m_text->toolTip(); }

} // namespace fxs::widgets
