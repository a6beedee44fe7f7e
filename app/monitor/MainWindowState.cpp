// MainWindow: settings, screenshots and the C2 dump (kept apart from the window's construction).
#include "DecisionDocks.h"
#include "FileFrameReader.h"
#include "MainWindow.h"
#include "MessageBar.h"
#include "MonitorSession.h"
#include "RanksPanel.h"
#include "RemoteJobController.h"
#include "ReviewPanel.h"
#include "RunControlPanel.h"

#include <C2SliceView.h>
#include <ConvergenceView.h>
#include <DiffractionView.h>
#include <FrameHistory.h>
#include <HealthBar.h>
#include <PolarView.h>
#include <QCoreApplication>
#include <QDir>
#include <QDockWidget>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QTabWidget>
#include <StripChart.h>
#include <VetoPanel.h>
#include <cmath>
#include <memory>
#include <qcustomplot.h>

namespace fxs::monitor {

namespace {
std::unique_ptr<QSettings> openSettings(const MonitorOptions& o)
{
    if (!o.settingsPath.isEmpty()) {
        return std::make_unique<QSettings>(o.settingsPath, QSettings::IniFormat);
    }
    return std::make_unique<QSettings>();
}
} // namespace

void MainWindow::restoreSettings()
{
    RunConfig c;
    auto s = openSettings(m_options);
    if (!m_options.fresh && s->contains(QStringLiteral("run/source"))) {
        c.source = SourceKind(s->value(QStringLiteral("run/source")).toInt());
        c.path = s->value(QStringLiteral("run/path")).toString();
        c.dataset = s->value(QStringLiteral("run/dataset"), c.dataset).toString();
        c.geometryPath = s->value(QStringLiteral("run/geometry")).toString();
        c.pixelMask = s->value(QStringLiteral("run/pixelMask")).toString();
        c.streamEndpoint = s->value(QStringLiteral("run/streamEndpoint")).toString();
        c.streamProtocol = s->value(QStringLiteral("run/streamProtocol"), c.streamProtocol).toString();
        c.streamStopAtEnd = s->value(QStringLiteral("run/streamStopAtEnd"), false).toBool();
        c.grid.nQ = s->value(QStringLiteral("grid/nQ"), c.grid.nQ).toInt();
        c.grid.nPhi = s->value(QStringLiteral("grid/nPhi"), c.grid.nPhi).toInt();
        c.grid.qMinInvA = s->value(QStringLiteral("grid/qMin"), c.grid.qMinInvA).toDouble();
        c.grid.qMaxInvA = s->value(QStringLiteral("grid/qMax"), c.grid.qMaxInvA).toDouble();
        c.spoolGb = s->value(QStringLiteral("run/spoolGb"), c.spoolGb).toDouble();
        c.spoolDir = s->value(QStringLiteral("run/spoolDir")).toString();
        c.keepSpool = s->value(QStringLiteral("run/keepSpool"), false).toBool();
        c.vetoRingMb = s->value(QStringLiteral("run/vetoRingMb"), c.vetoRingMb).toDouble();
        MonitorSession::remoteFromJson(
            QJsonDocument::fromJson(s->value(QStringLiteral("run/remote")).toByteArray()).object(), &c.remote);
        m_recent = s->value(QStringLiteral("recentFiles")).toStringList();
        m_history->setMemoryBudget(
            s->value(QStringLiteral("display/historyBytes"), m_history->memoryBudget()).toDouble());
        if (!restoreGeometry(s->value(QStringLiteral("window/geometry")).toByteArray())) {
            resize(1600, 1000); // settings written by hand or by a script: no saved window yet
        }
        restoreState(s->value(QStringLiteral("window/state")).toByteArray());
        if (auto* decide = findChild<DecisionDocks*>()) {
            decide->restoreSettings(*s); // issue 9: veto rules and sample changes
        }
    } else {
        resize(1600, 1000);
    }
    if (m_options.shots >= 0) {
        c.simulatedShots = m_options.shots;
        c.remote.syntheticShots = m_options.shots > 0 ? m_options.shots : c.remote.syntheticShots;
    }
    if (m_options.rateHz >= 0) {
        c.simulatedRateHz = m_options.rateHz;
    }
    if (m_options.nQ > 0) {
        c.grid.nQ = m_options.nQ;
    }
    if (m_options.nPhi > 0) {
        c.grid.nPhi = m_options.nPhi;
    }
    if (m_options.size > 0) {
        c.simulatedSize = m_options.size;
    }
    if (m_options.fresh) {
        c.source = SourceKind::Simulated;
    }
    if (!m_options.streamEndpoint.isEmpty()) { // a detector stream named on the command line
        c.source = SourceKind::DetectorStream;
        c.streamEndpoint = m_options.streamEndpoint;
        c.streamProtocol = m_options.streamProtocol.isEmpty() ? c.streamProtocol : m_options.streamProtocol;
        c.streamStopAtEnd = m_options.streamStopAtEnd || c.streamStopAtEnd;
        c.streamDecode = m_options.streamDecode.isEmpty() ? c.streamDecode : m_options.streamDecode;
    }
    if (m_options.firstShot >= 0) {
        c.firstShot = m_options.firstShot;
    }
    if (m_options.lastShot >= -1) {
        c.lastShot = m_options.lastShot;
    }
    if (!m_options.resultsDir.isEmpty()) {
        c.resultsDir = m_options.resultsDir;
    }
    if (!m_options.geometryPath.isEmpty()) {
        c.geometryPath = m_options.geometryPath;
    }
    if (!m_options.pixelMask.isEmpty()) {
        c.pixelMask = m_options.pixelMask;
    }
    c.userClenM = std::isfinite(m_options.clenM) ? m_options.clenM : c.userClenM;
    c.userPhotonEnergyEv = std::isfinite(m_options.photonEnergyEv) ? m_options.photonEnergyEv : c.userPhotonEnergyEv;
    c.userPixelSizeM = std::isfinite(m_options.pixelSizeM) ? m_options.pixelSizeM : c.userPixelSizeM;
    m_runPanel->setConfig(c);
    const QStringList recent = m_recent;
    m_recent.clear();
    for (auto it = recent.crbegin(); it != recent.crend(); ++it) {
        addRecentFile(*it);
    }
}

void MainWindow::rememberRemoteJob(const QString& server, const QString& jobId) const
{
    openSettings(m_options)->setValue(QStringLiteral("remote/lastJob"),
        QJsonDocument(QJsonObject { { "server", server }, { "job_id", jobId } }).toJson(QJsonDocument::Compact));
}

QString MainWindow::rememberedRemoteJob(const QString& server) const
{
    const QJsonObject j
        = QJsonDocument::fromJson(openSettings(m_options)->value(QStringLiteral("remote/lastJob")).toByteArray())
              .object();
    return j.value("server").toString() == server ? j.value("job_id").toString() : QString();
}

void MainWindow::saveSettings() const
{
    auto s = openSettings(m_options);
    const RunConfig c = m_runPanel->config();
    s->setValue(QStringLiteral("run/source"), int(c.source));
    s->setValue(QStringLiteral("run/path"), c.path);
    s->setValue(QStringLiteral("run/dataset"), c.dataset);
    s->setValue(QStringLiteral("run/geometry"), c.geometryPath);
    s->setValue(QStringLiteral("run/pixelMask"), c.pixelMask);
    s->setValue(QStringLiteral("run/streamEndpoint"), c.streamEndpoint);
    s->setValue(QStringLiteral("run/streamProtocol"), c.streamProtocol);
    s->setValue(QStringLiteral("run/streamStopAtEnd"), c.streamStopAtEnd);
    s->setValue(QStringLiteral("grid/nQ"), c.grid.nQ);
    s->setValue(QStringLiteral("grid/nPhi"), c.grid.nPhi);
    s->setValue(QStringLiteral("grid/qMin"), c.grid.qMinInvA);
    s->setValue(QStringLiteral("grid/qMax"), c.grid.qMaxInvA);
    s->setValue(QStringLiteral("run/spoolGb"), c.spoolGb);
    s->setValue(QStringLiteral("run/spoolDir"), c.spoolDir);
    s->setValue(QStringLiteral("run/keepSpool"), c.keepSpool);
    s->setValue(QStringLiteral("run/vetoRingMb"), c.vetoRingMb);
    s->setValue(QStringLiteral("run/remote"),
        QJsonDocument(MonitorSession::remoteToJson(c.remote)).toJson(QJsonDocument::Compact));
    s->setValue(QStringLiteral("recentFiles"), m_recent);
    s->setValue(QStringLiteral("display/historyBytes"), m_history->memoryBudget());
    s->setValue(QStringLiteral("window/geometry"), saveGeometry());
    s->setValue(QStringLiteral("window/state"), saveState());
    if (const auto* decide = findChild<DecisionDocks*>()) {
        decide->saveSettings(*s); // issue 9: veto rules and sample changes
    }
}

void MainWindow::saveScreenshots(const QString& dir)
{
    QDir().mkpath(dir);
    // Lay out what changed just before (the run-control status wraps to more lines): else the grab shows it clipped.
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
    const auto save = [&dir](QWidget* w, const QString& name) { w->grab().save(QDir(dir).filePath(name)); };
    const bool remote = !m_ranks->status().jobId.isEmpty();
    if (remote) { // the window as a remote job shows it, its Ranks tab in front
        m_tabs->setCurrentWidget(m_ranks);
        save(this, QStringLiteral("monitor-remote-main.png"));
        save(m_ranks, QStringLiteral("monitor-remote-ranks.png"));
    }
    if (m_review->runA()) { // a results file reviewed (and compared): the window with its Review tab in front
        m_tabs->setCurrentWidget(m_review);
        save(this, QStringLiteral("monitor-review-main.png"));
        save(m_review, QStringLiteral("monitor-review-compare.png"));
    }
    m_tabs->setCurrentWidget(m_detector);
    save(this, QStringLiteral("monitor-main.png"));
    save(m_detector, QStringLiteral("monitor-detector.png"));
    save(m_c2, QStringLiteral("monitor-c2-explorer.png"));
    save(m_runPanel, QStringLiteral("monitor-run-control.png"));
    m_tabs->setCurrentWidget(m_polar);
    save(m_polar, QStringLiteral("monitor-polar.png"));
    m_tabs->setCurrentWidget(remote ? static_cast<QWidget*>(m_ranks)
            : m_review->runA()      ? static_cast<QWidget*>(m_review)
                                    : m_detector);
    if (auto* decide = findChild<DecisionDocks*>()) {
        decide->saveScreenshots(dir); // issue 9's panels, as monitor-live-*.png
    }
}

bool MainWindow::writeJson(const QString& path, const QJsonObject& json)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        return false;
    }
    return f.write(QJsonDocument(json).toJson()) > 0;
}

