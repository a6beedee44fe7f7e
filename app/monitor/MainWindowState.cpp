// MainWindow: settings, screenshots and the C2 dump (kept apart from the window's construction).
#include "DecisionDocks.h"
#include "MainWindow.h"
#include "MonitorSession.h"
#include "RanksPanel.h"
#include "RunControlPanel.h"

#include <C2SliceView.h>
#include <DiffractionView.h>
#include <PolarView.h>
#include <QCoreApplication>
#include <QDir>
#include <QDockWidget>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QTabWidget>
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

void MainWindow::saveSettings() const
{
    auto s = openSettings(m_options);
    const RunConfig c = m_runPanel->config();
    s->setValue(QStringLiteral("run/source"), int(c.source));
    s->setValue(QStringLiteral("run/path"), c.path);
    s->setValue(QStringLiteral("run/dataset"), c.dataset);
    s->setValue(QStringLiteral("run/geometry"), c.geometryPath);
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
    m_tabs->setCurrentWidget(m_detector);
    save(this, QStringLiteral("monitor-main.png"));
    save(m_detector, QStringLiteral("monitor-detector.png"));
    save(m_c2, QStringLiteral("monitor-c2-explorer.png"));
    save(m_runPanel, QStringLiteral("monitor-run-control.png"));
    m_tabs->setCurrentWidget(m_polar);
    save(m_polar, QStringLiteral("monitor-polar.png"));
    m_tabs->setCurrentWidget(remote ? static_cast<QWidget*>(m_ranks) : m_detector);
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

} // namespace fxs::monitor
