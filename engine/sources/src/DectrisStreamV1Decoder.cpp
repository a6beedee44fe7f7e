#include <fxs/sources/DectrisStreamV1Decoder.h>

#include "StreamPixels.h"
#include <fxs/sources/BitshuffleLz4.h>

#include <lz4.h>
#include <nlohmann/json.hpp>

#include <limits>

namespace fxs {

using namespace detail;

namespace {

using Json = nlohmann::json;

// A part parsed as a JSON object (an Error naming the part when it is not one).
Result<Json> objectOf(std::span<const std::byte> part, const std::string& what)
{
    Json j = Json::parse(reinterpret_cast<const char*>(part.data()), reinterpret_cast<const char*>(part.data()) + part.size(),
        nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return Error { what + " is not a JSON object (" + std::to_string(part.size()) + " bytes)" };
    }
    return j;
}

// An integer field (−1 when absent or not an integer).
std::int64_t intOf(const Json& j, const char* key)
{
    const auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : -1;
}

// A number field (0 when absent or not a number).
double numberOf(const Json& j, const char* key)
{
    const auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::string textOf(const Json& j, const char* key)
{
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The detector configuration of a "basic"/"all" header, in Stream V2's terms.
DectrisStart startOf(const Json& header, const Json* config)
{
    DectrisStart s;
    s.seriesId = intOf(header, "series");
    s.channels = { "image" };
    if (config == nullptr) {
        return s;
    }
    const Json& c = *config;
    const auto clampInt = [](std::int64_t v) { return v > 0 && v < (1 << 20) ? static_cast<int>(v) : 0; };
    s.imageSizeX = clampInt(intOf(c, "x_pixels_in_detector"));
    s.imageSizeY = clampInt(intOf(c, "y_pixels_in_detector"));
    s.incidentEnergyEv = numberOf(c, "photon_energy");
    s.incidentWavelengthA = numberOf(c, "wavelength");
    s.beamCenterXPx = numberOf(c, "beam_center_x");
    s.beamCenterYPx = numberOf(c, "beam_center_y");
    s.pixelSizeXM = numberOf(c, "x_pixel_size");
    s.pixelSizeYM = numberOf(c, "y_pixel_size");
    s.detectorDistanceM = numberOf(c, "detector_distance");
    const std::int64_t images = intOf(c, "nimages"), triggers = intOf(c, "ntrigger");
    s.numberOfImages = images > 0 ? images * (triggers > 0 ? triggers : 1) : 0;
    return s;
}

// The element bytes of an image's data part under its encoding.
Status elementBytes(std::span<const std::byte> data, const std::string& encoding, std::size_t elementBytes,
    std::size_t expect, std::vector<std::byte>& out)
{
    if (encoding == "<") {
        if (data.size() != expect) {
            return Error { "raw data of " + std::to_string(data.size()) + " bytes, the shape needs "
                + std::to_string(expect) };
        }
        out.assign(data.begin(), data.end());
        return {};
    }
    if (encoding == "lz4<") {
        out.resize(expect);
        if (data.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
            return Error { "LZ4 data larger than 2 GiB" };
        }
        const int got = LZ4_decompress_safe(reinterpret_cast<const char*>(data.data()), reinterpret_cast<char*>(out.data()),
            static_cast<int>(data.size()), static_cast<int>(expect));
        if (got < 0 || static_cast<std::size_t>(got) != expect) {
            return Error { "damaged LZ4 block (" + std::to_string(data.size()) + " bytes, "
                + std::to_string(expect) + " expected after decompression)" };
        }
        return {};
    }
    if (encoding == "bs8-lz4<" || encoding == "bs16-lz4<" || encoding == "bs32-lz4<") {
        if (Status st = BitshuffleLz4::decode(data, elementBytes, expect, out); !st) {
            return st;
        }
        if (out.size() != expect) {
            return Error { "bitshuffle-LZ4 data of " + std::to_string(out.size()) + " bytes, the shape needs "
                + std::to_string(expect) };
        }
        return {};
    }
    return Error { "unknown encoding '" + encoding + "' (expected <, lz4< or bs8/16/32-lz4<)" };
}

Result<DectrisImage> imageOf(std::span<const std::span<const std::byte>> parts, const Json& header, std::size_t maxBytes)
{
    DectrisImage img;
    img.seriesId = intOf(header, "series");
    img.imageId = intOf(header, "frame");
    const std::string where = "series " + std::to_string(img.seriesId) + " frame " + std::to_string(img.imageId);
    if (img.imageId < 0) {
        return Error { "dimage-1.0 without a frame number" };
    }
    if (parts.size() < 3) {
        return Error { where + ": " + std::to_string(parts.size()) + " parts, an image needs dimage, dimage_d and data" };
    }
    auto d = objectOf(parts[1], where + ": the dimage_d-1.0 part");
    if (!d) {
        return d.error();
    }
    if (textOf(*d, "htype").rfind("dimage_d-", 0) != 0) {
        return Error { where + ": the second part is not dimage_d-1.0" };
    }
    const auto shape = d->find("shape");
    if (shape == d->end() || !shape->is_array() || shape->size() != 2 || !(*shape)[0].is_number_integer()
        || !(*shape)[1].is_number_integer()) {
        return Error { where + ": dimage_d-1.0 has no shape [width, height]" };
    }
    const std::int64_t w = (*shape)[0].get<std::int64_t>(), h = (*shape)[1].get<std::int64_t>();
    if (w <= 0 || h <= 0 || w >= (1 << 20) || h >= (1 << 20)) {
        return Error { where + ": the image dimensions are not two positive integers below 2^20" };
    }
    auto t = numpyElement(textOf(*d, "type"));
    if (!t) {
        return Error { where + ": " + t.error().message };
    }
    const std::size_t expect = static_cast<std::size_t>(w * h) * t->bytes;
    if (expect > maxBytes) {
        return Error { where + ": a " + std::to_string(h) + " x " + std::to_string(w)
            + " image is larger than the limit of " + std::to_string(maxBytes) + " bytes" };
    }
    const std::int64_t size = intOf(*d, "size");
    if (size >= 0 && static_cast<std::size_t>(size) != parts[2].size()) {
        return Error { where + ": the data part holds " + std::to_string(parts[2].size()) + " bytes, dimage_d says "
            + std::to_string(size) };
    }
    std::vector<std::byte> raw;
    if (Status st = elementBytes(parts[2], textOf(*d, "encoding"), t->bytes, expect, raw); !st) {
        return Error { where + ": " + st.message() };
    }
    img.frame.nSlow = static_cast<int>(h);
    img.frame.nFast = static_cast<int>(w);
    fillPixels(std::move(raw), *t, img.frame);
    img.frame.meta.seriesId = img.seriesId;
    img.frame.meta.frameNumber = img.imageId;
    img.frame.meta.origin = "DECTRIS V1 series " + std::to_string(img.seriesId) + " frame " + std::to_string(img.imageId);
    return img;
}

} // namespace

DectrisStreamV1Decoder::DectrisStreamV1Decoder(Options options)
    : m_options(options)
{
}

DectrisStreamV1Decoder::DectrisStreamV1Decoder()
    : DectrisStreamV1Decoder(Options {})
{
}

Result<DectrisMessage> DectrisStreamV1Decoder::decode(std::span<const std::span<const std::byte>> parts) const
{
    if (parts.empty()) {
        return Error { "empty message" };
    }
    auto header = objectOf(parts[0], "the first part");
    if (!header) {
        return header.error();
    }
    const std::string type = textOf(*header, "htype");
    if (type.rfind("dimage-", 0) == 0) {
        auto img = imageOf(parts, *header, m_options.maxImageBytes);
        return img ? Result<DectrisMessage>(std::move(*img)) : img.error();
    }
    if (type.rfind("dheader-", 0) == 0) {
        const std::string detail = textOf(*header, "header_detail");
        if ((detail == "basic" || detail == "all") && parts.size() >= 2) {
            auto config = objectOf(parts[1], "series " + std::to_string(intOf(*header, "series"))
                    + ": the detector configuration part");
            if (!config) {
                return config.error();
            }
            return DectrisMessage { startOf(*header, &*config) };
        }
        return DectrisMessage { startOf(*header, nullptr) };
    }
    if (type.rfind("dseries_end-", 0) == 0) {
        return DectrisMessage { DectrisEnd { intOf(*header, "series") } };
    }
    return Error { "unknown htype '" + type + "' (expected dheader-1.0, dimage-1.0 or dseries_end-1.0)" };
}

} // namespace fxs
