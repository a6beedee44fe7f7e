#include <fxs/results/AtomicFile.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace fxs {

Status writeFileAtomically(
    const std::filesystem::path& path, const std::function<bool(std::FILE*)>& write, Durability durability)
{
    // A per-process temporary name: two ranks never share one.
    const std::filesystem::path tmp = path.string() + ".tmp." + std::to_string(::getpid());
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) {
        return Error { "cannot create " + tmp.string() + ": " + std::strerror(errno) };
    }
    bool ok = write(f);
    ok = std::fflush(f) == 0 && ok;
    if (durability == Durability::Synced) {
        ok = ::fsync(::fileno(f)) == 0 && ok;
    }
    ok = std::fclose(f) == 0 && ok;
    if (!ok) {
        std::filesystem::remove(tmp);
        return Error { "cannot write " + path.string() + " (disk full?)" };
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp);
        return Error { "cannot rename " + tmp.string() + " to " + path.string() + ": " + ec.message() };
    }
    if (durability == Durability::Synced) {
        // The rename itself is durable only once the folder's entry is on disk.
        const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
        const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) {
            ::fsync(fd);
            ::close(fd);
        }
    }
    return {};
}

Status writeTextAtomically(const std::filesystem::path& path, const std::string& text, Durability durability)
{
    return writeFileAtomically(
        path, [&](std::FILE* f) { return std::fwrite(text.data(), 1, text.size(), f) == text.size(); }, durability);
}

Result<std::string> readText(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return Error { "cannot open " + path.string() };
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

} // namespace fxs
