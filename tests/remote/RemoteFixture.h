#pragma once

// A real fxs-server on 127.0.0.1 (a free port), with real mpirun and fxs-worker, for the remote test suites.

#include <fxs/results/SumsFile.h>
#include "SyntheticPolarSource.h"
#include "fxs/remote/RemoteSession.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <csignal>
#include <functional>
#include <fxs/correlation/C2Accumulator.h>
#include <memory>
#include <optional>
#include <sys/prctl.h>
#include <unistd.h>

namespace fxs::test {

inline QString binDir() { return qEnvironmentVariable("FXS_BIN_DIR"); }

/// One fxs-server process and a session to it.
struct RemoteServer {
    QTemporaryDir dir;
    QProcess process;
    int port = 0;
    QString token = QStringLiteral("test-token-0123456789abcdef");
    QStringList extraArgs;
    QString tokenFileText; ///< the token file's text; empty: the one-token file of `token` (an admin "default")
    /// fxs-server --launcher; empty: "slurm" when FXS_TEST_LAUNCHER=slurm (the suites through a real Slurm,
    /// scripts/slurm-local.sh), else mpirun with --oversubscribe
    QString launcher;
    bool defaultDataRoot = true; ///< --data-root <the temporary folder> (where the tests write their input)
    std::string rootCertsPem; ///< for the session: non-empty turns TLS on
    std::unique_ptr<fxs::remote::RemoteSession> session;

    QString stateDir() const { return dir.filePath(QStringLiteral("state")); }
    QString auditLog() const { return dir.filePath(QStringLiteral("state/audit.log")); }
    /// A session to this server with another token.
    std::unique_ptr<fxs::remote::RemoteSession> sessionWith(const QString& otherToken) const
    {
        fxs::remote::RemoteOptions o;
        o.target = "127.0.0.1:" + std::to_string(port);
        o.token = otherToken.toStdString();
        o.rootCertsPem = rootCertsPem;
        return std::make_unique<fxs::remote::RemoteSession>(o);
    }
    QString tokenFile() const { return dir.filePath(QStringLiteral("token")); }

    /// Starts the server (again, after stop(), on the same state folder); false with a message when it does not come
    /// up.
    bool start(QString& error)
    {
        QFile t(tokenFile());
        if (!t.exists()) {
            t.open(QIODevice::WriteOnly);
            t.write(tokenFileText.isEmpty() ? token.toUtf8() + "\n" : tokenFileText.toUtf8());
            t.close();
            t.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        }
        const QString portFile = dir.filePath(QStringLiteral("port"));
        QFile::remove(portFile);
        QString launcher = this->launcher;
        if (launcher.isEmpty() && qEnvironmentVariable("FXS_TEST_LAUNCHER") == QLatin1String("slurm")) {
            launcher = QStringLiteral("slurm");
        }
        if (launcher.isEmpty()) {
            launcher = QStringLiteral("mpirun --oversubscribe");
            if (::geteuid() == 0) {
                launcher += QStringLiteral(" --allow-run-as-root");
            }
            launcher += QStringLiteral(" -n {ranks} {worker} {job}");
        }
        // A restart keeps the port, so that clients can reconnect to the same address.
        const QString listen = QStringLiteral("127.0.0.1:%1").arg(port);
        QStringList args { QStringLiteral("--listen"), listen, QStringLiteral("--port-file"), portFile,
            QStringLiteral("--state-dir"), stateDir(), QStringLiteral("--token-file"), tokenFile(),
            QStringLiteral("--launcher"), launcher };
        if (defaultDataRoot) {
            args << QStringLiteral("--data-root") << QDir::tempPath();
        }
        process.setProcessChannelMode(QProcess::MergedChannels);
        // A crashed or killed test must not leave its server behind.
        process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
        process.start(binDir() + QStringLiteral("/fxs-server"), args + extraArgs);
        for (int i = 0; i < 200 && !QFile::exists(portFile); ++i) {
            if (process.state() == QProcess::NotRunning) {
                process.waitForFinished();
                error = QStringLiteral("fxs-server exited: ") + process.readAllStandardOutput();
                return false;
            }
            QTest::qWait(50);
        }
        QFile pf(portFile);
        if (!pf.open(QIODevice::ReadOnly)) {
            error = QStringLiteral("fxs-server wrote no port file");
            return false;
        }
        port = pf.readAll().trimmed().toInt();
        fxs::remote::RemoteOptions o;
        o.target = "127.0.0.1:" + std::to_string(port);
        o.token = token.toStdString();
        o.reconnectWindow = std::chrono::seconds(20);
        o.rootCertsPem = rootCertsPem;
        session = std::make_unique<fxs::remote::RemoteSession>(o);
        return port > 0;
    }

