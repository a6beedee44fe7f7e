#include "DecisionDocks.h"

#include "EngineController.h"
#include "HelpDialog.h"
#include "LiveDisplay.h"
#include "ReconstructionRunner.h"

#include <ColorMaps.h>
#include <ConvergenceView.h>
#include <DiffractionView.h>
#include <InvariantsView.h>
#include <QCoreApplication>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QMainWindow>
#include <QMenu>
#include <QScrollArea>
#include <QSettings>
#include <QUndoStack>
#include <ReconstructionView.h>
#include <VetoPanel.h>

namespace fxs::monitor {

namespace {
QDockWidget* addDock(QMainWindow* w, const QString& title, const QString& name, QWidget* content,
    Qt::DockWidgetArea area, const QString& tabWith)
{
    auto* d = new QDockWidget(title, w);
    d->setObjectName(name); // saveState() keys docks by object name
    d->setWidget(content);
    w->addDockWidget(area, d);
    if (auto* other = w->findChild<QDockWidget*>(tabWith); other && other != d) {
        w->tabifyDockWidget(other, d);
        other->raise(); // the live panel stays in front; the new one is a tab
    }
    return d;
}
constexpr int kInvariantLMax = 12; // enough for a glance at the map; the CLI solves to any l
}

DecisionDocks::DecisionDocks(QMainWindow* window, EngineController* engine, std::function<void(QString, bool)> notify)
    : QObject(window)
    , m_window(window)
    , m_engine(engine)
    , m_notify(std::move(notify))
{
    m_veto = new widgets::VetoPanel(window);
    // The polar spool is smaller than asked (little free disk) or missing: shots past it cannot be re-evaluated.
    connect(engine, &EngineController::vetoNotice, this, [this](const QString& m) { m_notify(m, false); });
    // The engine judges shots by the panel's rules and corrects the running C2 when they change.
    connect(m_veto, &widgets::VetoPanel::rulesChanged, this,
        [this] { m_engine->setVetoRules(m_veto->rules(), m_veto->state().toJson().toStdString()); });
    m_convergence = new widgets::ConvergenceView(window);
    m_invariants = new widgets::InvariantsView(window);
    m_reconstruction = new widgets::ReconstructionView(window);
    m_runner = new ReconstructionRunner(this);
    // Scrolls rather than widening the window past a 1,600 px screen (the panel wants ~620 px).
    auto* vetoScroll = new QScrollArea(window);
    vetoScroll->setWidget(m_veto);
    vetoScroll->setWidgetResizable(true);
    vetoScroll->setFrameShape(QFrame::NoFrame);
    addDock(window, tr("Vetoes"), QStringLiteral("vetoes"), vetoScroll, Qt::LeftDockWidgetArea,
        QStringLiteral("runControl"));
    // The live window may already have a convergence plot of its own: then this one is not added twice.
    if (!window->findChild<QDockWidget*>(QStringLiteral("convergence"))) {
        addDock(window, tr("Convergence"), QStringLiteral("convergence"), m_convergence, Qt::RightDockWidgetArea,
            QStringLiteral("c2Explorer"));
    }
    addDock(window, tr("Invariants"), QStringLiteral("invariants"), m_invariants, Qt::RightDockWidgetArea,
        QStringLiteral("c2Explorer"));
    addDock(window, tr("Reconstruction"), QStringLiteral("reconstruction"), m_reconstruction, Qt::RightDockWidgetArea,
        QStringLiteral("c2Explorer"));

    connect(engine, &EngineController::runStarted, this,
        [this](const QString&, const std::shared_ptr<const widgets::ImageAssembly>&, const PolarGrid& grid) {
            beginRun(grid);
        });
    connect(m_reconstruction, &widgets::ReconstructionView::startRequested, this, [this](const MtipConfig& c) {
        m_reconstruction->reset();
        m_reconstruction->setRunning(true);
        m_runner->start(m_lastInvariants, c);
    });
    connect(m_reconstruction, &widgets::ReconstructionView::cancelRequested, this, [this] { m_runner->cancel(); });
    connect(m_reconstruction, &widgets::ReconstructionView::saveRequested, this, [this](const QString& path) {
        QString message;
        const bool ok = m_runner->saveMrc(path, &message);
        m_notify(message, !ok);
    });
    m_runner->onProgress = [this](const MtipProgress& p) { m_reconstruction->addProgress(p); };
    m_runner->onFinished = [this](const MtipResult& r) { m_reconstruction->setFinished(r); };
    m_runner->onFailed = [this](const QString& message) {
        m_reconstruction->setFailed(message);
        m_notify(tr("Reconstruction failed: %1").arg(message), true);
    };
}

void DecisionDocks::addActions(QMenu* menu)
{
    QAction* undo = m_veto->undoStack()->createUndoAction(menu, tr("Undo veto"));
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = m_veto->undoStack()->createRedoAction(menu, tr("Redo veto"));
    redo->setShortcut(QKeySequence::Redo);
    menu->addAction(undo);
    menu->addAction(redo);
    // While a remote job runs the rules it was submitted with are frozen: Ctrl+Z must not change them either.
    connect(m_veto, &widgets::VetoPanel::frozenChanged, undo, [this, undo, redo](bool frozen) {
        undo->setEnabled(!frozen && m_veto->undoStack()->canUndo());
        redo->setEnabled(!frozen && m_veto->undoStack()->canRedo());
    });
    menu->addSeparator();
    menu->addAction(tr("Save session…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(m_window, tr("Save session"),
            QStringLiteral("monitor.fxs-session.json"), tr("FXS monitor session (*.json)"));
        if (path.isEmpty()) {
            return;
        }
        QString error;
        const bool ok = session(m_getRun ? m_getRun() : RunConfig {}).save(path, &error);
        m_notify(ok ? tr("Session saved to %1").arg(path) : error, !ok);
    });
    menu->addAction(tr("Open session…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            m_window, tr("Open session"), QString(), tr("FXS monitor session (*.json);;All files (*)"));
        MonitorSession s;
        QString error;
        if (!path.isEmpty() && !MonitorSession::load(path, &s, &error)) {
            m_notify(error, true);
        } else if (!path.isEmpty()) {
            applySession(s);
            m_notify(tr("Session %1 opened (layout, run settings, veto rules; press Start to run)").arg(path), false);
        }
    });
    menu->addSeparator();
    menu->addAction(tr("Help"), QKeySequence::HelpContents, this, &DecisionDocks::showHelp);
}

