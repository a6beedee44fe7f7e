#pragma once

#ifndef Q_MOC_RUN
#include "MonitorSession.h"

#include <fxs/correlation/C2Snapshot.h>
#include <fxs/invariants/KamInvariants.h>
#include <fxs/polar/PolarGrid.h>
#include <fxs/shots/ShotStats.h>
#endif

#include <JobTracker.h>
#include <QObject>
#include <functional>
#include <memory>
#include <optional>

class QMainWindow;
class QMenu;
class QSettings;

namespace fxs::widgets {
class VetoPanel;
class ConvergenceView;
class InvariantsView;
class ReconstructionView;
}

namespace fxs::monitor {

class EngineController;
class LiveDisplay;
class ReconstructionRunner;

/// The decision-support docks of the monitor (issue 9): Vetoes, Invariants and Reconstruction, plus session
/// files and the help page. Follows the live display's shots and C2 snapshots; invariants are solved on a worker
/// thread and come back by value. MainWindow only constructs it, gives it a menu and the live display.
class DecisionDocks : public QObject {
    Q_OBJECT
public:
    /// Adds the docks to `window` (tabbed with its existing docks) and follows `engine`.
    DecisionDocks(QMainWindow* window, EngineController* engine, std::function<void(QString, bool)> notify);

    /// Puts "Save session…", "Open session…", veto undo/redo and the help page into a menu.
    void addActions(QMenu* menu);
    /// Follows the live display: every shot's statistics into the veto panel, each new C2 snapshot into
    /// convergence and invariants.
    void follow(LiveDisplay* live);
    /// Clears convergence and the veto panel's shots for a run on this grid (local runs and remote jobs).
    void beginRun(const PolarGrid& grid);
    /// Judges new shots with the veto rules (the engine's per-shot statistics).
    void addShots(const std::vector<ShotStats>& shots);
    /// Takes a new C2 snapshot: convergence point, SAXS curve, and invariants solved on a worker thread.
    void onSnapshot(std::shared_ptr<const C2Snapshot> snapshot);
    /// Wavelength used to solve the invariants (Ewald curvature).
    void setWavelength(double wavelengthA) { m_wavelengthA = wavelengthA; }
    /// The current session: window layout, run settings `run`, veto rules, view settings.
    MonitorSession session(const RunConfig& run) const;
    /// Applies a session's veto rules (undoable) and layout; the caller applies the run settings.
    void applySession(const MonitorSession& session);
    /// How to read and set the run panel's settings (sessions carry them).
    void setRunSettings(std::function<RunConfig()> get, std::function<void(const RunConfig&)> set);
    /// Keeps the veto rules and sample changes in QSettings (the window keeps layout and run settings).
    void saveSettings(QSettings& settings) const;
    /// Restores what saveSettings() kept (no undo entry).
    void restoreSettings(QSettings& settings);
    /// Saves PNGs of the decision panels (each raised in its tab first) into a folder, as monitor-live-<panel>.png.
    void saveScreenshots(const QString& dir);
    /// Shows a finished run read back from its results file: its convergence points (shots, split-half CC), its C2
    /// (SAXS curve) and its invariants (solved from the C2 when the file holds none).
    void review(const PolarGrid& grid, double wavelengthA, std::shared_ptr<const C2Snapshot> snapshot,
        const std::vector<double>& convergenceShots, const std::vector<double>& convergenceCC,
        const std::optional<KamInvariants>& invariants);
    /// Shows a density reconstructed elsewhere (a remote job's) in the Reconstruction dock and brings it to the front.
    void showDensity(int n, const std::vector<float>& density, const QString& status);
    /// The veto panel (tests, screenshots).
    widgets::VetoPanel* vetoPanel() const { return m_veto; }

private:
    void solveInvariants(std::shared_ptr<const C2Snapshot> snapshot);
    void showHelp();

    QMainWindow* m_window = nullptr;
    EngineController* m_engine = nullptr;
    std::function<void(QString, bool)> m_notify;
    std::function<RunConfig()> m_getRun;
    std::function<void(const RunConfig&)> m_setRun;
    widgets::VetoPanel* m_veto = nullptr;
    widgets::ConvergenceView* m_convergence = nullptr;
    widgets::InvariantsView* m_invariants = nullptr;
    widgets::ReconstructionView* m_reconstruction = nullptr;
    ReconstructionRunner* m_runner = nullptr;
    PolarGrid m_grid;
    double m_wavelengthA = 1.5;
    std::int64_t m_lastShots = -1;
    KamInvariants m_lastInvariants;
    widgets::JobTracker m_solver { this }; ///< invariants of the newest snapshot, one solve at a time
};

} // namespace fxs::monitor
