// MainWindow: the remote job (fxs-server) — start, watch, stop, resume, and the Ranks dock.
#include "DecisionDocks.h"
#include "EngineController.h"
#include "LiveDisplay.h"
#include "MainWindow.h"
#include "MessageBar.h"
#include "RanksPanel.h"
#include "RemoteJobController.h"
#include "RunControlPanel.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageBox>
#include <QPushButton>
#include <QTabWidget>
#include <VetoPanel.h>
#include <cstdio>

namespace fxs::monitor {

namespace {

// While a remote job runs, its ranks judge every shot with the rules it was submitted with and keep the shots'
// statistics: the Vetoes panel is frozen (a veto typed there would reach nothing, silently) and says why its
// histogram is empty. `job` is empty before the server named the job.
void freezeVetoes(widgets::VetoPanel* panel, const QString& job, bool running)
{
    if (!running) {
        panel->setFrozen({}, {});
        return;
    }
    const QString which = job.isEmpty() ? QObject::tr("The remote job") : QObject::tr("Remote job %1").arg(job);
    panel->setFrozen(QObject::tr("%1 runs with the veto rules it was submitted with: its ranks judge every shot. "
                                 "Thresholds and hand vetoes can be changed again when it ends, for the next run.")
                         .arg(which),
        QObject::tr("No per-shot values during a remote job:\nthe ranks keep them, and veto with\nthe rules the "
                    "job was submitted with"));
}

} // namespace

void MainWindow::buildRemote()
{
    m_remoteJob = new RemoteJobController(this);
    m_ranks = new RanksPanel(this);
    // A tab beside Detector and Polar: a remote job has no detector images, and the ranks table needs the width.
    m_tabs->addTab(m_ranks, tr("Remote job"));
    connect(m_remoteJob, &RemoteJobController::statusChanged, this, &MainWindow::onRemoteStatus);
    connect(m_remoteJob, &RemoteJobController::identityKnown, this, [this](const RemoteIdentity& id) {
        m_runPanel->setRemoteIdentity(id);
        m_ranks->setIdentity(id);
    });
    connect(m_runPanel, &RunControlPanel::remoteServerChanged, this,
        [this] { m_remoteJob->probe(m_runPanel->config().remote); });
    connect(m_remoteJob, &RemoteJobController::snapshotReady, this,
        [this] { m_live->showRemoteSnapshot(m_remoteJob->takeSnapshot()); });
    connect(m_remoteJob, &RemoteJobController::densityReady, this, [this] {
        const RemoteDensity& d = m_remoteJob->density();
        m_decide->showDensity(d.n, d.values,
            tr("Reconstructed on %1 (job %2): %3 voxels of %4 Å, saved as %5")
                .arg(m_remoteJob->lastStatus().server, m_remoteJob->lastStatus().jobId,
                    QString::number(d.n) + QStringLiteral("³"), QString::number(d.voxelSizeA, 'f', 2), d.path));
    });
    connect(m_remoteJob, &RemoteJobController::reconnecting, this, [this](const QString& why) {
        const QString note = tr("Reconnecting to %1… (%2)").arg(m_remoteJob->lastStatus().server, why);
        m_ranks->setNote(note);
        m_runPanel->setStatus(note);
        m_live->showRemoteStatus(m_remoteJob->lastStatus(), widgets::RunState::Paused, tr("reconnecting…"));
        if (m_options.quitWhenDone) { // scripted runs: the terminal hears it too
            std::fprintf(stderr, "fxs-monitor: %s\n", qPrintable(note));
        }
    });
    connect(m_ranks, &RanksPanel::resumeRequested, this, &MainWindow::resumeRemote);
    // The job is remembered at once (not at close: a window may be killed), so that the next session can resume it.
    connect(m_remoteJob, &RemoteJobController::submitted, this,
        [this](const QString& id) { rememberRemoteJob(m_remoteJob->lastStatus().server, id); });
    connect(m_remoteJob, &RemoteJobController::recalled, this, &MainWindow::onRemoteRecalled);
    connect(m_remoteJob, &RemoteJobController::finished, this, [this](const QString& m) { onRunEnded(m, false); });
    connect(m_remoteJob, &RemoteJobController::failed, this, [this](const QString& m) {
        const QString& server = m_remoteJob->lastStatus().message; // already in the tab's header
        if (server.isEmpty() || !m.contains(server)) {
            m_ranks->setNote(m);
        }
        onRunEnded(m, true);
    });
}

void MainWindow::startOnLaunch()
{
    const RunConfig c = m_runPanel->config();
    if (c.source != SourceKind::RemoteJob || m_options.submitRemote) {
        startRun();
        return;
    }
    // Restoring a session restores settings, never actions: a remote job costs the cluster, so it waits for Start.
    const QString note = tr("Remote-job settings restored (fxs-server at %1, %2 ranks). Nothing was submitted: press "
                            "Start to submit a job.")
                             .arg(c.remote.address)
                             .arg(c.remote.ranks);
    m_runPanel->setStatus(note);
    m_ranks->setNote(note);
    m_tabs->setCurrentWidget(m_ranks); // the panel already asked the server who this token is (read-only)
    // The job the last session followed on this server is looked up (read-only), so that it can be resumed here.
    const QString last = rememberedRemoteJob(c.remote.address);
    if (!last.isEmpty()) {
        m_ranks->setNote(
            note + QStringLiteral("\n") + tr("Looking up job %1, which the last session followed…").arg(last));
        m_remoteJob->recall(c, m_decide->vetoPanel()->rules(), last);
    }
}

void MainWindow::onRemoteRecalled(const RemoteJobStatus& s, const QString& why)
{
    const QString restored = tr("Remote-job settings restored; nothing was submitted.");
    if (s.jobId.isEmpty()) {
        const QString note = tr("%1 The last session's job could not be looked up: %2").arg(restored, why);
        m_ranks->setNote(note);
        m_runPanel->setStatus(note);
        return;
    }
    m_ranks->setStatus(s);
    if (!s.terminal) { // still running on the server: followed again, as if this window had never closed
        beginFollowingRemote(m_runPanel->config().grid, s.jobId);
        const QString note = tr("Following job %1 on %2 again: it is still running (%3 shots so far)")
                                 .arg(s.jobId, s.server, QLocale().toString(qlonglong(s.shotsDone)));
        m_ranks->setNote(note);
        m_runPanel->setStatus(note);
        return;
    }
    const QString note = m_remoteJob->resumable()
        ? tr("%1 The last session's job %2 on %3 ended %4 with %5 shots; Resume continues it from its checkpoint "
             "(%6 shots), Start submits a new job.")
              .arg(restored, s.jobId, s.server, s.state.toLower(), QLocale().toString(qlonglong(s.shotsDone)),
                  QLocale().toString(qlonglong(s.checkpointShots)))
        : tr("%1 The last session's job %2 on %3 ended %4 with %5 shots.")
              .arg(restored, s.jobId, s.server, s.state.toLower(), QLocale().toString(qlonglong(s.shotsDone)));
    m_ranks->setNote(note);
    m_runPanel->setStatus(note);
}

void MainWindow::resumeRemote()
{
    if (!m_remoteJob->resumable()) {
        m_messages->showMessage(tr("No failed or cancelled remote job to resume"));
        return;
    }
    const RemoteJobStatus s = m_remoteJob->lastStatus();
    m_ranks->setResumable(false);
    m_remoteJob->resume();
    beginFollowingRemote(m_runPanel->config().grid, s.jobId);
    const QString note = tr("Resuming job %1 on %2 from its checkpoint (%3 shots)…")
                             .arg(s.jobId, s.server, QLocale().toString(qlonglong(s.checkpointShots)));
    m_runPanel->setStatus(note);
    m_ranks->setNote(note);
    m_live->showRemoteStatus(m_remoteJob->lastStatus(), widgets::RunState::Running, tr("resuming"));
    m_tabs->setCurrentWidget(m_ranks);
}

void MainWindow::startRemote(const RunConfig& config)
{
    if (m_remoteJob->running()) { // Ctrl+R while a job is followed: one job at a time from this window
        m_messages->showMessage(tr("A remote job is already running; stop it (Ctrl+.) before submitting another"));
        return;
    }
    m_ranks->setResumable(false);
    m_remoteJob->start(config, m_decide->vetoPanel()->rules());
    beginFollowingRemote(config.grid, {});
    m_decide->beginRun(config.grid);
    m_ranks->setStatus(m_remoteJob->lastStatus());
    m_runPanel->setStatus(tr("Submitting a job to fxs-server at %1…").arg(config.remote.address));
    m_live->showRemoteStatus(m_remoteJob->lastStatus(), widgets::RunState::Running, tr("submitting"));
    m_tabs->setCurrentWidget(m_ranks);
}

void MainWindow::beginFollowingRemote(const PolarGrid& grid, const QString& jobId)
{
    freezeVetoes(m_decide->vetoPanel(), jobId, true);
    m_live->beginRemote(grid);
    m_runPanel->setRunning(true);
}

void MainWindow::onRemoteStatus(const RemoteJobStatus& s)
{
    m_ranks->setStatus(s);
    freezeVetoes(m_decide->vetoPanel(), s.jobId, !s.terminal);
    const RemoteIdentity& me = m_runPanel->remoteIdentity();
    const bool mayResume = !me.known() || me.mayCancel(s.owner); // the server checks again
    m_ranks->setResumable(m_remoteJob->resumable(),
        mayResume ? tr("Continue job %1 on %2 from its last checkpoint (%3 shots): shots already in it are not read "
                       "again (role operate; admin for another token's job)")
                        .arg(s.jobId, s.server, QLocale().toString(qlonglong(s.checkpointShots)))
                  : tr("The job belongs to '%1'; the token '%2' has the role %3: resuming it needs the role admin")
                        .arg(s.owner, me.tokenName, me.role));
    m_ranks->resumeButton()->setEnabled(m_remoteJob->resumable() && mayResume);
    if (m_remoteJob->resumable()) {
        // Before its first checkpoint (a few seconds in) a job has nothing kept: say so rather than "0 shots".
        m_ranks->resumeButton()->setText(QStringLiteral("⟳ ")
            + (s.checkpointShots > 0
                    ? tr("Resume job %1 from its checkpoint (%2 shots)")
                          .arg(s.jobId, QLocale().toString(qlonglong(s.checkpointShots)))
                    : tr("Resume job %1 (no checkpoint yet: it starts again from shot 0)").arg(s.jobId)));
    }
    m_runPanel->setRemoteJobOwner(s.owner);
    const bool failed = s.state == QLatin1String("FAILED");
    const auto state = !s.terminal ? widgets::RunState::Running
        : failed                   ? widgets::RunState::Failed
                                   : widgets::RunState::Finished;
    m_live->showRemoteStatus(s, state, s.terminal ? s.state.toLower() : QString());
    if (s.reconstructing()) {
        m_runPanel->setStatus(tr("Remote job %1 on %2: every shot is in (%3); reconstructing on the server, %4 %")
                                  .arg(s.jobId, s.server, QLocale().toString(qlonglong(s.shotsDone)))
                                  .arg(s.reconstructionPercent()));
    } else if (!s.terminal) {
        m_runPanel->setStatus(
            tr("Remote job %1 on %2: %3, %4 shots")
                .arg(s.jobId, s.server, s.state.toLower(), QLocale().toString(qlonglong(s.shotsDone))));
    }
}

void MainWindow::stopRun(bool ask)
{
    if (!m_remoteJob->running()) {
        m_engine->stop();
        return;
    }
    const RemoteJobStatus& s = m_remoteJob->lastStatus();
    if (ask
        && QMessageBox::question(this, tr("Cancel the remote job?"),
               tr("Cancel job %1 on %2?\n\nEvery rank is stopped. What was accumulated up to the last checkpoint "
                  "(%3 shots now) stays on the server and the job can be resumed there.")
                   .arg(s.jobId, s.server)
                   .arg(s.checkpointShots),
               QMessageBox::Yes | QMessageBox::No, QMessageBox::No)
            != QMessageBox::Yes) {
        return;
    }
    m_runPanel->setStatus(tr("Cancelling job %1 on %2…").arg(s.jobId, s.server));
    m_remoteJob->cancel();
}

std::int64_t MainWindow::shotsDone() const
{
    return m_remoteJob->running() ? m_remoteJob->lastStatus().shotsDone : m_engine->counters().shotsDone;
}

bool MainWindow::dumpRanks(const QString& path) const
{
    const RemoteJobStatus& s = m_ranks->status();
    QJsonArray ranks;
    for (const RankRow& r : s.ranks) {
        ranks.append(QJsonObject { { "rank", r.rank }, { "host", r.host }, { "pid", double(r.pid) },
            { "device", r.device }, { "phase", r.phase }, { "shots_done", double(r.shotsDone) },
            { "health", shownHealth(s.state, r.health) } }); // as the table shows it
    }
    const QJsonObject o { { "job_id", s.jobId }, { "state", s.state }, { "message", s.message },
        { "shots_done", double(s.shotsDone) }, { "shots_accepted", double(s.shotsAccepted) },
        { "shots_rejected", double(s.shotsRejected) }, { "ranks", ranks },
        { "reconstruction_progress", s.reconstructionProgress },
        { "reconstruction_bar_percent", m_ranks->reconstructionPercent() }, { "owner", s.owner },
        { "slurm_job_id", s.slurmJobId }, { "identity", m_runPanel->remoteIdentity().describe() },
        { "start_enabled", m_runPanel->startEnabled() }, { "start_tooltip", m_runPanel->startToolTip() },
        { "attempt", s.attempt }, { "checkpoint_shots", double(s.checkpointShots) },
        { "shots_total", double(s.shotsTotal) }, { "resumed_from_shots", double(m_remoteJob->resumedFromShots()) },
        { "resume_visible", !m_ranks->resumeButton()->isHidden() },
        { "resume_enabled", m_ranks->resumeButton()->isEnabled() } };
    return writeJson(path, o);
}

} // namespace fxs::monitor
