#pragma once

// Reads a results file back with h5py (/usr/bin/python3: the system Python has h5py): an oracle outside our HDF5
// code for what a run wrote.

#include <QProcess>
#include <QString>

namespace fxs::test {

/// Runs `script` with `f` the open results file and `c` its /run/configuration JSON; its standard output, or
/// "python failed: …" with its error output.
inline QString h5pyOnResults(const QString& path, const QString& script)
{
    QProcess py;
    py.start(QStringLiteral("/usr/bin/python3"),
        { QStringLiteral("-c"),
            QStringLiteral("import h5py, json, sys\n"
                           "f = h5py.File(sys.argv[1], 'r')\n"
                           "c = f['/run/configuration'][()]\n"
                           "c = json.loads(c.decode() if isinstance(c, bytes) else c)\n")
                + script,
            path });
    if (!py.waitForFinished(60000) || py.exitCode() != 0) {
        return QStringLiteral("python failed: ") + QString::fromUtf8(py.readAllStandardError());
    }
    return QString::fromUtf8(py.readAllStandardOutput());
}

} // namespace fxs::test
