#include <fxs/sources/KaraboBridgeDecoder.h>

#include "StreamPixels.h"

#include <cstring>
#include <map>
#include <optional>

// msgpack-cxx without Boost (its Debian package pulls Boost in only for optional adaptors).
#ifndef MSGPACK_NO_BOOST
#define MSGPACK_NO_BOOST
#endif
#include <msgpack.hpp>

namespace fxs {

using namespace detail;

namespace {

// One "array" part: where it belongs and its raw bytes.
struct ArrayPart {
    std::string path;
    std::string dtype;
    std::vector<std::uint64_t> shape;
    std::span<const std::byte> bytes;
};

// Everything a train holds for one source.
struct SourcePart {
    std::int64_t trainId = -1;
    double timestampS = 0.0;
    std::vector<ArrayPart> arrays;

    const ArrayPart* array(const std::string& path) const
    {
        for (const auto& a : arrays) {
            if (a.path == path) {
                return &a;
            }
        }
        return nullptr;
    }
};

const msgpack::object* mapValue(const msgpack::object& map, const char* key)
{
    if (map.type != msgpack::type::MAP) {
        return nullptr;
    }
    for (std::uint32_t i = 0; i < map.via.map.size; ++i) {
        const auto& kv = map.via.map.ptr[i];
        if (kv.key.type == msgpack::type::STR && kv.key.via.str.size == std::strlen(key)
            && std::memcmp(kv.key.via.str.ptr, key, kv.key.via.str.size) == 0) {
            return &kv.val;
        }
    }
    return nullptr;
}

std::optional<std::string> text(const msgpack::object* o)
{
    if (!o || (o->type != msgpack::type::STR && o->type != msgpack::type::BIN)) {
        return std::nullopt;
    }
    return o->type == msgpack::type::STR ? std::string(o->via.str.ptr, o->via.str.size)
                                         : std::string(o->via.bin.ptr, o->via.bin.size);
}

std::optional<double> number(const msgpack::object* o)
{
    if (!o) {
        return std::nullopt;
    }
    switch (o->type) {
    case msgpack::type::POSITIVE_INTEGER:
        return static_cast<double>(o->via.u64);
    case msgpack::type::NEGATIVE_INTEGER:
        return static_cast<double>(o->via.i64);
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64:
        return o->via.f64;
    default:
        return std::nullopt;
    }
}

// Unpacks one msgpack header part with small limits (headers are a few hundred bytes).
Result<msgpack::object_handle> unpackHeader(std::span<const std::byte> part)
{
    try {
        std::size_t offset = 0;
        msgpack::object_handle oh = msgpack::unpack(reinterpret_cast<const char*>(part.data()), part.size(), offset,
            nullptr, nullptr, msgpack::unpack_limit(1024, 1024, 1 << 20, 1 << 20, 1024, 16));
        if (oh.get().type != msgpack::type::MAP) {
            return Error { "a header part is not a msgpack map" };
        }
        return oh;
    } catch (const std::exception& e) {
        return Error { std::string("a header part is not valid msgpack (") + e.what() + ")" };
    }
}

Result<ArrayPart> arrayPart(const msgpack::object& h, std::span<const std::byte> payload)
{
    ArrayPart a;
    auto path = text(mapValue(h, "path"));
    auto dtype = text(mapValue(h, "dtype"));
    const msgpack::object* shape = mapValue(h, "shape");
    if (!path || !dtype || !shape || shape->type != msgpack::type::ARRAY) {
        return Error { "an array header lacks path, dtype or shape" };
    }
    a.path = *path;
    a.dtype = *dtype;
    for (std::uint32_t i = 0; i < shape->via.array.size; ++i) {
        const msgpack::object& d = shape->via.array.ptr[i];
        if (d.type != msgpack::type::POSITIVE_INTEGER || d.via.u64 > (1u << 24)) {
            return Error { "array '" + a.path + "' has a shape that is not a list of sizes below 2^24" };
        }
        a.shape.push_back(d.via.u64);
    }
    a.bytes = payload;
    return a;
}

// Reads the header/payload pairs into sources.
Result<std::map<std::string, SourcePart>> readParts(const std::vector<std::span<const std::byte>>& parts)
{
    if (parts.size() == 1) {
        return Error { "a single-part message (Karabo bridge protocol 1.0): set the bridge to protocol 2.2" };
    }
    if (parts.empty() || parts.size() % 2 != 0) {
        return Error { "a Karabo bridge reply has pairs of parts; this one has " + std::to_string(parts.size()) };
    }
    std::map<std::string, SourcePart> sources;
    for (std::size_t i = 0; i < parts.size(); i += 2) {
        auto oh = unpackHeader(parts[i]);
        if (!oh) {
            return oh.error();
        }
        const msgpack::object& h = oh->get();
        auto source = text(mapValue(h, "source"));
        auto content = text(mapValue(h, "content"));
        if (!source || !content) {
            return Error { "a header part lacks 'source' or 'content'" };
        }
        SourcePart& s = sources[*source];
        if (*content == "msgpack") {
            const msgpack::object* meta = mapValue(h, "metadata");
            const auto tid = number(mapValue(meta ? *meta : h, "timestamp.tid"));
            s.trainId = tid && *tid >= 0 ? static_cast<std::int64_t>(*tid) : -1;
            s.timestampS = number(meta ? mapValue(*meta, "timestamp") : nullptr).value_or(0.0);
        } else if (*content == "array") {
            auto a = arrayPart(h, parts[i + 1]);
            if (!a) {
                return Error { "source " + *source + ": " + a.error().message };
            }
            s.arrays.push_back(std::move(*a));
        } else {
            return Error { "source " + *source + ": unknown content '" + *content + "'" };
        }
    }
    return sources;
}

std::uint64_t product(const std::vector<std::uint64_t>& shape)
{
    std::uint64_t n = 1;
    for (std::uint64_t d : shape) {
        n *= d; // every size is below 2^24 and there are at most 4 axes where this is used
    }
    return n;
}

// The pulse ids of a train (image.pulseId, else image.cellId), empty when absent or unreadable.
std::vector<std::int64_t> pulseIds(const SourcePart& s)
{
    const ArrayPart* a = s.array("image.pulseId");
    a = a ? a : s.array("image.cellId");
    if (!a || a->shape.size() != 1) {
        return {};
    }
    // Pulse ids are 64-bit (which frames cannot hold, so numpyElement does not know them).
    const bool wide = a->dtype == "uint64" || a->dtype == "int64" || a->dtype == "<u8" || a->dtype == "<i8";
    auto t = numpyElement(a->dtype);
    const std::size_t size = wide ? 8 : t && !t->isFloat && t->littleEndian ? t->bytes : 0;
    if (size == 0 || a->bytes.size() != a->shape[0] * size) {
        return {};
    }
    std::vector<std::int64_t> ids(a->shape[0]);
    for (std::size_t i = 0; i < ids.size(); ++i) {
        std::uint64_t v = 0;
        std::memcpy(&v, a->bytes.data() + i * size, size);
        ids[i] = static_cast<std::int64_t>(v);
    }
    return ids;
}

} // namespace

KaraboBridgeDecoder::KaraboBridgeDecoder(Options options)
    : m_options(std::move(options))
{
}

KaraboBridgeDecoder::KaraboBridgeDecoder()
    : KaraboBridgeDecoder(Options {})
{
}

Result<KaraboBridgeDecoder::Layout> KaraboBridgeDecoder::parseLayout(const std::string& name)
{
    if (name == "auto") {
        return Layout::Auto;
    }
    if (name == "file") {
        return Layout::File;
    }
    if (name == "online") {
        return Layout::Online;
    }
    return Error { "unknown Karabo array layout '" + name + "' (expected auto, file or online)" };
}

namespace {

// Splits the detector array into per-pulse frames.
Status splitPulses(const ArrayPart& a, bool online, const ElementType& t, const SourcePart& s, KaraboTrain& train)
{
    const auto& sh = a.shape;
    const std::uint64_t pulses = sh.size() == 2 ? 1 : online ? sh.back() : sh.front();
    const std::uint64_t modules = sh.size() == 4 ? (online ? sh[0] : sh[1]) : 1;
    const std::uint64_t ss = sh.size() == 2 ? sh[0] : online ? sh[sh.size() - 2] : sh[sh.size() - 2];
    const std::uint64_t fs = sh.size() == 2 ? sh[1] : online ? sh[sh.size() - 3] : sh.back();
    const std::size_t frameElems = static_cast<std::size_t>(modules * ss * fs);
    const std::vector<std::int64_t> ids = pulseIds(s);
    for (std::uint64_t p = 0; p < pulses; ++p) {
        Frame f;
        f.nSlow = static_cast<int>(modules * ss);
        f.nFast = static_cast<int>(fs);
        std::vector<std::byte> raw(frameElems * t.bytes);
        if (!online) {
            std::memcpy(raw.data(), a.bytes.data() + p * raw.size(), raw.size());
        } else {
            // (modules, fs, ss, pulses) → (modules · ss, fs): a gather, one element at a time.
            for (std::uint64_t m = 0; m < modules; ++m) {
                for (std::uint64_t y = 0; y < ss; ++y) {
                    for (std::uint64_t x = 0; x < fs; ++x) {
                        const std::uint64_t from = ((m * fs + x) * ss + y) * pulses + p;
                        const std::uint64_t to = (m * ss + y) * fs + x;
                        std::memcpy(raw.data() + to * t.bytes, a.bytes.data() + from * t.bytes, t.bytes);
                    }
                }
            }
        }
        fillPixels(std::move(raw), t, f);
        f.meta.seriesId = train.trainId;
        f.meta.frameNumber = static_cast<std::int64_t>(p);
        f.meta.pulseId = ids.size() == pulses ? ids[p] : -1;
        f.meta.timestampS = train.timestampS;
        f.meta.origin = "Karabo " + train.source + " train " + std::to_string(train.trainId) + " pulse "
            + std::to_string(p);
        train.frames.push_back(std::move(f));
    }
    return {};
}

} // namespace

Result<KaraboTrain> KaraboBridgeDecoder::decode(const std::vector<std::span<const std::byte>>& parts) const
{
    auto sources = readParts(parts);
    if (!sources) {
        return sources.error();
    }
    const SourcePart* chosen = nullptr;
    KaraboTrain train;
    std::string names;
    for (const auto& [name, s] : *sources) {
        names += (names.empty() ? "" : ", ") + name;
        if (!chosen && (m_options.source.empty() || name == m_options.source) && s.array(m_options.dataPath)) {
            chosen = &s;
            train.source = name;
        }
    }
    if (!chosen) {
        return Error { "no array '" + m_options.dataPath + "'"
            + (m_options.source.empty() ? "" : " in source " + m_options.source) + " (sources: " + names + ")" };
    }
    train.trainId = chosen->trainId;
    train.timestampS = chosen->timestampS;
    const std::string where = "train " + std::to_string(train.trainId) + ", " + train.source + " "
        + m_options.dataPath;
    const ArrayPart& a = *chosen->array(m_options.dataPath);
    auto t = numpyElement(a.dtype);
    if (!t) {
        return Error { where + ": " + t.error().message };
    }
    if (a.shape.size() < 2 || a.shape.size() > 4 || product(a.shape) == 0) {
        return Error { where + ": an array of " + std::to_string(a.shape.size())
            + " axes (expected 2 to 4, none empty)" };
    }
    const std::uint64_t bytes = product(a.shape) * t->bytes;
    if (bytes > m_options.maxTrainBytes) {
        return Error { where + ": " + std::to_string(bytes) + " bytes, more than the limit" };
    }
    if (a.bytes.size() != bytes) {
        return Error { where + ": the array part holds " + std::to_string(a.bytes.size()) + " bytes, its shape and "
            + a.dtype + " need " + std::to_string(bytes) };
    }
    const auto pulses = static_cast<std::uint64_t>(pulseIds(*chosen).size());
    bool online = m_options.layout == Layout::Online;
    if (m_options.layout == Layout::Auto && a.shape.size() >= 3) {
        online = pulses > 0 && a.shape.back() == pulses && a.shape.front() != pulses;
    }
    if (Status st = splitPulses(a, online, *t, *chosen, train); !st) {
        return Error { where + ": " + st.message() };
    }
    return train;
}

} // namespace fxs
