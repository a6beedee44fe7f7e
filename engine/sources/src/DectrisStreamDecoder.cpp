#include <fxs/sources/DectrisStreamDecoder.h>

#include "CborView.h"
#include "StreamPixels.h"
#include <fxs/sources/BitshuffleLz4.h>

#include <algorithm>

#include <limits>

namespace fxs {

using namespace detail;

namespace {

std::vector<std::byte> joined(const std::vector<std::span<const std::byte>>& parts)
{
    std::vector<std::byte> all;
    for (const auto& p : parts) {
        all.insert(all.end(), p.begin(), p.end());
    }
    return all;
}

// The element bytes of a typed array's content: a byte string, or tag 56500 [algorithm, modifier, bytes].
Status contentBytes(const cbor_item_t* content, std::size_t expect, std::vector<std::byte>& out)
{
    if (auto parts = bytesOf(content)) {
        out = joined(*parts);
    } else if (cbor_isa_tag(content) && cbor_tag_value(content) == 56500) {
        const cbor_item_t* a = tagged(content);
        if (!cbor_isa_array(a) || cbor_array_size(a) != 3) {
            return Error { "compression tag 56500 does not hold [algorithm, modifier, bytes]" };
        }
        cbor_item_t** e = cbor_array_handle(a);
        auto algorithm = textOf(e[0]);
        auto modifier = uintOf(e[1]);
        auto parts = bytesOf(e[2]);
        if (!algorithm || !modifier || !parts) {
            return Error { "compression tag 56500 does not hold [algorithm, modifier, bytes]" };
        }
        // A definite byte string (what detectors send) is decoded where libcbor holds it; chunks are joined first.
        std::vector<std::byte> chunks;
        if (parts->size() != 1) {
            chunks = joined(*parts);
        }
        const std::span<const std::byte> packed = parts->size() == 1 ? parts->front() : std::span<const std::byte>(chunks);
        Status st;
        if (*algorithm == "bslz4") {
            st = BitshuffleLz4::decode(packed, static_cast<std::size_t>(std::min<std::uint64_t>(*modifier, 64)),
                expect, out);
        } else if (*algorithm == "lz4") {
            st = BitshuffleLz4::decodeLz4(packed, expect, out);
        } else {
            return Error { "unknown compression '" + *algorithm + "' (expected bslz4 or lz4)" };
        }
        if (!st) {
            return st;
        }
    } else {
        return Error { "image data is neither a byte string nor compressed (tag 56500)" };
    }
    if (out.size() != expect) {
        return Error { "image data holds " + std::to_string(out.size()) + " bytes, its shape needs "
            + std::to_string(expect) };
    }
    return {};
}

// deferDecode: a compressed image whose elements are the frame's pixels as they are is left compressed in `f` (its
// header checked); false when it must be decoded here (raw, converted elements, or not tag 56500).
Result<bool> deferred(const cbor_item_t* content, const ElementType& t, std::size_t expect, Frame& f)
{
    const PixelType type = frameTypeOf(t);
    if (!cbor_isa_tag(content) || cbor_tag_value(content) != 56500 || !t.littleEndian || pixelSize(type) != t.bytes
        || (t.bytes == 4 && !t.isFloat && !t.isSigned)) {
        return false;
    }
    const cbor_item_t* a = tagged(content);
    if (!cbor_isa_array(a) || cbor_array_size(a) != 3) {
        return false; // contentBytes says what is wrong
    }
    cbor_item_t** e = cbor_array_handle(a);
    const auto algorithm = textOf(e[0]);
    const auto modifier = uintOf(e[1]);
    const auto parts = bytesOf(e[2]);
    if (!algorithm || !modifier || !parts || (*algorithm != "bslz4" && *algorithm != "lz4")
        || (*algorithm == "bslz4" && *modifier != t.bytes)) {
        return false;
    }
    std::vector<std::byte> packed = joined(*parts);
    std::uint64_t announced = 0;
    for (std::size_t i = 0; i < 8 && i < packed.size(); ++i) {
        announced = announced << 8 | std::to_integer<std::uint64_t>(packed[i]);
    }
    if (packed.size() < 12 || announced != expect) {
        return Error { "compressed image announces " + std::to_string(announced) + " bytes, its shape needs "
            + std::to_string(expect) };
    }
    f.type = type;
    f.encoding = *algorithm == "bslz4" ? PixelEncoding::BitshuffleLz4 : PixelEncoding::Lz4;
    f.encoded = std::move(packed);
    return true;
}

// tag 40 [[height, width], typed array] → frame.
Status multiDimArray(const cbor_item_t* item, std::size_t maxBytes, bool defer, Frame& f)
{
    if (!item || !cbor_isa_tag(item) || cbor_tag_value(item) != 40) {
        return Error { "the channel is not a multi-dimensional array (tag 40)" };
    }
    const cbor_item_t* a = tagged(item);
    if (!cbor_isa_array(a) || cbor_array_size(a) != 2) {
        return Error { "the multi-dimensional array is not [dimensions, data]" };
    }
    const cbor_item_t* dims = cbor_array_handle(a)[0];
    const cbor_item_t* data = cbor_array_handle(a)[1];
    if (!cbor_isa_array(dims) || cbor_array_size(dims) != 2) {
        return Error { "the image is not two-dimensional" };
    }
    auto h = uintOf(cbor_array_handle(dims)[0]);
    auto w = uintOf(cbor_array_handle(dims)[1]);
    if (!h || !w || *h == 0 || *w == 0 || *h > (1u << 20) || *w > (1u << 20)) {
        return Error { "the image dimensions are not two positive integers below 2^20" };
    }
    if (!cbor_isa_tag(data)) {
        return Error { "the image data is not a typed array" };
    }
    auto t = typedArrayElement(cbor_tag_value(data));
    if (!t) {
        return t.error();
    }
    const std::size_t expect = static_cast<std::size_t>(*h * *w) * t->bytes;
    if (expect > maxBytes) {
        return Error { "a " + std::to_string(*h) + " x " + std::to_string(*w) + " image is larger than the limit of "
            + std::to_string(maxBytes) + " bytes" };
    }
    f.nSlow = static_cast<int>(*h);
    f.nFast = static_cast<int>(*w);
    if (defer) {
        auto left = deferred(tagged(data), *t, expect, f);
        if (!left) {
            return left.error();
        }
        if (*left) {
            return {};
        }
    }
    std::vector<std::byte> raw;
    if (Status st = contentBytes(tagged(data), expect, raw); !st) {
        return st;
    }
    fillPixels(std::move(raw), *t, f);
    return {};
}

std::int64_t intField(const cbor_item_t* m, const char* key)
{
    auto v = uintOf(field(m, key));
    return v && *v <= std::uint64_t { std::numeric_limits<std::int64_t>::max() } ? static_cast<std::int64_t>(*v) : -1;
}

double numberField(const cbor_item_t* m, const char* key) { return numberOf(field(m, key)).value_or(0.0); }

DectrisStart startOf(const cbor_item_t* m)
{
    DectrisStart s;
    s.seriesId = intField(m, "series_id");
    s.seriesUniqueId = textOf(field(m, "series_unique_id")).value_or("");
    if (const cbor_item_t* ch = field(m, "channels"); ch && cbor_isa_array(ch)) {
        for (std::size_t i = 0; i < cbor_array_size(ch); ++i) {
            if (auto name = textOf(cbor_array_handle(ch)[i])) {
                s.channels.push_back(*name);
            }
        }
    }
    s.imageSizeX = static_cast<int>(std::clamp<std::int64_t>(intField(m, "image_size_x"), 0, 1 << 20));
    s.imageSizeY = static_cast<int>(std::clamp<std::int64_t>(intField(m, "image_size_y"), 0, 1 << 20));
    s.incidentEnergyEv = numberField(m, "incident_energy");
    s.incidentWavelengthA = numberField(m, "incident_wavelength");
    s.beamCenterXPx = numberField(m, "beam_center_x");
    s.beamCenterYPx = numberField(m, "beam_center_y");
    s.pixelSizeXM = numberField(m, "pixel_size_x");
    s.pixelSizeYM = numberField(m, "pixel_size_y");
    if (const cbor_item_t* tr = field(m, "detector_translation"); tr && cbor_isa_array(tr) && cbor_array_size(tr) == 3) {
        s.detectorDistanceM = numberOf(cbor_array_handle(tr)[2]).value_or(0.0);
    }
    s.numberOfImages = std::max<std::int64_t>(0, intField(m, "number_of_images"));
    return s;
}

Result<DectrisImage> imageOf(const cbor_item_t* m, const DectrisStreamDecoder::Options& o)
{
    DectrisImage img;
    img.seriesId = intField(m, "series_id");
    img.imageId = intField(m, "image_id");
    const std::string where = "image message (series " + std::to_string(img.seriesId) + ", image "
        + std::to_string(img.imageId) + ")";
    if (img.imageId < 0) {
        return Error { "image message without an image_id" };
    }
    const cbor_item_t* data = field(m, "data");
    if (!data || !cbor_isa_map(data) || cbor_map_size(data) == 0) {
        return Error { where + ": no data map of channels" };
    }
    const cbor_item_t* channel = o.channel.empty() ? cbor_map_handle(data)[0].value : field(data, o.channel);
    const std::string name = o.channel.empty() ? textOf(cbor_map_handle(data)[0].key).value_or("?") : o.channel;
    if (!channel) {
        return Error { where + ": no channel '" + o.channel + "'" };
    }
    if (Status st = multiDimArray(channel, o.maxImageBytes, o.deferDecode, img.frame); !st) {
        return Error { where + ", channel '" + name + "': " + st.message() };
    }
    img.frame.meta.seriesId = img.seriesId;
    img.frame.meta.frameNumber = img.imageId;
    img.frame.meta.origin = "DECTRIS series " + std::to_string(img.seriesId) + " image " + std::to_string(img.imageId);
    return img;
}

} // namespace

DectrisStreamDecoder::DectrisStreamDecoder(Options options)
    : m_options(std::move(options))
{
}

DectrisStreamDecoder::DectrisStreamDecoder()
    : DectrisStreamDecoder(Options {})
{
}

Result<DectrisMessage> DectrisStreamDecoder::decode(std::span<const std::byte> message) const
{
    if (!claimsFit(message)) {
        return Error { "CBOR message whose arrays and maps claim more elements than its " + std::to_string(message.size())
            + " bytes can hold" };
    }
    cbor_load_result res {};
    CborItem root(cbor_load(reinterpret_cast<cbor_data>(message.data()), message.size(), &res));
    if (!root || res.error.code != CBOR_ERR_NONE) {
        return Error { "not a CBOR message (" + std::to_string(message.size()) + " bytes; decoding stopped at byte "
            + std::to_string(res.error.position) + ")" };
    }
    if (res.read != message.size()) {
        return Error { "CBOR message followed by " + std::to_string(message.size() - res.read) + " stray bytes" };
    }
    const cbor_item_t* m = unwrapSelfDescribe(root.get());
    auto type = textOf(field(m, "type"));
    if (!type) {
        return Error { "CBOR message is not a map with a text 'type'" };
    }
    if (*type == "image") {
        auto img = imageOf(m, m_options);
        return img ? Result<DectrisMessage>(std::move(*img)) : img.error();
    }
    if (*type == "start") {
        return DectrisMessage { startOf(m) };
    }
    if (*type == "end") {
        return DectrisMessage { DectrisEnd { intField(m, "series_id") } };
    }
    return Error { "unknown message type '" + *type + "' (expected start, image or end)" };
}

Result<bool> decodeOnWorkers(const std::string& mode, unsigned cores)
{
    if (mode == "workers" || mode == "receiver") {
        return mode == "workers";
    }
    if (mode == "auto") {
        return cores >= 8;
    }
    return Error { "stream decode '" + mode + "': expected workers, receiver or auto" };
}

} // namespace fxs
