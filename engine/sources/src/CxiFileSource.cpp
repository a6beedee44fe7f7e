#include <fxs/sources/CxiFileSource.h>

#include "ChunkGuard.h"
#include "CxiMetadata.h"
#include <fxs/hdf5/Hdf5Util.h>
#include <fxs/sources/FileExtent.h>
#include <fxs/sources/StackCheck.h>

#include <algorithm>
#include <limits>
#include <type_traits>

namespace fxs {

namespace {

bool maskedOut(std::uint32_t v, std::uint32_t good, std::uint32_t bad)
{
    return good == 0 && bad == 0 ? v != 0 : (v & good) != good || (v & bad) != 0;
}

// The frame as float32 (or float64) with the pixels its mask marks bad set to NaN.
template <class T> void maskPixels(Frame& f, const std::uint32_t* mask, std::uint32_t good, std::uint32_t bad)
{
    constexpr bool floating = std::is_floating_point_v<T>;
    using Out = std::conditional_t<floating, T, float>;
    std::vector<std::byte> converted;
    if constexpr (!floating) {
        converted.resize(f.size() * sizeof(float));
    }
    const T* in = reinterpret_cast<const T*>(f.pixels.data());
    Out* out = floating ? reinterpret_cast<Out*>(f.pixels.data()) : reinterpret_cast<Out*>(converted.data());
    for (std::size_t i = 0; i < f.size(); ++i) {
        out[i] = maskedOut(mask[i], good, bad) ? std::numeric_limits<Out>::quiet_NaN() : static_cast<Out>(in[i]);
    }
    if constexpr (!floating) {
        f.pixels = std::move(converted);
        f.type = PixelType::Float32;
    }
}

} // namespace

struct CxiFileSource::Impl {
    std::string path;
    CxiSourceOptions options;
    StackInfo info;
    h5::Handle file;
    h5::Handle data;
    std::vector<std::byte> block; ///< frames [blockStart, blockStart + blockFrames)
    std::int64_t blockStart = 0;
    std::int64_t blockFrames = 0;
    std::int64_t cursor = 0;
    std::optional<Error> failure; ///< sticky: after an error, next() keeps reporting it
    std::vector<double> energiesEv; ///< photon energy per frame, one for all, or none (CXI source_1/energy)
    detail::CxiMetadata::SourceIds ids; ///< train/pulse ids per frame (European XFEL), or none
    std::unique_ptr<detail::ChunkGuard> guard; ///< checks chunks the probe did not decode before HDF5 reads them
    h5::Handle frameMask; ///< the per-frame mask dataset (options.frameMaskDataset), when given
    std::vector<std::uint32_t> maskBlock; ///< its values for the frames of `block`

    Status openFrameMask()
    {
        const std::string& name = options.frameMaskDataset;
        const std::string at = path + ":" + name;
        frameMask = h5::dataset(H5Dopen2(file.get(), name.c_str(), H5P_DEFAULT));
        h5::Handle type = h5::type(frameMask ? H5Dget_type(frameMask.get()) : H5I_INVALID_HID);
        if (!frameMask || !type || H5Tget_class(type.get()) != H5T_INTEGER) {
            return Error { "the mask per frame " + at + " is not a readable integer dataset" };
        }
        std::vector<std::int64_t> dims;
        for (hsize_t d : h5::dims(frameMask.get())) {
            dims.push_back(static_cast<std::int64_t>(d));
        }
        if (dims != info.dims) {
            auto text = [](const std::vector<std::int64_t>& v) {
                std::string t;
                for (std::size_t i = 0; i < v.size(); ++i) {
                    t += (i ? " x " : "") + std::to_string(v[i]);
                }
                return t;
            };
            return Error { "the mask per frame " + at + " is " + text(dims) + ", the data " + text(info.dims)
                + "; they must match" };
        }
        return {};
    }
    PixelEncoding rawEncoding = PixelEncoding::Plain; ///< not Plain: frames are read as raw chunks of this encoding
    /// Frames read in place (PixelEncoding::InFile): the file holding the dataset, opened for positioned reads.
    std::shared_ptr<const OpenFile> inPlace;
    H5D_layout_t inPlaceLayout = H5D_LAYOUT_ERROR; ///< contiguous: frame i at inPlaceBase + i · slab bytes
    std::uint64_t inPlaceBase = 0; ///< contiguous: the data's offset; chunked: the file's user block

