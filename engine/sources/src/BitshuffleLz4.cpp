#include <fxs/sources/BitshuffleLz4.h>
#include <fxs/sources/FileExtent.h>

#include <algorithm>
#include <cstring>
#include <lz4.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <string>

namespace fxs {

namespace {

std::uint64_t bigEndian(const std::byte* p, int n)
{
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) {
        v = (v << 8) | static_cast<std::uint8_t>(p[i]);
    }
    return v;
}

void putBigEndian(std::vector<std::byte>& out, std::uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; --i) {
        out.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xff));
    }
}

// Transposes the 8 × 8 bit matrix held in x (byte r = row r, bit c = column c); Hacker's Delight, 7-3.
std::uint64_t transpose8(std::uint64_t x)
{
    std::uint64_t t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAULL;
    x = x ^ t ^ (t << 7);
    t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCULL;
    x = x ^ t ^ (t << 14);
    t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0ULL;
    return x ^ t ^ (t << 28);
}

std::string bytes(std::uint64_t n) { return std::to_string(n) + " bytes"; }

// The 12-byte header shared by both framings.
struct Header {
    std::uint64_t rawBytes = 0;
    std::uint64_t blockBytes = 0;
};

Result<Header> readHeader(std::span<const std::byte> in, std::size_t maxBytes, const char* what)
{
    if (in.size() < 12) {
        return Error { std::string(what) + ": " + bytes(in.size()) + " are too short for the 12-byte header" };
    }
    Header h { bigEndian(in.data(), 8), bigEndian(in.data() + 8, 4) };
    if (h.rawBytes > maxBytes) {
        return Error { std::string(what) + ": announces " + bytes(h.rawBytes) + ", more than the " + bytes(maxBytes)
            + " expected" };
    }
    // LZ4 expands at most 255-fold, so a larger claim is damage; refusing it here avoids allocating for it.
    if (h.rawBytes / 255 > in.size()) {
        return Error { std::string(what) + ": announces " + bytes(h.rawBytes) + ", more than " + bytes(in.size())
            + " of LZ4 blocks can hold" };
    }
    if (h.blockBytes == 0 && h.rawBytes > 0) {
        return Error { std::string(what) + ": block size 0" };
    }
    return h;
}

// Reads one block's compressed size at `pos` and checks it lies inside the input.
Result<std::size_t> blockLength(std::span<const std::byte> in, std::size_t& pos, const char* what)
{
    if (in.size() - pos < 4) {
        return Error { std::string(what) + ": truncated: the data ends inside a block header at byte "
            + std::to_string(pos) };
    }
    const std::uint64_t packed = bigEndian(in.data() + pos, 4);
    pos += 4;
    if (packed > in.size() - pos) {
        return Error { std::string(what) + ": truncated: a block of " + bytes(packed) + " at byte "
            + std::to_string(pos) + " passes the end of the data (" + bytes(in.size()) + ")" };
    }
    return static_cast<std::size_t>(packed);
}

bool lz4Into(const std::byte* src, std::size_t packed, std::byte* dst, std::size_t want)
{
    const int got = LZ4_decompress_safe(reinterpret_cast<const char*>(src), reinterpret_cast<char*>(dst),
        static_cast<int>(packed), static_cast<int>(want));
    return got >= 0 && static_cast<std::size_t>(got) == want;
}

} // namespace

