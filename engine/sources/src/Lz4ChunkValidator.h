#pragma once

// Private: checks an HDF5 LZ4 (filter 32004) chunk with LZ4's bounds-checked decoder before HDF5 decodes it.
// Debian's hdf5-filter-plugin decodes with LZ4_decompress_fast, which trusts its input: a damaged chunk can
// make it read or write out of bounds (found by the fuzzer). A chunk that this validator accepts decodes
// identically, and safely, through the plugin.

#include <fxs/core/Result.h>

#include <cstddef>
#include <cstdint>
#include <span>

namespace fxs::detail {

/// Validates HDF5 LZ4 chunks (big-endian header: uint64 raw size, uint32 block size; blocks: uint32 size + data).
class Lz4ChunkValidator {
public:
    /// OK when `chunk` decodes to exactly `rawBytes` bytes (0: any size up to `maxRawBytes`).
    static Status validate(std::span<const std::byte> chunk, std::uint64_t rawBytes, std::uint64_t maxRawBytes);
};

} // namespace fxs::detail
