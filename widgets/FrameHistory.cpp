#include "FrameHistory.h"

#include "Format.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QSpinBox>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>

namespace fxs::widgets {

namespace {
QToolButton* button(QWidget* parent, const QString& text, const QString& tip)
{
    auto* b = new QToolButton(parent);
    b->setText(text);
    b->setToolTip(tip);
    b->setAutoRaise(true);
    return b;
}
} // namespace

FrameHistory::FrameHistory(QWidget* parent)
    : QWidget(parent)
{
    m_playTimer = new QTimer(this);
    connect(m_playTimer, &QTimer::timeout, this, [this] {
        if (m_items.empty() || m_position + 1 >= m_items.size()) {
            m_playTimer->stop();
            return;
        }
        show(m_position + 1);
    });
    auto* back = button(this, QStringLiteral("◀"), tr("One shot back (←)"));
    auto* fwd = button(this, QStringLiteral("▶"), tr("One shot forward (→)"));
    auto* play = button(this, QStringLiteral("▷ play"), tr("Play the kept shots"));
    m_pauseButton = button(this, QStringLiteral("❚❚ pause display"), tr("Pause the display, not the run (Space)"));
    m_pauseButton->setCheckable(true);
    m_jump = new QSpinBox(this);
    m_jump->setRange(0, std::numeric_limits<int>::max());
    m_jump->setPrefix(tr("jump to shot "));
    m_jump->setKeyboardTracking(false);
    m_budget = new QSpinBox(this);
    m_budget->setRange(64, 1 << 20);
    m_budget->setSingleStep(256);
    m_budget->setValue(1024);
    m_budget->setPrefix(tr("keep "));
    m_budget->setSuffix(tr(" MB"));
    m_budget->setKeyboardTracking(false);
    m_budget->setToolTip(tr("Memory for the shots kept for stepping back (images and polar frames); the run itself "
                            "keeps every shot in C2"));
    connect(m_budget, &QSpinBox::valueChanged, this, [this] {
        applyBudget();
        emit memoryBudgetChanged(memoryBudget());
    });
    m_runSlider = new QSlider(Qt::Horizontal, this);
    m_runSlider->setToolTip(tr("Any shot of the file: read back from it (pauses the display)"));
    m_runSlider->setMinimumWidth(120);
    m_runSlider->hide();
    m_sliderPause = new QTimer(this);
    m_sliderPause->setSingleShot(true);
    m_sliderPause->setInterval(120); // a drag asks for the shot it rests on, not for every shot it passes
    connect(m_runSlider, &QSlider::valueChanged, m_sliderPause, qOverload<>(&QTimer::start));
    connect(m_sliderPause, &QTimer::timeout, this, [this] { emit runShotRequested(m_runSlider->value()); });
    m_label = new QLabel(this);
    m_label->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred); // never widens the window
    connect(back, &QToolButton::clicked, this, &FrameHistory::stepBack);
    connect(fwd, &QToolButton::clicked, this, &FrameHistory::stepForward);
    connect(play, &QToolButton::clicked, this, [this] { this->play(); });
    connect(m_pauseButton, &QToolButton::toggled, this, &FrameHistory::setPaused);
    connect(m_jump, &QSpinBox::valueChanged, this, [this](int v) { jumpTo(v); });
    // The shot shown on a line of its own: beside the controls a narrow centre would leave it no room.
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 0, 2, 0);
    layout->setSpacing(0);
    auto* row = new QHBoxLayout;
    for (QWidget* w : std::initializer_list<QWidget*> { m_pauseButton, back, fwd, play, m_jump, m_budget }) {
        row->addWidget(w);
    }
    row->addWidget(m_runSlider, 1);
    layout->addWidget(m_label);
    layout->addLayout(row);
    updateLabel();
}

void FrameHistory::setCapacity(int capacity)
{
    m_capacity = std::max(1, capacity);
    while (int(m_items.size()) > m_capacity) {
        m_items.pop_front();
        m_position = m_position > 0 ? m_position - 1 : 0;
    }
    updateLabel();
}

void FrameHistory::setBytesPerShot(double bytesPerShot)
{
    m_bytesPerShot = bytesPerShot;
    applyBudget();
}

void FrameHistory::setMemoryBudget(double bytes)
{
    const QSignalBlocker quiet(m_budget);
    m_budget->setValue(int(std::clamp(bytes / 1e6, double(m_budget->minimum()), double(m_budget->maximum()))));
    applyBudget();
}

double FrameHistory::memoryBudget() const { return m_budget->value() * 1e6; }

void FrameHistory::applyBudget()
{
    if (m_bytesPerShot > 0.0) {
        setCapacity(int(std::clamp(memoryBudget() / m_bytesPerShot, 8.0, 1e6)));
    }
}

