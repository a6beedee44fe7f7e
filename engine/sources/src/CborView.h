#pragma once

// Read-only helpers over libcbor's item tree (DectrisStreamDecoder). Every accessor checks the item's type and
// returns std::nullopt on a mismatch, so that a malformed message is refused with a message, never followed.

#include <algorithm>
#include <cbor.h>
#include <cstdint>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fxs::detail {

/// Owns one reference to a libcbor item.
struct CborDecref {
    void operator()(cbor_item_t* item) const { cbor_decref(&item); }
};
using CborItem = std::unique_ptr<cbor_item_t, CborDecref>;

/// True when the arrays and maps of a message claim no more elements than its bytes could hold. cbor_load
/// allocates a definite array or map at its claimed size before reading it, so a few bytes claiming 2³² elements
/// would make it ask for tens of GiB (found by fxs-fuzz-dectris); every element takes at least one byte, so the
/// claims of a well-formed message sum to at most its length. A pass of libcbor's streaming decoder (no
/// allocation) checks that first.
inline bool claimsFit(std::span<const std::byte> message)
{
    struct Tally {
        std::size_t claimed = 0;
        std::size_t limit = 0;
    } tally { 0, message.size() };
    cbor_callbacks cb = cbor_empty_callbacks;
    cb.array_start = [](void* t, std::size_t n) { static_cast<Tally*>(t)->claimed += std::min(n, SIZE_MAX / 4); };
    cb.map_start = [](void* t, std::size_t n) { static_cast<Tally*>(t)->claimed += 2 * std::min(n, SIZE_MAX / 4); };
    std::size_t pos = 0;
    while (pos < message.size() && tally.claimed <= tally.limit) {
        const cbor_decoder_result r = cbor_stream_decode(reinterpret_cast<cbor_data>(message.data() + pos),
            message.size() - pos, &cb, &tally);
        if (r.status != CBOR_DECODER_FINISHED || r.read == 0) {
            break; // malformed or truncated: cbor_load reports it
        }
        pos += r.read;
    }
    return tally.claimed <= tally.limit;
}

/// The item under a tag (a borrowed pointer, valid while the tag lives).
inline const cbor_item_t* tagged(const cbor_item_t* item)
{
    return item->metadata.tag_metadata.tagged_item;
}

/// Skips a self-describe tag (55799) wrapping a message.
inline const cbor_item_t* unwrapSelfDescribe(const cbor_item_t* item)
{
    while (item && cbor_isa_tag(item) && cbor_tag_value(item) == 55799) {
        item = tagged(item);
    }
    return item;
}

/// A text string's value (definite or chunked).
inline std::optional<std::string> textOf(const cbor_item_t* item)
{
    if (!item || !cbor_isa_string(item)) {
        return std::nullopt;
    }
    if (cbor_string_is_definite(item)) {
        return std::string(reinterpret_cast<const char*>(cbor_string_handle(item)), cbor_string_length(item));
    }
    std::string s;
    cbor_item_t** chunks = cbor_string_chunks_handle(item);
    for (std::size_t i = 0; i < cbor_string_chunk_count(item); ++i) {
        auto part = textOf(chunks[i]);
        if (!part) {
            return std::nullopt;
        }
        s += *part;
    }
    return s;
}

/// The value stored under text key `key` of a map, nullptr when absent or not a map.
inline const cbor_item_t* field(const cbor_item_t* map, std::string_view key)
{
    if (!map || !cbor_isa_map(map)) {
        return nullptr;
    }
    const cbor_pair* pairs = cbor_map_handle(map);
    for (std::size_t i = 0; i < cbor_map_size(map); ++i) {
        auto k = textOf(pairs[i].key);
        if (k && *k == key) {
            return pairs[i].value;
        }
    }
    return nullptr;
}

/// An unsigned integer's value.
inline std::optional<std::uint64_t> uintOf(const cbor_item_t* item)
{
    if (!item || !cbor_isa_uint(item)) {
        return std::nullopt;
    }
    return cbor_get_int(item);
}

/// A number (float, unsigned or negative integer) as double.
inline std::optional<double> numberOf(const cbor_item_t* item)
{
    if (!item) {
        return std::nullopt;
    }
    if (cbor_isa_uint(item)) {
        return static_cast<double>(cbor_get_int(item));
    }
    if (cbor_isa_negint(item)) {
        return -1.0 - static_cast<double>(cbor_get_int(item));
    }
    if (cbor_isa_float_ctrl(item) && !cbor_float_ctrl_is_ctrl(item)) {
        return cbor_float_get_float(item);
    }
    return std::nullopt;
}

/// The pieces of a byte string (one for a definite string, the chunks of an indefinite one).
inline std::optional<std::vector<std::span<const std::byte>>> bytesOf(const cbor_item_t* item)
{
    if (!item || !cbor_isa_bytestring(item)) {
        return std::nullopt;
    }
    std::vector<std::span<const std::byte>> parts;
    if (cbor_bytestring_is_definite(item)) {
        parts.emplace_back(reinterpret_cast<const std::byte*>(cbor_bytestring_handle(item)),
            cbor_bytestring_length(item));
        return parts;
    }
    cbor_item_t** chunks = cbor_bytestring_chunks_handle(item);
    for (std::size_t i = 0; i < cbor_bytestring_chunk_count(item); ++i) {
        auto p = bytesOf(chunks[i]);
        if (!p) {
            return std::nullopt;
        }
        parts.insert(parts.end(), p->begin(), p->end());
    }
    return parts;
}

} // namespace fxs::detail
