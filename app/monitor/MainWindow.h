#pragma once

// moc cannot parse the C++20 standard headers these pull in (<numbers>); it does not need them.
#ifndef Q_MOC_RUN
#include "MonitorOptions.h"
#include "RunConfig.h"
#endif

#include <QMainWindow>

class QJsonObject;
class QLabel;
class QMenu;
class QTabWidget;

namespace fxs::widgets {
class DiffractionView;
class PolarView;
class C2SliceView;
class FrameHistory;
class StripChart;
class HealthBar;
}

namespace fxs::monitor {

class DecisionDocks;
class EngineController;
class FileFrameReader;
class LiveDisplay;
class MessageBar;
class RanksPanel;
class RemoteJobController;
class ReviewPanel;
class RunControlPanel;
struct RemoteJobStatus;

/// The monitor window: a shell of dockable panels around the detector view; the layout, the run settings
/// and the recent files are kept in QSettings. The engine runs elsewhere (EngineController).
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(const MonitorOptions& options, QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Starts a run with the panel's settings.
    void startRun();
    /// Opens a detector stack (menu, recent files, drag and drop) and computes C2 over it.
    void openFile(const QString& path);
    /// What launch does with the restored settings: a local source starts; a remote job is not submitted (settings
    /// are restored, never actions) unless --submit asked for it.
    void startOnLaunch();
    /// Resumes the remote job followed last (failed or cancelled) from its checkpoint, and follows it again.
    void resumeRemote();
    /// Opens a results file for review (C2 explorer, convergence, invariants, density, ledger) and, when `compareWith`
    /// is given, overlays a second one on it; reviewShown follows (also on failure).
    void reviewResults(const QString& path, const QString& compareWith = {});
    /// Overlays a second results file on the one reviewed (C2 slices, convergence, A − B); false with `error`
    /// (also in the message bar) when it cannot be read or compared.
    bool compareResults(const QString& path, QString* error = nullptr);
    /// The Remote job tab (tests, scripted runs).
    RanksPanel* ranksPanel() const { return m_ranks; }
    /// The Review tab (tests, scripted runs).
    ReviewPanel* reviewPanel() const { return m_review; }
    /// The message bar (tests).
    MessageBar* messageBar() const { return m_messages; }
    /// The C2 explorer (tests).
    widgets::C2SliceView* c2View() const { return m_c2; }
    /// The engine (tests).
    EngineController* engine() const { return m_engine; }
    /// The remote job (tests).
    RemoteJobController* remoteJob() const { return m_remoteJob; }
    /// The live display (scripted runs bring the views up to date before screenshots).
    LiveDisplay* live() const { return m_live; }
    /// Stops the local run, or cancels the remote job (asking first when `ask`).
    void stopRun(bool ask);
    /// Shots done by the run: the remote job's, else the local engine's.
    std::int64_t shotsDone() const;
    /// Saves PNGs of the window and its main panels into a folder.
    void saveScreenshots(const QString& dir);
    /// Writes what the C2 view shows as JSON (scripted runs, tests).
    bool dumpC2View(const QString& path) const;
    /// Writes the remote job's Ranks table as JSON (scripted runs, tests).
    bool dumpRanks(const QString& path) const;
    /// Writes what the window shows as JSON: its size and the screen's, the shot shown, what each view holds
    /// (scripted runs, tests); `extra` is added as is.
    bool dumpWindow(const QString& path, const QJsonObject& extra) const;
    /// Pauses or resumes the display (never the run), as Space does.
    void setDisplayPaused(bool paused);
    /// The shot the detector view shows (−1: none).
    std::int64_t shownShot() const;
    /// Shows any shot of a file run, read back from the file (as the history's slider does).
    void showFileShot(std::int64_t shotIndex);

signals:
    /// A run (local or remote) ended and the window shows how; scripted runs (ScriptedRun) act on it.
    void runEnded(QString message, bool failed);
    /// Results files were opened for review (or could not be): scripted runs act on it as on runEnded.
    void reviewShown(QString message, bool failed);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildViews();
    void buildDocks();
    void buildMenus();
    void buildShortcuts();
    void fitToScreen();
    void restoreSettings();
    void saveSettings() const;
    void onRunStarted(const QString& description);
    void onRunEnded(const QString& message, bool failed);
    void addRecentFile(const QString& path);
    void exportCurrentView();
    // The remote job (MainWindowRemote.cpp).
    void buildRemote();
    void startRemote(const RunConfig& config);
    void onRemoteStatus(const RemoteJobStatus& status);
    /// A remote job is followed from now on (submitted, resumed, or found running at start-up): the views are set
    /// for its grid, the Vetoes panel frozen, the run controls show a run. `jobId` is empty before the server named it.
    void beginFollowingRemote(const PolarGrid& grid, const QString& jobId);
    void onRemoteRecalled(const RemoteJobStatus& status, const QString& why);
    /// Keeps the id of the job submitted to `server` in the settings at once (remote/lastJob).
    void rememberRemoteJob(const QString& server, const QString& jobId) const;
    /// The job the last session submitted to `server`, or empty.
    QString rememberedRemoteJob(const QString& server) const;
    static bool writeJson(const QString& path, const QJsonObject& json);
    // Review and compare of results files (MainWindowReview.cpp).
    void buildReview();

    MonitorOptions m_options;
    EngineController* m_engine = nullptr;
    FileFrameReader* m_fileFrames = nullptr;
    LiveDisplay* m_live = nullptr;
    MessageBar* m_messages = nullptr;
    RunControlPanel* m_runPanel = nullptr;
    QTabWidget* m_tabs = nullptr;
    widgets::DiffractionView* m_detector = nullptr;
    widgets::PolarView* m_polar = nullptr;
    widgets::C2SliceView* m_c2 = nullptr;
    widgets::FrameHistory* m_history = nullptr;
    widgets::StripChart* m_charts[4] = {};
    widgets::HealthBar* m_health = nullptr;
    DecisionDocks* m_decide = nullptr;
    RemoteJobController* m_remoteJob = nullptr;
    RanksPanel* m_ranks = nullptr;
    ReviewPanel* m_review = nullptr;
    QMenu* m_recentMenu = nullptr;
    QStringList m_recent;
};

} // namespace fxs::monitor
