#include <fxs/results/CxiWriter.h>

#include <fxs/hdf5/Hdf5Util.h>
#include <fxs/sources/StackCheck.h>

#include <array>

namespace fxs {

namespace {

constexpr H5Z_filter_t kLz4Filter = 32004;
constexpr const char* kStatePath = "/fxs_live/state";

} // namespace

struct CxiWriter::Impl {
    std::string path;
    SlabShape shape;
    CxiWriterOptions options;
    h5::Handle file;
    h5::Handle data;
    h5::Handle state;
    std::int64_t frames = 0;
    bool closed = false;

    std::vector<hsize_t> frameDims() const
    {
        if (options.modules > 1) {
            return { static_cast<hsize_t>(options.modules), static_cast<hsize_t>(shape.nSlow / options.modules),
                static_cast<hsize_t>(shape.nFast) };
        }
        return { static_cast<hsize_t>(shape.nSlow), static_cast<hsize_t>(shape.nFast) };
    }

    Status fail(const std::string& what) const { return Error { path + ": " + what + " (" + h5::lastError() + ")" }; }

    Status writeState(bool writerClosed)
    {
        const std::array<std::int64_t, 2> v { frames, writerClosed ? 1 : 0 };
        if (H5Dwrite(state.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0) {
            return fail("cannot update " + std::string(kStatePath));
        }
        if (options.flushEachFrame || writerClosed) {
            if (H5Dflush(state.get()) < 0) {
                return fail("cannot flush " + std::string(kStatePath));
            }
        }
        return {};
    }

    Status createStack()
    {
        std::vector<hsize_t> dims { 0 }, maxDims { H5S_UNLIMITED }, chunk { 1 };
        for (hsize_t d : frameDims()) {
            dims.push_back(d);
            maxDims.push_back(d);
            chunk.push_back(d);
        }
        h5::Handle space = h5::space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), maxDims.data()));
        h5::Handle dcpl = h5::plist(H5Pcreate(H5P_DATASET_CREATE));
        H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data());
        if (options.lz4) {
            if (H5Zfilter_avail(kLz4Filter) <= 0) {
                return Error { path
                    + ": LZ4 compression asked for, but the HDF5 LZ4 filter (32004) is not installed "
                      "(Debian package hdf5-filter-plugin)" };
            }
            H5Pset_filter(dcpl.get(), kLz4Filter, H5Z_FLAG_MANDATORY, 0, nullptr);
        }
        const hid_t fileType = detail::memoryType(shape.type);
        if (!h5::createParents(file.get(), options.datasetPath)) {
            return fail("cannot create the groups of " + options.datasetPath);
        }
        data = h5::dataset(H5Dcreate2(
            file.get(), options.datasetPath.c_str(), fileType, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT));
        return data ? Status {} : fail("cannot create dataset " + options.datasetPath);
    }

    Status createState()
    {
        const hsize_t two = 2;
        h5::Handle space = h5::space(H5Screate_simple(1, &two, &two));
        h5::Handle dcpl = h5::plist(H5Pcreate(H5P_DATASET_CREATE));
        // Chunked so that H5Dflush publishes it to SWMR readers like the stack itself.
        H5Pset_chunk(dcpl.get(), 1, &two);
        if (!h5::createParents(file.get(), kStatePath)) {
            return fail("cannot create /fxs_live");
        }
        state = h5::dataset(
            H5Dcreate2(file.get(), kStatePath, H5T_STD_I64LE, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT));
        return state ? writeState(false) : fail("cannot create " + std::string(kStatePath));
    }

    Status createFile()
    {
        h5::quiet();
        h5::Handle fapl = h5::plist(H5Pcreate(H5P_FILE_ACCESS));
        if (options.swmr) {
            H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
        }
        file = h5::file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()));
        if (!file) {
            return fail("cannot create the file");
        }
        h5::Handle scalar = h5::space(H5Screate(H5S_SCALAR));
        h5::Handle version = h5::dataset(
            H5Dcreate2(file.get(), "cxi_version", H5T_STD_I32LE, scalar.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        const int cxiVersion = 150;
        if (!version || H5Dwrite(version.get(), H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, &cxiVersion) < 0) {
            return fail("cannot write cxi_version");
        }
        if (Status s = createStack(); !s) {
            return s;
        }
        if (Status s = createState(); !s) {
            return s;
        }
        if (options.swmr && H5Fstart_swmr_write(file.get()) < 0) {
            return fail("cannot start SWMR writing");
        }
        return {};
    }
};

