#include <fxs/geometry/GeomParser.h>

#include "GeomValues.h"

#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace fxs {

namespace {

using namespace geomvalues;

// Keys CrystFEL knows that neither move pixels nor mask them here; accepted and ignored.
const std::set<std::string> kIgnoredKeys = { "photon_energy_bandwidth", "peak_list", "peak_list_type", "bandwidth",
    "badrow_direction", "flag_lessthan", "flag_morethan", "flag_equal", "saturation_map", "saturation_map_file", "cnz",
    "mask_edge_pixels", "max_pixel_value", "hdf5_peak_path", "peak_info_location" };

// Keys whose meaning we do not implement and which would change where pixels are or what the beam is:
// refused rather than silently misread.
const std::set<std::string> kUnsupportedKeys = { "electron_voltage", "wavelength_scale", "clen_for_centering" };

struct PanelDraft {
    DetectorPanel panel;
    GeomScalar clen;
    GeomScalar coffset;
    std::string data;
    int firstLine = 0;
    int moduleIndex = -1; // a numeric dimN: the module this panel's rows belong to
    std::set<std::string> seen;
};

struct BadDraft {
    BadRegion region;
    int firstLine = 0;
    bool hasXY = false;
    bool hasFsSs = false;
};

class Parser {
public:
    Parser(std::string source)
        : m_src(std::move(source))
    {
        // res must be given (globally or per panel): a silent default would misplace every pixel.
        m_defaults.panel.pixelsPerM = std::numeric_limits<double>::quiet_NaN();
    }

    Status line(int lineNo, std::string_view raw);
    Result<GeomTemplate> finish();

private:
    Error fail(int line, const std::string& key, const std::string& what) const
    {
        return Error { m_src + ":" + std::to_string(line) + ": key '" + key + "': " + what };
    }
    void warnOnce(int line, const std::string& key, const std::string& bare, const std::string& what)
    {
        if (m_warned.insert(bare).second) {
            m_t.warnings.push_back(m_src + ":" + std::to_string(line) + ": key '" + key + "' " + what);
        }
    }
    Status panelLine(int line, const std::string& owner, const std::string& key, std::string_view v);
    Status globalKey(int line, const std::string& key, std::string_view v);
    Status badKey(int line, BadDraft& d, const std::string& fullKey, const std::string& key, std::string_view v);
    Status applyPanelValue(
        int line, PanelDraft& d, const std::string& fullKey, const std::string& key, std::string_view v);
    Status scalarValue(
        int line, GeomScalar& out, const std::string& fullKey, std::string_view v, bool energy, double fileScale);
    Status maskKey(int line, const std::string& key, std::string_view v);
    void foldModules();

