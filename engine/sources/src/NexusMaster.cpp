#include <fxs/sources/NexusMaster.h>

#include <fxs/hdf5/Hdf5Util.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace fxs {

namespace {

constexpr std::size_t kMaxLinks = 100'000; // a master file of a million-frame run has a few hundred

// data_NNNNNN (six or more digits), the names DECTRIS gives its data links.
bool isDataLinkName(const std::string& name)
{
    const std::string prefix = "data_";
    return name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0
        && std::all_of(name.begin() + static_cast<std::ptrdiff_t>(prefix.size()), name.end(),
            [](unsigned char c) { return std::isdigit(c) != 0; });
}

herr_t collect(hid_t, const char* name, const H5L_info_t*, void* data)
{
    auto* names = static_cast<std::vector<std::string>*>(data);
    if (isDataLinkName(name)) {
        names->emplace_back(name);
    }
    return names->size() > kMaxLinks ? 1 : 0;
}

// The file an external link points to, for messages ("" when it is not one).
std::string externalTarget(hid_t group, const std::string& name)
{
    H5L_info_t info {};
    if (H5Lget_info(group, name.c_str(), &info, H5P_DEFAULT) < 0 || info.type != H5L_TYPE_EXTERNAL) {
        return {};
    }
    std::string value(info.u.val_size, '\0');
    const char* file = nullptr;
    const char* object = nullptr;
    if (H5Lget_val(group, name.c_str(), value.data(), value.size(), H5P_DEFAULT) < 0
        || H5Lunpack_elink_val(value.data(), value.size(), nullptr, &file, &object) < 0 || file == nullptr) {
        return {};
    }
    return file;
}

} // namespace

std::string NexusLinks::toJson(const Result<NexusLinks>& r)
{
    if (!r) {
        return nlohmann::json { { "ok", false }, { "error", r.error().message } }.dump();
    }
    return nlohmann::json { { "ok", true }, { "links", r->links }, { "missing", r->missing } }.dump();
}

Result<NexusLinks> NexusLinks::fromJson(const std::string& text)
{
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object() || !j.contains("ok") || !j["ok"].is_boolean()) {
        return Error { "fxs-probe gave no readable answer about the NeXus links" };
    }
    if (!j["ok"].get<bool>()) {
        return Error { j.value("error", std::string("fxs-probe refused the file")) };
    }
    NexusLinks l;
    if (!j.contains("links") || !j["links"].is_array()) {
        return Error { "fxs-probe's answer about the NeXus links has no list" };
    }
    for (const auto& v : j["links"]) {
        if (!v.is_string()) {
            return Error { "fxs-probe's answer about the NeXus links holds a non-string" };
        }
        l.links.push_back(v.get<std::string>());
    }
    l.missing = j.value("missing", std::string());
    return l;
}

Result<NexusLinks> NexusMaster::dataLinks(const std::string& path)
{
    h5::quiet();
    h5::Handle file = h5::file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    if (!file) {
        return Error { path + " cannot be opened (" + h5::lastError() + ")" };
    }
    NexusLinks out;
    if (!h5::linkExists(file.get(), kDataGroup)) {
        return out;
    }
    h5::Handle group = h5::group(H5Gopen2(file.get(), kDataGroup, H5P_DEFAULT));
    if (!group) {
        return out;
    }
    std::vector<std::string> names;
    hsize_t index = 0;
    if (H5Literate(group.get(), H5_INDEX_NAME, H5_ITER_INC, &index, collect, &names) < 0) {
        return Error { path + ": " + kDataGroup + " cannot be listed (" + h5::lastError() + ")" };
    }
    if (names.size() > kMaxLinks) {
        return Error { path + ": " + kDataGroup + " has more than " + std::to_string(kMaxLinks) + " data links" };
    }
    // data_000002 before data_000010 whatever the number of digits.
    std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
        return a.size() != b.size() ? a.size() < b.size() : a < b;
    });
    for (const auto& name : names) {
        // A dangling external link (the data file is not there) exists as a link but not as an object.
        if (H5Oexists_by_name(group.get(), name.c_str(), H5P_DEFAULT) <= 0) {
            const std::string target = externalTarget(group.get(), name);
            out.missing = std::string(kDataGroup) + "/" + name + (target.empty() ? "" : " (" + target + ")");
            break;
        }
        out.links.push_back(std::string(kDataGroup) + "/" + name);
    }
    return out;
}

} // namespace fxs
