#include <fxs/geometry/GeomParser.h>

#include "GeomValues.h"

#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace fxs {

namespace {

using namespace geomvalues;

// Keys CrystFEL knows that do not change where pixels are; accepted and ignored.
const std::set<std::string> kIgnoredKeys = { "data", "adu_per_eV", "adu_per_photon", "photon_energy_bandwidth",
    "photon_energy_scale", "peak_list", "peak_list_type", "bandwidth", "detector_shift_x", "detector_shift_y",
    "badrow_direction", "flag_lessthan", "flag_morethan", "flag_equal", "saturation_map", "saturation_map_file",
    "wavelength_scale", "electron_voltage", "cnz", "mask_edge_pixels", "max_pixel_value" };

struct PanelDraft {
    DetectorPanel panel;
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
    Parser(std::string source, const GeomParseOptions& options)
        : m_src(std::move(source))
        , m_opt(options)
    {
        // Both must be given (globally or per panel): a silent default would misplace every pixel.
        m_defaults.cameraLengthM = std::numeric_limits<double>::quiet_NaN();
        m_defaults.pixelsPerM = std::numeric_limits<double>::quiet_NaN();
    }

    Status line(int lineNo, std::string_view raw);
    Result<DetectorGeometry> finish();

private:
    Error fail(int line, const std::string& key, const std::string& what) const
    {
        return Error { m_src + ":" + std::to_string(line) + ": key '" + key + "': " + what };
    }
    Status panelKey(int line, PanelDraft& d, const std::string& fullKey, const std::string& key, std::string_view v);
    Status globalKey(int line, const std::string& key, std::string_view v);
    Status badKey(int line, BadDraft& d, const std::string& fullKey, const std::string& key, std::string_view v);
    Status applyPanelValue(int line, DetectorPanel& p, const std::string& fullKey, const std::string& key,
        std::string_view v, int* moduleIndex);
    void foldModules();

    std::string m_src;
    GeomParseOptions m_opt;
    DetectorPanel m_defaults;
    int m_defaultModule = -1;
    double m_photonEnergyEv = std::numeric_limits<double>::quiet_NaN();
    int m_photonLine = 0;
    GeomMaskSource m_mask;
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
    auto [it, added] = m_panels.try_emplace(owner);
    if (added) {
        // CrystFEL copies the global defaults seen so far into a panel when it is first named.
        it->second.panel = m_defaults;
        it->second.panel.name = owner;
        it->second.firstLine = lineNo;
        it->second.moduleIndex = m_defaultModule;
        m_order.push_back(owner);
    }
    return panelKey(lineNo, it->second, key, sub, value);
}

// Plain numeric panel keys and the fields they set.
const std::map<std::string, int DetectorPanel::*> kIntKeys = { { "min_fs", &DetectorPanel::minFs },
    { "max_fs", &DetectorPanel::maxFs }, { "min_ss", &DetectorPanel::minSs }, { "max_ss", &DetectorPanel::maxSs } };
const std::map<std::string, double DetectorPanel::*> kRealKeys
    = { { "corner_x", &DetectorPanel::cornerXPx }, { "corner_y", &DetectorPanel::cornerYPx },
          { "coffset", &DetectorPanel::coffsetM }, { "max_adu", &DetectorPanel::maxAdu } };

Status Parser::applyPanelValue(int line, DetectorPanel& p, const std::string& fullKey, const std::string& key,
    std::string_view v, int* moduleIndex)
{
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
        auto r = parseDouble(v);
        if (!r && !std::isfinite(m_opt.cameraLengthM)) {
            return fail(line, fullKey,
                "'" + std::string(v) + "' is not a number of metres (an HDF5 path?); give the camera length in metres");
        }
        p.cameraLengthM = r ? *r : m_opt.cameraLengthM;
        return {};
    }
    if (key == "no_index") {
        auto r = parseInt(v);
        return r && (*r == 0 || *r == 1) ? (p.ignored = *r == 1, Status {})
                                         : fail(line, fullKey, "expected 0 or 1, " + got);
    }
    if (key.size() == 4 && key.rfind("dim", 0) == 0 && key[3] >= '0' && key[3] <= '9') {
        // dimN = % / ss / fs are layout words; a number is the module this panel comes from.
        auto r = parseInt(v);
        if (v == "%" || v == "ss" || v == "fs" || (r && *r >= 0)) {
            *moduleIndex = (r && *r >= 0) ? *r : *moduleIndex;
            return {};
        }
        return fail(line, fullKey, "expected %, ss, fs or a module index, " + got);
    }
    if (kIgnoredKeys.count(key) || key.rfind("mask", 0) == 0) {
        return {};
    }
    return fail(line, fullKey, "unknown panel key");
}

