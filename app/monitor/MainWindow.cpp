#include "MainWindow.h"

#include "DecisionDocks.h"
#include "EngineController.h"
#include "FileFrameReader.h"
#include "LiveDisplay.h"
#include "MaskPanel.h"
#include "MessageBar.h"
#include "RemoteJobController.h"
#include "RunControlPanel.h"

#include <C2SliceView.h>
#include <DiffractionView.h>
#include <Format.h>
#include <FrameHistory.h>
#include <HealthBar.h>
#include <PlotExport.h>
#include <PolarView.h>
#include <QCloseEvent>
#include <QCoreApplication>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QShortcut>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>
#include <StripChart.h>
#include <qcustomplot.h>

namespace fxs::monitor {

namespace {
QDockWidget* dock(QMainWindow* w, const QString& title, const QString& name, QWidget* content)
{
    auto* d = new QDockWidget(title, w);
    d->setObjectName(name); // saveState() keys docks by object name
    d->setWidget(content);
    return d;
}
} // namespace

MainWindow::MainWindow(const MonitorOptions& options, QWidget* parent)
    : QMainWindow(parent)
    , m_options(options)
{
    setWindowTitle(tr("FXS Monitor"));
    setAcceptDrops(true);
    setDockNestingEnabled(true);
    m_engine = new EngineController(this);
    m_engine->setPolarDumpPath(options.polarDumpPath.toStdString());
    buildViews();
    buildDocks();
    // Decision support (issue 9, DecisionDocks): Vetoes, Invariants, Reconstruction docks, sessions, help.
    auto* decide = m_decide = new DecisionDocks(this, m_engine, [this](const QString& m, bool error) {
        m_messages->showMessage(m, error ? MessageBar::Level::Error : MessageBar::Level::Info);
    });
    decide->setRunSettings(
        [this] { return m_runPanel->config(); }, [this](const RunConfig& c) { m_runPanel->setConfig(c); });
    buildRemote();
    buildMenus();
    buildReview();
    decide->addActions(menuBar()->addMenu(tr("&Session")));
    buildShortcuts();
    m_live = new LiveDisplay(m_engine,
        { m_detector, m_polar, m_c2, m_history, m_charts[0], m_charts[1], m_charts[2], m_charts[3], m_health }, this);
    decide->follow(m_live); // issue 9: shots into the veto panel, snapshots into convergence and invariants
    const auto notify = [this](const QString& m, bool error) {
        m_messages->showMessage(m, error ? MessageBar::Level::Error : MessageBar::Level::Info);
    };
    MaskPanel::install(this, m_engine, m_detector, m_live->counts(), notify);
    connect(m_engine, &EngineController::resultsRewritten, this, [notify](const QString& m) { notify(m, false); });
    connect(m_engine, &EngineController::runStarted, this,
        [this](const QString& d, std::shared_ptr<const widgets::ImageAssembly> a, PolarGrid g) {
            m_live->beginRun(std::move(a), g);
            m_fileFrames->setRun(m_runPanel->config()); // a file's every frame behind the history's slider
            onRunStarted(d);
        });
    m_fileFrames = new FileFrameReader(this);
    connect(m_fileFrames, &FileFrameReader::opened, m_history, &widgets::FrameHistory::setRunLength);
    connect(m_history, &widgets::FrameHistory::runShotRequested, m_fileFrames, &FileFrameReader::request);
    connect(m_fileFrames, &FileFrameReader::frameRead, this,
        [this](std::int64_t shot, std::shared_ptr<const widgets::AssembledImage> image) {
            m_history->showRunShot({ shot, std::move(image), nullptr });
        });
    connect(m_fileFrames, &FileFrameReader::readFailed, this, [this](std::int64_t shot, const QString& why) {
        m_history->setNotice(tr("shot %1 could not be read: %2").arg(widgets::Format::count(shot), why));
    });
    connect(m_engine, &EngineController::runFinished, this, [this](const QString& m) { onRunEnded(m, false); });
    connect(m_engine, &EngineController::runFailed, this, [this](const QString& m) { onRunEnded(m, true); });
    // Values missing everywhere: the window asks for them instead of assuming any.
    connect(m_engine, &EngineController::valuesNeeded, this, [this](const QStringList& keys, const QString& m) {
        onRunEnded(m, true);
        m_runPanel->askFor(keys, m);
    });
    connect(m_engine, &EngineController::valuesInEffect, m_runPanel, &RunControlPanel::showValuesInEffect);
    connect(m_engine, &EngineController::sourceNotice, this,
        [this](const QString& m) { m_messages->showMessage(m, MessageBar::Level::Warning); });
    restoreSettings();
    fitToScreen();
    m_detector->setFocusPolicy(Qt::StrongFocus);
    m_detector->setFocus(); // Space and the arrows step the display, not a text box
}

void MainWindow::fitToScreen()
{
    const QScreen* s = screen() ? screen() : QGuiApplication::primaryScreen();
    if (!s) {
        return;
    }
    // Never past the screen: long texts wrap or are cut (their tooltips hold them), the window does not grow.
    const QRect avail = s->availableGeometry();
    setMaximumSize(avail.size());
    resize(size().boundedTo(avail.size()));
}

MainWindow::~MainWindow() { m_engine->stop(); }

void MainWindow::buildViews()
{
    m_detector = new widgets::DiffractionView(this);
    m_polar = new widgets::PolarView(this);
    m_history = new widgets::FrameHistory(this);
    m_tabs = new QTabWidget(this);
    m_tabs->addTab(m_detector, tr("Detector"));
    m_tabs->addTab(m_polar, tr("Polar"));
    m_messages = new MessageBar(this);
    auto* centre = new QWidget(this);
    auto* layout = new QVBoxLayout(centre);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_messages);
    layout->addWidget(m_tabs, 1);
    layout->addWidget(m_history);
    setCentralWidget(centre);
    m_c2 = new widgets::C2SliceView(this);
    m_health = new widgets::HealthBar(this);
    statusBar()->addPermanentWidget(m_health, 1);
}

