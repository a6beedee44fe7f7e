#include <fxs/sources/GeomDataReader.h>

#include <fxs/hdf5/Hdf5Util.h>

namespace fxs {

namespace {

// A value per frame of a long run is at most a few million numbers; more is a wrong path, not metadata.
constexpr hsize_t kMaxValues = hsize_t(1) << 26;

// True when the dataset's first dimension may still grow (a per-frame value of a file being written).
bool extendible(hid_t ds)
{
    h5::Handle space = h5::space(H5Dget_space(ds));
    const int rank = space ? H5Sget_simple_extent_ndims(space.get()) : -1;
    if (rank < 1) {
        return false;
    }
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank)), maxDims(static_cast<std::size_t>(rank));
    H5Sget_simple_extent_dims(space.get(), dims.data(), maxDims.data());
    return maxDims[0] == H5S_UNLIMITED || maxDims[0] > dims[0];
}

Result<std::vector<double>> readValues(
    hid_t file, const std::string& fileName, const std::string& path, bool swmr, bool* growing)
{
    const std::string what = fileName + ":" + path;
    h5::Handle ds = h5::dataset(H5Dopen2(file, path.c_str(), H5P_DEFAULT));
    if (!ds) {
        return Error { what + ": cannot open the dataset (" + h5::lastError() + ")" };
    }
    if (swmr) {
        // The file may already be open in this process (LiveFileSource): its cached extent can be old.
        H5Drefresh(ds.get());
    }
    h5::Handle type = h5::type(H5Dget_type(ds.get()));
    const H5T_class_t cls = type ? H5Tget_class(type.get()) : H5T_NO_CLASS;
    if (cls != H5T_INTEGER && cls != H5T_FLOAT) {
        return Error { what + ": expected a number or one number per frame, the dataset is not numeric" };
    }
    const auto dims = h5::dims(ds.get());
    *growing = extendible(ds.get());
    hsize_t n = 1;
    for (std::size_t i = 0; i < dims.size(); ++i) {
        // Only the first dimension may count frames: (), (N) or (N, 1).
        if (i > 0 && dims[i] != 1) {
            return Error { what + ": expected a number or one number per frame, the dataset has rank "
                + std::to_string(dims.size()) };
        }
        n *= dims[i];
    }
    if ((n == 0 && !*growing) || n > kMaxValues) {
        return Error { what + ": holds " + std::to_string(n) + " values (expected 1, or one per frame)" };
    }
    if (n == 0) {
        return std::vector<double> {}; // a live file's per-frame value before its first frame
    }
    std::vector<double> out(static_cast<std::size_t>(n));
    if (H5Dread(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0) {
        return Error { what + ": cannot read (" + h5::lastError() + ")" };
    }
    return out;
}

} // namespace

Result<GeomDataValues> GeomDataReader::read(
    const std::string& fileName, const std::vector<std::string>& paths, std::vector<std::string>* growing)
{
    GeomDataValues out;
    if (paths.empty()) {
        return out;
    }
    h5::quiet();
    h5::Handle file = h5::file(H5Fopen(fileName.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    if (!file) { // a live file being written is open to SWMR readers only
        file = h5::file(H5Fopen(fileName.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, H5P_DEFAULT));
    }
    // Opened in this process already as a SWMR reader (LiveFileSource), the file shares its metadata cache.
    unsigned intent = 0;
    const bool swmr = file && H5Fget_intent(file.get(), &intent) >= 0 && (intent & H5F_ACC_SWMR_READ) != 0;
    if (!file) {
        return Error { fileName + ": cannot open as HDF5 (" + h5::lastError() + ")" };
    }
    for (const auto& path : paths) {
        if (!h5::linkExists(file.get(), path)) {
            continue;
        }
        bool grows = false;
        auto v = readValues(file.get(), fileName, path, swmr, &grows);
        if (!v) {
            return v.error();
        }
        if (grows && growing) {
            growing->push_back(path);
        }
        out.emplace(path, std::move(*v));
    }
    return out;
}

} // namespace fxs
