#include <fxs/results/ResultsFile.h>

#include <algorithm>

#include <fxs/hdf5/Hdf5Util.h>
#include <fxs/core/Version.h>

#include <chrono>
#include <ctime>

namespace fxs {

namespace {

using Dims = std::vector<hsize_t>;

constexpr const char* kReshape = "reshape"; // overwrite(): the dataset must be re-created

std::string utcNow()
{
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm {};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::size_t product(const Dims& d)
{
    std::size_t n = 1;
    for (hsize_t v : d) {
        n *= static_cast<std::size_t>(v);
    }
    return n;
}

// Complex numbers as the compound {r, i} that h5py and most readers map to complex128.
h5::Handle complexType()
{
    h5::Handle t = h5::type(H5Tcreate(H5T_COMPOUND, 2 * sizeof(double)));
    H5Tinsert(t.get(), "r", 0, H5T_IEEE_F64LE);
    H5Tinsert(t.get(), "i", sizeof(double), H5T_IEEE_F64LE);
    return t;
}

h5::Handle stringType()
{
    h5::Handle t = h5::type(H5Tcopy(H5T_C_S1));
    H5Tset_size(t.get(), H5T_VARIABLE);
    H5Tset_cset(t.get(), H5T_CSET_UTF8);
    return t;
}

} // namespace

struct ResultsFile::Impl {
    std::string path;
    h5::Handle file;

    Status fail(const std::string& what) const { return Error { path + ": " + what + " (" + h5::lastError() + ")" }; }

