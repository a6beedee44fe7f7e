#include <fxs/sources/StackInspector.h>

#include "ChunkGuard.h"
#include "CxiMetadata.h"
#include <fxs/hdf5/Hdf5Util.h>
#include <fxs/sources/StackCheck.h>

#include <atomic>
#include <climits>
#include <nlohmann/json.hpp>
#include <utility>

namespace fxs {

namespace {

std::string where(const std::string& path, const std::string& dataset) { return path + ":" + dataset; }

std::string filterName(int id)
{
    switch (id) {
    case 1:
        return "deflate (gzip)";
    case 2:
        return "shuffle";
    case 3:
        return "fletcher32";
    case 4:
        return "szip";
    case 5:
        return "nbit";
    case 6:
        return "scale-offset";
    case 307:
        return "bzip2";
    case 32001:
        return "blosc";
    case 32004:
        return "LZ4";
    case 32008:
        return "bitshuffle";
    case 32015:
        return "zstd";
    default:
        return "unknown filter";
    }
}

Result<PixelType> pixelTypeOf(hid_t dtype, const std::string& at)
{
    const H5T_class_t cls = H5Tget_class(dtype);
    const std::size_t size = H5Tget_size(dtype);
    if (cls == H5T_INTEGER) {
        const bool isSigned = H5Tget_sign(dtype) == H5T_SGN_2;
        if (size == 2) {
            return isSigned ? PixelType::Int16 : PixelType::UInt16;
        }
        if (size == 4) {
            return isSigned ? PixelType::Int32 : PixelType::UInt32;
        }
        return Error { at + ": pixels are " + (isSigned ? "signed" : "unsigned") + " " + std::to_string(size * 8)
            + "-bit integers; supported are uint16, int16, uint32, int32, float32 and float64" };
    }
    if (cls == H5T_FLOAT && (size == 4 || size == 8)) {
        return size == 4 ? PixelType::Float32 : PixelType::Float64;
    }
    return Error { at + ": pixels are of an unsupported HDF5 type (class " + std::to_string(static_cast<int>(cls))
        + ", " + std::to_string(size) + " bytes); supported are uint16, int16, uint32, int32, float32 and float64" };
}

std::string dimsText(const std::vector<std::int64_t>& d)
{
    std::string s;
    for (std::size_t i = 0; i < d.size(); ++i) {
        s += (i ? " × " : "") + std::to_string(d[i]);
    }
    return s;
}

std::string anyOr(int n) { return n ? std::to_string(n) : std::string("any"); }

Status checkShape(StackInfo& info, const StackLimits& limits, const std::string& at)
{
    const auto& d = info.dims;
    if (d.size() != 3 && d.size() != 4) {
        return Error { at + " has " + std::to_string(d.size()) + " dimensions (" + dimsText(d)
            + "); expected a 3-D (N, ss, fs) or 4-D (N, modules, ss, fs) stack" };
    }
    for (std::size_t i = 1; i < d.size(); ++i) {
        if (d[i] < 1 || d[i] > INT_MAX) {
            return Error { at + " has an empty or absurd frame dimension (" + dimsText(d) + ")" };
        }
    }
    // Products in 128 bits: fuzzed files carry dimensions near 2^63.
    const __int128 slow = d.size() == 4 ? static_cast<__int128>(d[1]) * d[2] : d[1];
    const __int128 pixels = slow * d.back();
    if (pixels > static_cast<__int128>(limits.maxSlabPixels)) {
        return Error { at + ": a frame of " + dimsText({ d.begin() + 1, d.end() }) + " pixels exceeds the limit of "
            + std::to_string(limits.maxSlabPixels) + " pixels" };
    }
    if (d[0] < 0 || d[0] > limits.maxFrames) {
        return Error { at + " claims " + std::to_string(d[0]) + " frames; the limit is "
            + std::to_string(limits.maxFrames) };
    }
    info.frames = d[0];
    info.slab.nSlow = static_cast<int>(slow);
    info.slab.nFast = static_cast<int>(d.back());
    if ((limits.expectedSlow && limits.expectedSlow != info.slab.nSlow)
        || (limits.expectedFast && limits.expectedFast != info.slab.nFast)) {
        return Error { at + ": frames are " + std::to_string(info.slab.nSlow) + " × " + std::to_string(info.slab.nFast)
            + " (ss × fs) but the geometry expects " + anyOr(limits.expectedSlow) + " × "
            + anyOr(limits.expectedFast) };
    }
    return {};
}

// HDF5 refuses to create a chunk larger than a fixed dimension; a file that has one is damaged, and reading
// it makes HDF5 1.10 copy past its buffers (found by the fuzzer).
Status checkChunkFits(const hsize_t* chunk, int rank, const std::vector<hsize_t>& maxDims, const std::string& at)
{
    if (rank != static_cast<int>(maxDims.size())) {
        return Error { at + ": its chunk rank (" + std::to_string(rank) + ") differs from its rank ("
            + std::to_string(maxDims.size()) + "); the file is damaged" };
    }
    for (int i = 0; i < rank; ++i) {
        if (chunk[i] == 0 || (maxDims[i] != H5S_UNLIMITED && chunk[i] > maxDims[i])) {
            return Error { at + ": chunk dimension " + std::to_string(i) + " (" + std::to_string(chunk[i])
                + ") does not fit the dataset; the file is damaged" };
        }
    }
    return {};
}

Status checkLayout(
    hid_t dset, StackInfo& info, const StackLimits& limits, const std::vector<hsize_t>& maxDims, const std::string& at)
{
    h5::Handle dcpl = h5::plist(H5Dget_create_plist(dset));
    if (!dcpl) {
        return Error { at + ": cannot read the dataset's storage properties (" + h5::lastError() + ")" };
    }
    if (H5Pget_external_count(dcpl.get()) > 0) {
        return Error { at + " stores its pixels in external files, which is not supported" };
    }
    if (H5Pget_layout(dcpl.get()) == H5D_CHUNKED) {
        hsize_t chunk[H5S_MAX_RANK] = {};
        const int rank = H5Pget_chunk(dcpl.get(), H5S_MAX_RANK, chunk);
        __int128 bytes = static_cast<__int128>(pixelSize(info.slab.type));
        for (int i = 0; i < rank && i < H5S_MAX_RANK; ++i) {
            bytes *= static_cast<__int128>(chunk[i]);
        }
        if (Status s = checkChunkFits(chunk, rank, maxDims, at); !s) {
            return s;
        }
        if (rank < 1 || bytes > static_cast<__int128>(limits.maxChunkBytes)) {
            return Error { at + ": HDF5 chunks of " + std::to_string(static_cast<long double>(bytes) / 1048576.0)
                + " MiB exceed the limit of " + std::to_string(limits.maxChunkBytes >> 20) + " MiB" };
        }
    }
    const int n = H5Pget_nfilters(dcpl.get());
    for (int i = 0; i < n && i < 32; ++i) {
        unsigned flags = 0;
        std::size_t nValues = 0;
        const H5Z_filter_t id
            = H5Pget_filter2(dcpl.get(), static_cast<unsigned>(i), &flags, &nValues, nullptr, 0, nullptr, nullptr);
        if (id < 0) {
            return Error { at + ": unreadable filter pipeline (" + h5::lastError() + ")" };
        }
        info.filters.push_back(static_cast<int>(id));
        if (H5Zfilter_avail(id) <= 0) {
            return Error { at + " is compressed with HDF5 filter " + std::to_string(id) + " (" + filterName(id)
                + "), which is not installed here (Debian packages: hdf5-filter-plugin for LZ4 "
                  "and bzip2, bitshuffle for bitshuffle and LZF)" };
        }
    }
    return {};
}

Result<StackInfo> openAndInspect(hid_t fapl, const std::string& path, const std::string& name,
    const std::string& dataset, const StackLimits& limits, unsigned flags)
{
    h5::quiet();
    h5::Handle f = h5::file(H5Fopen(name.c_str(), flags, fapl));
    if (!f) {
        return Error { path + " is not a readable HDF5 file (" + h5::lastError() + ")" };
    }
    if (!h5::linkExists(f.get(), dataset)) {
        return Error { path + " has no dataset " + dataset };
    }
    h5::Handle d = h5::dataset(H5Dopen2(f.get(), dataset.c_str(), H5P_DEFAULT));
    if (!d) {
        return Error { where(path, dataset) + " is not a readable dataset (" + h5::lastError() + ")" };
    }
    auto info = detail::checkDataset(d.get(), path, dataset, limits);
    if (!info) {
        return info;
    }
    const std::size_t slabBytes = info->slab.bytes();
    const bool full = static_cast<__int128>(info->frames) * slabBytes <= limits.fullReadBytes;
    const std::int64_t toRead = full ? info->frames : std::min<std::int64_t>(info->frames, limits.sampleFrames);
    std::vector<std::byte> buffer(slabBytes);
    const detail::ChunkGuard guard(f.get(), d.get(), *info, limits);
    if (Status s = guard.checkIndex(); !s) {
        return Error { s.message() };
    }
    for (std::int64_t k = 0; k < toRead; ++k) {
        const std::int64_t i = full || toRead < 2 ? k : k * (info->frames - 1) / (toRead - 1);
        if (Status s = guard.check(i); !s) {
            return Error { s.message() };
        }
        if (Status s = detail::readFrames(d.get(), *info, i, 1, buffer.data()); !s) {
            return Error { s.message() };
        }
        ++info->framesRead;
    }
    // The readers take the photon energy from here too: read it in the probe first.
    if (auto energies = detail::CxiMetadata::photonEnergiesEv(f.get(), info->frames); !energies) {
        return Error { path + ": " + energies.error().message };
    }
    return info;
}

} // namespace

namespace detail {

hid_t memoryType(PixelType type)
{
    switch (type) {
    case PixelType::UInt16:
        return H5T_NATIVE_UINT16;
    case PixelType::Int16:
        return H5T_NATIVE_INT16;
    case PixelType::Int32:
        return H5T_NATIVE_INT32;
    case PixelType::UInt32:
        return H5T_NATIVE_UINT32;
    case PixelType::Float32:
        return H5T_NATIVE_FLOAT;
    case PixelType::Float64:
        return H5T_NATIVE_DOUBLE;
    }
    return H5T_NATIVE_FLOAT;
}

Result<StackInfo> checkDataset(
    hid_t dset, const std::string& path, const std::string& dataset, const StackLimits& limits)
{
    const std::string at = where(path, dataset);
    StackInfo info;
    info.path = path;
    info.dataset = dataset;
    h5::Handle space = h5::space(H5Dget_space(dset));
    if (!space || H5Sget_simple_extent_type(space.get()) != H5S_SIMPLE) {
        return Error { at + " has no array shape (scalar, empty or unreadable dataspace)" };
    }
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 0 || rank > H5S_MAX_RANK) {
        return Error { at + ": unreadable dataspace (" + h5::lastError() + ")" };
    }
    std::vector<hsize_t> d(static_cast<std::size_t>(rank));
    std::vector<hsize_t> maxDims(static_cast<std::size_t>(rank));
    H5Sget_simple_extent_dims(space.get(), d.data(), maxDims.data());
    for (std::size_t i = 0; i < d.size(); ++i) {
        if (maxDims[i] != H5S_UNLIMITED && d[i] > maxDims[i]) {
            return Error { at + ": dimension " + std::to_string(i) + " (" + std::to_string(d[i])
                + ") exceeds its own maximum (" + std::to_string(maxDims[i]) + "); the file is damaged" };
        }
    }
    for (hsize_t v : d) {
        info.dims.push_back(v > static_cast<hsize_t>(INT64_MAX) ? INT64_MAX : static_cast<std::int64_t>(v));
    }
    h5::Handle dtype = h5::type(H5Dget_type(dset));
    if (!dtype) {
        return Error { at + ": unreadable pixel type (" + h5::lastError() + ")" };
    }
    auto type = pixelTypeOf(dtype.get(), at);
    if (!type) {
        return type.error();
    }
    info.slab.type = *type;
    if (Status s = checkShape(info, limits, at); !s) {
        return Error { s.message() };
    }
    if (Status s = checkLayout(dset, info, limits, maxDims, at); !s) {
        return Error { s.message() };
    }
    if (Status s = ChunkGuard::checkUnchunked(dset, info); !s) {
        return Error { s.message() };
    }
    return info;
}

Status readFrames(
    hid_t dset, const StackInfo& info, std::int64_t first, std::int64_t count, std::byte* out, hid_t memType)
{
    const std::size_t rank = info.dims.size();
    std::vector<hsize_t> start(rank, 0), n(rank);
    start[0] = static_cast<hsize_t>(first);
    n[0] = static_cast<hsize_t>(count);
    for (std::size_t i = 1; i < rank; ++i) {
        n[i] = static_cast<hsize_t>(info.dims[i]);
    }
    h5::Handle fileSpace = h5::space(H5Dget_space(dset));
    // The memory space has the selection's own shape: with a flat 1-D memory space HDF5 1.10 takes a general
    // selection path that read 1 Mpx frames 40× slower (fxs-bench cxi-read).
    h5::Handle memSpace = h5::space(H5Screate_simple(static_cast<int>(rank), n.data(), nullptr));
    if (!fileSpace || !memSpace
        || H5Sselect_hyperslab(fileSpace.get(), H5S_SELECT_SET, start.data(), nullptr, n.data(), nullptr) < 0
        || H5Dread(dset, memType != H5I_INVALID_HID ? memType : detail::memoryType(info.slab.type), memSpace.get(),
               fileSpace.get(), H5P_DEFAULT, out)
            < 0) {
        return Error { where(info.path, info.dataset) + ": cannot read frames " + std::to_string(first) + "…"
            + std::to_string(first + count - 1) + " (" + h5::lastError() + ")" };
    }
    return {};
}

} // namespace detail

