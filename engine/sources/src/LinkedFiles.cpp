#include <fxs/sources/LinkedFiles.h>

#include <fxs/hdf5/Hdf5Util.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <set>

namespace fxs {

namespace fs = std::filesystem;

namespace {

// A file name as one file's link or dataset gives it, before it is resolved.
struct Named {
    std::string name;
    std::string object;
    std::string kind;
};

struct VisitState {
    std::vector<Named> found;
    long long visited = 0;
    long long maxObjects = 0;
};

void datasetFiles(hid_t loc, const std::string& name, VisitState& s)
{
    h5::Handle d = h5::dataset(H5Dopen2(loc, name.c_str(), H5P_DEFAULT));
    h5::Handle dcpl = d ? h5::plist(H5Dget_create_plist(d.get())) : h5::Handle {};
    if (!dcpl) {
        return;
    }
    std::string object = "/";
    object += name;
    if (H5Pget_layout(dcpl.get()) == H5D_VIRTUAL) {
        size_t count = 0;
        H5Pget_virtual_count(dcpl.get(), &count);
        for (size_t i = 0; i < count; ++i) {
            const ssize_t n = H5Pget_virtual_filename(dcpl.get(), i, nullptr, 0);
            if (n <= 0) {
                continue;
            }
            std::string file(static_cast<std::size_t>(n) + 1, '\0');
            H5Pget_virtual_filename(dcpl.get(), i, file.data(), file.size());
            file.resize(static_cast<std::size_t>(n));
            if (file != ".") { // "." is the virtual dataset's own file
                s.found.push_back({ file, object, "virtual dataset source" });
            }
        }
    }
    const int external = H5Pget_external_count(dcpl.get());
    for (int i = 0; i < external; ++i) {
        char file[4096] = {};
        off_t offset = 0;
        hsize_t size = 0;
        if (H5Pget_external(dcpl.get(), static_cast<unsigned>(i), sizeof file - 1, file, &offset, &size) >= 0) {
            s.found.push_back({ file, object, "external raw data" });
        }
    }
}

herr_t visitLink(hid_t group, const char* name, const H5L_info_t* info, void* data)
{
    auto& s = *static_cast<VisitState*>(data);
    if (++s.visited > s.maxObjects) {
        return 1; // stops the visit; the caller reports the bound
    }
    if (info->type == H5L_TYPE_EXTERNAL) {
        std::vector<char> value(info->u.val_size);
        const char* file = nullptr;
        const char* object = nullptr;
        unsigned flags = 0;
        if (H5Lget_val(group, name, value.data(), value.size(), H5P_DEFAULT) >= 0
            && H5Lunpack_elink_val(value.data(), value.size(), &flags, &file, &object) >= 0 && file) {
            std::string link = "/"; // one append: GCC 12 warns falsely (-Wrestrict) on "/" + std::string(name)
            link += name;
            s.found.push_back({ file, link, "external link" });
        }
        return 0;
    }
    if (info->type == H5L_TYPE_HARD) {
        H5O_info_t o;
        if (H5Oget_info_by_name2(group, name, &o, H5O_INFO_BASIC, H5P_DEFAULT) >= 0 && o.type == H5O_TYPE_DATASET) {
            datasetFiles(group, name, s);
        }
    }
    return 0;
}

// The names that file `path`'s links and datasets give (unresolved); a file that is not HDF5 gives none.
Result<std::vector<Named>> namesIn(const std::string& path, long long maxObjects)
{
    h5::quiet();
    if (H5Fis_hdf5(path.c_str()) <= 0) {
        return std::vector<Named> {};
    }
    h5::Handle file = h5::file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    if (!file) { // a live file being written is open to SWMR readers only
        file = h5::file(H5Fopen(path.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, H5P_DEFAULT));
    }
    if (!file) {
        return Error { path + " cannot be opened to list the files it links to (" + h5::lastError() + ")" };
    }
    VisitState s;
    s.maxObjects = maxObjects;
    if (H5Lvisit(file.get(), H5_INDEX_NAME, H5_ITER_INC, visitLink, &s) < 0) {
        return Error { path + ": its links cannot be listed (" + h5::lastError() + ")" };
    }
    if (s.visited > maxObjects) {
        return Error { path + " holds more than " + std::to_string(maxObjects)
            + " links; the files it links to were not all checked" };
    }
    return std::move(s.found);
}

bool isFile(const fs::path& p)
{
    std::error_code ec;
    return fs::exists(p, ec);
}

// What HDF5 1.10 opens for `name` named in `from` (H5F_prefix_open_file without prefix variables; external raw data
// is opened relative to the current folder): the first candidate that exists, else the first.
fs::path resolveName(const std::string& from, const Named& n)
{
    const fs::path name(n.name);
    const fs::path cwd = fs::current_path();
    std::vector<fs::path> candidates;
    if (n.kind == "external raw data") {
        candidates = { name.is_absolute() ? name : cwd / name };
    } else {
        const fs::path folder = fs::absolute(fs::path(from)).parent_path();
        if (name.is_absolute()) {
            candidates = { name, folder / name.filename(), cwd / name.filename() };
        } else {
            candidates = { folder / name, cwd / name };
        }
    }
    for (const auto& c : candidates) {
        if (isFile(c)) {
            return c.lexically_normal();
        }
    }
    return candidates.front().lexically_normal();
}

std::string identity(const fs::path& p)
{
    std::error_code ec;
    const auto c = fs::weakly_canonical(p, ec);
    return ec ? p.string() : c.string();
}

struct Walk {
    const LinkWalkLimits& limits;
    LinkedFiles out;
    std::set<std::string> walked;
    std::set<std::string> listed;
    std::vector<std::pair<std::string, std::string>> chain; // (identity, how it was reached) from the first file

