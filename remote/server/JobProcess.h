#pragma once

#include "RankHeartbeat.h"
#include <fxs/core/Result.h>

#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace fxs::remote {

/// The launcher command for a job: `tmpl` split at spaces, {ranks} {worker} {job} replaced.
std::vector<std::string> launcherArgv(
    const std::string& tmpl, int ranks, const std::filesystem::path& worker, const std::filesystem::path& jobDir);

/// The environment a launcher starts with: the server's, plus PMIX_MCA_psec=native for a plain mpirun (mpiexec,
/// orterun) unless the server's environment sets PMIx's security plugin itself. Without it, PMIx tries munge
/// first wherever munge is installed (Slurm hosts): with munged stopped and its socket left behind, every mpirun
/// retries for 2.25 s before it starts a rank. The ranks of one mpirun need no munge credential between them.
/// Any launcher also gets GLIBC_TUNABLES=glibc.malloc.hugetlb=1 unless the server's environment sets
/// GLIBC_TUNABLES: the ranks' sums then sit in 2 MB pages (fxs-bench mpi measures with the same).
std::vector<std::string> launcherEnvironment(const std::string& program);

/// Starts argv[0] in a new session (its pid is the session id, so every process it starts can be found and
/// killed), stdout and stderr appended to `log`. posix_spawn: no fork of the multithreaded server.
Result<pid_t> launchInNewSession(const std::vector<std::string>& argv, const std::filesystem::path& log);

/// The wait status when our child `pid` has exited (it is then reaped), std::nullopt while it runs.
std::optional<int> reapIfExited(pid_t pid);

/// True while `pid` exists and is not a zombie (for processes that are not our children).
bool processAlive(pid_t pid);
/// True when the process exists and is stopped (SIGSTOP, SIGTSTP or a debugger): a stopped MPI rank hangs the
/// whole job, and on this host that is seen at once in /proc rather than through its heartbeat going stale.
bool processStopped(pid_t pid);

/// SIGKILLs every process of session `sid` and the given pids, until none is left (at most ~3 s); then reaps
/// `sid` if it is our child. Works on stopped (SIGSTOP) processes too.
void killSession(pid_t sid, const std::vector<pid_t>& extra, bool ourChild);

/// A message naming the rank and the signal when the launcher's log says a rank died ("mpirun noticed that
/// process rank 1 ... exited on signal 9 (Killed)"), or the exit code otherwise.
std::string describeLauncherExit(const std::string& logText, int waitStatus, const std::vector<RankHeartbeat>& ranks);

} // namespace fxs::remote
