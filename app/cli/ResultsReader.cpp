#include "ResultsReader.h"

#include <complex>
#include <fxs/hdf5/Hdf5Util.h>

namespace fxs::cli {

namespace {

using h5::Handle;

Result<DoubleArray> readDoubles(hid_t file, const std::string& name, const std::string& fileName)
{
    if (!h5::linkExists(file, name)) {
        return Error { fileName + ": dataset " + name + " is missing" };
    }
    Handle d = h5::dataset(H5Dopen2(file, name.c_str(), H5P_DEFAULT));
    Handle s = h5::space(H5Dget_space(d.get()));
    const int rank = H5Sget_simple_extent_ndims(s.get());
    if (!d || rank < 0 || rank > 8) {
        return Error { fileName + ": dataset " + name + " cannot be read" };
    }
    hsize_t dims[8] = {};
    H5Sget_simple_extent_dims(s.get(), dims, nullptr);
    DoubleArray a;
    std::size_t n = 1;
    for (int i = 0; i < rank; ++i) {
        a.dims.push_back(static_cast<std::int64_t>(dims[i]));
        n *= dims[i];
    }
    a.values.resize(n);
    if (n > 0 && H5Dread(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, a.values.data()) < 0) {
        return Error { fileName + ": dataset " + name + " is not numeric" };
    }
    return a;
}

Result<std::vector<std::complex<double>>> readComplex(hid_t file, const std::string& name, const std::string& f)
{
    if (!h5::linkExists(file, name)) {
        return Error { f + ": dataset " + name + " is missing" };
    }
    Handle d = h5::dataset(H5Dopen2(file, name.c_str(), H5P_DEFAULT));
    Handle s = h5::space(H5Dget_space(d.get()));
    const hssize_t n = H5Sget_simple_extent_npoints(s.get());
    Handle t = h5::type(H5Tcreate(H5T_COMPOUND, sizeof(std::complex<double>)));
    H5Tinsert(t.get(), "r", 0, H5T_NATIVE_DOUBLE);
    H5Tinsert(t.get(), "i", sizeof(double), H5T_NATIVE_DOUBLE);
    std::vector<std::complex<double>> v(static_cast<std::size_t>(std::max<hssize_t>(0, n)));
    if (!d || n < 0 || (n > 0 && H5Dread(d.get(), t.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0)) {
        return Error { f + ": dataset " + name + " is not a complex {r, i} array" };
    }
    return v;
}

std::int64_t intAttribute(hid_t obj, const char* name, bool& ok)
{
    std::int64_t v = 0;
    if (H5Aexists(obj, name) <= 0) {
        ok = false;
        return 0;
    }
    Handle a = h5::attribute(H5Aopen(obj, name, H5P_DEFAULT));
    ok = ok && H5Aread(a.get(), H5T_NATIVE_INT64, &v) >= 0;
    return v;
}

std::string stringDataset(hid_t file, const std::string& name)
{
    if (!h5::linkExists(file, name)) {
        return {};
    }
    Handle d = h5::dataset(H5Dopen2(file, name.c_str(), H5P_DEFAULT));
    Handle t = h5::type(H5Dget_type(d.get()));
    if (H5Tget_class(t.get()) != H5T_STRING) {
        return {};
    }
    if (H5Tis_variable_str(t.get()) > 0) {
        char* p = nullptr;
        Handle mt = h5::type(H5Tcopy(H5T_C_S1));
        H5Tset_size(mt.get(), H5T_VARIABLE);
        H5Tset_cset(mt.get(), H5T_CSET_UTF8);
        if (H5Dread(d.get(), mt.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &p) < 0 || p == nullptr) {
            return {};
        }
        std::string s(p);
        H5free_memory(p);
        return s;
    }
    std::string s(H5Tget_size(t.get()), '\0');
    H5Dread(d.get(), t.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, s.data());
    return s.substr(0, s.find('\0'));
}

Status readSums(hid_t file, const std::string& f, C2Sums& sums)
{
    if (!h5::linkExists(file, "/sums")) {
        return Error { f + ": group /sums is missing (not an fxs results file, or written without sums)" };
    }
    Handle g = h5::group(H5Gopen2(file, "/sums", H5P_DEFAULT));
    bool ok = true;
    const auto nQ = intAttribute(g.get(), "n_q", ok);
    const auto nPhi = intAttribute(g.get(), "n_phi", ok);
    const auto nMax = intAttribute(g.get(), "n_max", ok);
    const auto ring = intAttribute(g.get(), "ring_mean_subtracted", ok);
    const auto even = intAttribute(g.get(), "shots_even", ok);
    const auto odd = intAttribute(g.get(), "shots_odd", ok);
    if (!ok || nQ <= 0 || nPhi < 4 || nMax < 0 || nMax > nPhi / 2 || nQ > 100000 || nPhi > 100000) {
        return Error { f + ": /sums has missing or unusable attributes n_q, n_phi, n_max, shots_even, shots_odd" };
    }
    sums = C2Sums::zeros(static_cast<int>(nQ), static_cast<int>(nPhi), static_cast<int>(nMax), ring != 0);
    sums.shots[0] = even;
    sums.shots[1] = odd;
    const char* names[4] = { "/sums/signal_even", "/sums/signal_odd", "/sums/mask_even", "/sums/mask_odd" };
    std::vector<std::complex<double>>* targets[4] = { &sums.signal[0], &sums.signal[1], &sums.mask[0], &sums.mask[1] };
    for (int i = 0; i < 4; ++i) {
        auto v = readComplex(file, names[i], f);
        if (!v) {
            return Error { v.error().message };
        }
        if (v->size() != targets[i]->size()) {
            return Error { f + ": dataset " + names[i] + " does not match n_q, n_phi, n_max of /sums" };
        }
        *targets[i] = std::move(*v);
    }
    auto wi = readDoubles(file, "/sums/weighted_intensity", f);
    auto ws = readDoubles(file, "/sums/weight_sum", f);
    if (!wi || !ws || wi->values.size() != sums.weightedIntensity.size()
        || ws->values.size() != sums.weightSum.size()) {
        return Error { f + ": /sums/weighted_intensity or /sums/weight_sum is missing or of the wrong size" };
    }
    sums.weightedIntensity = std::move(wi->values);
    sums.weightSum = std::move(ws->values);
    // Schema 2: the squares behind the standard errors; files of schema 1 have none (sums without error bars).
    if (h5::linkExists(file, "/sums/squares")) {
        auto sq = readDoubles(file, "/sums/squares", f);
        if (!sq || sq->values.size() != sums.signal[0].size()) {
            return Error { f + ": /sums/squares does not match n_q, n_max of /sums" };
        }
        sums.squares = std::move(sq->values);
    }
    return {};
}

void readOptional(hid_t file, const std::string& f, StoredRun& r)
{
    if (auto inv = readDoubles(file, "/analysis/invariants/B_l", f)) {
        auto q = readDoubles(file, "/analysis/invariants/q_inv_angstrom", f);
        if (q && inv->dims.size() == 3 && inv->dims[1] == static_cast<std::int64_t>(q->values.size())) {
            KamInvariants k = KamInvariants::zeros(q->values, 2 * (static_cast<int>(inv->dims[0]) - 1));
            k.b = std::move(inv->values);
            k.wavelengthA = r.wavelengthA;
            r.invariants = std::move(k);
        }
    }
    if (auto c = readDoubles(file, "/analysis/convergence", f); c && c->dims.size() == 2 && c->dims[0] == 2) {
        const auto n = static_cast<std::size_t>(c->dims[1]);
        r.convergenceShots.assign(c->values.begin(), c->values.begin() + n);
        r.convergenceCC.assign(c->values.begin() + n, c->values.end());
    }
    if (auto d = readDoubles(file, "/analysis/density", f); d && d->dims.size() == 3) {
        r.densityN = static_cast<int>(d->dims[0]);
        r.density.assign(d->values.begin(), d->values.end());
        if (auto v = readDoubles(file, "/analysis/density_voxel_A", f); v && !v->values.empty()) {
            r.densityVoxelA = v->values[0];
        }
    }
}
} // namespace

Result<DoubleArray> readDoubleArray(const std::string& path, const std::string& dataset)
{
    h5::quiet();
    Handle file = h5::file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    if (!file) {
        return Error { path + ": cannot open as HDF5" };
    }
    return readDoubles(file.get(), dataset, path);
}

Result<StoredRun> readResults(const std::string& path)
{
    h5::quiet();
    if (H5Fis_hdf5(path.c_str()) <= 0) {
        return Error { path + ": not an HDF5 file (or missing)" };
    }
    Handle file = h5::file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    if (!file) {
        return Error { path + ": cannot open as HDF5" };
    }
    StoredRun r;
    if (auto st = readSums(file.get(), path, r.sums); !st) {
        return Error { st.message() };
    }
    auto grid = readDoubles(file.get(), "/analysis/polar_grid", path);
    if (!grid || grid->values.size() != 5) {
        return Error { path + ": /analysis/polar_grid is missing (a results file written by fxs has it)" };
    }
    r.grid = { static_cast<int>(grid->values[0]), static_cast<int>(grid->values[1]), grid->values[2], grid->values[3] };
    r.wavelengthA = grid->values[4];
    if (r.grid.nQ != r.sums.nQ || r.grid.nPhi != r.sums.nPhi || !r.grid.valid()) {
        return Error { path + ": /analysis/polar_grid does not match /sums" };
    }
    r.configuration = stringDataset(file.get(), "/run/configuration");
    r.geometry = stringDataset(file.get(), "/run/geometry");
    readOptional(file.get(), path, r);
    return r;
}

} // namespace fxs::cli
