#include <fxs/simulation/ParticleModel.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numbers>
#include <sstream>

// Model file format (JSON), lengths in Å:
// {
//   "name": "my molecule",
//   "blobs":   [ { "amplitude": 1.0, "sigma_A": 4.0, "position_A": [0, 0, 0] }, ... ],
//   "spheres": [ { "amplitude": 1.0, "radius_A": 25.0, "position_A": [0, 0, 0] }, ... ]
// }
// "blobs" are Gaussian blobs (sigma_A = 0: a point scatterer), "spheres" uniform spheres; amplitude is
// the scatterer's F(0). At least one scatterer in total; either list may be absent.

namespace fxs {

namespace {

using json = nlohmann::json;

Status checkScatterer(const Scatterer& s, std::size_t index)
{
    const std::string where = "scatterer " + std::to_string(index) + ": ";
    const bool finite = std::isfinite(s.amplitude) && std::isfinite(s.sigmaA) && std::isfinite(s.radiusA)
        && std::all_of(s.positionA.begin(), s.positionA.end(), [](double v) { return std::isfinite(v); });
    if (!finite) {
        return Error { where + "every value must be a finite number" };
    }
    if (s.sigmaA < 0.0 || s.radiusA < 0.0) {
        return Error { where + "sigma_A and radius_A must be ≥ 0" };
    }
    if (s.kind == Scatterer::Kind::Sphere && !(s.radiusA > 0.0)) {
        return Error { where + "a sphere needs radius_A > 0" };
    }
    return Status::success();
}

Result<double> number(const json& obj, const char* key, const std::string& where, double fallback, bool required)
{
    auto it = obj.find(key);
    if (it == obj.end()) {
        if (required) {
            return Error { where + ": missing key \"" + key + "\"" };
        }
        return fallback;
    }
    if (!it->is_number()) {
        return Error { where + ": \"" + key + "\" must be a number, got " + it->dump() };
    }
    return it->get<double>();
}

Result<std::array<double, 3>> position(const json& obj, const std::string& where)
{
    auto it = obj.find("position_A");
    if (it == obj.end()) {
        return std::array<double, 3> { 0.0, 0.0, 0.0 };
    }
    if (!it->is_array() || it->size() != 3
        || !std::all_of(it->begin(), it->end(), [](const json& v) { return v.is_number(); })) {
        return Error { where + ": \"position_A\" must be an array of 3 numbers [x, y, z] in Å, got " + it->dump() };
    }
    return std::array<double, 3> { (*it)[0].get<double>(), (*it)[1].get<double>(), (*it)[2].get<double>() };
}

Result<Scatterer> parseScatterer(const json& obj, const std::string& where, Scatterer::Kind kind)
{
    if (!obj.is_object()) {
        return Error { where + ": expected an object, got " + obj.dump() };
    }
    const bool sphere = kind == Scatterer::Kind::Sphere;
    auto a = number(obj, "amplitude", where, 1.0, false);
    auto w = number(obj, sphere ? "radius_A" : "sigma_A", where, 0.0, sphere);
    auto p = position(obj, where);
    if (!a) {
        return a.error();
    }
    if (!w) {
        return w.error();
    }
    if (!p) {
        return p.error();
    }
    Scatterer s;
    s.kind = kind;
    s.amplitude = *a;
    (sphere ? s.radiusA : s.sigmaA) = *w;
    s.positionA = *p;
    return s;
}

Status parseList(
    const json& doc, const char* key, Scatterer::Kind kind, const std::string& source, std::vector<Scatterer>& out)
{
    auto it = doc.find(key);
    if (it == doc.end()) {
        return Status::success();
    }
    if (!it->is_array()) {
        return Error { source + ": \"" + key + "\" must be an array of objects" };
    }
    for (std::size_t i = 0; i < it->size(); ++i) {
        auto s = parseScatterer((*it)[i], source + ": " + key + "[" + std::to_string(i) + "]", kind);
        if (!s) {
            return s.error();
        }
        out.push_back(*s);
    }
    return Status::success();
}

ParticleModel blobModel(std::string name, const std::vector<std::array<double, 5>>& blobs)
{
    // Rows: amplitude, sigma, x, y, z; centred on the amplitude-weighted centroid.
    std::vector<Scatterer> s;
    std::array<double, 3> centroid { 0, 0, 0 };
    double total = 0.0;
    for (const auto& b : blobs) {
        s.push_back({ Scatterer::Kind::Gaussian, b[0], b[1], 0.0, { b[2], b[3], b[4] } });
        for (int k = 0; k < 3; ++k) {
            centroid[k] += b[0] * b[2 + k];
        }
        total += b[0];
    }
    for (auto& sc : s) {
        for (int k = 0; k < 3; ++k) {
            sc.positionA[k] -= centroid[k] / total;
        }
    }
    return *ParticleModel::fromScatterers(std::move(name), std::move(s));
}

} // namespace

double sphereFormFactor(double x)
{
    x = std::abs(x);
    if (x < 1e-3) {
        return 1.0 - x * x / 10.0;
    }
    return 3.0 * (std::sin(x) - x * std::cos(x)) / (x * x * x);
}

Result<ParticleModel> ParticleModel::fromScatterers(std::string name, std::vector<Scatterer> scatterers)
{
    if (scatterers.empty()) {
        return Error { "particle model \"" + name + "\" has no scatterers" };
    }
    for (std::size_t i = 0; i < scatterers.size(); ++i) {
        if (auto st = checkScatterer(scatterers[i], i); !st) {
            return Error { "particle model \"" + name + "\": " + st.message() };
        }
    }
    ParticleModel m;
    m.m_name = std::move(name);
    m.m_scatterers = std::move(scatterers);
    return m;
}

ParticleModel ParticleModel::sphere(double radiusA, double amplitude)
{
    ParticleModel m;
    m.m_name = "sphere";
    m.m_scatterers = { { Scatterer::Kind::Sphere, amplitude, 0.0, radiusA, { 0, 0, 0 } } };
    return m;
}

ParticleModel ParticleModel::dumbbell(double separationA, double sigmaA, double amplitude)
{
    ParticleModel m;
    m.m_name = "dumbbell";
    const double h = separationA / 2.0;
    m.m_scatterers = { { Scatterer::Kind::Gaussian, amplitude, sigmaA, 0.0, { -h, 0, 0 } },
        { Scatterer::Kind::Gaussian, amplitude, sigmaA, 0.0, { h, 0, 0 } } };
    return m;
}

std::vector<std::string> ParticleModel::builtinNames()
{
    return { "sphere", "dumbbell", "triangle3", "tetramer4", "pentamer5", "helix6" };
}

Result<ParticleModel> ParticleModel::builtin(std::string_view name)
{
    // Sizes of 40–60 Å: a few speckles up to q ≈ 0.5 Å⁻¹, like the proteins FXS experiments target.
    if (name == "sphere") {
        return sphere(25.0);
    }
    if (name == "dumbbell") {
        return dumbbell(40.0, 4.0);
    }
    if (name == "triangle3") {
        return blobModel("triangle3", { { 1.0, 5.0, -15, -8, 0 }, { 0.8, 5.0, 17, -6, 0 }, { 1.2, 5.0, 2, 18, 0 } });
    }
    if (name == "tetramer4") {
        return blobModel("tetramer4",
            { { 1.0, 5.0, 0, 0, 20 }, { 1.0, 5.0, 18, -8, -6 }, { 0.8, 6.0, -14, -14, -6 }, { 1.2, 5.0, -4, 20, -8 } });
    }
    if (name == "pentamer5") {
        return blobModel("pentamer5",
            { { 1.0, 5.0, 0, 0, 0 }, { 0.9, 4.5, 20, 0, 0 }, { 1.1, 5.0, 0, 18, 3 }, { 0.7, 4.0, -6, -9, 16 },
                { 1.0, 5.5, 5, 4, -19 } });
    }
    if (name == "helix6") {
        // One turn of a right-handed helix: chiral, so a reconstruction's handedness can be checked.
        std::vector<std::array<double, 5>> b;
        for (int k = 0; k < 6; ++k) {
            const double a = k * std::numbers::pi / 3.0;
            b.push_back({ 0.8 + 0.08 * k, 4.5, 16.0 * std::cos(a), 16.0 * std::sin(a), -15.0 + 6.0 * k });
        }
        return blobModel("helix6", b);
    }
    std::string names;
    for (const auto& n : builtinNames()) {
        names += (names.empty() ? "" : ", ") + n;
    }
    return Error { "unknown built-in particle model \"" + std::string(name) + "\"; known: " + names };
}

Result<ParticleModel> ParticleModel::fromJson(std::string_view text, const std::string& sourceName)
{
    json doc;
    try {
        doc = json::parse(text.begin(), text.end());
    } catch (const json::exception& e) { // parse_error, and out_of_range for numbers like 1e400
        return Error { sourceName + ": not valid JSON (" + e.what() + ")" };
    }
    if (!doc.is_object()) {
        return Error { sourceName + R"(: expected a JSON object with "blobs" and/or "spheres")" };
    }
    std::string name = sourceName;
    if (auto it = doc.find("name"); it != doc.end() && it->is_string()) {
        name = it->get<std::string>();
    }
    std::vector<Scatterer> s;
    if (auto st = parseList(doc, "blobs", Scatterer::Kind::Gaussian, sourceName, s); !st) {
        return Error { st.message() };
    }
    if (auto st = parseList(doc, "spheres", Scatterer::Kind::Sphere, sourceName, s); !st) {
        return Error { st.message() };
    }
    if (s.empty()) {
        return Error { sourceName
            + ": no scatterers; expected \"blobs\": [{\"amplitude\", \"sigma_A\", "
              "\"position_A\"}, ...] and/or \"spheres\": [...]" };
    }
    auto m = fromScatterers(name, std::move(s));
    if (!m) {
        return Error { sourceName + ": " + m.error().message };
    }
    return m;
}

Result<ParticleModel> ParticleModel::fromFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return Error { "cannot open particle model file " + path };
    }
    in.seekg(0, std::ios::end);
    const auto size = static_cast<std::streamoff>(in.tellg());
    if (size > (64 << 20)) {
        return Error { "particle model file " + path + " is larger than 64 MiB; is it really a model?" };
    }
    in.seekg(0);
    std::ostringstream ss;
    ss << in.rdbuf();
    return fromJson(ss.str(), path);
}

