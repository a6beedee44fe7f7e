#include "CxiMetadata.h"

#include <fxs/hdf5/Hdf5Util.h>

#include <string>

namespace fxs::detail {

namespace {

constexpr double kJoulePerEv = 1.602176634e-19;
constexpr std::int64_t kMaxValues = 10'000'000; // a metadata column larger than this is ignored, not read

// One integer per frame from `path`: empty when absent or of another shape (ignored rather than guessed).
Result<std::vector<std::int64_t>> idColumn(hid_t file, const char* path, std::int64_t frames)
{
    if (!h5::linkExists(file, path) || frames > kMaxValues) {
        return std::vector<std::int64_t> {};
    }
    h5::Handle d = h5::dataset(H5Dopen2(file, path, H5P_DEFAULT));
    h5::Handle type = h5::type(d ? H5Dget_type(d.get()) : H5I_INVALID_HID);
    if (!d || !type || H5Tget_class(type.get()) != H5T_INTEGER) {
        return Error { std::string(path) + " is not a readable integer dataset" };
    }
    const std::vector<hsize_t> dims = h5::dims(d.get());
    if (dims.size() != 1 || static_cast<std::int64_t>(dims[0]) != frames) {
        return std::vector<std::int64_t> {};
    }
    std::vector<std::int64_t> v(static_cast<std::size_t>(frames));
    if (H5Dread(d.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0) {
        return Error { std::string(path) + " cannot be read (" + h5::lastError() + ")" };
    }
    return v;
}

} // namespace

Result<CxiMetadata::SourceIds> CxiMetadata::sourceIds(hid_t file, std::int64_t frames)
{
    SourceIds ids;
    auto trains = idColumn(file, kTrainIdPath, frames);
    auto pulses = trains ? idColumn(file, kPulseIdPath, frames) : trains;
    if (!pulses) {
        return pulses.error();
    }
    ids.series = std::move(*trains);
    ids.pulse = std::move(*pulses);
    ids.frameNumber.resize(ids.series.size());
    for (std::size_t i = 0; i < ids.series.size(); ++i) {
        ids.frameNumber[i] = i > 0 && ids.series[i] == ids.series[i - 1] ? ids.frameNumber[i - 1] + 1 : 0;
    }
    return ids;
}

Result<std::vector<double>> CxiMetadata::photonEnergiesEv(hid_t file, std::int64_t frames)
{
    if (!h5::linkExists(file, kEnergyPath)) {
        return std::vector<double> {};
    }
    h5::Handle d = h5::dataset(H5Dopen2(file, kEnergyPath, H5P_DEFAULT));
    h5::Handle type = h5::type(d ? H5Dget_type(d.get()) : H5I_INVALID_HID);
    if (!d || !type || (H5Tget_class(type.get()) != H5T_FLOAT && H5Tget_class(type.get()) != H5T_INTEGER)) {
        return Error { std::string(kEnergyPath) + " is not a readable numeric dataset" };
    }
    const std::vector<hsize_t> dims = h5::dims(d.get());
    const bool scalar = dims.empty() || (dims.size() == 1 && dims[0] == 1);
    const bool perFrame = dims.size() == 1 && static_cast<std::int64_t>(dims[0]) == frames;
    if ((!scalar && !perFrame) || frames > kMaxValues) {
        return std::vector<double> {}; // not a shape we understand: ignore rather than guess
    }
    std::vector<double> v(scalar ? 1 : static_cast<std::size_t>(frames));
    if (H5Dread(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0) {
        return Error { std::string(kEnergyPath) + " cannot be read (" + h5::lastError() + ")" };
    }
    for (double& e : v) {
        e = e > 1.0 ? e : e / kJoulePerEv;
    }
    return v;
}

} // namespace fxs::detail
