#include "DataRoots.h"

#include <fxs/simulation/ParticleModel.h>

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
    const bool inside
        = std::any_of(m_roots.begin(), m_roots.end(), [&](const auto& r) { return isUnder(resolved, r); });
    if (!inside) {
        const std::string via = resolved == p ? "" : " (resolved: " + resolved.string() + ")";
        return Error { field + ": " + path + via + " is outside the server's data roots (" + describe() + ")" };
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
    }
    if (out.has_stream()) {
        if (auto st = fix("stream.geometry_path", out.mutable_stream()->mutable_geometry_path()); !st) {
            return Error { st.message() };
        }
    }
    if (out.has_simulator()) {
        auto* sim = out.mutable_simulator();
        if (auto st = fix("simulator.geometry_path", sim->mutable_geometry_path()); !st) {
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

} // namespace fxs::remote