Result<ParticleModel> ParticleModel::load(const std::string& nameOrPath, const StructureOptions& structure)
{
    const auto names = builtinNames();
    if (std::find(names.begin(), names.end(), nameOrPath) != names.end()) {
        return builtin(nameOrPath);
    }
    if (!std::ifstream(nameOrPath)) {
        std::string list;
        for (const auto& n : names) {
            list += (list.empty() ? "" : ", ") + n;
        }
        return Error { "particle model \"" + nameOrPath + "\" is neither a built-in model (" + list
            + ") nor a readable PDB/mmCIF or JSON model file" };
    }
    return isStructureFile(nameOrPath) ? fromStructureFile(nameOrPath, structure) : fromFile(nameOrPath);
}

std::string ParticleModel::toJson() const
{
    json doc;
    doc["name"] = m_name;
    json blobs = json::array();
    json spheres = json::array();
    for (const auto& s : m_scatterers) {
        json p = { s.positionA[0], s.positionA[1], s.positionA[2] };
        if (s.kind == Scatterer::Kind::Sphere) {
            spheres.push_back({ { "amplitude", s.amplitude }, { "radius_A", s.radiusA }, { "position_A", p } });
        } else {
            blobs.push_back({ { "amplitude", s.amplitude }, { "sigma_A", s.sigmaA }, { "position_A", p } });
        }
    }
    doc["blobs"] = blobs;
    doc["spheres"] = spheres;
    return doc.dump(2);
}

