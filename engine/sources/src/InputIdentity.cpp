#include <fxs/sources/InputIdentity.h>

#include <fxs/core/Sha256.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace fxs {

Result<InputIdentity> InputIdentity::of(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return Error { "cannot identify input " + path + ": " + std::strerror(errno) };
    }
    struct stat st { };
    ::fstat(fd, &st);
    InputIdentity id;
    char resolved[PATH_MAX];
    id.path = ::realpath(path.c_str(), resolved) ? resolved : path;
    id.sizeBytes = static_cast<std::uint64_t>(st.st_size);
    std::vector<char> buf(std::size_t { 1 } << 20);
    std::size_t total = 0;
    Sha256 sha;
    while (total < buf.size()) {
        const ssize_t n = ::read(fd, buf.data() + total, buf.size() - total);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        total += static_cast<std::size_t>(n);
    }
    ::close(fd);
    sha.update(buf.data(), total);
    id.sha256FirstMiB = Sha256::hex(sha.finish());
    return id;
}

} // namespace fxs