namespace {

// Elements 8c … 8c + 7 from column byte c of every bit row (one 8 × 8 bit transpose per element byte).
void untransposeColumn(const std::byte* in, std::byte* out, std::size_t rowBytes, std::size_t c, std::size_t elementSize)
{
    for (std::size_t j = 0; j < elementSize; ++j) {
        std::uint64_t x = 0;
        for (std::size_t k = 0; k < 8; ++k) {
            x |= std::uint64_t { static_cast<std::uint8_t>(in[(8 * j + k) * rowBytes + c]) } << (8 * k);
        }
        const std::uint64_t y = transpose8(x);
        for (std::size_t e = 0; e < 8; ++e) {
            out[(8 * c + e) * elementSize + j] = static_cast<std::byte>((y >> (8 * e)) & 0xff);
        }
    }
}

#if defined(__SSE2__)
// 16 columns (128 elements) of one element byte j: the 8 bit rows' 16 bytes are byte-transposed so that pair[i] holds
// columns c + 2i and c + 2i + 1, 8 row bytes each; bit t of those bytes, gathered by movemask, is then byte j of
// elements 8c + t. Scalar code ran at ~20 ns per element here; this is what bitshuffle's own SSE2 path does.
void columnPairs(const std::byte* in, std::size_t rowBytes, std::size_t c, std::size_t j, __m128i pair[8])
{
    __m128i r[8], a[8], b[8];
    for (std::size_t k = 0; k < 8; ++k) {
        r[k] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + (8 * j + k) * rowBytes + c));
    }
    for (int k = 0; k < 4; ++k) {
        a[2 * k] = _mm_unpacklo_epi8(r[2 * k], r[2 * k + 1]); // rows 2k, 2k+1 of columns 0-7
        a[2 * k + 1] = _mm_unpackhi_epi8(r[2 * k], r[2 * k + 1]); // … of columns 8-15
    }
    for (int h = 0; h < 2; ++h) {
        b[4 * h + 0] = _mm_unpacklo_epi16(a[h], a[2 + h]); // rows 0-3, columns 8h + 0..3
        b[4 * h + 1] = _mm_unpackhi_epi16(a[h], a[2 + h]); // rows 0-3, columns 8h + 4..7
        b[4 * h + 2] = _mm_unpacklo_epi16(a[4 + h], a[6 + h]); // rows 4-7, columns 8h + 0..3
        b[4 * h + 3] = _mm_unpackhi_epi16(a[4 + h], a[6 + h]); // rows 4-7, columns 8h + 4..7
    }
    for (int q = 0; q < 4; ++q) { // column quads 0-3, 4-7, 8-11, 12-15
        const __m128i lo = b[(q / 2) * 4 + (q % 2)];
        const __m128i hi = b[(q / 2) * 4 + 2 + (q % 2)];
        pair[2 * q] = _mm_unpacklo_epi32(lo, hi);
        pair[2 * q + 1] = _mm_unpackhi_epi32(lo, hi);
    }
}

void untranspose16Columns(const std::byte* in, std::byte* out, std::size_t rowBytes, std::size_t c, std::size_t elementSize)
{
    __m128i pair[8];
    if (elementSize == 2) { // the common case (uint16 detectors): both bytes of an element stored at once
        __m128i high[8];
        columnPairs(in, rowBytes, c, 0, pair);
        columnPairs(in, rowBytes, c, 1, high);
        auto* o = reinterpret_cast<std::uint16_t*>(out);
        for (int i = 0; i < 8; ++i) {
            const std::size_t col = c + std::size_t(2 * i);
            for (int t = 0; t < 8; ++t) {
                const auto lo = static_cast<unsigned>(_mm_movemask_epi8(_mm_slli_epi16(pair[i], 7 - t)));
                const auto hi = static_cast<unsigned>(_mm_movemask_epi8(_mm_slli_epi16(high[i], 7 - t)));
                const std::uint16_t first = static_cast<std::uint16_t>((lo & 0xffu) | ((hi & 0xffu) << 8));
                const std::uint16_t second = static_cast<std::uint16_t>((lo >> 8) | (hi & 0xff00u));
                std::memcpy(o + 8 * col + std::size_t(t), &first, 2);
                std::memcpy(o + 8 * (col + 1) + std::size_t(t), &second, 2);
            }
        }
        return;
    }
    for (std::size_t j = 0; j < elementSize; ++j) {
        columnPairs(in, rowBytes, c, j, pair);
        for (int i = 0; i < 8; ++i) {
            const std::size_t col = c + std::size_t(2 * i);
            for (int t = 0; t < 8; ++t) {
                const int bits = _mm_movemask_epi8(_mm_slli_epi16(pair[i], 7 - t));
                out[(8 * col + std::size_t(t)) * elementSize + j] = static_cast<std::byte>(bits & 0xff);
                out[(8 * (col + 1) + std::size_t(t)) * elementSize + j] = static_cast<std::byte>((bits >> 8) & 0xff);
            }
        }
    }
}
#endif

} // namespace

