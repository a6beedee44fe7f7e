#pragma once

#include <fxs/core/Result.h>

#include <filesystem>
#include <string>

namespace fxs::remote {

/// fxs-server's settings (command line).
struct ServerOptions {
    std::string listen = "127.0.0.1:50051"; ///< host:port; port 0 picks a free one (see portFile)
    std::filesystem::path stateDir; ///< where jobs live (one folder each); survives restarts
    std::filesystem::path tokenFile; ///< bearer token, mode 0600
    std::filesystem::path tlsCert; ///< PEM certificate chain; with tlsKey turns TLS on
    std::filesystem::path tlsKey;
    std::filesystem::path portFile; ///< written with the bound port once listening
    std::string launcher = "mpirun -n {ranks} {worker} {job}"; ///< {ranks}, {worker}, {job} are replaced
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
