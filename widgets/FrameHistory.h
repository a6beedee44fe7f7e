#pragma once

#include "ImageAssembly.h"

#include <QWidget>
#include <deque>
#include <fxs/polar/PolarFrame.h>
#include <memory>

class QLabel;
class QSlider;
class QSpinBox;
class QTimer;
class QToolButton;

namespace fxs::widgets {

/// One displayed shot as kept in the history: the assembled image and its polar frame (either may be null).
struct HistoryItem {
    std::int64_t shotIndex = -1;
    std::shared_ptr<const AssembledImage> image;
    std::shared_ptr<const PolarFrame> polar;
};

/// The last displayed shots, as many as a memory budget holds: pause the display (never the engine), step back and
/// forward, jump to a shot, play. Live, every pushed item is shown at once; paused, pushes only fill the buffer and
/// the shot shown stays shown (even once it falls out of the buffer).
class FrameHistory : public QWidget {
    Q_OBJECT
public:
    explicit FrameHistory(QWidget* parent = nullptr);

    /// How many shots are kept (oldest dropped first).
    void setCapacity(int capacity);
    /// Shots kept at most.
    int capacity() const { return m_capacity; }
    /// Sizes the buffer by memory: as many shots of `bytesPerShot` as the budget holds (at least 8).
    void setBytesPerShot(double bytesPerShot);
    /// The memory the kept shots may use (default 1 GiB; the spin box in the bar).
    void setMemoryBudget(double bytes);
    /// The memory budget in bytes.
    double memoryBudget() const;
    /// Number of shots kept.
    int size() const { return int(m_items.size()); }
    /// Adds the newest shot; shown at once when live.
    void push(HistoryItem item);
    /// Drops every shot (a new run).
    void clear();
    /// True while the display is paused.
    bool isPaused() const { return m_paused; }
    /// Pauses or resumes (resuming jumps to the newest shot).
    void setPaused(bool paused);
    /// One shot older (pauses).
    void stepBack();
    /// One shot newer (pauses).
    void stepForward();
    /// The oldest shot kept (pauses).
    void first();
    /// The newest shot (pauses).
    void last();
    /// Shows shot `shotIndex` (pauses); false, and the bar says which shots are kept, when it is not kept.
    bool jumpTo(std::int64_t shotIndex);
    /// Steps forward at `framesPerSecond` until the newest shot, then stays paused.
    void play(double framesPerSecond = 10.0);
    /// The shot shown (shotIndex −1 when none).
    HistoryItem current() const;
    /// The bar's text: live or paused, the shot shown, what is kept (tests).
    QString text() const;
    /// A file run of `frames` shots: a slider over all of them asks for any shot (runShotRequested); 0 hides it.
    void setRunLength(std::int64_t frames);
    /// Shows a shot read back from the file (pauses).
    void showRunShot(const HistoryItem& item);
    /// A remark after the shot shown ("shot 12 could not be read: …").
    void setNotice(const QString& notice);
    /// Whether a run is going on: the bar says "the run goes on" while paused, and "run ended" once it is over.
    void setRunGoing(bool going);

signals:
    /// A shot should be displayed.
    void itemSelected(const fxs::widgets::HistoryItem& item);
    /// Paused or resumed.
    void pausedChanged(bool paused);
    /// The user changed the memory budget (bytes).
    void memoryBudgetChanged(double bytes);
    /// The run slider asks for a shot of the file.
    void runShotRequested(std::int64_t shotIndex);

private:
    void show(std::size_t position);
    void updateLabel();
    void applyBudget();

    std::deque<HistoryItem> m_items;
    HistoryItem m_shown; ///< the shot on screen (paused: kept even after it falls out of m_items)
    QString m_notice; ///< one-off remark after the position ("shot 12 is not kept")
    double m_bytesPerShot = 0.0;
    std::size_t m_position = 0;
    int m_capacity = 32;
    bool m_paused = false;
    bool m_runGoing = false;
    QTimer* m_playTimer = nullptr;
    QToolButton* m_pauseButton = nullptr;
    QSpinBox* m_jump = nullptr;
    QSpinBox* m_budget = nullptr; ///< MB
    QSlider* m_runSlider = nullptr; ///< every shot of a file run
    QTimer* m_sliderPause = nullptr; ///< asks for the slider's shot once it rests
    QLabel* m_label = nullptr;
};

} // namespace fxs::widgets