    std::string m_src;
    PanelDraft m_defaults;
    GeomTemplate m_t;
    double m_energyScale = 1.0;
    std::set<std::string> m_warned;
    std::vector<std::string> m_order;
    std::map<std::string, PanelDraft> m_panels;
    std::vector<std::string> m_badOrder;
    std::map<std::string, BadDraft> m_bad;
};

Status Parser::line(int lineNo, std::string_view raw)
{
    std::string_view text = trim(raw.substr(0, raw.find(';')));
    if (text.empty()) {
        return {};
    }
    const auto eq = text.find('=');
    if (eq == std::string_view::npos) {
        return fail(lineNo, std::string(text), "expected 'key = value'");
    }
    const std::string key(trim(text.substr(0, eq)));
    const std::string_view value = trim(text.substr(eq + 1));
    if (key.empty()) {
        return fail(lineNo, key, "missing key before '='");
    }
    const auto slash = key.find('/');
    if (slash == std::string::npos) {
        return globalKey(lineNo, key, value);
    }
    const std::string owner = key.substr(0, slash);
    const std::string sub = key.substr(slash + 1);
    if (owner.rfind("bad", 0) == 0) {
        auto [it, added] = m_bad.try_emplace(owner);
        if (added) {
            it->second.region.name = owner;
            it->second.firstLine = lineNo;
            m_badOrder.push_back(owner);
        }
        return badKey(lineNo, it->second, key, sub, value);
    }
    return panelLine(lineNo, owner, sub, value);
}

Status Parser::panelLine(int line, const std::string& owner, const std::string& key, std::string_view v)
{
    auto [it, added] = m_panels.try_emplace(owner);
    if (added) {
        // CrystFEL copies the global defaults seen so far into a panel when it is first named.
        it->second = m_defaults;
        it->second.panel.name = owner;
        it->second.firstLine = line;
        m_order.push_back(owner);
    }
    it->second.seen.insert(key);
    return applyPanelValue(line, it->second, owner + "/" + key, key, v);
}

// Plain numeric panel keys and the fields they set.
const std::map<std::string, int DetectorPanel::*> kIntKeys = { { "min_fs", &DetectorPanel::minFs },
    { "max_fs", &DetectorPanel::maxFs }, { "min_ss", &DetectorPanel::minSs }, { "max_ss", &DetectorPanel::maxSs } };
const std::map<std::string, double DetectorPanel::*> kRealKeys = { { "corner_x", &DetectorPanel::cornerXPx },
    { "corner_y", &DetectorPanel::cornerYPx }, { "max_adu", &DetectorPanel::maxAdu } };

// A number with units (length: m/mm, energy: eV/keV) or an HDF5 path whose value is multiplied by fileScale.
Status Parser::scalarValue(
    int line, GeomScalar& out, const std::string& fullKey, std::string_view v, bool energy, double fileScale)
{
    GeomScalar s;
    s.line = line;
    s.key = fullKey;
    if (isHdf5Path(v)) {
        s.path = std::string(trim(v));
        s.fileScale = fileScale;
    } else {
        auto r = energy ? parseEnergy(v) : parseLength(v);
        if (!r) {
            return fail(line, fullKey,
                std::string("expected ")
                    + (energy ? "an energy like '9000', '4570 eV' or '9.8 keV'"
                              : "a length like '0.1', '0.1 m' or '95.3 mm'")
                    + " or an HDF5 path like '/LCLS/detector_1/EncoderValue', got '" + std::string(v) + "'");
        }
        s.value = *r;
    }
    out = std::move(s);
    return {};
}

Status Parser::applyPanelValue(
    int line, PanelDraft& d, const std::string& fullKey, const std::string& key, std::string_view v)
{
    DetectorPanel& p = d.panel;
    const std::string got = "got '" + std::string(v) + "'";
    if (auto it = kIntKeys.find(key); it != kIntKeys.end()) {
        auto r = parseInt(v);
        return r ? (p.*(it->second) = *r, Status {}) : fail(line, fullKey, "expected an integer, " + got);
    }
    if (auto it = kRealKeys.find(key); it != kRealKeys.end()) {
        auto r = parseDouble(v);
        return r ? (p.*(it->second) = *r, Status {}) : fail(line, fullKey, "expected a number, " + got);
    }
    if (key == "res") {
        auto r = parseDouble(v);
        return r && *r > 0.0 ? (p.pixelsPerM = *r, Status {})
                             : fail(line, fullKey, "expected a positive number of pixels per metre, " + got);
    }
    if (key == "fs" || key == "ss") {
        auto vec = parseVector(v);
        return vec ? ((key == "fs" ? p.fsVec : p.ssVec) = *vec, Status {})
                   : fail(line, fullKey, "expected a vector like '+0.0021x -0.9999y', " + got);
    }
    if (key == "clen") {
        // CrystFEL reads a camera length from the data file in millimetres.
        return scalarValue(line, d.clen, fullKey, v, false, 1e-3);
    }
    if (key == "coffset") {
        return scalarValue(line, d.coffset, fullKey, v, false, 1.0);
    }
    if (key == "no_index") {
        auto r = parseInt(v);
        return r && (*r == 0 || *r == 1) ? (p.ignored = *r == 1, Status {})
                                         : fail(line, fullKey, "expected 0 or 1, " + got);
    }
    if (key == "data") {
        d.data = std::string(v);
        return {};
    }
    if (key.size() >= 4 && key.rfind("dim", 0) == 0 && std::isdigit(static_cast<unsigned char>(key[3]))) {
        // dimN = % / ss / fs are layout words; a number is the module this panel comes from.
        auto r = parseInt(v);
        if (v == "%" || v == "ss" || v == "fs" || (r && *r >= 0)) {
            d.moduleIndex = (r && *r >= 0) ? *r : d.moduleIndex;
            return {};
        }
        return fail(line, fullKey, "expected %, ss, fs or a module index, " + got);
    }
    if (key == "adu_per_eV" || key == "adu_per_photon") {
        // The gain does not move pixels; a per-panel value is checked and otherwise unused.
        return isHdf5Path(v) || parseDouble(v) ? Status {} : fail(line, fullKey, "expected a number, " + got);
    }
    if (key.rfind("mask", 0) == 0) {
        return maskKey(line, key, v);
    }
    if (kUnsupportedKeys.count(key)) {
        return fail(line, fullKey, "not supported: it changes the geometry in a way this program does not implement");
    }
    if (!kIgnoredKeys.count(key)) {
        warnOnce(line, fullKey, key, "is not a CrystFEL panel key this program knows; ignored");
    }
    return {};
}

Status Parser::maskKey(int line, const std::string& key, std::string_view v)
{
    GeomMaskSource& m = m_t.mask;
    if (key == "mask" || key == "mask0_data") {
        m.dataset = std::string(v);
    } else if (key == "mask_file" || key == "mask0_file") {
        m.file = std::string(v);
    } else if (key == "mask_good" || key == "mask_bad" || key == "mask0_goodbits" || key == "mask0_badbits") {
        auto r = parseBits(v);
        if (!r) {
            return fail(line, key, "expected a bit mask like 0x0001, got '" + std::string(v) + "'");
        }
        (key == "mask_good" || key == "mask0_goodbits" ? m.goodBits : m.badBits) = *r;
    } else if (!kIgnoredKeys.count(key)) {
        warnOnce(line, key, key, "(a further mask) is not read by this program; ignored");
    }
    return {};
}

Status Parser::globalKey(int line, const std::string& key, std::string_view v)
{
    if (key == "photon_energy") {
        return scalarValue(line, m_t.photonEnergy, key, v, true, 1.0);
    }
    if (key == "wavelength") {
        auto a = parseWavelengthA(v);
        if (!a || !(*a > 0.0)) {
            return fail(line, key, "expected a wavelength like '1.3e-10 m' or '1.3 A', got '" + std::string(v) + "'");
        }
        m_t.photonEnergy = GeomScalar { 12398.419843320026 / *a, {}, 1.0, line, key };
        return {};
    }
    if (key == "photon_energy_scale") {
        auto r = parseDouble(v);
        return r && *r > 0.0 ? (m_energyScale = *r, Status {})
                             : fail(line, key, "expected a positive factor, got '" + std::string(v) + "'");
    }
    if (key == "adu_per_eV" || key == "adu_per_photon") {
        GeomScalar& target = key == "adu_per_eV" ? m_t.aduPerEv : m_t.aduPerPhoton;
        if (!isHdf5Path(v) && !parseDouble(v)) {
            return fail(line, key, "expected a number or an HDF5 path, got '" + std::string(v) + "'");
        }
        target = GeomScalar { parseDouble(v).value_or(std::numeric_limits<double>::quiet_NaN()),
            isHdf5Path(v) ? std::string(v) : std::string(), 1.0, line, key };
        return {};
    }
    if (key == "detector_shift_x" || key == "detector_shift_y") {
        // A shift read from the data file is in millimetres, as clen.
        return scalarValue(
            line, key == "detector_shift_x" ? m_t.detectorShiftX : m_t.detectorShiftY, key, v, false, 1e-3);
    }
    if (key.rfind("rigid_group", 0) == 0 || key.rfind("group_", 0) == 0) {
        std::vector<std::string> members;
        for (std::size_t pos = 0; pos <= v.size();) {
            const std::size_t comma = std::min(v.find(',', pos), v.size());
            if (auto m = trim(v.substr(pos, comma - pos)); !m.empty()) {
                members.emplace_back(m);
            }
            pos = comma + 1;
        }
        m_t.groups.emplace_back(key, std::move(members));
        return {};
    }
    if (key.rfind("mask", 0) == 0) {
        return maskKey(line, key, v);
    }
    return applyPanelValue(line, m_defaults, key, key, v);
}

Status Parser::badKey(int line, BadDraft& d, const std::string& fullKey, const std::string& key, std::string_view v)
{
    BadRegion& b = d.region;
    if (key == "panel") {
        b.panel = std::string(v);
        return {};
    }
    const bool xy = key == "min_x" || key == "max_x" || key == "min_y" || key == "max_y";
    const bool fsss = key == "min_fs" || key == "max_fs" || key == "min_ss" || key == "max_ss";
    if (!xy && !fsss) {
        warnOnce(line, fullKey, "bad/" + key, "is not a bad-region key (min/max_x/y, min/max_fs/ss, panel); ignored");
        return {};
    }
    (xy ? d.hasXY : d.hasFsSs) = true;
    if (d.hasXY && d.hasFsSs) {
        return fail(line, fullKey, "a bad region uses either x/y or fs/ss limits, not both");
    }
    auto r = parseDouble(v);
    if (!r || (fsss && *r != std::floor(*r))) {
        return fail(line, fullKey,
            std::string("expected ") + (xy ? "a number" : "an integer") + ", got '" + std::string(v) + "'");
    }
    double* targetsXY[] = { &b.minX, &b.maxX, &b.minY, &b.maxY };
    int* targetsFs[] = { &b.minFs, &b.maxFs, &b.minSs, &b.maxSs };
    const char* namesXY[] = { "min_x", "max_x", "min_y", "max_y" };
    const char* namesFs[] = { "min_fs", "max_fs", "min_ss", "max_ss" };
    for (int i = 0; i < 4; ++i) {
        if (xy && key == namesXY[i]) {
            *targetsXY[i] = *r;
        }
        if (fsss && key == namesFs[i]) {
            *targetsFs[i] = static_cast<int>(*r);
        }
    }
    b.labXY = xy;
    return {};
}

// 4-D stacks are folded into the slab as CrystFEL does: module k's rows start at k · (rows per module).
void Parser::foldModules()
{
    int rowsPerModule = 0;
    for (auto& [name, d] : m_panels) {
        if (d.moduleIndex >= 0) {
            rowsPerModule = std::max(rowsPerModule, d.panel.maxSs + 1);
        }
    }
    for (auto& [name, d] : m_panels) {
        if (d.moduleIndex > 0) {
            d.panel.minSs += d.moduleIndex * rowsPerModule;
            d.panel.maxSs += d.moduleIndex * rowsPerModule;
        }
    }
}

Result<GeomTemplate> Parser::finish()
{
    if (m_order.empty()) {
        return Error { m_src + ": no panels defined (expected lines like 'p0/min_fs = 0')" };
    }
    const char* required[] = { "min_fs", "max_fs", "min_ss", "max_ss" };
    for (const auto& name : m_order) {
        const PanelDraft& d = m_panels.at(name);
        for (const char* key : required) {
            if (!d.seen.count(key)) {
                return fail(d.firstLine, name + "/" + key, "panel '" + name + "' has no " + key);
            }
        }
        if (!std::isfinite(d.panel.pixelsPerM)) {
            return fail(d.firstLine, name + "/res", "panel '" + name + "' has no res (pixels per metre)");
        }
    }
    foldModules();
    m_t.sourceName = m_src;
    for (const auto& name : m_order) {
        PanelDraft& d = m_panels.at(name);
        if (!d.clen.isSet()) {
            d.clen.line = d.firstLine;
            d.clen.key = name + "/clen";
        }
        m_t.panels.push_back(d.panel);
        m_t.clen.push_back(d.clen);
        m_t.coffset.push_back(d.coffset);
        m_t.dataPath.push_back(d.data);
    }
    if (m_t.photonEnergy.isNumber()) {
        m_t.photonEnergy.value *= m_energyScale;
    } else if (m_t.photonEnergy.isPath()) {
        m_t.photonEnergy.fileScale *= m_energyScale;
    } else {
        m_t.photonEnergy.key = "photon_energy";
    }
    for (const auto& name : m_badOrder) {
        const BadDraft& b = m_bad.at(name);
        if (!b.region.panel.empty() && !m_panels.count(b.region.panel)) {
            return fail(b.firstLine, name + "/panel", "no panel named '" + b.region.panel + "'");
        }
        m_t.badRegions.push_back(b.region);
    }
    return std::move(m_t);
}

} // namespace

