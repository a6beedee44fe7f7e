#pragma once

// Private: checks a frame's chunk index entries before HDF5 reads them (used on untrusted files).

#include <fxs/sources/StackInspector.h>

#include <hdf5.h>
#include <string>
#include <vector>

namespace fxs::detail {

/// Checks the chunk index entries of a frame before HDF5 reads them: a damaged index can announce chunks of
/// gigabytes or beyond the end of the file, which HDF5 1.10 allocates or reads without question; LZ4 chunks are
/// test-decoded with LZ4's bounds-checked decoder (the plugin uses the unchecked one).
class ChunkGuard {
public:
    /// Prepares for dataset `dset` of `file` (checked by checkDataset); a non-chunked dataset passes every check.
    ChunkGuard(hid_t file, hid_t dset, const StackInfo& info, const StackLimits& limits);
    /// Checks every chunk that holds frame `frame`: readable index entry, size within limits, inside the file.
    Status check(std::int64_t frame) const;
    /// Checks a stack that is not chunked: no filters (HDF5 filters only chunks), and compact or contiguous storage
    /// that holds exactly the stack's bytes inside the file (a damaged layout made HDF5 1.10 copy from NULL).
    static Status checkUnchunked(hid_t dset, const StackInfo& info);
    /// Walks the whole chunk index (when small): every entry inside the dataset, on the chunk grid, listed once,
    /// of a plausible size and inside the file.
    Status checkIndex() const;

private:
    static constexpr hsize_t kMaxChunksPerFrame = 4096; // beyond this, checking costs more than it saves
    static constexpr hsize_t kMaxIndexWalk = 2048;
    static constexpr H5Z_filter_t kLz4Filter = 32004;
    void refreshFileSize() const;
    Status checkOne(const std::vector<hsize_t>& offset, std::int64_t frame) const;
    Status checkEntry(haddr_t addr, hsize_t size, unsigned mask, const std::string& which) const;

    hid_t m_dset;
    hid_t m_file;
    std::size_t m_limit;
    std::string m_at;
    std::string m_path;
    std::vector<hsize_t> m_dims;
    std::vector<hsize_t> m_chunk;
    std::vector<hsize_t> m_grid;
    mutable hsize_t m_fileSize = 0; ///< refreshed at each check: a live file grows
    bool m_growing = false; ///< the first dimension is unlimited
    bool m_lz4 = false; ///< LZ4 is the last filter: chunks are checked with the safe decoder before HDF5 reads them
    std::uint64_t m_lz4RawBytes = 0; ///< what an LZ4 chunk must decode to (0: unknown, other filters before it)
    hsize_t m_chunkBytes = 0; ///< raw bytes of one chunk (the stored size when no filter is applied)
    int m_nFilters = 0; ///< filters in the pipeline
};

} // namespace fxs::detail