void DecisionDocks::setRunSettings(std::function<RunConfig()> get, std::function<void(const RunConfig&)> set)
{
    m_getRun = std::move(get);
    m_setRun = std::move(set);
}

void DecisionDocks::beginRun(const PolarGrid& grid)
{
    m_grid = grid;
    m_lastShots = -1;
    m_convergence->setGrid(grid);
    m_invariants->clear(); // nothing of the last source stays on screen
    m_lastInvariants = {};
    m_veto->clearShots();
}

void DecisionDocks::addShots(const std::vector<ShotStats>& shots) { m_veto->addShots(shots); }

MonitorSession DecisionDocks::session(const RunConfig& run) const
{
    MonitorSession s;
    s.windowGeometry = m_window->saveGeometry();
    s.windowState = m_window->saveState();
    s.run = run;
    s.vetoes = m_veto->toJson();
    if (const auto* detector = m_window->findChild<widgets::DiffractionView*>()) {
        const auto r = detector->renderSettings();
        s.views.insert(QStringLiteral("detector"),
            QJsonObject { { "colorMap", widgets::ColorMaps::mapNames().value(int(r.map)) },
                { "scale", widgets::ColorMaps::scaleNames().value(int(r.scale)) },
                { "levelsLocked", detector->levelsLocked() }, { "levelMin", r.levels.low },
                { "levelMax", r.levels.high } });
    }
    return s;
}

void DecisionDocks::saveSettings(QSettings& settings) const
{
    settings.setValue(QStringLiteral("decision/vetoes"), m_veto->toJson());
}

void DecisionDocks::restoreSettings(QSettings& settings)
{
    widgets::VetoState state;
    QString error;
    const QByteArray json = settings.value(QStringLiteral("decision/vetoes")).toByteArray();
    if (json.isEmpty()) {
        return;
    }
    if (widgets::VetoState::fromJson(json, &state, &error)) {
        m_veto->loadState(state);
        m_engine->setVetoRules(m_veto->rules(), m_veto->state().toJson().toStdString());
    } else {
        m_notify(tr("Saved veto rules ignored: %1").arg(error), true);
    }
}

void DecisionDocks::applySession(const MonitorSession& session)
{
    m_window->restoreGeometry(session.windowGeometry);
    m_window->restoreState(session.windowState);
    if (m_setRun) {
        m_setRun(session.run);
    }
    widgets::VetoState state;
    QString error;
    if (!session.vetoes.isEmpty() && !widgets::VetoState::fromJson(session.vetoes, &state, &error)) {
        m_notify(error, true);
        return;
    }
    if (!m_veto->frozenReason().isEmpty()) { // a remote job runs with its own rules: the panel must keep showing them
        m_notify(tr("The session's veto rules were not loaded: %1").arg(m_veto->frozenReason()), true);
    } else {
        m_veto->setState(state, tr("Open session"));
        m_engine->setVetoRules(m_veto->rules(), m_veto->state().toJson().toStdString());
    }
    const QJsonObject d = session.views.value(QStringLiteral("detector")).toObject();
    if (auto* detector = m_window->findChild<widgets::DiffractionView*>(); detector && !d.isEmpty()) {
        // By name, so that a session file stays readable and survives reordered menus.
        const int map = widgets::ColorMaps::mapNames().indexOf(d.value("colorMap").toString());
        const int scale = widgets::ColorMaps::scaleNames().indexOf(d.value("scale").toString());
        if (map >= 0) {
            detector->setColorMap(widgets::ColorMap(map));
        }
        if (scale >= 0) {
            detector->setScale(widgets::IntensityScale(scale));
        }
        if (d.value("levelsLocked").toBool()) {
            detector->setLevels({ d.value("levelMin").toDouble(), d.value("levelMax").toDouble() });
        }
    }
}

