#include "VetoScript.h"

#include "EngineController.h"
#include "LiveDisplay.h"
#include "MainWindow.h"
#include "MaskPanel.h"
#include "MessageBar.h"

#include <C2SliceView.h>
#include <HealthBar.h>
#include <QDateTime>
#include <QDockWidget>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>
#include <StripChart.h>
#include <VetoPanel.h>
#include <cstdio>
#include <limits>

namespace fxs::monitor {

VetoScript::VetoScript(MainWindow* window, const QString& scriptPath, const QString& countsLogPath)
    : QObject(window)
    , m_window(window)
{
    if (!scriptPath.isEmpty()) {
        QFile f(scriptPath);
        const QJsonObject script
            = f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object() : QJsonObject {};
        if (script.isEmpty()) {
            window->messageBar()->showMessage(tr("Veto script %1 is missing or not a JSON object").arg(scriptPath));
        }
        m_pauseAt = script.value(QStringLiteral("pause_at_shot")).toInteger(-1);
        m_changes = script.value(QStringLiteral("changes")).toArray();
        m_afterEnd = script.value(QStringLiteral("after_end")).toArray();
        connect(window, &MainWindow::runEnded, this, &VetoScript::onRunEnded);
        connect(window->engine(), &EngineController::resultsRewritten, this, &VetoScript::onRewritten);
        m_screenshotDir = script.value(QStringLiteral("screenshots")).toString();
        window->engine()->pauseAtShot(m_pauseAt);
        // The run can reach its pause before the window has handled its start (a queued signal): the panels learn
        // the detector there, so the changes wait for it.
        connect(window->engine(), &EngineController::runStarted, this, [this] { m_started = true; });
    }
    if (!countsLogPath.isEmpty()) {
        m_log.setFileName(countsLogPath);
        if (!m_log.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
            window->messageBar()->showMessage(tr("Could not write %1").arg(countsLogPath));
        }
        // After the views' own slots (connected before): the sample shows what they display now.
        connect(window->live()->counts(), &widgets::ShotCountsModel::changed, this, &VetoScript::logCounts);
    }
    m_timer = new QTimer(this);
    connect(m_timer, &QTimer::timeout, this, &VetoScript::poll);
    m_timer->start(40);
}

void VetoScript::poll()
{
    if (m_log.isOpen()) {
        logCounts();
    }
    EngineController* engine = m_window->engine();
    if (m_pauseAt >= 0 && !m_applied && m_started && engine->running() && engine->paused()) {
        m_applied = true;
        if (applyChanges(m_changes)) {
            engine->setPaused(false);
        }
    }
    const VetoCounts& c = m_window->live()->counts()->counts();
    if (m_applied && !m_screenshotsTaken && !m_screenshotDir.isEmpty() && c.pending > 0 && c.passDone > 0) {
        m_screenshotsTaken = true;
        m_window->live()->tick();
        m_window->saveScreenshots(m_screenshotDir);
    }
}

void VetoScript::onRunEnded(const QString&, bool failed)
{
    if (m_afterEnd.isEmpty() || m_afterEndApplied) {
        return;
    }
    m_afterEndApplied = true;
    if (failed) { // nothing to correct after a failed run: the scripted run ends as it would
        QTimer::singleShot(0, this, [this] { onRewritten({}); });
        return;
    }
    QTimer::singleShot(0, this, [this] {
        if (!applyChanges(m_afterEnd)) {
            onRewritten({}); // refused: the message bar says why; the scripted run ends anyway
        }
    });
    // A run that wrote no results file is never written again: the scripted run must not wait for ever.
    QTimer::singleShot(120000, this, [this] { onRewritten({}); });
}

void VetoScript::onRewritten(const QString& message)
{
    if (!m_afterEndApplied || m_afterEndDone) {
        return;
    }
    m_afterEndDone = true;
    if (!message.isEmpty()) {
        std::fprintf(stderr, "fxs-monitor: %s\n", qPrintable(message));
    }
    m_window->live()->tick(); // the corrected C2 into the explorer before the dumps
    if (m_then) {
        m_then();
    }
}

bool VetoScript::applyMaskChange(const QJsonObject& change, QString* error)
{
    auto* masks = m_window->findChild<MaskPanel*>();
    if (auto* dock = m_window->findChild<QDockWidget*>(QStringLiteral("masks"))) {
        dock->raise(); // what the scientist would be looking at
    }
    const auto point = [](const QJsonValue& v) { return QPointF(v[0].toDouble(), v[1].toDouble()); };
    if (change.contains(QStringLiteral("mask_rect"))) {
        const QJsonArray r = change.value(QStringLiteral("mask_rect")).toArray();
        const QPointF a(r[0].toDouble(), r[1].toDouble()), b(r[2].toDouble(), r[3].toDouble());
        return masks->addOutline(widgets::MaskShapes::Kind::Rectangle,
                   QPolygonF { a, { b.x(), a.y() }, b, { a.x(), b.y() }, a })
            > 0;
    }
    if (change.contains(QStringLiteral("mask_polygon"))) {
        QPolygonF p;
        for (const QJsonValue& v : change.value(QStringLiteral("mask_polygon")).toArray()) {
            p << point(v);
        }
        return masks->addOutline(widgets::MaskShapes::Kind::Polygon, p) > 0;
    }
    if (change.contains(QStringLiteral("mask_threshold"))) {
        return masks->addThreshold(change.value(QStringLiteral("mask_threshold")).toDouble(),
                   change.value(QStringLiteral("above")).toBool(true))
            > 0;
    }
    if (change.contains(QStringLiteral("mask_save"))) {
        return masks->saveFile(change.value(QStringLiteral("mask_save")).toString(), error);
    }
    if (change.contains(QStringLiteral("mask_load"))) {
        return masks->loadFile(change.value(QStringLiteral("mask_load")).toString(), error);
    }
    if (change.contains(QStringLiteral("mask_undo"))) {
        return masks->undo();
    }
    masks->clearAll();
    return true;
}

bool VetoScript::applyChanges(const QJsonArray& changes)
{
    auto* panel = m_window->findChild<widgets::VetoPanel*>();
    for (const QJsonValue& v : changes) {
        const QJsonObject change = v.toObject();
        QString error;
        bool ok = true;
        if (change.keys().join(',').contains(QStringLiteral("mask_"))) {
            ok = applyMaskChange(change, &error);
        } else if (change.contains(QStringLiteral("veto"))) {
            const QJsonArray range = change.value(QStringLiteral("veto")).toArray();
            ok = panel->vetoRange(range.at(0).toInteger(), range.at(1).toInteger(),
                change.value(QStringLiteral("reason")).toString(), &error);
        } else {
            const auto statistic
                = ShotStats::fromName(change.value(QStringLiteral("statistic")).toString().toStdString());
            const double inf = std::numeric_limits<double>::infinity();
            const QJsonValue min = change.value(QStringLiteral("min"));
            const QJsonValue max = change.value(QStringLiteral("max"));
            ok = statistic
                && panel->setThreshold(
                    *statistic, min.isDouble() ? min.toDouble() : -inf, max.isDouble() ? max.toDouble() : inf, &error);
        }
        if (!ok) {
            std::fprintf(stderr, "fxs-monitor: veto script: %s refused: %s\n",
                QJsonDocument(change).toJson(QJsonDocument::Compact).constData(), qPrintable(error));
            m_window->messageBar()->showMessage(
                tr("Veto script: %1 refused: %2")
                    .arg(QString::fromUtf8(QJsonDocument(change).toJson(QJsonDocument::Compact)), error));
            return false;
        }
    }
    return true;
}

void VetoScript::logCounts()
{
    auto* panel = m_window->findChild<widgets::VetoPanel*>();
    auto* health = m_window->findChild<widgets::HealthBar*>();
    QJsonObject sample { { QStringLiteral("ms"), double(QDateTime::currentMSecsSinceEpoch()) },
        { QStringLiteral("veto"), panel->summary() }, { QStringLiteral("reevaluation"), panel->reevaluation() },
        { QStringLiteral("health"), health->text() }, { QStringLiteral("c2"), m_window->c2View()->title() },
        { QStringLiteral("running"), m_window->engine()->running() },
        { QStringLiteral("masks"), m_window->findChild<MaskPanel*>()->summary() } };
    const auto accepted = m_window->live()->views().accepted->points(); // the accepted strip chart's newest point
    if (!accepted.empty()) {
        sample[QStringLiteral("accepted_chart_percent")] = accepted.back().second;
    }
    m_log.write(QJsonDocument(sample).toJson(QJsonDocument::Compact) + '\n');
    m_log.flush();
}

} // namespace fxs::monitor
