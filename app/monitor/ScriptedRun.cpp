#include "ScriptedRun.h"

#include "EngineController.h"
#include "LiveDisplay.h"
#include "MainWindow.h"
#include "MessageBar.h"
#include "RanksPanel.h"
#include "RemoteJobController.h"
#include "ReviewPanel.h"
#include "VetoScript.h"

#include <QApplication>
#include <QJsonObject>
#include <QMessageBox>
#include <QPushButton>
#include <QTimer>
#include <VetoPanel.h>
#include <cstdio>
#include <utility>

namespace fxs::monitor {

ScriptedRun::ScriptedRun(MainWindow* window, const MonitorOptions& options)
    : QObject(window)
    , m_window(window)
    , m_options(options)
{
    connect(window, &MainWindow::runEnded, this, &ScriptedRun::onRunEnded);
    connect(window, &MainWindow::reviewShown, this, &ScriptedRun::onRunEnded);
    if (options.quitWhenDone) { // what the run reads goes to the terminal too, as fxs correlate says it
        connect(window->engine(), &EngineController::runStarted, this, [](const QString& description) {
            std::fprintf(stderr, "fxs-monitor: running %s\n", qPrintable(description));
        });
    }
    if (options.pressResume) { // a job the last session followed, looked up at start-up, offers Resume
        connect(window->remoteJob(), &RemoteJobController::statusChanged, this, [this](const RemoteJobStatus& s) {
            if (s.terminal && !m_window->remoteJob()->running()) {
                pressResume(tr("job %1 ended %2 in an earlier session").arg(s.jobId, s.state.toLower()));
            }
        });
    }
    if (options.stopAtShots > 0) {
        connect(window->remoteJob(), &RemoteJobController::statusChanged, this, &ScriptedRun::onRemoteStatus);
        // A local run (a detector stream that never ends by itself) is stopped once that many shots are in C2.
        auto* watch = new QTimer(this);
        connect(watch, &QTimer::timeout, this, [this, watch] {
            if (!m_window->remoteJob()->running() && m_window->engine()->running()
                && m_window->shotsDone() >= m_options.stopAtShots) {
                watch->stop();
                m_window->stopRun(false);
            }
        });
        watch->start(50);
    }
    if (options.stopWhenReconnecting) { // Stop pressed while the server cannot be reached (once)
        connect(window->remoteJob(), &RemoteJobController::reconnecting, this, [this] {
            if (!m_stoppedWhileReconnecting && m_window->remoteJob()->running()) {
                m_stoppedWhileReconnecting = true;
                std::fprintf(stderr, "fxs-monitor: the connection dropped; pressing Stop\n");
                m_window->stopRun(false);
            }
        });
    }
    if (!options.answer.isEmpty()) { // a question the window asks (a modal message box) is answered as told
        auto* answerer = new QTimer(this);
        connect(answerer, &QTimer::timeout, this, [this] {
            auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
            QAbstractButton* button = box
                ? box->button(m_options.answer == QLatin1String("yes") ? QMessageBox::Yes : QMessageBox::Cancel)
                : nullptr;
            if (button) {
                std::fprintf(stderr, "fxs-monitor: asked \"%s\"; answering %s\n", qPrintable(box->windowTitle()),
                    qPrintable(m_options.answer));
                m_endOfReplacedRun = m_options.answer == QLatin1String("yes");
                button->click();
            }
        });
        answerer->start(50);
    }
    if (!options.openDuringRunPath.isEmpty()) {
        auto* watch = new QTimer(this);
        connect(watch, &QTimer::timeout, this, [this, watch] {
            if (m_window->engine()->running() && m_window->shotsDone() >= 20) {
                watch->stop();
                m_window->openFile(m_options.openDuringRunPath);
            }
        });
        watch->start(20);
    }
    if (options.pauseDisplayAtShots > 0) {
        auto* watch = new QTimer(this);
        connect(watch, &QTimer::timeout, this, [this, watch] {
            if (m_window->shotsDone() >= m_options.pauseDisplayAtShots) {
                watch->stop();
                m_window->live()->tick(); // the newest image first, then hold it
                m_window->setDisplayPaused(true);
                m_pausedShot = m_window->shownShot();
            }
        });
        watch->start(20);
    }
    if (options.screenshotsPolled() && !options.screenshotDir.isEmpty()) {
        m_launched.start();
        auto* watch = new QTimer(this);
        connect(watch, &QTimer::timeout, this, [this, watch] {
            pollScreenshots();
            if (m_screenshotsTaken) {
                watch->stop();
            }
        });
        watch->start(100);
    }
}

void ScriptedRun::pollScreenshots()
{
    const RemoteJobStatus& remote = m_window->remoteJob()->lastStatus();
    const bool atReconstruction = m_options.screenshotAtReconstruction > 0.0 && remote.reconstructing()
        && remote.reconstructionProgress >= m_options.screenshotAtReconstruction;
    const bool atSeconds
        = m_options.screenshotAtSeconds > 0.0 && m_launched.elapsed() >= 1e3 * m_options.screenshotAtSeconds;
    if ((m_options.screenshotAtShots > 0 && m_window->shotsDone() >= m_options.screenshotAtShots) || atReconstruction
        || atSeconds) {
        m_screenshotsTaken = true;
        m_window->live()->tick(); // the views as of now, not as of the last timer tick
        m_window->saveScreenshots(m_options.screenshotDir);
    }
}

void ScriptedRun::onRemoteStatus(const RemoteJobStatus& s)
{
    if (!s.terminal && s.shotsDone >= m_options.stopAtShots && s.jobId != m_stoppedJob) {
        m_stoppedJob = s.jobId;
        if (const auto* vetoes = m_window->findChild<widgets::VetoPanel*>()) {
            m_vetoFrozenAtStop = vetoes->frozenReason(); // as the running job left the panel
        }
        m_window->stopRun(false);
    }
}

bool ScriptedRun::pressResume(const QString& message)
{
    QPushButton* resume = m_window->ranksPanel()->resumeButton();
    if (!m_options.pressResume || m_resumePressed || resume->isHidden() || !resume->isEnabled()) {
        return false;
    }
    m_resumePressed = true; // as a user would: the button the window offers, once
    std::fprintf(stderr, "fxs-monitor: %s; pressing %s\n", qPrintable(message), qPrintable(resume->text()));
    QTimer::singleShot(0, resume, &QPushButton::click);
    return true;
}

void ScriptedRun::onRunEnded(const QString& message, bool failed)
{
    if (auto* script = m_window->findChild<VetoScript*>(); script && script->holdsEnd()) {
        // Changes after the end are being made: the dumps and the quit wait for the corrected C2.
        script->whenDone([this, message, failed] { onRunEnded(message, failed); });
        return;
    }
    if (std::exchange(
            m_endOfReplacedRun, false)) { // the run a file opened during it replaced: the dumps are the file's
        return;
    }
    if (!m_options.thenOpenPath.isEmpty() && !m_reopened) { // a change of source: the dumps are of the second run
        m_reopened = true;
        QTimer::singleShot(0, m_window, [this] { m_window->openFile(m_options.thenOpenPath); });
        return;
    }
    if (m_options.showFileShot >= 0 && !m_fileShotAsked) { // read back from the file, then the dumps
        m_fileShotAsked = true;
        m_window->showFileShot(m_options.showFileShot);
        auto* watch = new QTimer(this);
        QElapsedTimer waited;
        waited.start();
        connect(watch, &QTimer::timeout, this, [this, watch, waited, message, failed] {
            if (m_window->shownShot() == m_options.showFileShot || waited.elapsed() > 20000) {
                watch->stop();
                onRunEnded(message, failed);
            }
        });
        watch->start(50);
        return;
    }
    if (pressResume(message)) {
        return;
    }
    if (!m_options.compareDumpPath.isEmpty() && !m_window->reviewPanel()->dumpCompare(m_options.compareDumpPath)) {
        m_window->messageBar()->showMessage(tr("Could not write %1").arg(m_options.compareDumpPath));
    }
    if (!m_options.screenshotDir.isEmpty() && !m_options.screenshotsPolled()) {
        m_window->saveScreenshots(m_options.screenshotDir);
    }
    if (!m_options.dumpPath.isEmpty() && !m_window->dumpC2View(m_options.dumpPath)) {
        m_window->messageBar()->showMessage(tr("Could not write %1").arg(m_options.dumpPath));
    }
    if (!m_options.windowDumpPath.isEmpty()
        && !m_window->dumpWindow(m_options.windowDumpPath,
            { { QStringLiteral("pausedShot"), double(m_pausedShot) },
                { QStringLiteral("vetoFrozenAtStop"), m_vetoFrozenAtStop } })) {
        m_window->messageBar()->showMessage(tr("Could not write %1").arg(m_options.windowDumpPath));
    }
    if (!m_options.ranksDumpPath.isEmpty() && !m_window->dumpRanks(m_options.ranksDumpPath)) {
        m_window->messageBar()->showMessage(tr("Could not write %1").arg(m_options.ranksDumpPath));
    }
    if (m_options.quitWhenDone) { // the message goes to the terminal too
        std::fprintf(stderr, "fxs-monitor: %s\n", qPrintable(message));
        QTimer::singleShot(0, qApp, [failed] { QApplication::exit(failed ? 1 : 0); });
    }
}

} // namespace fxs::monitor
