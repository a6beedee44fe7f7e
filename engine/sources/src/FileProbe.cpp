#include <fxs/sources/FileProbe.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace fxs {

namespace {

bool isExecutable(const std::string& p) { return !p.empty() && ::access(p.c_str(), X_OK) == 0; }

std::string selfDirectory()
{
    char buf[4096];
    const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) {
        return {};
    }
    std::string self(buf, static_cast<std::size_t>(n));
    return self.substr(0, self.find_last_of('/'));
}

std::vector<std::string> arguments(
    const std::string& exe, const std::string& path, const std::string& dataset, const ProbeOptions& o)
{
    const StackLimits& l = o.limits;
    std::vector<std::string> a { exe, "--dataset", dataset, "--max-slab-pixels", std::to_string(l.maxSlabPixels),
        "--max-frames", std::to_string(l.maxFrames), "--max-chunk-bytes", std::to_string(l.maxChunkBytes),
        "--full-read-bytes", std::to_string(l.fullReadBytes), "--sample-frames", std::to_string(l.sampleFrames),
        "--expect-slow", std::to_string(l.expectedSlow), "--expect-fast", std::to_string(l.expectedFast) };
    if (o.swmr) {
        a.push_back("--swmr");
    }
    a.push_back("--");
    a.push_back(path);
    return a;
}

struct Child {
    pid_t pid = -1;
    int out = -1;
};

// Only async-signal-safe calls between fork and exec: the caller may be multithreaded.
Child spawn(const std::vector<std::string>& args, std::size_t memoryLimit)
{
    std::vector<char*> argv;
    for (const auto& s : args) {
        argv.push_back(const_cast<char*>(s.c_str()));
    }
    argv.push_back(nullptr);
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        return {};
    }
    const pid_t pid = ::fork();
    if (pid == 0) {
        const rlimit as { memoryLimit, memoryLimit };
        const rlimit core { 0, 0 };
        ::setrlimit(RLIMIT_AS, &as);
        ::setrlimit(RLIMIT_CORE, &core);
        ::dup2(fds[1], STDOUT_FILENO);
        const int devNull = ::open("/dev/null", O_WRONLY);
        if (devNull >= 0) {
            ::dup2(devNull, STDERR_FILENO);
        }
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    if (pid < 0) {
        ::close(fds[0]);
        return {};
    }
    return { pid, fds[0] };
}

// Reads the child's stdout until EOF or the deadline; false when the deadline passed first.
bool collect(int fd, std::chrono::steady_clock::time_point deadline, std::string& out)
{
    char buf[4096];
    for (;;) {
        const auto left
            = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            return false;
        }
        pollfd p { fd, POLLIN, 0 };
        const int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
        if (r < 0 && errno != EINTR) {
            return true;
        }
        if (r <= 0) {
            continue;
        }
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) {
            return n == 0 || errno != EINTR;
        }
        if (out.size() < (std::size_t { 1 } << 20)) {
            out.append(buf, static_cast<std::size_t>(n));
        }
    }
}

// The verdict line of a finished probe (its last line; anything before it is noise from libraries), or what
// went wrong with the process.
Result<std::string> verdictLine(int status, const std::string& out, const std::string& exe, const std::string& path)
{
    if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        return Error { "fxs-probe crashed while validating " + path + " (signal " + std::to_string(sig) + ", "
            + ::strsignal(sig) + "): the HDF5 library cannot read this file safely; it is probably damaged" };
    }
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (code == 127 && out.empty()) {
        return Error { "cannot run the file validator " + exe + " (is fxs-probe installed next to this program?)" };
    }
    std::string line = out;
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
        line.pop_back();
    }
    line = line.substr(line.find_last_of('\n') == std::string::npos ? 0 : line.find_last_of('\n') + 1);
    if (line.empty()) {
        return Error { "fxs-probe stopped without a verdict on " + path + " (exit code " + std::to_string(code)
            + "): probably out of memory; the file may be damaged or need a higher memory limit" };
    }
    return line;
}