namespace {
// Keeps a scroll area at least as wide as its widget's minimum, also when the widget grows later (Run control's
// remote form): else the dock keeps its first width and the form is cut off at the right.
class MinimumWidthFollower : public QObject {
public:
    explicit MinimumWidthFollower(QScrollArea* area)
        : QObject(area)
        , m_area(area)
    {
        area->widget()->installEventFilter(this);
        follow();
    }
    bool eventFilter(QObject* /*watched*/, QEvent* event) override
    {
        if (event->type() == QEvent::LayoutRequest) {
            follow();
        }
        return false;
    }

private:
    void follow()
    {
        m_area->setMinimumWidth(
            m_area->widget()->minimumSizeHint().width() + m_area->verticalScrollBar()->sizeHint().width());
    }
    QScrollArea* m_area;
};
} // namespace

void MainWindow::buildDocks()
{
    m_runPanel = new RunControlPanel(this);
    // Scrolls rather than clips on a short screen (a remote job's form is tall).
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(m_runPanel);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    // Scrolling lets the dock shrink to nothing: keep the panel's fields on screen (labels and their inputs).
    new MinimumWidthFollower(scroll);
    addDockWidget(Qt::LeftDockWidgetArea, dock(this, tr("Run control"), QStringLiteral("runControl"), scroll));
    addDockWidget(Qt::RightDockWidgetArea, dock(this, tr("C2 explorer"), QStringLiteral("c2Explorer"), m_c2));
    auto* charts = new QWidget(this);
    auto* row = new QHBoxLayout(charts);
    row->setContentsMargins(0, 0, 0, 0);
    const QString titles[4] = { tr("shot rate"), tr("hit rate"), tr("accepted"), tr("mean intensity") };
    const QString units[4] = { tr("Hz"), tr("%"), tr("%"), tr("ADU") };
    for (int i = 0; i < 4; ++i) {
        m_charts[i] = new widgets::StripChart(titles[i], units[i], charts);
        row->addWidget(m_charts[i]);
    }
    m_charts[1]->setValueBounds(0.0, 100.0); // a fraction in %: never an axis to 102.5 %
    m_charts[2]->setValueBounds(0.0, 100.0);
    m_charts[1]->setToolTip(tr("Shots with at least 1 % of valid pixels holding a photon (lit-pixel hit finding)"));
    addDockWidget(Qt::BottomDockWidgetArea, dock(this, tr("Strip charts"), QStringLiteral("stripCharts"), charts));
    connect(m_runPanel, &RunControlPanel::startRequested, this, &MainWindow::startRun);
    connect(m_runPanel, &RunControlPanel::resetRequested, this, &MainWindow::startRun);
    connect(m_runPanel, &RunControlPanel::stopRequested, this, [this] { stopRun(true); });
    connect(m_runPanel, &RunControlPanel::pauseToggled, this, [this](bool p) {
        m_engine->setPaused(p);
        m_live->setState(p ? widgets::RunState::Paused : widgets::RunState::Running);
    });
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open detector stack…"), QKeySequence::Open, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open a CXI / HDF5 stack"), QString(), tr("Detector stacks (*.cxi *.h5 *.hdf5);;All files (*)"));
        if (!path.isEmpty()) {
            openFile(path);
        }
    });
    m_recentMenu = file->addMenu(tr("Recent files"));
    file->addAction(tr("&Export current view…"), QKeySequence(tr("Ctrl+E")), this, &MainWindow::exportCurrentView);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    QMenu* run = menuBar()->addMenu(tr("&Run"));
    run->addAction(tr("&Start"), QKeySequence(tr("Ctrl+R")), this, &MainWindow::startRun);
    run->addAction(tr("S&top"), QKeySequence(tr("Ctrl+.")), this, [this] { stopRun(true); });
    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget* d : findChildren<QDockWidget*>()) {
        view->addAction(d->toggleViewAction());
    }
}