    Status openChecked(const StackInfo& validated)
    {
        h5::quiet();
        file = h5::file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
        if (!file) {
            return Error { path + " cannot be opened (" + h5::lastError() + ")" };
        }
        data = h5::dataset(H5Dopen2(file.get(), options.datasetPath.c_str(), H5P_DEFAULT));
        if (!data) {
            return Error { path + ":" + options.datasetPath + " cannot be opened (" + h5::lastError() + ")" };
        }
        // Re-check in-process: the file may have changed since the probe looked at it.
        auto checked = detail::checkDataset(data.get(), path, options.datasetPath, options.probe.limits);
        if (!checked) {
            return checked.error();
        }
        if (checked->dims != validated.dims || checked->slab != validated.slab) {
            return Error { path + " changed between validation and opening; open it again" };
        }
        info = *checked;
        info.framesRead = validated.framesRead;
        guard = std::make_unique<detail::ChunkGuard>(file.get(), data.get(), info, options.probe.limits);
        auto energies = detail::CxiMetadata::photonEnergiesEv(file.get(), info.frames);
        if (!energies) {
            return Error { path + ": " + energies.error().message };
        }
        energiesEv = std::move(*energies);
        auto ids = detail::CxiMetadata::sourceIds(file.get(), info.frames);
        if (!ids) {
            return Error { path + ": " + ids.error().message };
        }
        this->ids = std::move(*ids);
        if (!options.frameMaskDataset.empty()) {
            return openFrameMask(); // the mask applies to decoded pixels: HDF5 decodes, as for any layout
        }
        if (options.deferDecode) {
            rawEncoding = rawChunkEncoding();
            if (rawEncoding == PixelEncoding::Plain) {
                prepareInPlace();
            }
        }
        return {};
    }

    // Where the pixels lie uncompressed in the file in native byte order (contiguous storage, or one unfiltered
    // chunk per frame), frames are handed out as positions in the file (PixelEncoding::InFile) that the caller's
    // threads read with pread, in parallel and outside the HDF5 library. Any other layout is read by HDF5.
    void prepareInPlace()
    {
        const h5::Handle dcpl = h5::plist(H5Dget_create_plist(data.get()));
        if (!dcpl) {
            return;
        }
        const H5D_layout_t layout = H5Pget_layout(dcpl.get());
        if (layout == H5D_CONTIGUOUS) {
            if (H5Pget_external_count(dcpl.get()) != 0) {
                return;
            }
        } else if (layout != H5D_CHUNKED || H5Pget_nfilters(dcpl.get()) != 0 || !oneFramePerChunk(dcpl.get())) {
            return;
        }
        const h5::Handle fileType = h5::type(H5Dget_type(data.get()));
        if (!fileType || H5Tequal(fileType.get(), detail::memoryType(info.slab.type)) <= 0) {
            return; // another byte order or width: HDF5 converts
        }
        // The file that holds the dataset: the one opened, or an external link's target (NeXus masters).
        const h5::Handle owner = h5::file(H5Iget_file_id(data.get()));
        const ssize_t nameLength = owner ? H5Fget_name(owner.get(), nullptr, 0) : -1;
        if (nameLength <= 0) {
            return;
        }
        std::string name(static_cast<std::size_t>(nameLength), '\0');
        H5Fget_name(owner.get(), name.data(), name.size() + 1);
        const h5::Handle fcpl = h5::plist(H5Fget_create_plist(owner.get()));
        hsize_t userBlock = 0;
        if (!fcpl || H5Pget_userblock(fcpl.get(), &userBlock) < 0) {
            return;
        }
        auto opened = OpenFile::open(name);
        if (!opened) {
            return; // HDF5 reads it as usual
        }
        if (layout == H5D_CONTIGUOUS) {
            const haddr_t at = H5Dget_offset(data.get());
            const std::uint64_t end = userBlock + at + static_cast<std::uint64_t>(info.frames) * info.slab.bytes();
            if (at == HADDR_UNDEF || end > (*opened)->size()) {
                return; // not written (fill values) or shorter than its frames: HDF5 says what it finds
            }
            inPlaceBase = userBlock + at;
        } else {
            inPlaceBase = userBlock;
        }
        inPlace = std::move(*opened);
        inPlaceLayout = layout;
    }

