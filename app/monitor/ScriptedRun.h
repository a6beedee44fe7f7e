#pragma once

#ifndef Q_MOC_RUN
#include "MonitorOptions.h"
#endif

#include <QElapsedTimer>
#include <QObject>
#include <QString>

namespace fxs::monitor {

class MainWindow;
struct RemoteJobStatus;

/// What fxs-monitor's scripted-run options do to a window (scripts/screenshots*.sh, tests/app, tests/remote):
/// screenshots at a shot count or at a remote reconstruction's progress (polled), or when the run ends; the C2
/// view and Ranks dumps; stopping at a shot count; pressing Resume once when a remote job ended cancelled or failed;
/// the same dumps (and the compare plots') once results files are shown for review; quitting when the run ends. None of
/// it is part of the window, which only says when a run ended; main() adds this beside it.
class ScriptedRun : public QObject {
public:
    /// Follows `window` (and is its child) as `options` ask; does nothing when they ask for nothing.
    ScriptedRun(MainWindow* window, const MonitorOptions& options);

private:
    void pollScreenshots();
    void onRemoteStatus(const RemoteJobStatus& status);
    void onRunEnded(const QString& message, bool failed);
    /// --press-resume: clicks Resume once when the window offers it; true when it did.
    bool pressResume(const QString& message);

    MainWindow* m_window;
    MonitorOptions m_options;
    bool m_screenshotsTaken = false; ///< the polled screenshots were taken
    QElapsedTimer m_launched; ///< since the window was set up (--screenshots-at-seconds)
    QString m_stoppedJob; ///< the remote job --stop-at-shots stopped
    bool m_stoppedWhileReconnecting = false; ///< --stop-when-reconnecting pressed Stop
    std::int64_t m_pausedShot = -1; ///< the shot shown when --pause-display-at paused the display
    QString m_vetoFrozenAtStop; ///< why the Vetoes panel was frozen when --stop-at-shots stopped a remote job
    bool m_reopened = false; ///< --then-open was done
    bool m_endOfReplacedRun = false; ///< --open-during-run answered yes: the next end is the replaced run's
    bool m_fileShotAsked = false; ///< --show-file-shot was asked for
    bool m_resumePressed = false; ///< --press-resume pressed Resume already
};

} // namespace fxs::monitor
