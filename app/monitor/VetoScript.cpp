#include "VetoScript.h"

#include "EngineController.h"
#include "LiveDisplay.h"
#include "MainWindow.h"
#include "MessageBar.h"

#include <C2SliceView.h>
#include <HealthBar.h>
#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>
#include <StripChart.h>
#include <VetoPanel.h>
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
        m_screenshotDir = script.value(QStringLiteral("screenshots")).toString();
        window->engine()->pauseAtShot(m_pauseAt);
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
    if (m_pauseAt >= 0 && !m_applied && engine->running() && engine->paused()) {
        m_applied = true;
        if (applyChanges()) {
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

bool VetoScript::applyChanges()
{
    auto* panel = m_window->findChild<widgets::VetoPanel*>();
    for (const QJsonValue& v : m_changes) {
        const QJsonObject change = v.toObject();
        QString error;
        bool ok = true;
        if (change.contains(QStringLiteral("veto"))) {
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
        { QStringLiteral("running"), m_window->engine()->running() } };
    const auto accepted = m_window->live()->views().accepted->points(); // the accepted strip chart's newest point
    if (!accepted.empty()) {
        sample[QStringLiteral("accepted_chart_percent")] = accepted.back().second;
    }
    m_log.write(QJsonDocument(sample).toJson(QJsonDocument::Compact) + '\n');
    m_log.flush();
}

} // namespace fxs::monitor