    bool oneFramePerChunk(hid_t dcpl) const
    {
        std::vector<hsize_t> chunk(info.dims.size());
        if (H5Pget_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data()) != static_cast<int>(chunk.size())
            || chunk[0] != 1) {
            return false;
        }
        for (std::size_t d = 1; d < chunk.size(); ++d) {
            if (chunk[d] != static_cast<hsize_t>(info.dims[d])) {
                return false;
            }
        }
        return true;
    }

    // Frame `i` as its position in the file; false when its chunk was never written (HDF5 then gives the fill
    // value).
    Result<bool> locateInPlace(std::int64_t i, Frame& f)
    {
        if (Status s = guard->check(i); !s) {
            return Error { s.message() };
        }
        const std::uint64_t bytes = info.slab.bytes();
        if (inPlaceLayout == H5D_CONTIGUOUS) {
            f.fileOffset = inPlaceBase + static_cast<std::uint64_t>(i) * bytes;
        } else {
            std::vector<hsize_t> offset(info.dims.size(), 0);
            offset[0] = static_cast<hsize_t>(i);
            unsigned filterMask = 0;
            haddr_t at = HADDR_UNDEF;
            hsize_t stored = 0;
            if (H5Dget_chunk_info_by_coord(data.get(), offset.data(), &filterMask, &at, &stored) < 0) {
                return Error { path + ": frame " + std::to_string(i) + ": cannot locate its chunk ("
                    + h5::lastError() + ")" };
            }
            if (at == HADDR_UNDEF) {
                return false;
            }
            if (stored != bytes || inPlaceBase + at + bytes > inPlace->size()) {
                return Error { path + ": frame " + std::to_string(i) + ": its chunk of " + std::to_string(stored)
                    + " bytes at " + std::to_string(at) + " does not hold the frame's " + std::to_string(bytes)
                    + " bytes inside the file" };
            }
            f.fileOffset = inPlaceBase + at;
        }
        f.file = inPlace;
        f.encoding = PixelEncoding::InFile;
        return true;
    }

    // The encoding of the stack's chunks when each holds exactly one frame compressed by LZ4 (32004) or by
    // bitshuffle with LZ4 (32008), the only filter; Plain otherwise (HDF5 then reads as usual).
    PixelEncoding rawChunkEncoding() const
    {
        const h5::Handle dcpl = h5::plist(H5Dget_create_plist(data.get()));
        if (!dcpl || H5Pget_layout(dcpl.get()) != H5D_CHUNKED || H5Pget_nfilters(dcpl.get()) != 1
            || !oneFramePerChunk(dcpl.get())) {
            return PixelEncoding::Plain;
        }
        unsigned flags = 0;
        std::size_t nValues = 8;
        unsigned values[8] = {};
        unsigned config = 0;
        const H5Z_filter_t id = H5Pget_filter2(dcpl.get(), 0, &flags, &nValues, values, 0, nullptr, &config);
        if (id == 32004) {
            return PixelEncoding::Lz4;
        }
        // Bitshuffle's values: version (2), element size, block size, compression (2 = LZ4).
        if (id == 32008 && nValues >= 5 && values[4] == 2) {
            return PixelEncoding::BitshuffleLz4;
        }
        return PixelEncoding::Plain;
    }

