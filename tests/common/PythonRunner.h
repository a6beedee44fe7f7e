#pragma once

// Runs Debian's python3 (h5py, numpy, mrcfile: independent oracles) on a script given as text.

#include <QProcess>
#include <QString>
#include <QStringList>

namespace fxs::test {

/// Debian's interpreter: the one that has python3-h5py, -numpy and -mrcfile (a pyenv python may shadow it in PATH).
inline QString debianPython() { return QStringLiteral("/usr/bin/python3"); }

struct PythonResult {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    bool ok() const { return exitCode == 0; }
};

/// Runs `script` with `args` (available as sys.argv[1:]) and waits up to `timeoutMs`.
inline PythonResult runPython(const QString& script, const QStringList& args = {}, int timeoutMs = 60000)
{
    QProcess p;
    p.start(debianPython(), QStringList { QStringLiteral("-c"), script } + args);
    PythonResult r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = "python3 timed out or did not start";
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

/// True when Debian's python3 can import `module`.
inline bool pythonHas(const QString& module) { return runPython(QStringLiteral("import ") + module).ok(); }

} // namespace fxs::test
