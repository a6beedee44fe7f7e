#pragma once

// Runs the project's programs (fxs, fxs-monitor, …) from FXS_BIN_DIR as a user would, and collects what they said.

#include <QByteArray>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace fxs::test {

struct ProgramRun {
    int exitCode = -1; ///< -1: crashed, timed out or did not start
    QByteArray out;
    QByteArray err;
    bool ok() const { return exitCode == 0; }
};

/// A program of the build: $FXS_BIN_DIR/name.
inline QString binPath(const QString& name) { return qEnvironmentVariable("FXS_BIN_DIR") + "/" + name; }

/// Waits for a started process (killing it after `timeoutMs`) and collects its exit code and output.
inline ProgramRun finishProgram(QProcess& p, int timeoutMs = 120000)
{
    ProgramRun r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = "timed out after " + QByteArray::number(timeoutMs / 1000) + " s\n";
    } else {
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    }
    r.out = p.readAllStandardOutput();
    r.err += p.readAllStandardError();
    return r;
}

/// Runs $FXS_BIN_DIR/program with `args` to the end.
inline ProgramRun runProgram(const QString& program, const QStringList& args, int timeoutMs = 120000)
{
    QProcess p;
    p.start(binPath(program), args);
    return finishProgram(p, timeoutMs);
}

/// Runs the fxs-monitor window offscreen (QT_QPA_PLATFORM=offscreen) with `args` to the end.
inline ProgramRun runMonitor(const QStringList& args, int timeoutMs = 120000)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    p.setProcessEnvironment(env);
    p.start(binPath("fxs-monitor"), args);
    return finishProgram(p, timeoutMs);
}

/// Runs the `fxs` command line.
inline ProgramRun runFxs(const QStringList& args, int timeoutMs = 120000) { return runProgram("fxs", args, timeoutMs); }

} // namespace fxs::test