Result<GeomTemplate> GeomParser::parseTemplateFile(const std::string& path)
{
    std::ifstream in(path);
    if (!in) {
        return Error { "cannot open geometry file '" + path + "'" };
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parseTemplateText(text.str(), path);
}

Result<GeomTemplate> GeomParser::parseTemplateText(std::string_view text, const std::string& sourceName)
{
    Parser parser(sourceName);
    int lineNo = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const std::size_t end = std::min(text.find('\n', pos), text.size());
        ++lineNo;
        if (Status st = parser.line(lineNo, text.substr(pos, end - pos)); !st) {
            return Error { st.message() };
        }
        pos = end + 1;
    }
    return parser.finish();
}

namespace {
Result<DetectorGeometry> resolveWith(Result<GeomTemplate> t, const GeomParseOptions& options)
{
    if (!t) {
        return t.error();
    }
    GeomOverrides o;
    o.cameraLengthM = options.cameraLengthM;
    o.photonEnergyEv = options.photonEnergyEv;
    auto r = t->resolve(o);
    if (!r) {
        return r.error();
    }
    return std::move(r->geometry);
}
} // namespace

Result<DetectorGeometry> GeomParser::parseFile(const std::string& path, const GeomParseOptions& options)
{
    return resolveWith(parseTemplateFile(path), options);
}