    // Rewrites an existing dataset of the same type and shape in place: deleting and re-creating it would leave
    // its old space unused in the file, which would then grow with every snapshot of a long run.
    Status overwrite(const std::string& name, hid_t fileType, hid_t memType, const Dims& dims, const void* data)
    {
        h5::Handle d = h5::dataset(H5Dopen2(file.get(), name.c_str(), H5P_DEFAULT));
        h5::Handle t = h5::type(d ? H5Dget_type(d.get()) : H5I_INVALID_HID);
        h5::Handle space = h5::space(d ? H5Dget_space(d.get()) : H5I_INVALID_HID);
        if (!t || !space || H5Tequal(t.get(), fileType) <= 0 || h5::dims(d.get()) != dims
            || (dims.empty() != (H5Sget_simple_extent_type(space.get()) == H5S_SCALAR))) {
            return Error { kReshape };
        }
        if (product(dims) > 0 && H5Dwrite(d.get(), memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
            return fail("cannot write " + name);
        }
        return {};
    }

    Status write(const std::string& name, hid_t fileType, hid_t memType, const Dims& dims, const void* data)
    {
        if (!file) {
            return Error { path + ": the results file is closed" };
        }
        if (h5::linkExists(file.get(), name)) {
            if (Status s = overwrite(name, fileType, memType, dims, data); s || s.message() != kReshape) {
                return s;
            }
            if (H5Ldelete(file.get(), name.c_str(), H5P_DEFAULT) < 0) {
                return fail("cannot replace " + name);
            }
        }
        if (!h5::createParents(file.get(), name)) {
            return fail("cannot create the groups of " + name);
        }
        h5::Handle space
            = h5::space(dims.empty() ? H5Screate(H5S_SCALAR)
                                     : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
        h5::Handle d = h5::dataset(
            H5Dcreate2(file.get(), name.c_str(), fileType, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        if (!d || (product(dims) > 0 && H5Dwrite(d.get(), memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)) {
            return fail("cannot write " + name);
        }
        return {};
    }

    // Drops a dataset an earlier refresh wrote that the run no longer has (e.g. standard errors lost in a merge
    // with sums that had no squares): it must not stay behind as if current.
    Status remove(const std::string& name)
    {
        if (file && h5::linkExists(file.get(), name) && H5Ldelete(file.get(), name.c_str(), H5P_DEFAULT) < 0) {
            return fail("cannot remove the stale " + name);
        }
        return {};
    }

    Status doubles(const std::string& name, const std::vector<double>& v, const Dims& dims)
    {
        if (v.empty()) {
            return {}; // optional parts (e.g. no inter-shot term) are simply absent
        }
        if (v.size() != product(dims)) {
            return Error { path + ": " + name + " has " + std::to_string(v.size()) + " values, its shape needs "
                + std::to_string(product(dims)) };
        }
        return write(name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, dims, v.data());
    }

    Status complexes(const std::string& name, const std::vector<std::complex<double>>& v, const Dims& dims)
    {
        if (v.empty()) {
            return {};
        }
        if (v.size() != product(dims)) {
            return Error { path + ": " + name + " has " + std::to_string(v.size()) + " values, its shape needs "
                + std::to_string(product(dims)) };
        }
        h5::Handle t = complexType();
        return write(name, t.get(), t.get(), dims, v.data());
    }

    Status strings(const std::string& name, const std::vector<std::string>& v, bool scalar = false)
    {
        std::vector<const char*> p;
        for (const auto& s : v) {
            p.push_back(s.c_str());
        }
        h5::Handle t = stringType();
        return write(name, t.get(), t.get(), scalar ? Dims {} : Dims { v.size() }, p.data());
    }

    Status attributes(const std::string& group, const std::vector<std::pair<const char*, std::int64_t>>& values)
    {
        h5::Handle g = h5::group(H5Gopen2(file.get(), group.c_str(), H5P_DEFAULT));
        for (const auto& [key, value] : values) {
            if (!g || !h5::writeIntAttribute(g.get(), key, value)) {
                return fail("cannot write attribute " + group + "@" + key);
            }
        }
        return {};
    }

    Status doubleAttribute(const std::string& group, const char* key, double value)
    {
        h5::Handle g = h5::group(H5Gopen2(file.get(), group.c_str(), H5P_DEFAULT));
        h5::Handle s = h5::space(H5Screate(H5S_SCALAR));
        if (g && H5Aexists(g.get(), key) > 0) {
            H5Adelete(g.get(), key);
        }
        h5::Handle a
            = h5::attribute(g ? H5Acreate2(g.get(), key, H5T_IEEE_F64LE, s.get(), H5P_DEFAULT, H5P_DEFAULT) : -1);
        if (!a || H5Awrite(a.get(), H5T_NATIVE_DOUBLE, &value) < 0) {
            return fail("cannot write attribute " + group + "@" + key);
        }
        return {};
    }
};

ResultsFile::ResultsFile(std::unique_ptr<Impl> impl)
    : m(std::move(impl))
{
}

ResultsFile::~ResultsFile() { close(); }

Result<std::unique_ptr<ResultsFile>> ResultsFile::create(const std::string& path)
{
    h5::quiet();
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->file = h5::file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    if (!impl->file) {
        return Error { "cannot create the results file " + path + " (" + h5::lastError() + ")" };
    }
    const hid_t root = impl->file.get();
    if (!h5::writeIntAttribute(root, "schema_version", kSchemaVersion)
        || !h5::writeStringAttribute(root, "format", "fxs-results")
        || !h5::writeStringAttribute(root, "software_version", std::string(versionString()))
        || !h5::writeStringAttribute(root, "created_utc", utcNow())) {
        return Error { "cannot write the root attributes of " + path + " (" + h5::lastError() + ")" };
    }
    return std::unique_ptr<ResultsFile>(new ResultsFile(std::move(impl)));
}

Status ResultsFile::writeSnapshot(const C2Snapshot& s)
{
    const auto nQ = static_cast<hsize_t>(s.nQ), nPhi = static_cast<hsize_t>(s.nPhi);
    const Dims cube { nQ, nQ, nPhi }, image { nQ, nPhi };
    for (const char* name : { "/c2/c2_std_error", "/c2/fourier_std_error" }) {
        if (Status st = s.hasStdError() ? Status {} : m->remove(name); !st) {
            return st;
        }
    }
    for (const auto& [name, v, dims] : { std::tuple { "/c2/c2", &s.c2, cube },
             { "/c2/mask_correlation", &s.maskCorrelation, cube }, { "/c2/mean_image", &s.meanImage, image },
             { "/c2/c2_inter", &s.c2Inter, cube }, { "/c2/c2_difference", &s.c2Difference, cube },
             { "/c2/c2_std_error", &s.c2StdError, cube },
             { "/c2/fourier_std_error", &s.fourierStdError, Dims { static_cast<hsize_t>(s.nMax + 1), nQ, nQ } },
             { "/c2/split_half_cc_per_q", &s.splitHalfCCPerQ, Dims { nQ } } }) {
        if (Status st = m->doubles(name, *v, dims); !st) {
            return st;
        }
    }
    if (!s.flags.empty()) {
        if (s.flags.size() != product(cube)) {
            return Error { m->path + ": /c2/flags has the wrong size" };
        }
        if (Status st = m->write("/c2/flags", H5T_STD_U8LE, H5T_NATIVE_UINT8, cube, s.flags.data()); !st) {
            return st;
        }
    }
    if (Status st = m->complexes("/c2/fourier", s.fourier, { static_cast<hsize_t>(s.nMax + 1), nQ, nQ }); !st) {
        return st;
    }
    if (Status st = m->attributes("/c2",
            { { "n_q", s.nQ }, { "n_phi", s.nPhi }, { "n_max", s.nMax }, { "shots", s.shots },
                { "shots_even", s.shotsHalf[0] }, { "shots_odd", s.shotsHalf[1] },
                { "ring_mean_subtracted", s.ringMeanSubtracted ? 1 : 0 } });
        !st) {
        return st;
    }
    if (Status st = m->doubleAttribute("/c2", "mask_threshold", s.maskThreshold); !st) {
        return st;
    }
    return m->doubleAttribute("/c2", "split_half_cc", s.splitHalfCC);
}

Status ResultsFile::writeSums(const C2Sums& s)
{
    const auto nQ = static_cast<hsize_t>(s.nQ);
    const Dims spectra { static_cast<hsize_t>(s.nFreq()), nQ, nQ }, image { nQ, static_cast<hsize_t>(s.nPhi) };
    const Dims maskSpectra { static_cast<hsize_t>(s.nFreqMask()), nQ, nQ };
    const char* halves[2] = { "even", "odd" };
    for (int h = 0; h < 2; ++h) {
        if (Status st = m->complexes(std::string("/sums/signal_") + halves[h], s.signal[h], spectra); !st) {
            return st;
        }
        if (Status st = m->complexes(std::string("/sums/mask_") + halves[h], s.mask[h], maskSpectra); !st) {
            return st;
        }
    }
    const Status squares
        = s.hasVariance() ? m->doubles("/sums/squares", s.squares, spectra) : m->remove("/sums/squares");
    if (Status st = squares; !st) {
        return st;
    }
    if (Status st = m->doubles("/sums/weighted_intensity", s.weightedIntensity, image); !st) {
        return st;
    }
    if (Status st = m->doubles("/sums/weight_sum", s.weightSum, image); !st) {
        return st;
    }
    return m->attributes("/sums",
        { { "n_q", s.nQ }, { "n_phi", s.nPhi }, { "n_max", s.nMax }, { "shots_even", s.shots[0] },
            { "shots_odd", s.shots[1] }, { "ring_mean_subtracted", s.ringMeanSubtracted ? 1 : 0 } });
}

Status ResultsFile::writeStreamCounts(const StreamCounts& c)
{
    const std::vector<double> counts { double(c.messages), double(c.frames), double(c.malformed), double(c.dropped),
        double(c.reconnects), double(c.series), double(c.leftUncorrelated) };
    return writeArray("stream_counts", counts, { 7 },
        "detector stream: messages, frames, malformed (skipped), dropped (by the publisher), reconnects, "
        "series (DECTRIS starts or Karabo trains), left_uncorrelated (received after the run's end)");
}

Status ResultsFile::writeArray(const std::string& name, std::span<const double> values,
    const std::vector<std::int64_t>& dims, const std::string& description)
{
    if (name.empty() || name.front() == '/' || name.find("..") != std::string::npos) {
        return Error { m->path + ": invalid analysis name \"" + name + "\" (use e.g. \"invariants/B_l\")" };
    }
    Dims d;
    for (std::int64_t v : dims) {
        d.push_back(static_cast<hsize_t>(std::max<std::int64_t>(v, 0)));
    }
    const std::string full = "/analysis/" + name;
    if (Status st = m->doubles(full, std::vector<double>(values.begin(), values.end()), d); !st) {
        return st;
    }
    if (!description.empty()) {
        h5::Handle ds = h5::dataset(H5Dopen2(m->file.get(), full.c_str(), H5P_DEFAULT));
        if (!ds || !h5::writeStringAttribute(ds.get(), "description", description)) {
            return m->fail("cannot describe " + full);
        }
    }
    return {};
}

Status ResultsFile::writeLedger(const LedgerColumns& l)
{
    const std::size_t n = l.shotIndex.size();
    if (l.accepted.size() != n || l.reason.size() != n) {
        return Error { m->path + ": ledger columns differ in length (" + std::to_string(n) + " shots, "
            + std::to_string(l.accepted.size()) + " flags, " + std::to_string(l.reason.size()) + " reasons)" };
    }
    if (Status st = m->write("/ledger/shot_index", H5T_STD_I64LE, H5T_NATIVE_INT64, { n }, l.shotIndex.data()); !st) {
        return st;
    }
    if (Status st = m->write("/ledger/accepted", H5T_STD_U8LE, H5T_NATIVE_UINT8, { n }, l.accepted.data()); !st) {
        return st;
    }
    // Streams and facility files: where each shot sat in the source's numbering, so that gaps and resumes can be
    // traced and a shot found again in the facility's records. Each column only when some shot has a value.
    const std::pair<const char*, const std::vector<std::int64_t>*> ids[] = {
        { "/ledger/series_id", &l.seriesId },
        { "/ledger/frame_number", &l.frameNumber },
        { "/ledger/pulse_id", &l.pulseId },
    };
    for (const auto& [name, column] : ids) {
        if (std::none_of(column->begin(), column->end(), [](std::int64_t x) { return x >= 0; })) {
            continue;
        }
        if (column->size() != n) {
            return Error { m->path + ": ledger column " + name + " has " + std::to_string(column->size())
                + " values for " + std::to_string(n) + " shots" };
        }
        if (Status st = m->write(name, H5T_STD_I64LE, H5T_NATIVE_INT64, { n }, column->data()); !st) {
            return st;
        }
    }
    return m->strings("/ledger/reason", l.reason);
}

Status ResultsFile::writeGeometry(const std::string& text) { return m->strings("/run/geometry", { text }, true); }

Status ResultsFile::writeConfiguration(const std::string& json)
{
    return m->strings("/run/configuration", { json }, true);
}

Status ResultsFile::writeInputs(const std::vector<InputIdentity>& inputs)
{
    std::vector<std::string> paths, hashes;
    std::vector<std::uint64_t> sizes;
    for (const auto& i : inputs) {
        paths.push_back(i.path);
        hashes.push_back(i.sha256FirstMiB);
        sizes.push_back(i.sizeBytes);
    }
    if (Status st = m->strings("/inputs/path", paths); !st) {
        return st;
    }
    if (Status st = m->write("/inputs/size_bytes", H5T_STD_U64LE, H5T_NATIVE_UINT64, { sizes.size() }, sizes.data());
        !st) {
        return st;
    }
    return m->strings("/inputs/sha256_first_mib", hashes);
}

Status ResultsFile::flush()
{
    if (!m->file || H5Fflush(m->file.get(), H5F_SCOPE_GLOBAL) < 0) {
        return m->fail("cannot flush");
    }
    return {};
}

Status ResultsFile::close()
{
    if (m->file && !m->file.reset()) {
        return Error { m->path + ": closing the results file failed (" + h5::lastError() + ")" };
    }
    return {};
}

} // namespace fxs
