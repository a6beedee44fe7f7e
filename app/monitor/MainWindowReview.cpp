// MainWindow: a finished run read back from its results file (File → Open results…, fxs-monitor --review), and a
// second one compared with it (File → Compare with results…, --compare): the C2 explorer, convergence, invariants,
// reconstruction and the Review tab (ledger, A/B curves, A − B) are filled from the files; nothing runs.
#include "DecisionDocks.h"
#include "EngineController.h"
#include "LiveDisplay.h"
#include "MainWindow.h"
#include "MessageBar.h"
#include "RemoteJobController.h"
#include "ReviewPanel.h"
#include "RunControlPanel.h"

#include <C2SliceView.h>
#include <QApplication>
#include <QFileDialog>
#include <QFileInfo>
#include <QLocale>
#include <QMenuBar>
#include <QTabWidget>
#include <QTimer>

namespace fxs::monitor {

namespace {
QMenu* menuTitled(QMenuBar* bar, const QString& title)
{
    for (QAction* a : bar->actions()) {
        if (a->menu() && a->text() == title) {
            return a->menu();
        }
    }
    return bar->addMenu(title);
}
// A reviewed run's shot counts, from its /ledger (what was read, what is in the C2); without a ledger, the C2's.
VetoCounts ledgerCounts(const ReviewedRun& run)
{
    VetoCounts c;
    c.inC2 = run.snapshot ? run.snapshot->shots : 0;
    c.read = run.ledger.present ? run.ledger.seen : c.inC2;
    c.vetoedByRule = c.read - c.inC2; // every shot of the ledger not in the C2, whatever the reason
    return c;
}

QString ledgerText(const ReviewedRun& run)
{
    const VetoCounts c = ledgerCounts(run);
    const QLocale l;
    return run.ledger.present
        ? QObject::tr("read %1 · %2 shots in C2 · %3 not in C2").arg(l.toString(qlonglong(c.read)),
            l.toString(qlonglong(c.inC2)), l.toString(qlonglong(c.read - c.inC2)))
        : QObject::tr("%1 shots in C2 (no ledger in the file)").arg(l.toString(qlonglong(c.inC2)));
}

const QString kResultsFilter = QObject::tr("FXS results (*.h5 *.hdf5);;All files (*)");
} // namespace

void MainWindow::buildReview()
{
    m_review = new ReviewPanel(this);
    m_tabs->addTab(m_review, tr("Review"));
    connect(m_c2, &widgets::C2SliceView::cursorChanged, m_review, &ReviewPanel::setCursor);
    QMenu* file = menuTitled(menuBar(), tr("&File"));
    QAction* before = file->actions().value(1); // after "Open detector stack…"
    auto* open = new QAction(tr("Open &results…"), this);
    open->setShortcut(QKeySequence(tr("Ctrl+Shift+O")));
    open->setToolTip(tr("Review a finished run from its results file (.h5)"));
    connect(open, &QAction::triggered, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open a results file"), QString(), kResultsFilter);
        if (!path.isEmpty()) {
            reviewResults(path);
        }
    });
    auto* compare = new QAction(tr("&Compare with results…"), this);
    compare->setToolTip(tr("Overlay a second results file on the one reviewed: C2 slices, convergence, A − B"));
    connect(compare, &QAction::triggered, this, [this] {
        const QString path
            = QFileDialog::getOpenFileName(this, tr("Compare with a results file"), QString(), kResultsFilter);
        if (!path.isEmpty()) {
            compareResults(path);
        }
    });
    file->insertActions(before, { open, compare });
    QMenu* run = menuTitled(menuBar(), tr("&Run"));
    run->addAction(tr("&Resume remote job"), this, &MainWindow::resumeRemote);
}

void MainWindow::reviewResults(const QString& path, const QString& compareWith)
{
    if (m_engine->running() || m_remoteJob->running()) {
        const QString m = tr("A run is in progress: stop it before opening a results file for review");
        m_messages->showMessage(m);
        emit reviewShown(m, true);
        return;
    }
    QApplication::setOverrideCursor(Qt::WaitCursor);
    QString error;
    auto run = ReviewedRun::load(path, &error);
    QApplication::restoreOverrideCursor();
    if (!run) {
        m_messages->showMessage(error, MessageBar::Level::Error);
        emit reviewShown(error, true);
        return;
    }
    m_live->endRemote();
    m_c2->setGrid(run->stored.grid);
    m_c2->setSnapshot(run->snapshot);
    m_decide->review(run->stored.grid, run->stored.wavelengthA, run->snapshot, run->stored.convergenceShots,
        run->stored.convergenceCC, run->stored.invariants);
    if (run->stored.densityN > 0) {
        m_decide->showDensity(run->stored.densityN, run->stored.density,
            tr("Density from %1 (%2³ voxels of %3 Å)")
                .arg(run->path)
                .arg(run->stored.densityN)
                .arg(run->stored.densityVoxelA, 0, 'f', 2));
    }
    m_review->setComparison(nullptr, &error);
    m_review->setRun(run);
    m_review->setCursor(m_c2->cursor());
    m_tabs->setCurrentWidget(m_review);
    QString message = tr("Reviewing %1: %2 shots in C2 (nothing runs; Start begins a new run)")
                          .arg(run->path, QLocale().toString(qlonglong(run->snapshot->shots)));
    m_runPanel->setStatus(message);
    setWindowTitle(tr("FXS Monitor — %1").arg(QFileInfo(run->path).fileName()));
    // The health bar says what is shown: the file, its counts, and that nothing runs.
    m_live->showReview(QFileInfo(run->path).fileName(), ledgerCounts(*run), ledgerText(*run) + tr(" · nothing runs"));
    if (!compareWith.isEmpty() && !compareResults(compareWith, &error)) {
        emit reviewShown(error, true);
        return;
    }
    if (!compareWith.isEmpty()) {
        message = tr("Comparing %1 (A) with %2 (B)").arg(run->path, m_review->runB()->path);
    }
    m_messages->showMessage(message, MessageBar::Level::Info);
    // After the plots' queued replots: what is said to be shown (screenshots, dumps) is drawn by then.
    QTimer::singleShot(0, this, [this, message] { emit reviewShown(message, false); });
}

bool MainWindow::compareResults(const QString& path, QString* why)
{
    QString error;
    auto run = ReviewedRun::load(path, &error);
    if (run && !m_review->setComparison(run, &error)) {
        run.reset();
    }
    if (!run) {
        m_messages->showMessage(error, MessageBar::Level::Error);
        if (why) {
            *why = error;
        }
        return false;
    }
    m_tabs->setCurrentWidget(m_review);
    if (const auto a = m_review->runA()) {
        m_live->showReview(QFileInfo(a->path).fileName(), ledgerCounts(*a),
            tr("compared with %1 · A: %2 · B: %3")
                .arg(QFileInfo(run->path).fileName(), ledgerText(*a), ledgerText(*run)));
    }
    m_runPanel->setStatus(tr("Comparing %1 (A) with %2 (B): the Review tab shows both at the C2 explorer's (q, q′)")
                              .arg(m_review->runA()->path, run->path));
    return true;
}

} // namespace fxs::monitor
