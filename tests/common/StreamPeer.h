#pragma once

// Detector-stream test peers (tests/app/stream_peer.py run by Debian's python3: a DECTRIS Stream V2 publisher
// written from the published message definitions, a replay of recorded messages, Debian's Karabo bridge) and the
// h5py read-back of what a stream run wrote into its results file.

#include "PythonRunner.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QProcess>
#include <QtGlobal>
#include <fxs/geometry/DetectorGeometry.h>

namespace fxs::test {

/// How a process ended: its exit code (−1: crashed or timed out) and everything it wrote.
struct ProcessRun {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

/// Waits for `p` (killing it after `timeoutMs`) and collects its output.
inline ProcessRun finishProcess(QProcess& p, int timeoutMs = 60000)
{
    ProcessRun r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = "timed out";
    } else {
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    }
    r.out = p.readAllStandardOutput();
    r.err += p.readAllStandardError();
    return r;
}

/// tests/app/stream_peer.py.
inline QString peerScript() { return qEnvironmentVariable("FXS_SOURCE_DIR") + QStringLiteral("/tests/app/stream_peer.py"); }

/// Runs tests/app/stream_peer.py with `args` to its end (the "decode" mode).
inline PythonResult runPeer(const QStringList& args, int timeoutMs = 60000)
{
    QProcess p;
    p.start(debianPython(), QStringList { peerScript() } + args);
    PythonResult r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = "stream_peer.py timed out or did not start";
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

/// tests/app/stream_peer.py with `args` ("dectris PORT FILE …", "replay PORT FOLDER …", "karabo PORT FILE …").
/// port() reads the {"port": N} line it prints once bound; summary() the JSON line it prints when done.
class StreamPeer {
public:
    explicit StreamPeer(const QStringList& args)
    {
        m_p.start(debianPython(), QStringList { peerScript() } + args);
    }
    ~StreamPeer()
    {
        if (m_p.state() != QProcess::NotRunning) {
            m_p.kill();
            m_p.waitForFinished();
        }
    }
    StreamPeer(const StreamPeer&) = delete;
    StreamPeer& operator=(const StreamPeer&) = delete;

    int port()
    {
        while (!m_p.canReadLine() && m_p.waitForReadyRead(10000)) {
        }
        return QJsonDocument::fromJson(m_p.readLine()).object().value(QStringLiteral("port")).toInt();
    }
    QJsonObject summary()
    {
        const ProcessRun r = finishProcess(m_p);
        if (r.exitCode != 0) {
            qWarning() << r.err;
        }
        return QJsonDocument::fromJson(r.out.trimmed().split('\n').last()).object();
    }
    QProcess& process() { return m_p; }

private:
    QProcess m_p;
};

/// A TCP port free on 127.0.0.1 now (for a consumer started before its publisher); 0 when none could be found.
inline int freePort()
{
    const auto r = runPython(
        QStringLiteral("import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"));
    return r.ok() ? r.out.trimmed().toInt() : 0;
}

/// A stream run's results file read back with h5py: the ledger's series and frame numbers ("series", "frames"),
/// /analysis/stream_counts ("counts") and the shots in its C2 ("shots").
inline QJsonObject streamLedger(const QString& path)
{
    const char* script = R"(
import h5py, json, sys
f = h5py.File(sys.argv[1], 'r')
print(json.dumps({'series': f['ledger/series_id'][()].tolist(), 'frames': f['ledger/frame_number'][()].tolist(),
  'counts': f['analysis/stream_counts'][()].tolist(), 'shots': int(f['c2'].attrs['shots'])}))
)";
    const auto r = runPython(QString::fromUtf8(script), { path });
    if (!r.ok()) {
        qWarning() << r.err;
    }
    return QJsonDocument::fromJson(r.out).object();
}

/// The 48 × 48 detector of the stream tests as a .geom file (200 µm pixels, 0.1 m, 9 keV, centred on the beam)…
inline const char* smallDetectorGeom()
{
    return "photon_energy = 9000\nclen = 0.1\nres = 5000\np/min_fs = 0\np/max_fs = 47\np/min_ss = 0\np/max_ss = 47\n"
           "p/corner_x = -24\np/corner_y = -24\n";
}

/// … and the flat panel it describes, built from those numbers (the oracle's geometry).
inline fxs::SinglePanelSpec smallDetectorPanel()
{
    fxs::SinglePanelSpec panel;
    panel.nSlow = 48;
    panel.nFast = 48;
    panel.pixelSizeM = 200e-6;
    panel.beamCentreFastPx = 24.0;
    panel.beamCentreSlowPx = 24.0;
    panel.distanceM = 0.1;
    panel.photonEnergyEv = 9000.0;
    return panel;
}

/// A JSON array of numbers as integers.
inline QList<qint64> jsonInts(const QJsonValue& v)
{
    QList<qint64> out;
    for (const auto& x : v.toArray()) {
        out.append(static_cast<qint64>(x.toDouble()));
    }
    return out;
}

} // namespace fxs::test