double ParticleModel::extentA() const
{
    double r = 0.0;
    for (const auto& s : m_scatterers) {
        const auto& p = s.positionA;
        r = std::max(r, std::sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]) + s.radiusA);
    }
    return r;
}

double ParticleModel::forwardAmplitude() const
{
    double a = 0.0;
    for (const auto& s : m_scatterers) {
        a += s.amplitude;
    }
    return a;
}

std::complex<double> ParticleModel::amplitude(const std::array<double, 3>& q) const
{
    const double q2 = q[0] * q[0] + q[1] * q[1] + q[2] * q[2];
    std::complex<double> f { 0.0, 0.0 };
    for (const auto& s : m_scatterers) {
        const double shape = s.kind == Scatterer::Kind::Sphere ? sphereFormFactor(std::sqrt(q2) * s.radiusA)
                                                               : std::exp(-0.5 * q2 * s.sigmaA * s.sigmaA);
        const double phase = q[0] * s.positionA[0] + q[1] * s.positionA[1] + q[2] * s.positionA[2];
        f += s.amplitude * shape * std::complex<double>(std::cos(phase), std::sin(phase));
    }
    return f;
}

double ParticleModel::intensity(const std::array<double, 3>& qInvA) const { return std::norm(amplitude(qInvA)); }

} // namespace fxs
