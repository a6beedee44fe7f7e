#pragma once

#include <QFile>
#include <QJsonArray>
#include <QObject>
#include <QString>
#include <cstdint>
#include <functional>

class QTimer;

namespace fxs::monitor {

class MainWindow;

/// Scripted veto changes during a run and a log of the shot counts the window shows (tests/app/tst_ExactVetoes,
/// scripts/screenshots): fxs-monitor's `--veto-script FILE` pauses the run at a shot, makes the script's changes
/// through the Vetoes panel as a scientist would (thresholds, hand-vetoed ranges), resumes, and can take the
/// screenshots while the C2 is being re-evaluated; `--counts-log FILE` appends, each time the counts change and at
/// every display tick, what the Vetoes panel, the health bar, the C2 explorer and the accepted strip chart
/// display (one JSON object a line).
///
/// The script: {"pause_at_shot": N, "changes": [{"statistic": "max", "min": null, "max": 2000},
/// {"veto": [first, last], "reason": "beam dump"}], "screenshots": "DIR"}. Mask changes go through the Masks panel:
/// {"mask_rect": [x0, y0, x1, y1]} and {"mask_polygon": [[x, y], ...]} in lab mm, {"mask_threshold": v, "above":
/// true}, {"mask_clear": true}, {"mask_undo": true}, {"mask_save": "FILE"}, {"mask_load": "FILE"}. "after_end": [...]
/// makes more changes once the run has ended, and the scripted run's end (dumps, quit) waits until the window has
/// corrected the C2 and written the results file again.
class VetoScript : public QObject {
    Q_OBJECT
public:
    /// Follows `window` (and is its child); `scriptPath` or `countsLogPath` may be empty.
    VetoScript(MainWindow* window, const QString& scriptPath, const QString& countsLogPath);
    /// True while changes after the run's end are still to be made or their correction is still running.
    bool holdsEnd() const { return !m_afterEnd.isEmpty() && !m_afterEndDone; }
    /// Calls `then` once the changes after the end are made and the results file was written again.
    void whenDone(std::function<void()> then) { m_then = std::move(then); }

private:
    void poll();
    bool applyChanges(const QJsonArray& changes);
    bool applyMaskChange(const QJsonObject& change, QString* error);
    void onRunEnded(const QString& message, bool failed);
    void onRewritten(const QString& message);
    void logCounts();

    MainWindow* m_window;
    QJsonArray m_changes;
    QJsonArray m_afterEnd;
    bool m_afterEndApplied = false;
    bool m_afterEndDone = false;
    std::function<void()> m_then;
    QString m_screenshotDir;
    std::int64_t m_pauseAt = -1;
    bool m_applied = false;
    bool m_started = false; ///< the window has handled the run's start
    bool m_screenshotsTaken = false;
    QFile m_log;
    QTimer* m_timer = nullptr;
};

} // namespace fxs::monitor
