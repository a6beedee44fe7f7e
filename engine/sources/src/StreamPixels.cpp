#include "StreamPixels.h"

#include <cstring>
#include <limits>

namespace fxs::detail {

namespace {

std::uint64_t loadElement(const std::byte* p, const ElementType& t)
{
    std::uint64_t v = 0;
    for (std::size_t b = 0; b < t.bytes; ++b) {
        const std::size_t at = t.littleEndian ? b : t.bytes - 1 - b;
        v |= std::uint64_t { static_cast<std::uint8_t>(p[at]) } << (8 * b);
    }
    return v;
}

template <class T, class U> T bitsAs(std::uint64_t v)
{
    const auto u = static_cast<U>(v);
    T out;
    std::memcpy(&out, &u, sizeof(T));
    return out;
}

// True when the stored elements already are the frame's pixels (little-endian, same width and kind).
bool storedAsFrame(const ElementType& t)
{
    return t.littleEndian && t.bytes > 1 && !(t.bytes == 4 && !t.isSigned && !t.isFloat);
}

} // namespace

Result<ElementType> typedArrayElement(std::uint64_t tag)
{
    if (tag < 64 || tag > 87 || tag == 76) {
        return Error { "tag " + std::to_string(tag) + " is not an RFC 8746 typed array" };
    }
    ElementType t;
    t.isFloat = (tag & 16) != 0;
    t.isSigned = (tag & 8) != 0;
    t.littleEndian = (tag & 4) != 0 || (tag & 3) == 0;
    t.bytes = t.isFloat ? std::size_t { 2 } << (tag & 3) : std::size_t { 1 } << (tag & 3);
    const bool known = t.isFloat ? (t.bytes == 4 || t.bytes == 8) : t.bytes <= 4;
    if (!known) {
        return Error { "unknown pixel type (typed-array tag " + std::to_string(tag) + ": "
            + (t.isFloat ? "float" : t.isSigned ? "int" : "uint") + std::to_string(8 * t.bytes) + ")" };
    }
    return t;
}

Result<ElementType> numpyElement(const std::string& dtype)
{
    std::string name = dtype;
    bool little = true;
    if (!name.empty() && (name[0] == '<' || name[0] == '>' || name[0] == '=' || name[0] == '|')) {
        little = name[0] != '>';
        name = name.substr(1);
    }
    static const struct {
        const char* name;
        const char* code;
        ElementType t;
    } known[] = { { "uint8", "u1", { false, false, true, 1 } }, { "int8", "i1", { false, true, true, 1 } },
        { "uint16", "u2", { false, false, true, 2 } }, { "int16", "i2", { false, true, true, 2 } },
        { "uint32", "u4", { false, false, true, 4 } }, { "int32", "i4", { false, true, true, 4 } },
        { "float32", "f4", { true, true, true, 4 } }, { "float64", "f8", { true, true, true, 8 } } };
    for (const auto& k : known) {
        if (name == k.name || name == k.code) {
            ElementType t = k.t;
            t.littleEndian = little || t.bytes == 1;
            return t;
        }
    }
    return Error { "unknown pixel type '" + dtype + "' (expected (u)int8/16/32, float32 or float64)" };
}

PixelType frameTypeOf(const ElementType& t)
{
    if (t.isFloat) {
        return t.bytes == 4 ? PixelType::Float32 : PixelType::Float64;
    }
    if (t.bytes == 4) {
        return PixelType::Int32;
    }
    return t.isSigned ? PixelType::Int16 : PixelType::UInt16;
}

void convertPixels(std::span<const std::byte> raw, const ElementType& t, Frame& f)
{
    f.type = frameTypeOf(t);
    f.pixels.assign(f.size() * pixelSize(f.type), std::byte { 0 });
    for (std::size_t i = 0; i < f.size(); ++i) {
        const std::uint64_t v = loadElement(raw.data() + i * t.bytes, t);
        switch (f.type) {
        case PixelType::UInt16:
            f.as<std::uint16_t>()[i] = static_cast<std::uint16_t>(v);
            break;
        case PixelType::Int16:
            f.as<std::int16_t>()[i] = t.bytes == 1 ? bitsAs<std::int8_t, std::uint8_t>(v)
                                                   : bitsAs<std::int16_t, std::uint16_t>(v);
            break;
        case PixelType::Int32:
            f.as<std::int32_t>()[i] = (!t.isSigned && v > std::uint64_t { std::numeric_limits<std::int32_t>::max() })
                ? -1
                : bitsAs<std::int32_t, std::uint32_t>(v);
            break;
        case PixelType::UInt32:
            f.as<std::uint32_t>()[i] = static_cast<std::uint32_t>(v);
            break;
        case PixelType::Float32:
            f.as<float>()[i] = bitsAs<float, std::uint32_t>(v);
            break;
        case PixelType::Float64:
            f.as<double>()[i] = bitsAs<double, std::uint64_t>(v);
            break;
        }
    }
}

void fillPixels(std::vector<std::byte>&& raw, const ElementType& t, Frame& f)
{
    if (storedAsFrame(t)) {
        f.type = frameTypeOf(t);
        f.pixels = std::move(raw);
    } else {
        convertPixels(raw, t, f);
    }
}

} // namespace fxs::detail