CxiWriter::CxiWriter(std::unique_ptr<Impl> impl)
    : m(std::move(impl))
{
}

CxiWriter::~CxiWriter() { close(); }

Result<std::unique_ptr<CxiWriter>> CxiWriter::create(
    const std::string& path, const SlabShape& shape, const CxiWriterOptions& options)
{
    if (shape.nSlow < 1 || shape.nFast < 1 || options.modules < 1 || shape.nSlow % options.modules != 0) {
        return Error { path + ": cannot write frames of " + std::to_string(shape.nSlow) + " × "
            + std::to_string(shape.nFast) + " pixels in " + std::to_string(options.modules) + " module(s)" };
    }
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->shape = shape;
    impl->options = options;
    if (Status s = impl->createFile(); !s) {
        return Error { s.message() };
    }
    return std::unique_ptr<CxiWriter>(new CxiWriter(std::move(impl)));
}

Status CxiWriter::append(const Frame& frame)
{
    if (m->closed) {
        return Error { m->path + ": the writer is already closed" };
    }
    if (frame.nSlow != m->shape.nSlow || frame.nFast != m->shape.nFast || frame.type != m->shape.type
        || frame.pixels.size() != m->shape.bytes()) {
        return Error { m->path + ": frame " + std::to_string(frame.shotIndex) + " is " + std::to_string(frame.nSlow)
            + " × " + std::to_string(frame.nFast) + " " + pixelTypeName(frame.type) + ", the stack holds "
            + std::to_string(m->shape.nSlow) + " × " + std::to_string(m->shape.nFast) + " "
            + pixelTypeName(m->shape.type) };
    }
    std::vector<hsize_t> dims { static_cast<hsize_t>(m->frames + 1) }, start { static_cast<hsize_t>(m->frames) },
        count { 1 };
    for (hsize_t d : m->frameDims()) {
        dims.push_back(d);
        start.push_back(0);
        count.push_back(d);
    }
    if (H5Dset_extent(m->data.get(), dims.data()) < 0) {
        return m->fail("cannot extend " + m->options.datasetPath);
    }
    h5::Handle fileSpace = h5::space(H5Dget_space(m->data.get()));
    h5::Handle memSpace = h5::space(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr));
    if (H5Sselect_hyperslab(fileSpace.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr) < 0
        || H5Dwrite(m->data.get(), detail::memoryType(m->shape.type), memSpace.get(), fileSpace.get(), H5P_DEFAULT,
               frame.pixels.data())
            < 0) {
        return m->fail("cannot write frame " + std::to_string(m->frames));
    }
    if (m->options.flushEachFrame && H5Dflush(m->data.get()) < 0) {
        return m->fail("cannot flush frame " + std::to_string(m->frames));
    }
    ++m->frames;
    return m->writeState(false);
}

Status CxiWriter::close()
{
    if (m->closed) {
        return {};
    }
    m->closed = true;
    Status s = m->writeState(true);
    m->data.reset();
    m->state.reset();
    if (!m->file.reset() && s) {
        s = Error { m->path + ": closing the file failed (" + h5::lastError() + ")" };
    }
    return s;
}

std::int64_t CxiWriter::framesWritten() const { return m->frames; }

const std::string& CxiWriter::path() const { return m->path; }

} // namespace fxs
