#pragma once

// Pixel elements as detector streams send them (RFC 8746 typed arrays, numpy dtypes) turned into Frame pixels:
// shared by the DECTRIS and Karabo bridge decoders so that both map types the same way.

#include <fxs/frames/Frame.h>
#include <fxs/core/Result.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace fxs::detail {

/// One stored element's encoding.
struct ElementType {
    bool isFloat = false;
    bool isSigned = false;
    bool littleEndian = true;
    std::size_t bytes = 0;
};

/// The element type of an RFC 8746 typed-array tag (64–87), or an Error naming an unknown pixel type.
Result<ElementType> typedArrayElement(std::uint64_t tag);
/// The element type of a numpy dtype name ("uint16", "float32", "<u2", ">f4", ...), or an Error.
Result<ElementType> numpyElement(const std::string& dtype);
/// The Frame pixel type such elements become: (u)int8 → 16-bit, uint32 → int32 (values above 2³¹ − 1 → −1).
PixelType frameTypeOf(const ElementType& t);
/// Fills f.pixels (f.nSlow, f.nFast set) from `raw` elements, moving them when they already are f's pixels.
void fillPixels(std::vector<std::byte>&& raw, const ElementType& t, Frame& f);
/// Fills f.pixels (f.nSlow, f.nFast set) by converting `raw` elements (copies).
void convertPixels(std::span<const std::byte> raw, const ElementType& t, Frame& f);

} // namespace fxs::detail