Status Parser::panelKey(int line, PanelDraft& d, const std::string& fullKey, const std::string& key, std::string_view v)
{
    d.seen.insert(key);
    return applyPanelValue(line, d.panel, fullKey, key, v, &d.moduleIndex);
}

Status Parser::globalKey(int line, const std::string& key, std::string_view v)
{
    if (key == "photon_energy") {
        m_photonLine = line;
        if (auto r = parseDouble(v)) {
            if (!(*r > 0.0)) {
                return fail(line, key, "photon energy must be a positive number of eV");
            }
            m_photonEnergyEv = *r;
        }
        return {}; // an HDF5 path: GeomParseOptions::photonEnergyEv is used at the end
    }
    if (key == "mask" || key == "mask0_data") {
        m_mask.dataset = std::string(v);
        return {};
    }
    if (key == "mask_file" || key == "mask0_file") {
        m_mask.file = std::string(v);
        return {};
    }
    if (key == "mask_good" || key == "mask_bad" || key == "mask0_goodbits" || key == "mask0_badbits") {
        auto r = parseBits(v);
        if (!r) {
            return fail(line, key, "expected a bit mask like 0x0001, got '" + std::string(v) + "'");
        }
        (key == "mask_good" || key == "mask0_goodbits" ? m_mask.goodBits : m_mask.badBits) = *r;
        return {};
    }
    if (key.rfind("rigid_group", 0) == 0 || kIgnoredKeys.count(key)) {
        return {};
    }
    return applyPanelValue(line, m_defaults, key, key, v, &m_defaultModule);
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
        return fail(line, fullKey, "unknown bad-region key (expected min/max_x/y, min/max_fs/ss or panel)");
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

Result<DetectorGeometry> Parser::finish()
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
        if (!std::isfinite(d.panel.cameraLengthM)) {
            if (!std::isfinite(m_opt.cameraLengthM)) {
                return fail(d.firstLine, name + "/clen", "panel '" + name + "' has no camera length (clen)");
            }
            m_panels.at(name).panel.cameraLengthM = m_opt.cameraLengthM;
        }
        if (!std::isfinite(d.panel.pixelsPerM)) {
            return fail(d.firstLine, name + "/res", "panel '" + name + "' has no res (pixels per metre)");
        }
    }
    double energy = std::isfinite(m_opt.photonEnergyEv) ? m_opt.photonEnergyEv : m_photonEnergyEv;
    if (!std::isfinite(energy)) {
        return Error { m_src + (m_photonLine ? ":" + std::to_string(m_photonLine) : std::string())
            + ": key 'photon_energy': no photon energy in eV (the file gives none, or an HDF5 path)" };
    }
    foldModules();
    std::vector<DetectorPanel> panels;
    for (const auto& name : m_order) {
        panels.push_back(m_panels.at(name).panel);
    }
    std::vector<BadRegion> bad;
    for (const auto& name : m_badOrder) {
        bad.push_back(m_bad.at(name).region);
    }
    auto geom = DetectorGeometry::fromPanels(std::move(panels), energy, std::move(bad), m_mask);
    if (!geom) {
        return Error { m_src + ": " + geom.error().message };
    }
    return geom;
}

} // namespace

Result<DetectorGeometry> GeomParser::parseFile(const std::string& path, const GeomParseOptions& options)
{
    std::ifstream in(path);
    if (!in) {
        return Error { "cannot open geometry file '" + path + "'" };
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parseText(text.str(), path, options);
}

Result<DetectorGeometry> GeomParser::parseText(
    std::string_view text, const std::string& sourceName, const GeomParseOptions& options)
{
    Parser parser(sourceName, options);
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
