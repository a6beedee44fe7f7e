#include "ChunkGuard.h"

#include <fxs/hdf5/Hdf5Util.h>
#include "Lz4ChunkValidator.h"

#include <algorithm>
#include <set>
#include <sys/stat.h>

namespace fxs::detail {

namespace {

// The name of the file that holds the dataset's storage: the data file of a NeXus master file's external link
// (`/entry/data/data_000001`), not the master that was opened; `fallback` when HDF5 cannot say.
std::string storageFileOf(hid_t dset, const std::string& fallback)
{
    h5::Handle file = h5::file(H5Iget_file_id(dset));
    const ssize_t n = file ? H5Fget_name(file.get(), nullptr, 0) : -1;
    if (n <= 0) {
        return fallback;
    }
    std::string name(static_cast<std::size_t>(n) + 1, '\0');
    H5Fget_name(file.get(), name.data(), name.size());
    name.resize(static_cast<std::size_t>(n));
    return name;
}

} // namespace

ChunkGuard::ChunkGuard(hid_t file, hid_t dset, const StackInfo& info, const StackLimits& limits)
    : m_dset(dset)
    , m_file(file)
    , m_limit(limits.maxChunkBytes)
    , m_at(info.path + ":" + info.dataset)
    , m_path(storageFileOf(dset, info.path))
{
    for (std::int64_t d : info.dims) {
        m_dims.push_back(static_cast<hsize_t>(d));
    }
    // An extendible stack may already index chunks past the extent a (SWMR) reader sees.
    h5::Handle space = h5::space(H5Dget_space(dset));
    std::vector<hsize_t> cur(m_dims.size()), max(m_dims.size());
    m_growing = space && H5Sget_simple_extent_ndims(space.get()) == static_cast<int>(m_dims.size())
        && H5Sget_simple_extent_dims(space.get(), cur.data(), max.data()) >= 0 && max[0] == H5S_UNLIMITED;
    h5::Handle dcpl = h5::plist(H5Dget_create_plist(dset));
    const int rank = static_cast<int>(info.dims.size());
    m_chunk.assign(info.dims.size(), 0);
    if (!dcpl || H5Pget_layout(dcpl.get()) != H5D_CHUNKED || H5Pget_chunk(dcpl.get(), rank, m_chunk.data()) != rank) {
        m_chunk.clear(); // not chunked (or unreadable: the read itself will say so)
        return;
    }
    m_chunkBytes = pixelSize(info.slab.type);
    for (hsize_t c : m_chunk) {
        m_chunkBytes *= c;
    }
    m_nFilters = std::max(0, H5Pget_nfilters(dcpl.get()));
    unsigned flags = 0;
    std::size_t nValues = 0;
    if (m_nFilters > 0
        && H5Pget_filter2(
               dcpl.get(), static_cast<unsigned>(m_nFilters - 1), &flags, &nValues, nullptr, 0, nullptr, nullptr)
            == kLz4Filter) {
        // LZ4 applied last is undone first: its chunks are in the plugin's format; the raw size is known only
        // when LZ4 is the sole filter.
        m_lz4 = true;
        m_lz4RawBytes = m_nFilters == 1 ? m_chunkBytes : 0;
    }
    for (int k = 0; k < rank; ++k) {
        m_grid.push_back(k == 0 ? 1 : (static_cast<hsize_t>(info.dims[k]) + m_chunk[k] - 1) / m_chunk[k]);
    }
}

Status ChunkGuard::checkUnchunked(hid_t dset, const StackInfo& info)
{
    const std::string at = info.path + ":" + info.dataset;
    h5::Handle dcpl = h5::plist(H5Dget_create_plist(dset));
    const H5D_layout_t layout = dcpl ? H5Pget_layout(dcpl.get()) : H5D_LAYOUT_ERROR;
    if (layout != H5D_COMPACT && layout != H5D_CONTIGUOUS) {
        return {};
    }
    if (H5Pget_nfilters(dcpl.get()) != 0) {
        return Error { at + " declares filters on unchunked storage; the file is damaged" };
    }
    const hsize_t want = static_cast<hsize_t>(info.frames) * info.slab.bytes();
    const hsize_t stored = H5Dget_storage_size(dset);
    const haddr_t offset = H5Dget_offset(dset); // HADDR_UNDEF for compact or not yet written storage
    h5::Handle file = h5::file(H5Iget_file_id(dset));
    hsize_t fileSize = 0;
    if (!file || H5Fget_filesize(file.get(), &fileSize) < 0) {
        return Error { at + ": cannot determine the file's size (" + h5::lastError() + ")" };
    }
    const bool unwritten = layout == H5D_CONTIGUOUS && offset == HADDR_UNDEF && stored == 0;
    if (!unwritten && (stored != want || (offset != HADDR_UNDEF && (offset > fileSize || want > fileSize - offset)))) {
        return Error { at + " stores " + std::to_string(stored) + " bytes where its shape needs " + std::to_string(want)
            + " inside a file of " + std::to_string(fileSize) + " bytes; the file is damaged or truncated" };
    }
    return {};
}

void ChunkGuard::refreshFileSize() const
{
    // A SWMR reader's HDF5 keeps the end of file it saw at opening; the file system knows the real one.
    struct stat st { };
    if (::stat(m_path.c_str(), &st) == 0) {
        m_fileSize = static_cast<hsize_t>(st.st_size);
    } else {
        // In-memory images have no path; the dataset's own file (an external link's target) holds the chunks.
        h5::Handle own = h5::file(H5Iget_file_id(m_dset));
        H5Fget_filesize(own ? own.get() : m_file, &m_fileSize);
    }
}

Status ChunkGuard::check(std::int64_t frame) const
{
    refreshFileSize();
    hsize_t total = 1;
    for (hsize_t g : m_grid) {
        total *= g;
    }
    if (m_chunk.empty() || total > kMaxChunksPerFrame) {
        return {};
    }
    std::vector<hsize_t> offset(m_chunk.size());
    for (hsize_t n = 0; n < total; ++n) {
        hsize_t rest = n;
        for (std::size_t k = m_chunk.size(); k-- > 0;) {
            const hsize_t index = k == 0 ? static_cast<hsize_t>(frame) / m_chunk[0] : rest % m_grid[k];
            offset[k] = index * m_chunk[k];
            rest /= k == 0 ? 1 : m_grid[k];
        }
        if (Status s = checkOne(offset, frame); !s) {
            return s;
        }
    }
    return {};
}

Status ChunkGuard::checkOne(const std::vector<hsize_t>& offset, std::int64_t frame) const
{
    unsigned mask = 0;
    haddr_t addr = HADDR_UNDEF;
    hsize_t size = 0;
    if (H5Dget_chunk_info_by_coord(m_dset, offset.data(), &mask, &addr, &size) < 0) {
        return Error { m_at + ": the chunk index of frame " + std::to_string(frame) + " is unreadable ("
            + h5::lastError() + "); the file is damaged" };
    }
    if (Status s = checkEntry(addr, size, mask, "a chunk of frame " + std::to_string(frame)); !s) {
        return s;
    }
    const bool lz4Applied = m_lz4 && (mask & (1u << (m_nFilters - 1))) == 0;
    if (lz4Applied && addr != HADDR_UNDEF) {
        std::vector<std::byte> raw(static_cast<std::size_t>(size));
        uint32_t readMask = 0;
        if (H5Dread_chunk(m_dset, H5P_DEFAULT, offset.data(), &readMask, raw.data()) < 0) {
            return Error { m_at + ": a chunk of frame " + std::to_string(frame) + " cannot be read (" + h5::lastError()
                + ")" };
        }
        if (Status s = Lz4ChunkValidator::validate(raw, m_lz4RawBytes, m_limit); !s) {
            return Error { m_at + ", frame " + std::to_string(frame) + ": " + s.message() + "; the file is damaged" };
        }
    }
    return {};
}

Status ChunkGuard::checkEntry(haddr_t addr, hsize_t size, unsigned mask, const std::string& which) const
{
    if (addr == HADDR_UNDEF) {
        return {}; // not written: HDF5 returns the fill value
    }
    // A set bit skips that filter for this chunk; bits beyond the pipeline mean a damaged index.
    if (m_nFilters < 32 && (mask >> m_nFilters) != 0) {
        return Error { m_at + ": " + which + " has a filter mask (" + std::to_string(mask) + ") that does not fit its "
            + std::to_string(m_nFilters) + " filter(s); the file is damaged" };
    }
    // Chunks with every filter skipped (or none defined) are stored verbatim: any other size is damage (HDF5 1.10
    // then copies a full chunk out of a shorter buffer; found by the fuzzer).
    const bool verbatim = m_nFilters == 0 || (m_nFilters < 32 && mask == (1u << m_nFilters) - 1);
    if (verbatim && size != m_chunkBytes) {
        return Error { m_at + ": " + which + " is stored uncompressed in " + std::to_string(size) + " bytes instead of "
            + std::to_string(m_chunkBytes) + "; the file is damaged" };
    }
    if (size == 0 || addr == 0 || size > m_limit || addr > m_fileSize || size > m_fileSize - addr) {
        return Error { m_at + ": " + which + " claims " + std::to_string(size) + " bytes at offset "
            + std::to_string(addr) + " in a file of " + std::to_string(m_fileSize)
            + " bytes; the file is damaged or truncated" };
    }
    return {};
}

Status ChunkGuard::checkIndex() const
{
    hsize_t n = 0;
    if (m_chunk.empty()) {
        return {};
    }
    refreshFileSize();
    // HDF5 1.10 wants the dataset's own dataspace here (H5S_ALL is refused).
    h5::Handle space = h5::space(H5Dget_space(m_dset));
    if (!space || H5Dget_num_chunks(m_dset, space.get(), &n) < 0) {
        return Error { m_at + ": its chunk index is unreadable (" + h5::lastError() + "); the file is damaged" };
    }
    // HDF5 1.10 walks the index from the start for every entry: quadratic, so only small indices are walked.
    if (n > kMaxIndexWalk) {
        return {};
    }
    std::set<std::vector<hsize_t>> seen;
    std::vector<hsize_t> offset(m_chunk.size());
    for (hsize_t i = 0; i < n; ++i) {
        unsigned mask = 0;
        haddr_t addr = HADDR_UNDEF;
        hsize_t size = 0;
        if (H5Dget_chunk_info(m_dset, space.get(), i, offset.data(), &mask, &addr, &size) < 0) {
            return Error { m_at + ": chunk " + std::to_string(i) + " of its index is unreadable; the file is damaged" };
        }
        for (std::size_t k = 0; k < offset.size(); ++k) {
            if (offset[k] % m_chunk[k] != 0 || (offset[k] >= m_dims[k] && !(k == 0 && m_growing))) {
                return Error { m_at + ": chunk " + std::to_string(i)
                    + " of its index lies outside the dataset; the "
                      "file is damaged" };
            }
        }
        if (!seen.insert(offset).second) {
            return Error { m_at + ": its chunk index lists the same chunk twice; the file is damaged" };
        }
        if (Status s = checkEntry(addr, size, mask, "chunk " + std::to_string(i)); !s) {
            return s;
        }
    }
    return {};
}

} // namespace fxs::detail
