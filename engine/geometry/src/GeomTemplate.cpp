#include <fxs/geometry/GeomTemplate.h>

#include <algorithm>
#include <set>

namespace fxs {

const char* valueSourceName(ValueSource s)
{
    switch (s) {
    case ValueSource::Geometry:
        return "geometry";
    case ValueSource::DataFile:
        return "data file";
    case ValueSource::User:
        return "user";
    case ValueSource::Stream:
        return "stream start message";
    case ValueSource::Unset:
        break;
    }
    return "unset";
}

namespace {

// What the user types to supply each deferred key.
std::string optionFor(const std::string& key)
{
    if (key == "clen") {
        return "give the camera length with --clen METRES (JSON \"clen\")";
    }
    if (key == "photon_energy") {
        return "give it with --photon-energy EV (JSON \"photon-energy\")";
    }
    return "give a data file that holds it";
}

// The bare key ("q0a0/clen" → "clen") picks the option to suggest.
std::string optionForKey(const std::string& key) { return optionFor(key.substr(key.rfind('/') + 1)); }

// A deferred value looked up in the data values: one value for the run, or one per frame.
Result<double> lookup(
    const GeomTemplate& t, std::string key, const GeomScalar& s, const GeomDataValues& data, std::int64_t frame)
{
    key = s.key.empty() ? key : s.key;
    std::string where = t.sourceName;
    if (s.line > 0) {
        where += ':';
        where += std::to_string(s.line);
    }
    if (s.isNumber()) {
        return s.value;
    }
    if (!s.isPath()) {
        return Error { where + ": key '" + key + "': not given; " + optionForKey(key) };
    }
    auto it = data.find(s.path);
    if (it == data.end() || it->second.empty()) {
        return Error { where + ": key '" + key + "' is the HDF5 path '" + s.path + "' and no data file supplied it; "
            + optionForKey(key) };
    }
    const auto& v = it->second;
    if (v.size() != 1 && (frame < 0 || static_cast<std::size_t>(frame) >= v.size())) {
        return Error { where + ": key '" + key + "': '" + s.path + "' has " + std::to_string(v.size())
            + " values, none for frame " + std::to_string(frame) };
    }
    const double value = v[v.size() == 1 ? 0 : static_cast<std::size_t>(frame)] * s.fileScale;
    if (!std::isfinite(value)) {
        return Error { where + ": key '" + key + "': '" + s.path + "' holds a value that is not a finite number" };
    }
    return value;
}

bool supplied(const GeomScalar& s, const GeomDataValues& data)
{
    return s.isNumber() || (s.isPath() && data.count(s.path) && !data.at(s.path).empty());
}

} // namespace

std::vector<std::string> GeomTemplate::dataPaths() const
{
    std::set<std::string> seen;
    std::vector<std::string> out;
    auto add = [&](const GeomScalar& s) {
        if (s.isPath() && seen.insert(s.path).second) {
            out.push_back(s.path);
        }
    };
    for (const auto& s : clen) {
        add(s);
    }
    for (const auto& s : coffset) {
        add(s);
    }
    for (const auto* s : { &photonEnergy, &aduPerEv, &aduPerPhoton, &detectorShiftX, &detectorShiftY }) {
        add(*s);
    }
    return out;
}

std::vector<std::string> GeomTemplate::geometryPaths(const GeomOverrides& o) const
{
    std::set<std::string> seen;
    std::vector<std::string> out;
    auto add = [&](const GeomScalar& s) {
        if (s.isPath() && seen.insert(s.path).second) {
            out.push_back(s.path);
        }
    };
    if (!std::isfinite(o.cameraLengthM)) {
        for (const auto& s : clen) {
            add(s);
        }
    }
    for (const auto& s : coffset) {
        add(s);
    }
    if (!std::isfinite(o.photonEnergyEv)) {
        add(photonEnergy);
    }
    add(detectorShiftX);
    add(detectorShiftY);
    return out;
}

std::vector<std::string> GeomTemplate::missing(const GeomOverrides& o, const GeomDataValues& data) const
{
    std::vector<std::string> out;
    if (!std::isfinite(o.cameraLengthM)
        && std::any_of(clen.begin(), clen.end(), [&](const GeomScalar& s) { return !supplied(s, data); })) {
        out.push_back("clen");
    }
    if (!std::isfinite(o.photonEnergyEv) && !supplied(photonEnergy, data)) {
        out.push_back("photon_energy");
    }
    return out;
}

Result<ResolvedGeometry> GeomTemplate::resolve(
    const GeomOverrides& o, const GeomDataValues& data, std::int64_t frame) const
{
    ResolvedGeometry r;
    const bool userClen = std::isfinite(o.cameraLengthM);
    // A user clen may be negative: LCLS encoder values are, with a per-panel coffset making the distance
    // positive (DetectorGeometry checks clen + coffset > 0).
    double shift[2] = { 0.0, 0.0 };
    const GeomScalar* shifts[2] = { &detectorShiftX, &detectorShiftY };
    for (int a = 0; a < 2; ++a) {
        if (shifts[a]->isSet()) {
            auto v = lookup(*this, a == 0 ? "detector_shift_x" : "detector_shift_y", *shifts[a], data, frame);
            if (!v) {
                return v.error();
            }
            shift[a] = *v;
        }
    }
    shift[0] -= o.beamShiftXM;
    shift[1] -= o.beamShiftYM;
    std::vector<DetectorPanel> out = panels;
    for (std::size_t i = 0; i < out.size(); ++i) {
        DetectorPanel& p = out[i];
        if (userClen) {
            p.cameraLengthM = o.cameraLengthM;
        } else {
            auto v = lookup(*this, p.name + "/clen", clen[i], data, frame);
            if (!v) {
                return v.error();
            }
            p.cameraLengthM = *v;
        }
        auto c = coffset[i].isSet() ? lookup(*this, p.name + "/coffset", coffset[i], data, frame) : Result<double>(0.0);
        if (!c) {
            return c.error();
        }
        p.coffsetM = *c;
        p.cornerXPx += shift[0] * p.pixelsPerM;
        p.cornerYPx += shift[1] * p.pixelsPerM;
    }
    r.cameraLengthM = out.empty() ? 0.0 : out.front().cameraLengthM;
    r.cameraLengthSource = userClen                ? ValueSource::User
        : (!clen.empty() && clen.front().isPath()) ? ValueSource::DataFile
                                                   : ValueSource::Geometry;
    if (std::isfinite(o.photonEnergyEv)) {
        r.photonEnergyEv = o.photonEnergyEv;
        r.photonEnergySource = ValueSource::User;
    } else {
        auto e = lookup(*this, "photon_energy", photonEnergy, data, frame);
        if (!e) {
            return e.error();
        }
        r.photonEnergyEv = *e;
        r.photonEnergySource = photonEnergy.isPath() ? ValueSource::DataFile : ValueSource::Geometry;
    }
    if (!(r.photonEnergyEv > 0.0)) {
        return Error { sourceName + ": photon energy must be a positive number of eV (got "
            + std::to_string(r.photonEnergyEv) + ")" };
    }
    // The gain does not move pixels: when the data file lacks it, it stays unknown (NaN) instead of failing.
    if (auto a = lookup(*this, "adu_per_eV", aduPerEv, data, frame); a) {
        r.aduPerEv = *a;
    } else if (auto b = lookup(*this, "adu_per_photon", aduPerPhoton, data, frame); b) {
        r.aduPerEv = *b / r.photonEnergyEv;
    }
    r.beamShiftXM = o.beamShiftXM;
    r.beamShiftYM = o.beamShiftYM;
    auto g = DetectorGeometry::fromPanels(std::move(out), r.photonEnergyEv, badRegions, mask);
    if (!g) {
        return Error { sourceName + ": " + g.error().message };
    }
    r.geometry = std::move(*g);
    return r;
}

} // namespace fxs