void MainWindow::buildShortcuts()
{
    const std::pair<QKeySequence, std::function<void()>> keys[] = {
        { QKeySequence(Qt::Key_Space), [this] { m_history->setPaused(!m_history->isPaused()); } },
        { QKeySequence(Qt::Key_Left), [this] { m_history->stepBack(); } },
        { QKeySequence(Qt::Key_Right), [this] { m_history->stepForward(); } },
        { QKeySequence(Qt::Key_Home), [this] { m_history->first(); } },
        { QKeySequence(Qt::Key_End), [this] { m_history->last(); } },
    };
    for (const auto& [seq, fn] : keys) {
        connect(new QShortcut(seq, this), &QShortcut::activated, this, fn);
    }
}

void MainWindow::startRun()
{
    RunConfig c = m_runPanel->config();
    if (!c.grid.valid()) {
        m_messages->showMessage(tr("The polar grid is not usable: q from must be below q to, and φ bins ≥ 4"));
        return;
    }
    m_messages->hide();
    if (c.source == SourceKind::RemoteJob) {
        startRemote(c);
        return;
    }
    if (c.source == SourceKind::DetectorStream) {
        m_runPanel->setStatus(tr("Waiting for the first frame from %1 (%2): is the detector armed and publishing? "
                                 "Stop gives up.")
                                  .arg(c.streamEndpoint,
                                      c.streamProtocol == QLatin1String("karabo")       ? tr("Karabo bridge")
                                          : c.streamProtocol == QLatin1String("dectris1") ? tr("DECTRIS Stream V1")
                                                                                         : tr("DECTRIS Stream V2")));
        m_live->setState(widgets::RunState::Running); // the health bar shows the connection (WAITING until frames)
    } else {
        m_runPanel->setStatus(
            tr("Opening %1…").arg(c.source == SourceKind::Simulated ? tr("the simulated run") : c.path));
    }
    m_live->clearViews(c.grid); // nothing of the previous source stays on screen, even when this one fails to open
    m_history->setRunLength(0);
    m_decide->beginRun(c.grid);
    m_engine->start(c);
    m_runPanel->setRunning(true);
}

void MainWindow::openFile(const QString& path)
{
    if (m_engine->running()) { // a live run is never stopped behind the scientist's back
        const auto answer = QMessageBox::question(this, tr("Stop the run and open a file?"),
            tr("A run is going on (%1 shots in C2). Stop it, write its results file and open %2?")
                .arg(widgets::Format::count(shotsDone()), QFileInfo(path).fileName()),
            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
        if (answer != QMessageBox::Yes) {
            return;
        }
        // The run ends here, its results file written and its end said (the message bar names the file), before the
        // file's run starts: its end, queued, must not arrive later and stop the new run.
        m_engine->stop();
        QCoreApplication::sendPostedEvents(m_engine, QEvent::MetaCall);
    }
    RunConfig c = m_runPanel->config();
    c.source = SourceKind::CxiFile;
    c.path = path;
    m_runPanel->setConfig(c);
    addRecentFile(path);
    startRun(); // the source validates the file in fxs-probe first: a bad file ends in the message bar
}

void MainWindow::onRunStarted(const QString& description)
{
    m_runPanel->setStatus(tr("Running: %1").arg(description));
    m_live->setState(widgets::RunState::Running);
}

void MainWindow::onRunEnded(const QString& message, bool failed)
{
    m_engine->stop(); // joins the finished threads
    m_live->tick(); // the final snapshot
    m_runPanel->setRunning(false);
    m_runPanel->setStatus(message);
    m_live->setState(failed ? widgets::RunState::Failed : widgets::RunState::Finished);
    m_messages->showMessage(message, failed ? MessageBar::Level::Error : MessageBar::Level::Info);
    emit runEnded(message, failed);
}

void MainWindow::exportCurrentView()
{
    auto* plot = m_tabs->currentWidget()->findChild<QCustomPlot*>();
    if (plot) {
        widgets::PlotExport::exportInteractive(plot, {});
    }
}

void MainWindow::addRecentFile(const QString& path)
{
    m_recent.removeAll(path);
    m_recent.prepend(path);
    while (m_recent.size() > 8) {
        m_recent.removeLast();
    }
    m_recentMenu->clear();
    for (const QString& p : m_recent) {
        m_recentMenu->addAction(p, this, [this, p] { openFile(p); });
    }
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls()) {
        event->acceptProposedAction();
    }
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const auto urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.first().isLocalFile()) {
        openFile(urls.first().toLocalFile());
    }
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    m_engine->stop();
    m_remoteJob->detach(); // a remote job keeps running on its server
    saveSettings();
    event->accept();
}

} // namespace fxs::monitor