Result<StackInfo> StackInspector::inspectFile(
    const std::string& path, const std::string& dataset, const StackLimits& limits, bool swmr)
{
    const unsigned flags = H5F_ACC_RDONLY | (swmr ? H5F_ACC_SWMR_READ : 0u);
    return openAndInspect(H5P_DEFAULT, path, path, dataset, limits, flags);
}

Result<StackInfo> StackInspector::inspectImage(
    std::span<const std::byte> image, const std::string& dataset, const StackLimits& limits)
{
    h5::quiet();
    h5::Handle fapl = h5::plist(H5Pcreate(H5P_FILE_ACCESS));
    // The core driver opens the bytes as a file; the image is copied, so `image` may be const.
    if (H5Pset_fapl_core(fapl.get(), 1 << 16, false) < 0
        || H5Pset_file_image(fapl.get(), const_cast<std::byte*>(image.data()), image.size()) < 0) {
        return Error { "cannot set up an in-memory HDF5 file (" + h5::lastError() + ")" };
    }
    // A fresh name per image: HDF5 shares an already-open file of the same name (a damaged image can leave one
    // behind), which would mix one image's state into the next.
    static std::atomic<std::uint64_t> serial { 0 };
    const std::string name = "fxs-image-" + std::to_string(serial++) + ".h5";
    return openAndInspect(fapl.get(), "<memory image>", name, dataset, limits, H5F_ACC_RDONLY);
}

