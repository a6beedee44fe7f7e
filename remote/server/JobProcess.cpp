#include "JobProcess.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <regex>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace fxs::remote {

std::vector<std::string> launcherArgv(
    const std::string& tmpl, int ranks, const std::filesystem::path& worker, const std::filesystem::path& jobDir)
{
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < tmpl.size()) {
        const auto b = tmpl.find_first_not_of(' ', pos);
        if (b == std::string::npos) {
            break;
        }
        const auto e = tmpl.find(' ', b);
        std::string word = tmpl.substr(b, e == std::string::npos ? std::string::npos : e - b);
        if (word == "{ranks}") {
            word = std::to_string(ranks);
        } else if (word == "{worker}") {
            word = worker.string();
        } else if (word == "{job}") {
            word = jobDir.string();
        }
        out.push_back(word);
        pos = e == std::string::npos ? tmpl.size() : e;
    }
    return out;
}

std::vector<std::string> launcherEnvironment(const std::string& program)
{
    std::vector<std::string> env;
    bool psecGiven = false;
    bool tunablesGiven = false;
    for (char** e = environ; *e != nullptr; ++e) {
        env.emplace_back(*e);
        psecGiven = psecGiven || env.back().rfind("PMIX_MCA_psec=", 0) == 0;
        tunablesGiven = tunablesGiven || env.back().rfind("GLIBC_TUNABLES=", 0) == 0;
    }
    const std::string name = std::filesystem::path(program).filename().string();
    if (!psecGiven && (name == "mpirun" || name == "mpiexec" || name == "orterun")) {
        env.emplace_back("PMIX_MCA_psec=native");
    }
    if (!tunablesGiven) { // the ranks' ~100 MB sums in 2 MB pages: 512 times fewer page faults (remote/worker/main.cpp)
        env.emplace_back("GLIBC_TUNABLES=glibc.malloc.hugetlb=1");
    }
    return env;
}

Result<pid_t> launchInNewSession(const std::vector<std::string>& argv, const std::filesystem::path& log)
{
    if (argv.empty()) {
        return Error { "the launcher command is empty" };
    }
    std::vector<char*> args;
    for (const auto& a : argv) {
        args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none); // the server blocks SIGTERM for its signal thread: the job must not
    posix_spawnattr_setsigdefault(&attr, &all);
    const std::vector<std::string> env = launcherEnvironment(argv[0]);
    std::vector<char*> envp;
    for (const auto& e : env) {
        envp.push_back(const_cast<char*>(e.c_str()));
    }
    envp.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, args[0], &fa, &attr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        return Error { "cannot start the launcher '" + argv[0] + "': " + std::strerror(rc) };
    }
    return pid;
}

std::optional<int> reapIfExited(pid_t pid)
{
    int st = 0;
    const pid_t r = ::waitpid(pid, &st, WNOHANG);
    if (r == pid) {
        return st;
    }
    if (r < 0 && errno == ECHILD) {
        return 0; // already reaped elsewhere
    }
    return std::nullopt;
}

namespace {

// Fields of /proc/PID/stat after the command name: state, ppid, pgrp, session.
bool procStat(pid_t pid, char& state, pid_t& session)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string s;
    if (!std::getline(in, s)) {
        return false;
    }
    const auto close = s.rfind(')');
    if (close == std::string::npos) {
        return false;
    }
    int ppid = 0, pgrp = 0, sid = 0;
    if (std::sscanf(s.c_str() + close + 1, " %c %d %d %d", &state, &ppid, &pgrp, &sid) != 4) {
        return false;
    }
    session = sid;
    return true;
}

std::vector<pid_t> sessionMembers(pid_t sid)
{
    std::vector<pid_t> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/proc", ec)) {
        const std::string name = e.path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) {
            continue;
        }
        const pid_t pid = std::stoi(name);
        char state = 0;
        pid_t s = 0;
        if (procStat(pid, state, s) && s == sid && state != 'Z') {
            out.push_back(pid);
        }
    }
    return out;
}

} // namespace

bool processAlive(pid_t pid)
{
    char state = 0;
    pid_t sid = 0;
    return pid > 0 && procStat(pid, state, sid) && state != 'Z' && state != 'X';
}

bool processStopped(pid_t pid)
{
    char state = 0;
    pid_t sid = 0;
    return pid > 0 && procStat(pid, state, sid) && (state == 'T' || state == 't');
}

void killSession(pid_t sid, const std::vector<pid_t>& extra, bool ourChild)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    for (;;) {
        std::vector<pid_t> left = sid > 0 ? sessionMembers(sid) : std::vector<pid_t> {};
        for (pid_t p : extra) {
            if (processAlive(p)) {
                left.push_back(p);
            }
        }
        if (ourChild && sid > 0) {
            reapIfExited(sid);
        }
        if (left.empty() || std::chrono::steady_clock::now() > deadline) {
            break;
        }
        for (pid_t p : left) {
            ::kill(p, SIGKILL);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (ourChild && sid > 0) {
        int st = 0;
        ::waitpid(sid, &st, 0);
    }
}

std::string describeLauncherExit(const std::string& logText, int waitStatus, const std::vector<RankHeartbeat>& ranks)
{
    static const std::regex died(R"(process rank (\d+) with PID \d+ on node (\S+) exited on signal (\d+) \(([^)]*)\))");
    std::smatch m;
    if (std::regex_search(logText, m, died)) {
        const int rank = std::stoi(m[1]);
        std::string pid;
        for (const auto& h : ranks) {
            if (h.rank == rank) {
                pid = " (pid " + std::to_string(h.pid) + ")";
            }
        }
        return "rank " + m[1].str() + pid + " on " + m[2].str() + " was killed by signal " + m[3].str() + " ("
            + m[4].str() + ")";
    }
    if (WIFSIGNALED(waitStatus)) {
        return "the launcher was killed by signal " + std::to_string(WTERMSIG(waitStatus)) + " ("
            + strsignal(WTERMSIG(waitStatus)) + ")";
    }
    if (WIFEXITED(waitStatus)) {
        return "the launcher exited with code " + std::to_string(WEXITSTATUS(waitStatus))
            + "; see FetchResult(RESULT_KIND_LOG)";
    }
    return "the launcher ended abnormally";
}

} // namespace fxs::remote