    std::string describeChain(std::size_t from) const
    {
        std::string s;
        for (std::size_t i = from; i < chain.size(); ++i) {
            s += (s.empty() ? "" : " → ") + chain[i].second;
        }
        return s;
    }

    Status walk(const std::string& path)
    {
        if (static_cast<int>(chain.size()) > limits.maxDepth) {
            return Error { "links nest deeper than " + std::to_string(limits.maxDepth)
                + " files: " + describeChain(0) };
        }
        if (static_cast<int>(walked.size()) >= limits.maxFiles) {
            return Error { chain.front().second + " reaches more than " + std::to_string(limits.maxFiles)
                + " files through its links" };
        }
        walked.insert(chain.back().first);
        auto names = namesIn(path, limits.maxObjects);
        if (!names) {
            return names.error();
        }
        for (const auto& n : *names) {
            LinkedFile f { resolveName(path, n).string(), path, n.object, n.kind, false };
            f.exists = isFile(f.path);
            const std::string id = identity(f.path);
            const std::string how = f.path + " (" + f.kind + " " + f.object + ")";
            for (std::size_t i = 0; i < chain.size() && out.cycle.empty(); ++i) {
                if (chain[i].first == id) {
                    out.cycle = describeChain(i) + " → " + how;
                }
            }
            const bool known = walked.count(id) > 0;
            if (!known && listed.insert(id).second) {
                out.files.push_back(f);
            }
            if (known || !f.exists || n.kind == "external raw data") {
                continue;
            }
            chain.emplace_back(id, how);
            const Status st = walk(f.path);
            chain.pop_back();
            if (!st) {
                return st;
            }
        }
        return {};
    }
};

} // namespace

Result<LinkedFiles> linkedFiles(const std::string& path, const LinkWalkLimits& limits)
{
    Walk w { limits, {}, {}, {}, {} };
    const std::string start = fs::absolute(fs::path(path)).lexically_normal().string();
    w.chain.emplace_back(identity(start), start);
    if (const Status st = w.walk(start); !st) {
        return Error { st.message() };
    }
    return std::move(w.out);
}

std::string LinkedFiles::toJson(const Result<LinkedFiles>& r)
{
    if (!r) {
        return nlohmann::json { { "ok", false }, { "error", r.error().message } }.dump();
    }
    nlohmann::json files = nlohmann::json::array();
    for (const auto& f : r->files) {
        files.push_back({ { "path", f.path }, { "from", f.from }, { "object", f.object }, { "kind", f.kind },
            { "exists", f.exists } });
    }
    return nlohmann::json { { "ok", true }, { "files", files }, { "cycle", r->cycle } }.dump();
}

Result<LinkedFiles> LinkedFiles::fromJson(const std::string& text)
{
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object() || !j.contains("ok") || !j["ok"].is_boolean()) {
        return Error { "fxs-probe gave no readable answer about the linked files" };
    }
    if (!j["ok"].get<bool>()) {
        return Error { j.value("error", std::string("fxs-probe could not list the linked files")) };
    }
    if (!j.contains("files") || !j["files"].is_array()) {
        return Error { "fxs-probe's answer about the linked files has no list" };
    }
    LinkedFiles out;
    for (const auto& f : j["files"]) {
        if (!f.is_object() || !f.contains("path") || !f["path"].is_string()) {
            return Error { "fxs-probe's answer about the linked files holds an entry without a path" };
        }
        out.files.push_back({ f["path"].get<std::string>(), f.value("from", std::string()),
            f.value("object", std::string()), f.value("kind", std::string()), f.value("exists", false) });
    }
    out.cycle = j.value("cycle", std::string());
    return out;
}

} // namespace fxs