    // Frame `i` as its stored chunk (no decoding here: the caller's threads do it).
    Status readRawChunk(std::int64_t i, Frame& f)
    {
        std::vector<hsize_t> offset(info.dims.size(), 0);
        offset[0] = static_cast<hsize_t>(i);
        hsize_t stored = 0;
        const std::size_t bytes = info.slab.bytes();
        if (H5Dget_chunk_storage_size(data.get(), offset.data(), &stored) < 0 || stored == 0
            || stored > 2 * bytes + (std::size_t(1) << 20)) {
            return Error { path + ": frame " + std::to_string(i) + ": no readable chunk (" + std::to_string(stored)
                + " bytes stored)" };
        }
        f.encoded.resize(static_cast<std::size_t>(stored));
        std::uint32_t skipped = 0;
        if (H5Dread_chunk(data.get(), H5P_DEFAULT, offset.data(), &skipped, f.encoded.data()) < 0) {
            return Error { path + ": frame " + std::to_string(i) + ": cannot read its chunk (" + h5::lastError()
                + ")" };
        }
        if (skipped != 0) { // the writer stored this chunk uncompressed
            f.pixels = std::move(f.encoded);
            f.encoded = {};
            f.encoding = PixelEncoding::Plain;
            if (f.pixels.size() != bytes) {
                return Error { path + ": frame " + std::to_string(i) + ": uncompressed chunk of "
                    + std::to_string(f.pixels.size()) + " bytes" };
            }
            return {};
        }
        f.encoding = rawEncoding;
        return {};
    }

    // Frame `i` of the stack's shape and pixel type, without pixels yet.
    Frame emptyFrame(std::int64_t i) const
    {
        Frame f;
        f.shotIndex = i;
        f.nSlow = info.slab.nSlow;
        f.nFast = info.slab.nFast;
        f.type = info.slab.type;
        return f;
    }

    // The frame's origin, photon energy and the facility's ids.
    void describe(Frame& f) const
    {
        const auto at = static_cast<std::size_t>(f.shotIndex);
        f.meta.origin = path + ":" + options.datasetPath + "[" + std::to_string(f.shotIndex) + "]";
        if (!energiesEv.empty()) {
            f.meta.photonEnergyEv = energiesEv[energiesEv.size() == 1 ? 0 : at];
        }
        if (!ids.series.empty()) {
            f.meta.seriesId = ids.series[at];
            f.meta.frameNumber = ids.frameNumber[at];
        }
        if (!ids.pulse.empty()) {
            f.meta.pulseId = ids.pulse[at];
        }
    }

    Status fillBlock(std::int64_t first)
    {
        const std::size_t slabBytes = info.slab.bytes();
        const auto perBlock = static_cast<std::int64_t>(std::max<std::size_t>(1, options.readBlockBytes / slabBytes));
        const std::int64_t count = std::min(perBlock, info.frames - first);
        for (std::int64_t i = first; i < first + count; ++i) {
            if (Status s = guard->check(i); !s) {
                return s;
            }
        }
        block.resize(static_cast<std::size_t>(count) * slabBytes);
        if (Status s = detail::readFrames(data.get(), info, first, count, block.data()); !s) {
            return s;
        }
        if (frameMask) {
            maskBlock.resize(static_cast<std::size_t>(count) * info.slab.pixels());
            StackInfo maskInfo = info;
            maskInfo.dataset = options.frameMaskDataset;
            if (Status s = detail::readFrames(frameMask.get(), maskInfo, first, count,
                    reinterpret_cast<std::byte*>(maskBlock.data()), H5T_NATIVE_UINT32);
                !s) {
                return s;
            }
        }
        blockStart = first;
        blockFrames = count;
        return {};
    }
};

CxiFileSource::CxiFileSource(std::unique_ptr<Impl> impl)
    : m(std::move(impl))
{
}

CxiFileSource::~CxiFileSource() = default;