void BitshuffleLz4::untransposeBlock(const std::byte* in, std::byte* out, std::size_t n, std::size_t elementSize)
{
    const std::size_t rowBytes = n / 8;
    std::size_t c = 0;
#if defined(__SSE2__)
    for (; c + 16 <= rowBytes; c += 16) {
        untranspose16Columns(in, out, rowBytes, c, elementSize);
    }
#endif
    for (; c < rowBytes; ++c) {
        untransposeColumn(in, out, rowBytes, c, elementSize);
    }
}

void BitshuffleLz4::transposeBlock(const std::byte* in, std::byte* out, std::size_t n, std::size_t elementSize)
{
    const std::size_t rowBytes = n / 8;
    for (std::size_t c = 0; c < rowBytes; ++c) {
        for (std::size_t j = 0; j < elementSize; ++j) {
            std::uint64_t x = 0;
            for (std::size_t e = 0; e < 8; ++e) {
                x |= std::uint64_t { static_cast<std::uint8_t>(in[(8 * c + e) * elementSize + j]) } << (8 * e);
            }
            const std::uint64_t y = transpose8(x);
            for (std::size_t k = 0; k < 8; ++k) {
                out[(8 * j + k) * rowBytes + c] = static_cast<std::byte>((y >> (8 * k)) & 0xff);
            }
        }
    }
}

Status BitshuffleLz4::decode(
    std::span<const std::byte> in, std::size_t elementSize, std::size_t maxBytes, std::vector<std::byte>& out)
{
    const char* what = "bitshuffle-LZ4 data";
    if (elementSize == 0 || elementSize > 16) {
        return Error { std::string(what) + ": element size " + std::to_string(elementSize) + " (expected 1 to 16)" };
    }
    auto h = readHeader(in, maxBytes, what);
    if (!h) {
        return h.error();
    }
    if (h->rawBytes % elementSize != 0 || h->blockBytes % elementSize != 0
        || (h->blockBytes / elementSize) % 8 != 0) {
        return Error { std::string(what) + ": " + bytes(h->rawBytes) + " in blocks of " + bytes(h->blockBytes)
            + " are not whole groups of 8 elements of " + bytes(elementSize) };
    }
    const std::size_t n = h->rawBytes / elementSize;
    const std::size_t blockElements = h->blockBytes / elementSize;
    out.resize(h->rawBytes);
    std::vector<std::byte> scratch(std::min<std::size_t>(h->blockBytes, h->rawBytes));
    std::size_t pos = 12;
    std::size_t done = 0;
    while (n - done >= 8) {
        const std::size_t m = std::min(blockElements, (n - done) / 8 * 8);
        auto packed = blockLength(in, pos, what);
        if (!packed) {
            return packed.error();
        }
        if (!lz4Into(in.data() + pos, *packed, scratch.data(), m * elementSize)) {
            return Error { std::string(what) + ": the LZ4 block at byte " + std::to_string(pos)
                + " does not decode to " + bytes(m * elementSize) + " (damaged or truncated)" };
        }
        untransposeBlock(scratch.data(), out.data() + done * elementSize, m, elementSize);
        pos += *packed;
        done += m;
    }
    const std::size_t tail = (n - done) * elementSize; // fewer than 8 elements, stored raw
    if (in.size() - pos != tail) {
        return Error { std::string(what) + ": " + bytes(in.size() - pos) + " after the last block, expected "
            + bytes(tail) };
    }
    std::memcpy(out.data() + done * elementSize, in.data() + pos, tail);
    return {};
}

