#pragma once

#ifndef Q_MOC_RUN
#include "RunConfig.h"
#endif

#include <QByteArray>
#include <QJsonObject>
#include <QString>

class QSettings;

namespace fxs::monitor {

/// Everything that makes a monitor set-up: window layout, source, geometry, grid, veto rules, levels and colour
/// maps. Kept in QSettings between starts and written to a JSON session file that colleagues can open.
struct MonitorSession {
    static constexpr int kFormatVersion = 1;

    QByteArray windowGeometry; ///< QMainWindow::saveGeometry()
    QByteArray windowState; ///< QMainWindow::saveState() (docks, tabs)
    RunConfig run; ///< source, file, dataset, geometry, grid, simulation
    QByteArray vetoes; ///< widgets::VetoState::toJson()
    QJsonObject views; ///< per view: {"colorMap", "scale", "levelsLocked", "levelMin", "levelMax"}

    /// The session as JSON (byte arrays base64, the veto rules inline).
    QJsonObject toJson() const;
    /// Reads toJson()'s form; false with a message naming the key that is wrong.
    static bool fromJson(const QJsonObject& json, MonitorSession* session, QString* error);
    /// Writes the session file (indented JSON); false with a message saying which file and why.
    bool save(const QString& path, QString* error) const;
    /// Reads a session file; false with a message saying which file and what is wrong.
    static bool load(const QString& path, MonitorSession* session, QString* error);
    /// Keeps the session in QSettings under "session/json".
    void toSettings(QSettings& settings) const;
    /// The session kept in QSettings (defaults when none or unreadable).
    static MonitorSession fromSettings(QSettings& settings);
    /// A remote job's settings as JSON (the session's run.remote, QSettings' run/remote).
    static QJsonObject remoteToJson(const RemoteJobSettings& remote);
    /// Reads remoteToJson()'s form; keys missing keep their value in `remote`.
    static void remoteFromJson(const QJsonObject& json, RemoteJobSettings* remote);
};

} // namespace fxs::monitor