std::string StackInspector::toJson(const Result<StackInfo>& verdict)
{
    nlohmann::json j;
    j["ok"] = verdict.ok();
    if (!verdict) {
        j["error"] = verdict.error().message;
        return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    const StackInfo& i = *verdict;
    j["path"] = i.path;
    j["dataset"] = i.dataset;
    j["dims"] = i.dims;
    j["nSlow"] = i.slab.nSlow;
    j["nFast"] = i.slab.nFast;
    j["type"] = pixelTypeName(i.slab.type);
    j["frames"] = i.frames;
    j["framesRead"] = i.framesRead;
    j["filters"] = i.filters;
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<StackInfo> StackInspector::fromJson(const std::string& text)
{
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("ok") || !j["ok"].is_boolean()) {
        return Error { "unreadable verdict from fxs-probe: " + text.substr(0, 200) };
    }
    try {
        if (!j["ok"].get<bool>()) {
            return Error { j.value("error", std::string("fxs-probe refused the file without a reason")) };
        }
        StackInfo i;
        i.path = j.at("path").get<std::string>();
        i.dataset = j.at("dataset").get<std::string>();
        i.dims = j.at("dims").get<std::vector<std::int64_t>>();
        i.slab.nSlow = j.at("nSlow").get<int>();
        i.slab.nFast = j.at("nFast").get<int>();
        const std::string type = j.at("type").get<std::string>();
        bool known = false;
        for (PixelType t :
            { PixelType::UInt16, PixelType::Int16, PixelType::Int32, PixelType::UInt32, PixelType::Float32,
                PixelType::Float64 }) {
            if (type == pixelTypeName(t)) {
                i.slab.type = t;
                known = true;
            }
        }
        i.frames = j.at("frames").get<std::int64_t>();
        i.framesRead = j.at("framesRead").get<std::int64_t>();
        i.filters = j.at("filters").get<std::vector<int>>();
        if (!known || (i.dims.size() != 3 && i.dims.size() != 4) || i.slab.nSlow < 1 || i.slab.nFast < 1) {
            return Error { "inconsistent verdict from fxs-probe: " + text.substr(0, 200) };
        }
        return i;
    } catch (const nlohmann::json::exception& e) {
        return Error { std::string("incomplete verdict from fxs-probe (") + e.what() + ")" };
    }
}

} // namespace fxs
