#include <fxs/sources/FileExtent.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fxs {

OpenFile::OpenFile(int fd, std::string path, std::uint64_t size)
    : m_fd(fd)
    , m_path(std::move(path))
    , m_size(size)
{
}

OpenFile::~OpenFile()
{
    if (m_fd >= 0) {
        ::close(m_fd);
    }
}

Result<std::shared_ptr<const OpenFile>> OpenFile::open(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return Error { "cannot open " + path + " for reading: " + std::strerror(errno) };
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        const int e = errno;
        ::close(fd);
        return Error { path + " is not a regular file" + (e ? std::string(": ") + std::strerror(e) : "") };
    }
    return std::shared_ptr<const OpenFile>(new OpenFile(fd, path, static_cast<std::uint64_t>(st.st_size)));
}

Status OpenFile::readAt(std::uint64_t offset, std::span<std::byte> out) const
{
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t n = ::pread(m_fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return Error { m_path + ": cannot read " + std::to_string(out.size()) + " bytes at offset "
                + std::to_string(offset) + ": " + std::strerror(errno) };
        }
        if (n == 0) {
            return Error { m_path + " ends " + std::to_string(out.size() - done) + " bytes short of the "
                + std::to_string(out.size()) + " bytes at offset " + std::to_string(offset)
                + " (was it truncated while being read?)" };
        }
        done += static_cast<std::size_t>(n);
    }
    return {};
}

} // namespace fxs