Result<std::unique_ptr<CxiFileSource>> CxiFileSource::open(const std::string& path, const CxiSourceOptions& options)
{
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->options = options;
    StackInfo validated;
    if (options.validate) {
        auto verdict = FileProbe::validate(path, options.datasetPath, options.probe);
        if (!verdict) {
            return verdict.error();
        }
        validated = *verdict;
    }
    if (!options.validate) {
        // Trusted file: no probe, so take the in-process check as the reference.
        StackLimits noRead = options.probe.limits;
        noRead.fullReadBytes = 0;
        noRead.sampleFrames = 0;
        auto self = StackInspector::inspectFile(path, options.datasetPath, noRead);
        if (!self) {
            return self.error();
        }
        validated = *self;
    }
    if (Status s = impl->openChecked(validated); !s) {
        return Error { s.message() };
    }
    return std::unique_ptr<CxiFileSource>(new CxiFileSource(std::move(impl)));
}

Result<std::optional<Frame>> CxiFileSource::next()
{
    if (m->failure) {
        return *m->failure;
    }
    if (m->cursor >= m->info.frames) {
        return std::optional<Frame> {};
    }
    if (m->inPlace) {
        Frame f = m->emptyFrame(m->cursor);
        auto located = m->locateInPlace(m->cursor, f);
        if (!located) {
            m->failure = located.error();
            return *m->failure;
        }
        if (*located) {
            m->describe(f);
            ++m->cursor;
            return std::optional<Frame> { std::move(f) };
        }
        // A chunk never written: HDF5 reads its fill value below.
    }
    if (m->rawEncoding != PixelEncoding::Plain) {
        Frame f = m->emptyFrame(m->cursor);
        if (Status s = m->readRawChunk(m->cursor, f); !s) {
            m->failure = Error { s.message() };
            return *m->failure;
        }
        m->describe(f);
        ++m->cursor;
        return std::optional<Frame> { std::move(f) };
    }
    if (m->cursor < m->blockStart || m->cursor >= m->blockStart + m->blockFrames) {
        if (Status s = m->fillBlock(m->cursor); !s) {
            m->failure = Error { s.message() };
            return *m->failure;
        }
    }
    Frame f = m->emptyFrame(m->cursor);
    const std::size_t bytes = m->info.slab.bytes();
    const auto* from = m->block.data() + static_cast<std::size_t>(m->cursor - m->blockStart) * bytes;
    f.pixels.assign(from, from + bytes);
    if (m->frameMask) {
        const std::uint32_t* mask
            = m->maskBlock.data() + static_cast<std::size_t>(m->cursor - m->blockStart) * f.size();
        const auto good = m->options.frameMaskGood, bad = m->options.frameMaskBad;
        withPixelType(f.type, [&](auto v) { maskPixels<decltype(v)>(f, mask, good, bad); });
    }
    m->describe(f);
    ++m->cursor;
    return std::optional<Frame> { std::move(f) };
}

SlabShape CxiFileSource::shape() const
{
    SlabShape s = m->info.slab;
    if (m->frameMask && s.type != PixelType::Float64) {
        s.type = PixelType::Float32; // masked pixels are NaN
    }
    return s;
}

std::optional<std::int64_t> CxiFileSource::totalFrames() const { return m->info.frames; }

std::string CxiFileSource::description() const
{
    std::string dims;
    for (std::size_t i = 0; i < m->info.dims.size(); ++i) {
        dims += (i ? " × " : "") + std::to_string(m->info.dims[i]);
    }
    return "CXI file " + m->path + ":" + m->options.datasetPath + " (" + dims + " " + pixelTypeName(m->info.slab.type)
        + ")";
}

Status CxiFileSource::seek(std::int64_t shotIndex)
{
    if (shotIndex < 0 || shotIndex > m->info.frames) {
        return Error { m->path + ": cannot seek to frame " + std::to_string(shotIndex) + " of "
            + std::to_string(m->info.frames) };
    }
    m->cursor = shotIndex;
    return {};
}

const StackInfo& CxiFileSource::info() const { return m->info; }

bool CxiFileSource::defersDecode() const { return m->rawEncoding != PixelEncoding::Plain; }

bool CxiFileSource::readsInPlace() const { return m->inPlace != nullptr; }

} // namespace fxs
