#pragma once

#include <fxs/core/Result.h>

#include <filesystem>
#include <string>
#include <vector>

namespace fxs::remote {

/// fxs-server's settings (command line).
struct ServerOptions {
    std::string listen = "127.0.0.1:50051"; ///< host:port; port 0 picks a free one (see portFile)
    std::filesystem::path stateDir; ///< where jobs live (one folder each); survives restarts
    std::filesystem::path tokenFile; ///< named tokens with roles (TokenTable), mode 0600; reloaded on SIGHUP
    std::vector<std::filesystem::path> dataRoots; ///< jobs read input only under these (none: no file input)
    std::filesystem::path auditLog; ///< submit/cancel/resume record; default <state-dir>/audit.log
    std::filesystem::path tlsCert; ///< PEM certificate chain; with tlsKey turns TLS on
    std::filesystem::path tlsKey;
    std::filesystem::path portFile; ///< written with the bound port once listening
    /// {ranks}, {worker}, {job} are replaced; "slurm" runs each job in a Slurm allocation (SlurmLauncher)
    std::string launcher = "mpirun -n {ranks} {worker} {job}";
    std::string slurmPartition; ///< --launcher slurm: the partition asked for (empty: Slurm's default)
    std::string slurmAccount; ///< the account charged (empty: the user's default)
    std::string slurmTimeLimit; ///< the allocation's time limit, Slurm's syntax (e.g. "2:00:00"; empty: default)
    int slurmNodes = 0; ///< nodes asked for; 0: as many as Slurm needs for the ranks
    std::string slurmMpi = "pmix"; ///< srun --mpi=…
    std::filesystem::path worker; ///< fxs-worker; default: next to fxs-server
    /// a rank silent this long is hung (or stopped on another host): the job is ended. Generous, because a rank in
    /// slow I/O (a busy parallel file system) also beats late; a stopped rank on the server's host is seen at once.
    double heartbeatTimeoutS = 30.0;
    double progressTimeoutS = 120.0; ///< no new shot for this long: the job is ended
    double startupTimeoutS = 60.0; ///< ranks must report within this after launch
    int maxRanks = 256;
    double debugSlowdownPerShotS = 0.0; ///< testing only: the worker sleeps this long per shot

    /// Parses the command line; an Error carries the usage message (or the help text when help was asked).
    static Result<ServerOptions> parse(int argc, char** argv, bool& helpShown);
};

} // namespace fxs::remote
