#include "ServerOptions.h"

#include <fxs/core/Version.h>

#include <CLI/CLI.hpp>
#include <iostream>

namespace fxs::remote {

Result<ServerOptions> ServerOptions::parse(int argc, char** argv, bool& helpShown)
{
    ServerOptions o;
    CLI::App app { "fxs-server: runs FXS correlation jobs on MPI (fxs-worker) for remote clients over gRPC",
        "fxs-server" };
    app.set_version_flag("--version", std::string("fxs-server ") + std::string(fxs::versionString()));
    // (CLI11 reports the flag as CallForVersion; the message is built below.)
    app.add_option("--listen", o.listen, "address:port to listen on (port 0: any free port)")->capture_default_str();
    app.add_option("--state-dir", o.stateDir, "folder for job state (kept across restarts)")->required();
    app.add_option("--token-file", o.tokenFile,
           "token file (mode 0600): lines `name role token [jobs=N] [ranks=N]`, role watch/operate/admin, "
           "or one bare token (admin); reloaded on SIGHUP")
        ->required();
    app.add_option("--data-root", o.dataRoots,
        "folder jobs may read input from (repeatable; symlinks are resolved first); none: no file input");
    app.add_option("--audit-log", o.auditLog, "append-only record of submit/cancel/resume (default STATE/audit.log)");
    app.add_option("--tls-cert", o.tlsCert, "PEM certificate chain (TLS on when given with --tls-key)");
    app.add_option("--tls-key", o.tlsKey, "PEM private key");
    app.add_option("--port-file", o.portFile, "write the bound port here once listening");
    app.add_option("--launcher", o.launcher, "launch command; {ranks} {worker} {job} are replaced")
        ->capture_default_str();
    app.add_option("--slurm-partition", o.slurmPartition, "--launcher slurm: partition of the allocation");
    app.add_option("--slurm-account", o.slurmAccount, "--launcher slurm: account charged");
    app.add_option("--slurm-time", o.slurmTimeLimit, "--launcher slurm: time limit of the allocation (e.g. 2:00:00)");
    app.add_option("--slurm-nodes", o.slurmNodes, "--launcher slurm: nodes of the allocation (0: as Slurm needs)");
    app.add_option("--slurm-mpi", o.slurmMpi, "--launcher slurm: srun --mpi plugin")->capture_default_str();
    app.add_option("--worker", o.worker, "path of fxs-worker (default: next to fxs-server)");
    app.add_option(
           "--heartbeat-timeout", o.heartbeatTimeoutS, "seconds without a rank heartbeat before the job is ended")
        ->capture_default_str();
    app.add_option("--progress-timeout", o.progressTimeoutS, "seconds without progress before the job is ended")
        ->capture_default_str();
    app.add_option("--startup-timeout", o.startupTimeoutS, "seconds for every rank to report after launch")
        ->capture_default_str();
    app.add_option("--max-ranks", o.maxRanks, "largest rank count a job may ask for")->capture_default_str();
    app.add_option("--debug-slowdown-per-shot", o.debugSlowdownPerShotS, "testing only: worker sleep per shot (s)");
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        helpShown = true;
        return Error { app.help() };
    } catch (const CLI::CallForVersion& e) {
        helpShown = true; // printed by main like the help: exit 0
        return Error { std::string("fxs-server ") + std::string(fxs::versionString()) };
    } catch (const CLI::ParseError& e) {
        return Error { std::string(e.what()) + "\n" + app.help() };
    }
    if (o.tlsCert.empty() != o.tlsKey.empty()) {
        return Error { "--tls-cert and --tls-key go together" };
    }
    if (o.heartbeatTimeoutS <= 0 || o.progressTimeoutS <= 0 || o.startupTimeoutS <= 0) {
        return Error { "timeouts must be positive" };
    }
    if (o.auditLog.empty()) {
        o.auditLog = o.stateDir / "audit.log";
    }
    if (o.slurmNodes < 0) {
        return Error { "--slurm-nodes must be ≥ 0" };
    }
    return o;
}

} // namespace fxs::remote