Result<DetectorGeometry> GeomParser::parseText(
    std::string_view text, const std::string& sourceName, const GeomParseOptions& options)
{
    return resolveWith(parseTemplateText(text, sourceName), options);
}

std::string GeomParser::toGeomText(const DetectorGeometry& g)
{
    std::ostringstream out;
    out.precision(17);
    out << "; written by FXS Monitor\nphoton_energy = " << g.photonEnergyEv() << "\n";
    auto vec = [](const Vec3& v) {
        std::ostringstream s;
        s.precision(17);
        s << std::showpos << v[0] << "x " << v[1] << "y " << v[2] << "z";
        return s.str();
    };
    for (const auto& p : g.panels()) {
        const std::string k = "\n" + p.name + "/";
        out << k << "min_fs = " << p.minFs << k << "max_fs = " << p.maxFs << k << "min_ss = " << p.minSs << k
            << "max_ss = " << p.maxSs << k << "fs = " << vec(p.fsVec) << k << "ss = " << vec(p.ssVec) << k
            << "corner_x = " << p.cornerXPx << k << "corner_y = " << p.cornerYPx << k << "res = " << p.pixelsPerM << k
            << "clen = " << p.cameraLengthM << k << "coffset = " << p.coffsetM << k
            << "no_index = " << (p.ignored ? 1 : 0);
        if (std::isfinite(p.maxAdu)) {
            out << k << "max_adu = " << p.maxAdu;
        }
        out << "\n";
    }
    const auto& mask = g.maskSource();
    if (!mask.dataset.empty()) {
        out << "mask = " << mask.dataset << "\nmask_good = 0x" << std::hex << mask.goodBits << "\nmask_bad = 0x"
            << mask.badBits << std::dec << "\n";
    }
    if (!mask.file.empty()) {
        out << "mask_file = " << mask.file << "\n";
    }
    int unnamed = 0;
    for (const auto& b : g.badRegions()) {
        const std::string name = b.name.rfind("bad", 0) == 0 ? b.name : "bad_region" + std::to_string(unnamed++);
        const std::string k = "\n" + name + "/";
        if (b.labXY) {
            out << k << "min_x = " << b.minX << k << "max_x = " << b.maxX << k << "min_y = " << b.minY << k
                << "max_y = " << b.maxY;
        } else {
            out << k << "min_fs = " << b.minFs << k << "max_fs = " << b.maxFs << k << "min_ss = " << b.minSs << k
                << "max_ss = " << b.maxSs;
        }
        if (!b.panel.empty()) {
            out << k << "panel = " << b.panel;
        }
        out << "\n";
    }
    return out.str();
}

} // namespace fxs
