#pragma once

#include <QFile>
#include <QJsonArray>
#include <QObject>
#include <QString>
#include <cstdint>

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
/// {"veto": [first, last], "reason": "beam dump"}], "screenshots": "DIR"}.
class VetoScript : public QObject {
public:
    /// Follows `window` (and is its child); `scriptPath` or `countsLogPath` may be empty.
    VetoScript(MainWindow* window, const QString& scriptPath, const QString& countsLogPath);

private:
    void poll();
    bool applyChanges();
    void logCounts();

    MainWindow* m_window;
    QJsonArray m_changes;
    QString m_screenshotDir;
    std::int64_t m_pauseAt = -1;
    bool m_applied = false;
    bool m_screenshotsTaken = false;
    QFile m_log;
    QTimer* m_timer = nullptr;
};

} // namespace fxs::monitor
