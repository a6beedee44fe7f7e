#include "DataRoots.h"

#include <fxs/geometry/GeomParser.h>
#include <fxs/simulation/ParticleModel.h>
#include <fxs/sources/FileProbe.h>
#include <fxs/sources/MaskFile.h>

#include <algorithm>

namespace fxs::remote {

namespace {

bool isUnder(const std::filesystem::path& p, const std::filesystem::path& root)
{
    auto r = root.begin(), q = p.begin();
    for (; r != root.end(); ++r, ++q) {
        if (r->empty() && std::next(r) == root.end()) {
            break; // a trailing "/" of the root
        }
        if (q == p.end() || *q != *r) {
            return false;
        }
    }
    return true;
}

} // namespace

Result<DataRoots> DataRoots::create(const std::vector<std::filesystem::path>& roots)
{
    DataRoots d;
    for (const auto& r : roots) {
        std::error_code ec;
        auto c = std::filesystem::canonical(r, ec);
        if (ec || !std::filesystem::is_directory(c)) {
            return Error { "--data-root " + r.string() + " is not an existing folder" };
        }
        d.m_roots.push_back(c);
    }
    return d;
}

std::string DataRoots::describe() const
{
    if (m_roots.empty()) {
        return "none: this server was started without --data-root, so jobs may not read files";
    }
    std::string s;
    for (const auto& r : m_roots) {
        s += (s.empty() ? "" : ", ") + r.string();
    }
    return s;
}

Result<std::filesystem::path> DataRoots::resolve(const std::string& field, const std::string& path) const
{
    const std::filesystem::path p(path);
    if (!p.is_absolute()) {
        return Error { field + ": " + path + " is not an absolute path (data roots: " + describe() + ")" };
    }
    // weakly_canonical follows every symlink of the part that exists and folds `..` lexically after it: a link
    // inside a root that points out of it resolves to its target, which is then outside.
    std::error_code ec;
    const auto resolved = std::filesystem::weakly_canonical(p, ec);
    if (ec) {
        return Error { field + ": " + path + " cannot be resolved (" + ec.message() + ")" };
    }
    if (inside(resolved).empty()) {
        const std::string via = resolved == p ? "" : " (resolved: " + resolved.string() + ")";
        return Error { field + ": " + path + via + " is outside the server's data roots (" + describe() + ")" };
    }
    return resolved;
}

std::filesystem::path DataRoots::inside(const std::filesystem::path& path) const
{
    std::error_code ec;
    const auto resolved = std::filesystem::weakly_canonical(path, ec);
    if (ec || std::none_of(m_roots.begin(), m_roots.end(), [&](const auto& r) { return isUnder(resolved, r); })) {
        return {};
    }
    return resolved;
}

Result<fxs::v1::JobSpec> DataRoots::resolveSpec(const fxs::v1::JobSpec& spec) const
{
    fxs::v1::JobSpec out = spec;
    auto fix = [&](const std::string& field, std::string* path) -> Status {
        if (path->empty()) {
            return {};
        }
        auto r = resolve(field, *path);
        if (!r) {
            return Error { r.error().message };
        }
        *path = r->string();
        return {};
    };
    // FILE[:DATASET]: the file is checked and replaced, the dataset kept.
    auto fixMask = [&](const std::string& field, fxs::v1::GeometryValues* v) -> Status {
        if (v->mask().empty()) {
            return {};
        }
        const MaskSpec m = splitMaskSpec(v->mask());
        std::string file = m.file;
        if (auto st = fix(field + ".mask", &file); !st) {
            return st;
        }
        v->set_mask(m.dataset.empty() ? file : file + ":" + m.dataset);
        return {};
    };
    if (out.has_cxi()) {
        auto* cxi = out.mutable_cxi();
        for (int i = 0; i < cxi->paths_size(); ++i) {
            if (auto st = fix(cxi->paths_size() == 1 ? "cxi.paths" : "cxi.paths[" + std::to_string(i) + "]",
                    cxi->mutable_paths(i));
                !st) {
                return Error { st.message() };
            }
        }
        if (auto st = fix("cxi.geometry_path", cxi->mutable_geometry_path()); !st) {
            return Error { st.message() };
        }
        if (auto st = fixMask("cxi.geometry_values", cxi->mutable_geometry_values()); !st) {
            return Error { st.message() };
        }
    }
    if (out.has_stream()) {
        if (auto st = fix("stream.geometry_path", out.mutable_stream()->mutable_geometry_path()); !st) {
            return Error { st.message() };
        }
        if (auto st = fixMask("stream.geometry_values", out.mutable_stream()->mutable_geometry_values()); !st) {
            return Error { st.message() };
        }
    }
    if (out.has_simulator()) {
        auto* sim = out.mutable_simulator();
        if (auto st = fix("simulator.geometry_path", sim->mutable_geometry_path()); !st) {
            return Error { st.message() };
        }
        if (auto st = fixMask("simulator.geometry_values", sim->mutable_geometry_values()); !st) {
            return Error { st.message() };
        }
        const auto names = ParticleModel::builtinNames();
        // A name that is no built-in model and no path is refused by the spec's validation, naming the models.
        const bool isPath = sim->model().find('/') != std::string::npos;
        if (isPath && std::find(names.begin(), names.end(), sim->model()) == names.end()) {
            if (auto st = fix("simulator.model", sim->mutable_model()); !st) {
                return Error { st.message() };
            }
        }
    }
    return out;
}

grpc::Status DataRoots::checkFile(const std::string& field, const std::string& path) const
{
    auto linked = FileProbe::linkedFiles(path);
    if (!linked) {
        return { grpc::StatusCode::INVALID_ARGUMENT,
            field + ": cannot list the files " + path + " links to: " + linked.error().message };
    }
    for (const auto& f : linked->files) {
        if (!inside(f.path).empty()) {
            continue;
        }
        std::error_code ec;
        const auto resolved = std::filesystem::weakly_canonical(f.path, ec);
        const std::string via = ec || resolved == f.path ? "" : " (resolved: " + resolved.string() + ")";
        return { grpc::StatusCode::PERMISSION_DENIED,
            field + ": " + path + " links to " + f.path + via + (f.exists ? "" : ", missing now,") + " through the "
                + f.kind + " " + f.object + " in " + f.from + ", which is outside the server's data roots ("
                + describe() + ")" };
    }
    if (!linked->cycle.empty()) {
        return { grpc::StatusCode::INVALID_ARGUMENT,
            field + ": the files " + path + " links to form a cycle, which this server does not follow: "
                + linked->cycle };
    }
    return grpc::Status::OK;
}

grpc::Status DataRoots::checkLinkedFiles(const fxs::v1::JobSpec& spec) const
{
    // (field, HDF5 file) pairs; text files (geometries, bad-region masks, models) are not HDF5 and list nothing.
    std::vector<std::pair<std::string, std::string>> files;
    auto geometry = [&](const std::string& field, const std::string& geomPath, const fxs::v1::GeometryValues& v) {
        if (!v.mask().empty()) {
            files.emplace_back(field + ".geometry_values.mask", splitMaskSpec(v.mask()).file);
        }
        if (geomPath.empty()) {
            return;
        }
        auto t = GeomParser::parseTemplateFile(geomPath);
        if (t && !t->mask.file.empty()) {
            // The worker opens the geometry's mask_file as written, relative to its (this server's) folder.
            files.emplace_back(field + ".geometry_path's mask_file", std::filesystem::absolute(t->mask.file).string());
        }
    };
    if (spec.has_cxi()) {
        for (int i = 0; i < spec.cxi().paths_size(); ++i) {
            files.emplace_back(spec.cxi().paths_size() == 1 ? "cxi.paths" : "cxi.paths[" + std::to_string(i) + "]",
                spec.cxi().paths(i));
        }
        geometry("cxi", spec.cxi().geometry_path(), spec.cxi().geometry_values());
    }
    if (spec.has_stream()) {
        geometry("stream", spec.stream().geometry_path(), spec.stream().geometry_values());
    }
    if (spec.has_simulator()) {
        geometry("simulator", spec.simulator().geometry_path(), spec.simulator().geometry_values());
    }
    for (const auto& [field, path] : files) {
        if (field.ends_with("mask_file")) {
            if (auto r = resolve(field, path); !r) {
                return { grpc::StatusCode::PERMISSION_DENIED, r.error().message };
            }
        }
        if (!std::filesystem::is_regular_file(path)) {
            continue; // a missing input is refused by the spec's own checks
        }
        if (auto st = checkFile(field, path); !st.ok()) {
            return st;
        }
    }
    return grpc::Status::OK;
}

} // namespace fxs::remote
