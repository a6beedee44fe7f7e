#include "HealthBar.h"

#include "Format.h"

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
        return QColor(230, 160, 20);
    case RunState::Finished:
        return QColor(40, 110, 200);
    case RunState::Failed:
        return QColor(210, 40, 40);
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
    case RunState::Idle:
        break;
    }
    return tr("idle");
}

QString HealthBar::describe(const HealthFigures& f)
{
    const QString state = (f.stateText.isEmpty() ? stateName(f.state) : f.stateText).toUpper();
    if (!f.detail.isEmpty()) {
        return state + QStringLiteral(" · ") + f.detail;
    }
    return tr("%1 · in %2 · processed %3 · latency %4 · dropped %5 · shots %6 · memory %7")
        .arg(state, Format::rateHz(f.inputHz), Format::rateHz(f.processedHz), Format::durationMs(f.latencyMs),
            Format::count(f.droppedDisplayFrames), Format::count(f.shotsDone), Format::bytes(f.memoryBytes));
}

void HealthBar::setFigures(const HealthFigures& f)
{
    m_figures = f;
    m_dot->setText(QStringLiteral("<span style='color:%1; font-size:16pt'>●</span>").arg(stateColor(f.state).name()));
    // The state word in its colour and bold: the one thing to read from across the control room.
    const QString text = describe(f).toHtmlEscaped();
    const QString state = (f.stateText.isEmpty() ? stateName(f.state) : f.stateText).toUpper();
    m_text->setText(
        QStringLiteral("<b style='color:%1'>%2</b>%3").arg(stateColor(f.state).name(), state, text.mid(state.size())));
}

QString HealthBar::text() const { return describe(m_figures); }

} // namespace fxs::widgets
