#include <fxs/hdf5/Hdf5Util.h>

#include <mutex>

namespace fxs::h5 {

void quiet()
{
    static std::once_flag once;
    std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

namespace {

herr_t collect(unsigned n, const H5E_error2_t* e, void* out)
{
    auto* text = static_cast<std::string*>(out);
    // The innermost few frames say what went wrong; the outer ones only repeat "unable to open".
    if (n < 3 && e->desc && *e->desc) {
        if (!text->empty()) {
            text->append("; ");
        }
        for (const char* c = e->desc; *c; ++c) {
            text->push_back(*c == '\n' ? ' ' : *c);
        }
    }
    return 0;
}

} // namespace

std::string lastError()
{
    std::string text;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collect, &text);
    H5Eclear2(H5E_DEFAULT);
    return text.empty() ? std::string("no detail from the HDF5 library") : text;
}

bool linkExists(hid_t loc, const std::string& path)
{
    // H5Lexists fails (rather than returning false) when an intermediate group is missing: walk the prefixes.
    std::size_t pos = 0;
    while (pos != std::string::npos) {
        pos = path.find('/', pos + 1);
        const std::string prefix = path.substr(0, pos);
        if (prefix.empty() || prefix == "/") {
            continue;
        }
        if (H5Lexists(loc, prefix.c_str(), H5P_DEFAULT) <= 0) {
            return false;
        }
    }
    return !path.empty();
}

bool createParents(hid_t loc, const std::string& path)
{
    std::size_t pos = 0;
    while ((pos = path.find('/', pos + 1)) != std::string::npos) {
        const std::string prefix = path.substr(0, pos);
        if (prefix.empty() || linkExists(loc, prefix)) {
            continue;
        }
        Handle g = group(H5Gcreate2(loc, prefix.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        if (!g) {
            return false;
        }
    }
    return true;
}

std::vector<hsize_t> dims(hid_t dataset)
{
    Handle s = space(H5Dget_space(dataset));
    if (!s) {
        return {};
    }
    const int rank = H5Sget_simple_extent_ndims(s.get());
    if (rank < 0 || rank > H5S_MAX_RANK) {
        return {};
    }
    std::vector<hsize_t> d(static_cast<std::size_t>(rank));
    if (H5Sget_simple_extent_dims(s.get(), d.data(), nullptr) < 0) {
        return {};
    }
    return d;
}

bool writeStringAttribute(hid_t loc, const std::string& name, const std::string& value)
{
    Handle t = type(H5Tcopy(H5T_C_S1));
    H5Tset_size(t.get(), H5T_VARIABLE);
    H5Tset_cset(t.get(), H5T_CSET_UTF8);
    Handle s = space(H5Screate(H5S_SCALAR));
    if (H5Aexists(loc, name.c_str()) > 0) {
        H5Adelete(loc, name.c_str());
    }
    Handle a = attribute(H5Acreate2(loc, name.c_str(), t.get(), s.get(), H5P_DEFAULT, H5P_DEFAULT));
    const char* data = value.c_str();
    return a && H5Awrite(a.get(), t.get(), &data) >= 0;
}

bool writeIntAttribute(hid_t loc, const std::string& name, std::int64_t value)
{
    Handle s = space(H5Screate(H5S_SCALAR));
    if (H5Aexists(loc, name.c_str()) > 0) {
        H5Adelete(loc, name.c_str());
    }
    Handle a = attribute(H5Acreate2(loc, name.c_str(), H5T_STD_I64LE, s.get(), H5P_DEFAULT, H5P_DEFAULT));
    return a && H5Awrite(a.get(), H5T_NATIVE_INT64, &value) >= 0;
}

} // namespace fxs::h5