bool MainWindow::dumpC2View(const QString& path) const
{
    const auto snap = m_c2->snapshot();
    const auto cursor = m_c2->cursor();
    QJsonObject o;
    o[QStringLiteral("shots")] = double(snap ? snap->shots : 0);
    o[QStringLiteral("nQ")] = snap ? snap->nQ : 0;
    o[QStringLiteral("nPhi")] = snap ? snap->nPhi : 0;
    o[QStringLiteral("q")] = cursor.q;
    o[QStringLiteral("qp")] = cursor.qp;
    o[QStringLiteral("k")] = cursor.k;
    for (int g = 0; g < m_c2->curvePlot()->graphCount() && g < 2; ++g) {
        QJsonArray keys;
        QJsonArray values;
        const auto data = m_c2->curvePlot()->graph(g)->data();
        for (auto it = data->constBegin(); it != data->constEnd(); ++it) {
            keys.append(it->key);
            values.append(std::isfinite(it->value) ? QJsonValue(it->value) : QJsonValue());
        }
        o[g == 0 ? QStringLiteral("c2") : QStringLiteral("difference")] = values;
        o[QStringLiteral("deltaDeg")] = keys;
    }
    QJsonArray stdError; // the band drawn: its upper edge − the curve (empty when no band is shown)
    if (m_c2->bandHigh()->visible()) {
        const auto high = m_c2->bandHigh()->data();
        const auto c2 = m_c2->curvePlot()->graph(0)->data();
        for (int k = 0; k < high->size() && k < c2->size(); ++k) {
            const double e = high->at(k)->value - c2->at(k)->value;
            stdError.append(std::isfinite(e) ? QJsonValue(e) : QJsonValue());
        }
    }
    o[QStringLiteral("stdError")] = stdError;
    QJsonArray pair;
    const QCPColorMapData* d = m_c2->pairMap()->data();
    for (int q = 0; q < d->keySize(); ++q) {
        for (int qp = 0; qp < d->valueSize(); ++qp) {
            const double v = const_cast<QCPColorMapData*>(d)->cell(q, qp);
            pair.append(std::isfinite(v) ? QJsonValue(v) : QJsonValue());
        }
    }
    o[QStringLiteral("pairMapAtK")] = pair;
    return writeJson(path, o);
}

