#include "SlurmLauncher.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <regex>
#include <sys/wait.h>
#include <thread>

namespace fxs::remote::slurm {

namespace {

// Values go into salloc's argv as one `--name=value` word each (no shell), but an odd value is still refused so
// that a spec cannot name something Slurm would read as another option or a file.
bool plainValue(const std::string& v)
{
    return v.size() <= 64
        && v.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-") == std::string::npos
        && (v.empty() || v[0] != '-');
}

// Runs argv, waits at most `timeoutS`; its exit code, or −1. Output goes to /dev/null.
int runQuiet(const std::vector<std::string>& argv, std::string* output, double timeoutS)
{
    std::string cmd;
    for (const auto& a : argv) {
        cmd += "'" + a + "' "; // values are plain (plainValue / digits): quoting is enough
    }
    cmd = "timeout " + std::to_string(static_cast<int>(timeoutS)) + " " + cmd + "2>/dev/null";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) {
        return -1;
    }
    char buf[512];
    while (std::fgets(buf, sizeof buf, p)) {
        if (output) {
            *output += buf;
        }
    }
    const int st = ::pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int signalNumber(const std::string& name)
{
    for (int s = 1; s < NSIG; ++s) {
        if (const char* n = strsignal(s); n && name == n) {
            return s;
        }
    }
    return 0;
}

} // namespace

Result<std::vector<std::string>> launcherArgv(const ServerOptions& o, const fxs::v1::JobSpec& spec,
    const std::filesystem::path& worker, const std::filesystem::path& jobDir, const std::string& jobId)
{
    const auto& s = spec.slurm();
    const std::string partition = s.partition().empty() ? o.slurmPartition : s.partition();
    const std::string account = s.account().empty() ? o.slurmAccount : s.account();
    const std::string time = s.time_limit().empty() ? o.slurmTimeLimit : s.time_limit();
    const int nodes = s.nodes() == 0 ? o.slurmNodes : s.nodes();
    for (const auto& [field, value] : { std::pair { "slurm.partition", partition }, { "slurm.account", account },
             { "slurm.time_limit", time } }) {
        if (!plainValue(value)) {
            return Error { std::string(field) + ": '" + value
                + "' is not a Slurm name (letters, digits and . _ : - only, not starting with -)" };
        }
    }
    if (nodes < 0 || nodes > spec.ranks()) {
        return Error { "slurm.nodes must be between 0 and the ranks (" + std::to_string(spec.ranks()) + "), got "
            + std::to_string(nodes) };
    }
    const std::string ranks = std::to_string(spec.ranks());
    std::vector<std::string> argv { "salloc", "--job-name=fxs-" + jobId, "--ntasks=" + ranks };
    if (!partition.empty()) {
        argv.push_back("--partition=" + partition);
    }
    if (!account.empty()) {
        argv.push_back("--account=" + account);
    }
    if (!time.empty()) {
        argv.push_back("--time=" + time);
    }
    if (nodes > 0) {
        argv.push_back("--nodes=" + std::to_string(nodes));
    }
    // --kill-on-bad-exit: a rank that dies ends the step at once (an MPI job cannot go on without it), and srun
    // says which task died of what.
    for (const std::string& w : { std::string("srun"), "--mpi=" + o.slurmMpi, "--ntasks=" + ranks,
             std::string("--kill-on-bad-exit=1"), worker.string(), jobDir.string() }) {
        argv.push_back(w);
    }
    return argv;
}

std::optional<std::string> jobIdFromLog(const std::string& logText)
{
    static const std::regex granted(R"(job allocation (\d+))");
    std::smatch m;
    if (std::regex_search(logText, m, granted)) {
        return m[1].str();
    }
    return std::nullopt;
}

std::optional<std::string> describeExit(const std::string& logText, const std::vector<RankHeartbeat>& ranks)
{
    // The first task srun reports is the one that died; the others are the ones it then terminated.
    static const std::regex task(R"(srun: error: (\S+): task (\d+): ([A-Za-z][A-Za-z ]*[a-z]))");
    static const std::regex nodeFail(R"(srun: error: Node failure on (\S+))");
    std::smatch m;
    if (std::regex_search(logText, m, nodeFail)) {
        return "node " + m[1].str() + " was lost (Slurm: node failure); its ranks are gone";
    }
    if (!std::regex_search(logText, m, task)) {
        return std::nullopt;
    }
    const int rank = std::stoi(m[2]);
    std::string pid;
    for (const auto& h : ranks) {
        if (h.rank == rank) {
            pid = " (pid " + std::to_string(h.pid) + ")";
        }
    }
    const std::string what = m[3].str();
    const int sig = signalNumber(what);
    const std::string who = "rank " + m[2].str() + pid + " on " + m[1].str();
    if (sig > 0) {
        return who + " was killed by signal " + std::to_string(sig) + " (" + what + ")";
    }
    return who + ": " + what;
}

bool cancel(const std::string& slurmJobId)
{
    if (slurmJobId.empty() || slurmJobId.find_first_not_of("0123456789") != std::string::npos) {
        return false;
    }
    (void)runQuiet({ "scancel", slurmJobId }, nullptr, 10);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
        std::string state;
        (void)runQuiet({ "squeue", "-h", "-j", slurmJobId, "-o", "%T" }, &state, 5);
        if (state.find("RUNNING") == std::string::npos && state.find("PENDING") == std::string::npos
            && state.find("COMPLETING") == std::string::npos && state.find("CONFIGURING") == std::string::npos) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

} // namespace fxs::remote::slurm