void FrameHistory::push(HistoryItem item)
{
    m_items.push_back(std::move(item));
    if (int(m_items.size()) > m_capacity) {
        m_items.pop_front();
        // Paused on a shot that just fell out: stay on the oldest one kept rather than jumping.
        m_position = m_position > 0 ? m_position - 1 : 0;
    }
    if (!m_paused) {
        show(m_items.size() - 1);
    } else {
        updateLabel();
    }
}

void FrameHistory::clear()
{
    m_items.clear();
    m_position = 0;
    m_shown = {};
    m_notice.clear();
    updateLabel();
}

void FrameHistory::setPaused(bool paused)
{
    if (!paused) {
        m_playTimer->stop();
    }
    const bool changed = paused != m_paused;
    m_paused = paused;
    {
        const QSignalBlocker block(m_pauseButton);
        m_pauseButton->setChecked(paused);
    }
    if (!paused && !m_items.empty()) {
        show(m_items.size() - 1);
    }
    updateLabel();
    if (changed) {
        emit pausedChanged(paused);
    }
}

void FrameHistory::stepBack()
{
    setPaused(true);
    if (!m_items.empty() && m_position > 0) {
        show(m_position - 1);
    }
}

void FrameHistory::stepForward()
{
    setPaused(true);
    if (m_position + 1 < m_items.size()) {
        show(m_position + 1);
    }
}

void FrameHistory::first()
{
    setPaused(true);
    if (!m_items.empty()) {
        show(0);
    }
}

void FrameHistory::last()
{
    setPaused(true);
    if (!m_items.empty()) {
        show(m_items.size() - 1);
    }
}

bool FrameHistory::jumpTo(std::int64_t shotIndex)
{
    if (m_items.empty()) {
        return false;
    }
    setPaused(true);
    for (std::size_t i = 0; i < m_items.size(); ++i) {
        if (m_items[i].shotIndex == shotIndex) {
            show(i);
            return true;
        }
    }
    // Another shot in its place would be read as this one: say so and keep what is shown.
    m_notice = tr("shot %1 is not kept (kept: %2 … %3)")
                   .arg(Format::count(shotIndex), Format::count(m_items.front().shotIndex),
                       Format::count(m_items.back().shotIndex));
    updateLabel();
    return false;
}

void FrameHistory::play(double framesPerSecond)
{
    setPaused(true);
    m_playTimer->start(int(1000.0 / std::max(0.1, framesPerSecond)));
}

HistoryItem FrameHistory::current() const { return m_shown; }

void FrameHistory::setRunLength(std::int64_t frames)
{
    const QSignalBlocker quiet(m_runSlider);
    m_runSlider->setRange(0, int(std::clamp<std::int64_t>(frames - 1, 0, std::numeric_limits<int>::max())));
    m_runSlider->setVisible(frames > 0);
}

void FrameHistory::showRunShot(const HistoryItem& item)
{
    setPaused(true);
    m_shown = item;
    {
        const QSignalBlocker quiet(m_runSlider);
        m_runSlider->setValue(int(item.shotIndex));
    }
    m_notice = tr("read from the file");
    updateLabel();
    emit itemSelected(m_shown);
}

void FrameHistory::setNotice(const QString& notice)
{
    m_notice = notice;
    updateLabel();
}

QString FrameHistory::text() const { return m_label->text(); }

void FrameHistory::show(std::size_t position)
{
    m_position = std::min(position, m_items.size() - 1);
    m_shown = m_items[m_position];
    m_notice.clear();
    updateLabel();
    emit itemSelected(m_shown);
}

void FrameHistory::updateLabel()
{
    if (m_items.empty() && m_shown.shotIndex < 0) {
        m_label->setText(m_notice.isEmpty() ? tr("no shots yet") : m_notice);
        return;
    }
    const bool kept = m_position < m_items.size() && m_items[m_position].shotIndex == m_shown.shotIndex;
    QString where;
    if (m_shown.shotIndex < 0) {
        where = tr("%1 shots kept").arg(m_items.size());
    } else if (kept) {
        where = tr("shot %1 (%2 of %3 kept)").arg(Format::count(m_shown.shotIndex)).arg(m_position + 1).arg(m_items.size());
    } else if (m_items.empty()) {
        where = tr("shot %1").arg(Format::count(m_shown.shotIndex));
    } else {
        where = tr("shot %1 (not among the %2 kept)").arg(Format::count(m_shown.shotIndex)).arg(m_items.size());
    }
    if (!m_notice.isEmpty()) {
        where += QStringLiteral(" · ") + m_notice;
    }
    if (!m_runGoing) {
        m_label->setText(m_paused ? tr("<b style='color:#c07000'>DISPLAY PAUSED</b> — %1 · the run has ended").arg(where)
                                  : tr("run ended — %1").arg(where));
        return;
    }
    m_label->setText(m_paused ? tr("<b style='color:#c07000'>DISPLAY PAUSED</b> — %1 · the run goes on").arg(where)
                              : tr("live — %1").arg(where));
}

void FrameHistory::setRunGoing(bool going)
{
    m_runGoing = going;
    updateLabel();
}

} // namespace fxs::widgets
