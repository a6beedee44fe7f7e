#pragma once

#include <fxs/core/Result.h>
#include <fxs/frames/Frame.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace fxs {

/// A file opened read-only for positioned reads (pread) from any thread, without the HDF5 library and its lock:
/// frames whose pixels lie uncompressed at a known offset (PixelEncoding::InFile) are read this way on the shot
/// pipeline's workers. Closed when the last frame that names it goes.
struct OpenFile {
    static Result<std::shared_ptr<const OpenFile>> open(const std::string& path);
    ~OpenFile();
    OpenFile(const OpenFile&) = delete;
    OpenFile& operator=(const OpenFile&) = delete;

    /// Reads exactly out.size() bytes at `offset`; an error names the file, the offset and what was short.
    Status readAt(std::uint64_t offset, std::span<std::byte> out) const;
    /// The file's size in bytes when it was opened.
    std::uint64_t size() const { return m_size; }
    const std::string& path() const { return m_path; }

private:
    OpenFile(int fd, std::string path, std::uint64_t size);
    int m_fd = -1;
    std::string m_path;
    std::uint64_t m_size = 0;
};

} // namespace fxs
