#pragma once

// Reads a results file back with h5py (/usr/bin/python3: the system Python has h5py): an oracle outside our HDF5
// code for what a run wrote.

#include "PythonRunner.h"

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

/// Largest difference between the /sums arrays of two results files, relative to each array's largest magnitude in
/// `a` (h5py and numpy); 1e300 when python fails.
inline double h5pySumsDifference(const QString& a, const QString& b)
{
    const char* script = R"(
import h5py, sys, numpy as np
a, b = h5py.File(sys.argv[1], 'r'), h5py.File(sys.argv[2], 'r')
d = 0.0
for k in ['signal_even', 'signal_odd', 'mask_even', 'mask_odd', 'weighted_intensity', 'weight_sum']:
    x, y = a['sums/' + k][()], b['sums/' + k][()]
    d = max(d, float(np.abs(x - y).max() / max(np.abs(x).max(), 1e-300)))
print(d)
)";
    const auto r = runPython(script, { a, b });
    return r.ok() ? r.out.trimmed().toDouble() : 1e300;
}

} // namespace fxs::test