Status BitshuffleLz4::decodeLz4(std::span<const std::byte> in, std::size_t maxBytes, std::vector<std::byte>& out)
{
    const char* what = "LZ4 data";
    auto h = readHeader(in, maxBytes, what);
    if (!h) {
        return h.error();
    }
    out.resize(h->rawBytes);
    std::size_t pos = 12;
    for (std::uint64_t done = 0; done < h->rawBytes;) {
        const auto want = static_cast<std::size_t>(std::min(h->blockBytes, h->rawBytes - done));
        auto packed = blockLength(in, pos, what);
        if (!packed) {
            return packed.error();
        }
        // Equal sizes mean the block is stored uncompressed (the HDF5 LZ4 filter's convention).
        if (*packed == want) {
            std::memcpy(out.data() + done, in.data() + pos, want);
        } else if (!lz4Into(in.data() + pos, *packed, out.data() + done, want)) {
            return Error { std::string(what) + ": the LZ4 block at byte " + std::to_string(pos)
                + " does not decode to " + bytes(want) + " (damaged or truncated)" };
        }
        pos += *packed;
        done += want;
    }
    if (pos != in.size()) {
        return Error { std::string(what) + ": " + bytes(in.size() - pos) + " after the last block" };
    }
    return {};
}

std::vector<std::byte> BitshuffleLz4::encode(
    std::span<const std::byte> raw, std::size_t elementSize, std::size_t blockElements)
{
    if (blockElements == 0) {
        blockElements = std::max<std::size_t>(8, 8192 / elementSize / 8 * 8);
    }
    const std::size_t n = raw.size() / elementSize;
    std::vector<std::byte> out;
    out.reserve(12 + raw.size() / 2);
    putBigEndian(out, raw.size(), 8);
    putBigEndian(out, blockElements * elementSize, 4);
    std::vector<std::byte> shuffled(blockElements * elementSize);
    std::vector<char> packed(static_cast<std::size_t>(LZ4_compressBound(static_cast<int>(shuffled.size()))));
    std::size_t done = 0;
    while (n - done >= 8) {
        const std::size_t m = std::min(blockElements, (n - done) / 8 * 8);
        transposeBlock(raw.data() + done * elementSize, shuffled.data(), m, elementSize);
        const int len = LZ4_compress_default(reinterpret_cast<const char*>(shuffled.data()), packed.data(),
            static_cast<int>(m * elementSize), static_cast<int>(packed.size()));
        putBigEndian(out, static_cast<std::uint64_t>(len), 4);
        const auto* p = reinterpret_cast<const std::byte*>(packed.data());
        out.insert(out.end(), p, p + len);
        done += m;
    }
    out.insert(out.end(), raw.begin() + static_cast<std::ptrdiff_t>(done * elementSize),
        raw.begin() + static_cast<std::ptrdiff_t>(n * elementSize));
    return out;
}

Status decodePixels(Frame& frame)
{
    if (frame.encoding == PixelEncoding::Plain) {
        return {};
    }
    const std::size_t bytes = frame.size() * pixelSize(frame.type);
    if (frame.encoding == PixelEncoding::InFile) {
        if (!frame.file) {
            return Error { "frame " + std::to_string(frame.shotIndex) + " names no file to read its pixels from" };
        }
        frame.pixels.resize(bytes);
        if (Status st = frame.file->readAt(frame.fileOffset, frame.pixels); !st) {
            frame.pixels = {};
            return Error { "frame " + std::to_string(frame.shotIndex) + ": " + st.message() };
        }
        frame.encoding = PixelEncoding::Plain;
        frame.file.reset();
        return {};
    }
    const Status st = frame.encoding == PixelEncoding::Lz4
        ? BitshuffleLz4::decodeLz4(frame.encoded, bytes, frame.pixels)
        : BitshuffleLz4::decode(frame.encoded, pixelSize(frame.type), bytes, frame.pixels);
    if (!st) {
        return Error { "compressed chunk: " + st.message() };
    }
    if (frame.pixels.size() != bytes) {
        return Error { "compressed chunk holds "
            + std::to_string(frame.pixels.size()) + " bytes, the frame " + std::to_string(bytes) };
    }
    frame.encoding = PixelEncoding::Plain;
    frame.encoded = {};
    return {};
}

} // namespace fxs