void MainWindow::setDisplayPaused(bool paused) { m_history->setPaused(paused); }

void MainWindow::showFileShot(std::int64_t shotIndex) { m_fileFrames->request(shotIndex); }

std::int64_t MainWindow::shownShot() const { return m_detector->image() ? m_detector->image()->shotIndex : -1; }

bool MainWindow::dumpWindow(const QString& path, const QJsonObject& extra) const
{
    QJsonObject o = extra;
    const QRect screenArea = screen() ? screen()->availableGeometry() : QRect();
    o[QStringLiteral("windowWidth")] = frameGeometry().width();
    o[QStringLiteral("windowHeight")] = frameGeometry().height();
    o[QStringLiteral("screenWidth")] = screenArea.width();
    // Wider than the window, the layout's contents are cut off at its right edge.
    o[QStringLiteral("contentMinimumWidth")] = minimumSizeHint().width();
    o[QStringLiteral("screenHeight")] = screenArea.height();
    o[QStringLiteral("shownShot")] = double(shownShot());
    double shownSum = 0.0; // the pixels of the image shown (tests compare with the file's frame)
    if (const auto image = m_detector->image()) {
        for (const float v : image->values) {
            shownSum += std::isfinite(v) ? double(v) : 0.0;
        }
    }
    o[QStringLiteral("shownSum")] = shownSum;
    o[QStringLiteral("historyShot")] = double(m_history->current().shotIndex);
    o[QStringLiteral("historyKept")] = m_history->size();
    o[QStringLiteral("historyText")] = m_history->text();
    o[QStringLiteral("displayPaused")] = m_history->isPaused();
    o[QStringLiteral("vetoFrozen")] = m_decide->vetoPanel()->frozenReason(); // empty: the rules may be changed
    // Docks shown whose contents are wider than the dock (a horizontal scroll bar: fields and buttons cut off).
    QJsonArray cutOff;
    for (const auto* d : findChildren<QDockWidget*>()) {
        for (const auto* area : d->findChildren<QScrollArea*>()) {
            if (d->isVisible() && area->isVisible() && area->horizontalScrollBar()->maximum() > 0) {
                cutOff.append(
                    QStringLiteral("%1: %2 px").arg(d->windowTitle()).arg(area->horizontalScrollBar()->maximum()));
            }
        }
    }
    o[QStringLiteral("docksCutOff")] = cutOff;
    // Where Space and the arrows go: the widget of this window that has (or gets, once active) the keyboard focus.
    o[QStringLiteral("focusWidget")]
        = focusWidget() ? QString::fromLatin1(focusWidget()->metaObject()->className()) : QString();
    o[QStringLiteral("c2Shots")] = double(m_c2->snapshot() ? m_c2->snapshot()->shots : 0);
    const auto* convergence = findChild<widgets::ConvergenceView*>();
    o[QStringLiteral("convergencePoints")] = convergence ? int(convergence->points().size()) : -1;
    if (convergence) { // the headline's q bin and its latest split-half value; the map's cells that hold a value
        const widgets::SlowestQ slowest = convergence->slowest();
        o[QStringLiteral("convergenceSlowestBin")] = slowest.bin;
        o[QStringLiteral("convergenceSlowestCC")] = slowest.splitHalfCC;
        QCPColorMapData* d = convergence->pairMap()->data();
        int cells = 0;
        for (int a = 0; a < d->keySize(); ++a) {
            for (int b = 0; b < d->valueSize(); ++b) {
                cells += std::isfinite(d->cell(a, b)) && d->cell(a, b) != 0.0 ? 1 : 0;
            }
        }
        o[QStringLiteral("convergenceMapCells")] = cells;
    }
    if (const auto remote = m_remoteJob->lastWatchedSnapshot()) { // a remote job's last live snapshot, as it came
        const widgets::C2Cursor cursor = m_c2->cursor();
        QJsonArray se;
        for (int k = 0; remote->hasStdError() && k < remote->nPhi; ++k) {
            se.append(remote->c2StdError[remote->at(cursor.q, cursor.qp, k)]);
        }
        o[QStringLiteral("remoteSnapshotShots")] = double(remote->shots);
        o[QStringLiteral("remoteSnapshotStdError")] = se;
    }
    int chartPoints = 0;
    for (const auto* chart : m_charts) {
        chartPoints += int(chart->points().size());
    }
    o[QStringLiteral("stripChartPoints")] = chartPoints;
    o[QStringLiteral("health")] = m_health->text();
    o[QStringLiteral("message")] = m_messages->text();
    o[QStringLiteral("shotsDone")] = double(shotsDone());
    QJsonObject minWidths; // what holds the window's width up: each dock's and the centre's minimum
    for (const QDockWidget* d : findChildren<QDockWidget*>()) {
        minWidths[d->objectName()] = d->minimumSizeHint().width();
    }
    minWidths[QStringLiteral("centre")] = centralWidget()->minimumSizeHint().width();
    minWidths[QStringLiteral("window")] = minimumSizeHint().width();
    o[QStringLiteral("minimumWidths")] = minWidths;
    return writeJson(path, o);
}

} // namespace fxs::monitor
