#pragma once

#include <fxs/core/Result.h>
#include <fxs/frames/Frame.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace fxs {

/// The compressed byte strings of detector streams, in the framing of the HDF5 filters: bitshuffle + LZ4 (filter
/// 32008; DECTRIS Stream V2 tag 56500 "bslz4") and plain LZ4 (filter 32004; tag 56500 "lz4").
///
/// Both start with a 12-byte header: the uncompressed size in bytes (uint64, big-endian) and the block size in
/// bytes (uint32, big-endian). Then each block is a big-endian uint32 compressed size and an LZ4 block. Bitshuffle
/// blocks hold the bit-transposed elements (bit b of element i at bit b·n + i of the block, LSB first); the
/// elements past the last multiple of 8 are stored raw after the blocks. Decoding never reads or writes out of
/// bounds whatever the input (every LZ4 block is decoded with LZ4_decompress_safe).
class BitshuffleLz4 {
public:
    /// Decodes a bitshuffle-LZ4 buffer of `elementSize`-byte elements into `out` (resized to the announced size,
    /// which must be at most `maxBytes`). The error says what is damaged.
    static Status decode(std::span<const std::byte> in, std::size_t elementSize, std::size_t maxBytes,
        std::vector<std::byte>& out);
    /// Decodes a buffer in the HDF5 LZ4 filter's framing into `out` (at most `maxBytes`).
    static Status decodeLz4(std::span<const std::byte> in, std::size_t maxBytes, std::vector<std::byte>& out);
    /// Encodes `raw` (whole `elementSize`-byte elements) as bitshuffle-LZ4 with blocks of `blockElements`
    /// elements (a multiple of 8; 0: 8192 bytes' worth, as the HDF5 filter chooses).
    static std::vector<std::byte> encode(std::span<const std::byte> raw, std::size_t elementSize,
        std::size_t blockElements = 0);
    /// Undoes the bit transpose of one block of `n` elements (n a multiple of 8) of `elementSize` bytes.
    static void untransposeBlock(const std::byte* in, std::byte* out, std::size_t n, std::size_t elementSize);
    /// Bit-transposes one block of `n` elements (n a multiple of 8), the inverse of untransposeBlock.
    static void transposeBlock(const std::byte* in, std::byte* out, std::size_t n, std::size_t elementSize);
};

/// Decodes a frame whose pixels a source left compressed, or reads those it left in the file (Frame::encoding not
/// Plain), into Frame::pixels; a plain frame is left as it is. Fails when the chunk is damaged or does not hold the
/// frame's bytes, or the file is shorter than the frame.
Status decodePixels(Frame& frame);

} // namespace fxs
