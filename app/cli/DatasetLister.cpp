#include "DatasetLister.h"

#include <csignal>
#include <cstring>
#include <hdf5.h>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fxs::cli {

namespace {
std::string typeName(hid_t t)
{
    const H5T_class_t c = H5Tget_class(t);
    const std::size_t size = H5Tget_size(t);
    if (c == H5T_INTEGER) {
        return std::string(H5Tget_sign(t) == H5T_SGN_NONE ? "uint" : "int") + std::to_string(8 * size);
    }
    if (c == H5T_FLOAT) {
        return "float" + std::to_string(8 * size);
    }
    return c == H5T_STRING ? "string" : c == H5T_COMPOUND ? "compound" : "other";
}

herr_t visit(hid_t obj, const char* name, const H5O_info_t* info, void* data)
{
    if (info->type != H5O_TYPE_DATASET) {
        return 0;
    }
    auto& out = *static_cast<std::string*>(data);
    hid_t d = H5Dopen2(obj, name, H5P_DEFAULT);
    hid_t s = H5Dget_space(d);
    hid_t t = H5Dget_type(d);
    hsize_t dims[32] = {};
    const int rank = H5Sget_simple_extent_ndims(s);
    H5Sget_simple_extent_dims(s, dims, nullptr);
    out += "/" + std::string(name) + "\t" + typeName(t) + "\t";
    for (int i = 0; i < rank && i < 32; ++i) {
        out += std::to_string(dims[i]) + " ";
    }
    out += "\n";
    H5Tclose(t);
    H5Sclose(s);
    H5Dclose(d);
    return 0;
}

// Runs in the child: never returns.
[[noreturn]] void childList(const std::string& path, int fd, double timeLimitS)
{
    rlimit mem { rlim_t { 2 } << 30, rlim_t { 2 } << 30 };
    setrlimit(RLIMIT_AS, &mem);
    alarm(static_cast<unsigned>(timeLimitS) + 1);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        _exit(3);
    }
    std::string out;
    if (H5Ovisit2(f, H5_INDEX_NAME, H5_ITER_INC, visit, &out, H5O_INFO_BASIC) < 0) {
        _exit(4);
    }
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t n = write(fd, out.data() + done, out.size() - done);
        if (n <= 0) {
            _exit(5);
        }
        done += static_cast<std::size_t>(n);
    }
    _exit(0);
}

std::vector<DatasetEntry> parse(const std::string& text)
{
    std::vector<DatasetEntry> entries;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        const auto a = line.find('\t');
        const auto b = line.find('\t', a + 1);
        if (a == std::string::npos || b == std::string::npos) {
            continue;
        }
        DatasetEntry e { line.substr(0, a), {}, line.substr(a + 1, b - a - 1) };
        std::istringstream dims(line.substr(b + 1));
        std::int64_t d = 0;
        while (dims >> d) {
            e.dims.push_back(d);
        }
        entries.push_back(std::move(e));
    }
    return entries;
}
} // namespace

Result<std::vector<DatasetEntry>> listDatasets(const std::string& path, double timeLimitS)
{
    int fds[2];
    if (pipe(fds) != 0) {
        return Error { "cannot create a pipe: " + std::string(std::strerror(errno)) };
    }
    const pid_t pid = fork();
    if (pid < 0) {
        return Error { "cannot fork: " + std::string(std::strerror(errno)) };
    }
    if (pid == 0) {
        close(fds[0]);
        childList(path, fds[1], timeLimitS);
    }
    close(fds[1]);
    std::string text;
    char buf[4096];
    ssize_t n = 0;
    while ((n = read(fds[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
        text.append(buf, static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) { }
    if (WIFSIGNALED(status)) {
        return Error { path + ": reading the file's structure killed the HDF5 reader (signal "
            + std::to_string(WTERMSIG(status)) + (WTERMSIG(status) == SIGALRM ? ", time limit" : "")
            + "): the file is damaged" };
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        return Error { path
            + (WEXITSTATUS(status) == 3 ? ": cannot be opened as HDF5 (not HDF5, truncated or unreadable)"
                                        : ": the file's structure cannot be read (damaged HDF5)") };
    }
    return parse(text);
}

} // namespace fxs::cli