// Runs fxs-probe with `args` on `path` (a regular file) under the options' limits; its verdict line.
Result<std::string> runProbe(const std::string& exe, const std::vector<std::string>& args, const std::string& path,
    const ProbeOptions& options)
{
    struct stat st { };
    if (::stat(path.c_str(), &st) != 0) {
        return Error { "cannot open " + path + ": " + std::strerror(errno) };
    }
    if (!S_ISREG(st.st_mode)) {
        return Error { path + " is not a regular file" };
    }
    const Child child = spawn(args, options.memoryLimitBytes);
    if (child.pid < 0) {
        return Error { "cannot start the file validator " + exe + ": " + std::strerror(errno) };
    }
    const auto deadline = std::chrono::steady_clock::now()
        + std::chrono::milliseconds(static_cast<long long>(options.timeLimitS * 1000.0));
    std::string out;
    const bool inTime = collect(child.out, deadline, out);
    ::close(child.out);
    if (!inTime) {
        ::kill(child.pid, SIGKILL);
    }
    int status = 0;
    while (::waitpid(child.pid, &status, 0) < 0 && errno == EINTR) { }
    if (!inTime) {
        return Error { "validating " + path + " took longer than " + std::to_string(options.timeLimitS)
            + " s; fxs-probe was stopped (the file may be damaged, or the disk very slow)" };
    }
    return verdictLine(status, out, exe, path);
}

} // namespace

std::string FileProbe::findExecutable(const ProbeOptions& options)
{
    if (!options.executable.empty()) {
        return options.executable;
    }
    if (const char* env = std::getenv("FXS_PROBE"); env && isExecutable(env)) {
        return env;
    }
    if (const std::string here = selfDirectory() + "/fxs-probe"; isExecutable(here)) {
        return here;
    }
    if (const char* bin = std::getenv("FXS_BIN_DIR"); bin && isExecutable(std::string(bin) + "/fxs-probe")) {
        return std::string(bin) + "/fxs-probe";
    }
    if (const char* path = std::getenv("PATH")) {
        const std::string dirs = path;
        for (std::size_t b = 0, e = 0; b <= dirs.size(); b = e + 1) {
            e = dirs.find(':', b);
            e = e == std::string::npos ? dirs.size() : e;
            if (const std::string c = dirs.substr(b, e - b) + "/fxs-probe"; e > b && isExecutable(c)) {
                return c;
            }
        }
    }
    return "fxs-probe";
}

Result<StackInfo> FileProbe::validate(const std::string& path, const std::string& dataset, const ProbeOptions& options)
{
    const std::string exe = findExecutable(options);
    auto line = runProbe(exe, arguments(exe, path, dataset, options), path, options);
    if (!line) {
        return line.error();
    }
    auto verdict = StackInspector::fromJson(*line);
    if (verdict && (verdict->path != path || verdict->dataset != dataset)) {
        return Error { "fxs-probe answered about " + verdict->path + ":" + verdict->dataset + " instead of " + path };
    }
    return verdict;
}

namespace {

// fxs-probe `flag` on `path`, its answer read by T::fromJson.
template <class T> Result<T> listing(const char* flag, const std::string& path, const ProbeOptions& options)
{
    const std::string exe = FileProbe::findExecutable(options);
    auto line = runProbe(exe, { exe, flag, "--", path }, path, options);
    if (!line) {
        return line.error();
    }
    return T::fromJson(*line);
}

} // namespace

Result<NexusLinks> FileProbe::nexusDataLinks(const std::string& path, const ProbeOptions& options)
{
    return listing<NexusLinks>("--nexus-links", path, options);
}

Result<LinkedFiles> FileProbe::linkedFiles(const std::string& path, const ProbeOptions& options)
{
    return listing<LinkedFiles>("--linked-files", path, options);
}

} // namespace fxs