void DecisionDocks::follow(LiveDisplay* live)
{
    m_veto->setCountsModel(live->counts()); // the run's counts, as the health bar and the C2 explorer show them
    connect(live, &LiveDisplay::scalarsArrived, this, [this](const std::vector<ShotScalars>& scalars) {
        std::vector<ShotStats> stats;
        stats.reserve(scalars.size());
        for (const auto& s : scalars) {
            stats.push_back(s.stats);
        }
        addShots(stats);
    });
    connect(live, &LiveDisplay::snapshotShown, this, &DecisionDocks::onSnapshot);
}

void DecisionDocks::onSnapshot(std::shared_ptr<const C2Snapshot> snapshot)
{
    if (!snapshot || snapshot->shots == m_lastShots || m_grid.nQ != snapshot->nQ) {
        return;
    }
    m_lastShots = snapshot->shots;
    m_convergence->addSnapshot(*snapshot);
    const auto [q, saxs] = widgets::InvariantsView::saxsFromSnapshot(*snapshot, m_grid);
    m_invariants->setSaxs(q, saxs);
    if (!m_solver.running()) { // a solve takes seconds: the snapshot after it is solved next
        solveInvariants(snapshot);
    }
}

void DecisionDocks::solveInvariants(std::shared_ptr<const C2Snapshot> snapshot)
{
    m_solver.start(
        [snapshot, grid = m_grid, wavelength = m_wavelengthA](const widgets::JobTracker::Job&) {
            InvariantOptions options;
            options.lMax = kInvariantLMax;
            options.threads = 1; // the C2 workers own the cores
            return KamInvariants::fromSnapshot(*snapshot, grid, wavelength, options);
        },
        [this](const Result<KamInvariants>& result) {
            if (!result) {
                m_reconstruction->setInvariantsAvailable(false, QString::fromStdString(result.error().message));
                return;
            }
            m_lastInvariants = *result;
            m_invariants->setInvariants(*result);
            m_reconstruction->setInvariantsAvailable(true);
        });
}

void DecisionDocks::showDensity(int n, const std::vector<float>& density, const QString& status)
{
    m_reconstruction->showDensityFrom(n, density, status);
    if (auto* dock = m_window->findChild<QDockWidget*>(QStringLiteral("reconstruction"))) {
        dock->raise();
    }
}

void DecisionDocks::review(const PolarGrid& grid, double wavelengthA, std::shared_ptr<const C2Snapshot> snapshot,
    const std::vector<double>& convergenceShots, const std::vector<double>& convergenceCC,
    const std::optional<KamInvariants>& invariants)
{
    m_solver.discard(); // a live run's solve in flight is not this file's
    beginRun(grid);
    m_wavelengthA = wavelengthA > 0.0 ? wavelengthA : m_wavelengthA;
    for (std::size_t i = 0; i < convergenceShots.size() && i < convergenceCC.size(); ++i) {
        m_convergence->addPoint(static_cast<std::int64_t>(convergenceShots[i]), convergenceCC[i]);
    }
    if (convergenceShots.empty()) { // a file without the curve: its final point
        m_convergence->addSnapshot(*snapshot);
    }
    m_lastShots = snapshot->shots;
    const auto [q, saxs] = widgets::InvariantsView::saxsFromSnapshot(*snapshot, m_grid);
    m_invariants->setSaxs(q, saxs);
    if (invariants) {
        m_lastInvariants = *invariants;
        m_invariants->setInvariants(*invariants);
        m_reconstruction->setInvariantsAvailable(true);
    } else {
        solveInvariants(snapshot);
    }
}

void DecisionDocks::saveScreenshots(const QString& dir)
{
    const std::pair<QWidget*, const char*> panels[] = { { m_veto, "vetoes" }, { m_convergence, "convergence" },
        { m_invariants, "invariants" }, { m_reconstruction, "reconstruction" } };
    for (const auto& [panel, name] : panels) {
        QWidget* up = panel->parentWidget(); // the dock, or a scroll area inside it
        while (up && !qobject_cast<QDockWidget*>(up)) {
            up = up->parentWidget();
        }
        auto* dock = qobject_cast<QDockWidget*>(up);
        if (!dock) {
            continue; // not docked (the convergence plot when the window has its own)
        }
        dock->raise();
        QCoreApplication::processEvents();
        panel->grab().save(QDir(dir).filePath(QStringLiteral("monitor-live-%1.png").arg(QLatin1String(name))));
    }
}

void DecisionDocks::showHelp()
{
    auto* help = new HelpDialog(m_window);
    help->setAttribute(Qt::WA_DeleteOnClose);
    help->show();
}

} // namespace fxs::monitor