    /// SIGTERM: the server drains and must exit 0.
    int stop()
    {
        session.reset();
        if (process.state() == QProcess::NotRunning) {
            return process.exitCode();
        }
        ::kill(static_cast<pid_t>(process.processId()), SIGTERM);
        if (!process.waitForFinished(15000)) {
            process.kill();
            process.waitForFinished();
            return -1;
        }
        return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    }

    ~RemoteServer() { stop(); }
};

/// A test class's server, for initTestCase: null, with `error` saying why, when it does not come up.
inline std::unique_ptr<RemoteServer> startServer(QString& error, const QStringList& extraArgs = {})
{
    auto server = std::make_unique<RemoteServer>();
    server->extraArgs = extraArgs;
    return server->start(error) ? std::move(server) : nullptr;
}

/// A small job on the synthetic polar source, double precision so that results compare to ≤ 1e-12.
inline fxs::v1::JobSpec smallSpec(int ranks, std::int64_t shots, int nQ = 16, int nPhi = 32)
{
    fxs::v1::JobSpec s;
    s.set_name("test job");
    s.mutable_synthetic()->set_shots(shots);
    s.mutable_synthetic()->set_seed(42);
    s.mutable_synthetic()->set_masked_fraction(0.1);
    s.mutable_grid()->set_n_q(nQ);
    s.mutable_grid()->set_n_phi(nPhi);
    s.mutable_grid()->set_q_min_inv_angstrom(0.1);
    s.mutable_grid()->set_q_max_inv_angstrom(1.0);
    s.set_ranks(ranks);
    s.set_threads_per_rank(1);
    s.set_shots_per_unit(8);
    s.set_units_per_reduce(2);
    s.set_double_precision(true);
    s.set_ring_mean_subtracted(true);
    return s;
}

/// One C2Accumulator in this process (double precision, the spec's grid) over shots 0 … shots−1 as `frame` gives
/// them; a shot it gives no frame for is left out.
inline fxs::C2Sums accumulateLocally(const fxs::v1::JobSpec& spec, std::int64_t shots,
    const std::function<std::optional<fxs::PolarFrame>(std::int64_t)>& frame)
{
    fxs::C2Config c;
    c.nQ = spec.grid().n_q();
    c.nPhi = spec.grid().n_phi();
    c.precision = fxs::C2Precision::Double;
    c.subtractRingMean = spec.ring_mean_subtracted();
    fxs::C2Accumulator acc(c);
    for (std::int64_t i = 0; i < shots; ++i) {
        if (auto f = frame(i)) {
            (void)acc.add(*f);
        }
    }
    acc.flush();
    return acc.sums();
}

/// The oracle: one C2Accumulator in this process over every shot of the spec (no MPI, no reduction).
inline fxs::C2Sums localSums(const fxs::v1::JobSpec& spec)
{
    const fxs::remote::SyntheticPolarSource src(
        spec.grid().n_q(), spec.grid().n_phi(), spec.synthetic().seed(), spec.synthetic().masked_fraction());
    return accumulateLocally(
        spec, spec.synthetic().shots(), [&](std::int64_t i) { return std::optional { src.frame(i) }; });
}

/// ‖a − b‖ / ‖b‖ over complex or real arrays.
template <class T> double relativeError(const std::vector<T>& a, const std::vector<T>& b)
{
    if (a.size() != b.size()) {
        return 1e300;
    }
    double d = 0, n = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        d += std::norm(a[i] - b[i]);
        n += std::norm(b[i]);
    }
    return n > 0 ? std::sqrt(d / n) : std::sqrt(d);
}

/// Largest relative error over every array of two sums; 1e300 when shapes differ.
inline double sumsError(const fxs::C2Sums& a, const fxs::C2Sums& b)
{
    if (!a.compatible(b)) {
        return 1e300;
    }
    double e = 0;
    for (int h = 0; h < 2; ++h) {
        e = std::max({ e, relativeError(a.signal[h], b.signal[h]), relativeError(a.mask[h], b.mask[h]) });
    }
    return std::max(
        { e, relativeError(a.weightedIntensity, b.weightedIntensity), relativeError(a.weightSum, b.weightSum) });
}

/// True while a process exists and is not a zombie.
inline bool alive(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly)) {
        return false;
    }
    const QByteArray s = f.readAll();
    const int close = s.lastIndexOf(')');
    return close > 0 && s.size() > close + 2 && s[close + 2] != 'Z';
}

} // namespace fxs::test
