#pragma once

#include "JobFiles.h"
#include "RankHeartbeat.h"
#include "ServerOptions.h"
#include "fxs.pb.h"
#include <fxs/core/Result.h>

#include <optional>
#include <string>
#include <vector>

namespace fxs::remote {

/// Running jobs through Slurm (`fxs-server --launcher slurm`): each job is an allocation that salloc asks for
/// (partition, account, time limit, nodes from the job's spec, else the server's options) and in which
/// `srun --mpi=<plugin>` starts the ranks, so that Slurm places, accounts for and cleans up every rank.
namespace slurm {

/// The launcher command: `salloc --job-name=fxs-<id> --ntasks=N [--partition=…] [--account=…] [--time=…]
/// [--nodes=…] srun --mpi=pmix --ntasks=N --kill-on-bad-exit=1 <worker> <job dir>`; an Error names a bad
/// spec.slurm field.
Result<std::vector<std::string>> launcherArgv(const ServerOptions& options, const fxs::v1::JobSpec& spec,
    const std::filesystem::path& worker, const std::filesystem::path& jobDir, const std::string& jobId);

/// The allocation's id from salloc's output ("salloc: Granted job allocation 42"), or nothing yet.
std::optional<std::string> jobIdFromLog(const std::string& logText);

/// Why srun ended the job, from its output: "rank 1 on node7 was killed by signal 9 (Killed)" or "node node7 was
/// lost (Slurm: node failure)"; nothing when srun said neither.
std::optional<std::string> describeExit(const std::string& logText, const std::vector<RankHeartbeat>& ranks);

/// scancel of the allocation, waiting (≤ 10 s) until Slurm no longer runs it; false when it still does.
bool cancel(const std::string& slurmJobId);

} // namespace slurm

} // namespace fxs::remote
