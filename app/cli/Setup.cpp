#include "Setup.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <fxs/geometry/GeomParser.h>
#include <fxs/simulation/ParticleModel.h>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

namespace fxs::cli {

namespace {
Result<GeometrySetup> builtinGeometry()
{
    SinglePanelSpec spec;
    spec.nSlow = 256;
    spec.nFast = 256;
    spec.pixelSizeM = 300e-6;
    spec.beamCentreFastPx = 128.3;
    spec.beamCentreSlowPx = 127.7;
    spec.distanceM = 0.25;
    spec.wavelengthA = 12398.42 / 9000.0;
    auto g = DetectorGeometry::singlePanel(spec);
    if (!g) {
        return g.error();
    }
    GeometrySetup s;
    s.geometry = *g;
    s.text = GeomParser::toGeomText(*g);
    s.name = "builtin";
    s.mask = g->validMask();
    for (int ss = 0; ss < spec.nSlow; ++ss) {
        for (int fs = 0; fs < spec.nFast; ++fs) {
            const double dx = fs + 0.5 - spec.beamCentreFastPx;
            const double dy = ss + 0.5 - spec.beamCentreSlowPx;
            const bool beamstop = dx * dx + dy * dy < 36.0;
            const bool gap = ss >= 140 && ss < 144;
            if (beamstop || gap) {
                s.mask[static_cast<std::size_t>(ss) * spec.nFast + fs] = 0;
            }
        }
    }
    s.text = "; fxs built-in demo detector: beamstop radius 6 px at the beam, gap rows 140-143 masked\n" + s.text;
    return s;
}
} // namespace

namespace {
std::string describe(const ResolvedGeometry& r, const std::string& maskUsed, bool perFrame)
{
    nlohmann::json j { { "clen_m", r.cameraLengthM }, { "clen_source", valueSourceName(r.cameraLengthSource) },
        { "photon_energy_ev", r.photonEnergyEv }, { "photon_energy_source", valueSourceName(r.photonEnergySource) },
        { "beam_shift_m", { r.beamShiftXM, r.beamShiftYM } },
        { "beam_shift_source", r.beamShiftXM != 0.0 || r.beamShiftYM != 0.0 ? "user" : "unset" }, { "mask", maskUsed },
        { "per_frame", perFrame } };
    return j.dump();
}

std::string header(const ResolvedGeometry& r, const std::string& maskUsed)
{
    std::ostringstream h;
    h.precision(10);
    h << "; fxs: values in effect: clen = " << r.cameraLengthM << " m (" << valueSourceName(r.cameraLengthSource)
      << "), photon_energy = " << r.photonEnergyEv << " eV (" << valueSourceName(r.photonEnergySource) << ")";
    if (r.beamShiftXM != 0.0 || r.beamShiftYM != 0.0) {
        h << ", beam shift = " << r.beamShiftXM << "," << r.beamShiftYM << " m (user)";
    }
    if (!maskUsed.empty()) {
        h << ", mask = " << maskUsed;
    }
    return h.str() + "\n";
}
} // namespace

Result<GeometrySetup> loadGeometry(
    const std::string& spec, const GeometryOverrideOptions& options, const std::string& dataFile)
{
    const bool builtin = spec.empty() || spec == "builtin";
    if (!builtin && !std::filesystem::is_regular_file(spec)) {
        return Error { spec + ": no such geometry file (give a CrystFEL .geom file or 'builtin')" };
    }
    std::optional<GeometrySetup> base;
    if (builtin) {
        auto b = builtinGeometry();
        if (!b) {
            return b.error();
        }
        base = std::move(*b);
    }
    // The built-in detector goes through the same template as a file, so that the overrides apply to it too.
    auto t = builtin ? GeomParser::parseTemplateText(base->text, "builtin") : GeomParser::parseTemplateFile(spec);
    if (!t) {
        return t.error();
    }
    for (const auto& w : t->warnings) {
        std::cerr << "fxs: warning: " << w << "\n";
    }
    auto overrides = toOverrides(options);
    if (!overrides) {
        return overrides.error();
    }
    auto file = FileGeometry::read(std::move(*t), *overrides, dataFile);
    if (!file) {
        return file.error();
    }
    if (auto st = file->resolve(0); !st) {
        return Error { st.message() };
    }
    const ResolvedGeometry* r = &file->resolved;
    GeometrySetup s;
    s.geometry = r->geometry;
    s.name = builtin ? "builtin" : spec;
    s.mask = r->geometry.validMask();
    if (builtin) {
        // The beamstop and gap are pixel masks of the built-in detector, not geometry.
        for (std::size_t i = 0; i < s.mask.size(); ++i) {
            s.mask[i] = s.mask[i] && base->mask[i];
        }
    }
    PerFrameMask frameMask;
    auto applied = fxs::applyGeometryMask(
        file->geometryTemplate, r->geometry, options.mask, dataFile, s.mask, &frameMask, "--mask");
    file->frameMask.reset(); // what the mask option or the geometry's mask turned out to be decides
    if (!frameMask.dataset.empty()) {
        file->frameMask = fxs::PerFrameMask { frameMask.dataset, frameMask.goodBits, frameMask.badBits };
    }
    if (!applied) {
        return applied.error();
    }
    if (!applied->warning.empty()) {
        std::cerr << "fxs: warning: " << applied->warning << "\n";
    }
    const std::string* maskUsed = &applied->used;
    std::string text = base ? base->text : std::string();
    if (!builtin) {
        std::ifstream in(spec);
        std::stringstream all;
        all << in.rdbuf();
        text = all.str();
    }
    const std::string perFrame = file->perFrameSummary();
    s.text = header(*r, *maskUsed) + (perFrame.empty() ? "" : "; fxs: " + perFrame + " (first shown)\n") + text;
    s.valuesJson = describe(*r, *maskUsed, file->perFrame);
    s.file = std::move(*file);
    return s;
}

Result<std::shared_ptr<const Simulator>> makeSimulator(const SimSettings& s)
{
    // A built-in name, a PDB/mmCIF structure (atoms with IT92 form factors) or a JSON model file.
    auto model = ParticleModel::load(s.model);
    if (!model) {
        return Error { "model '" + s.model + "': " + model.error().message };
    }
    SimulatorConfig c;
    c.meanParticles = s.particles;
    c.poissonParticles = s.poissonParticles;
    c.peakPhotons = s.peakPhotons;
    c.fluenceJitter = s.fluenceJitter;
    c.seed = s.seed;
    c.threads = s.threads;
    c.outputType = PixelType::UInt16;
    auto sim = Simulator::create(std::move(*model), c);
    if (!sim) {
        return Error { "model '" + s.model + "': " + sim.error().message };
    }
    return std::shared_ptr<const Simulator>(std::make_shared<Simulator>(std::move(*sim)));
}

PolarGrid defaultGrid(const DetectorGeometry& g, int nQ, int nPhi)
{
    // The largest q whose whole ring lies on the detector: the smallest q along the slab's outer edge.
    const auto q = g.qInvAngstrom();
    const int ns = g.nSlow();
    const int nf = g.nFast();
    double qEdge = std::numeric_limits<double>::infinity();
    for (int i = 0; i < ns; ++i) {
        for (int j : { 0, nf - 1 }) {
            const float v = q[static_cast<std::size_t>(i) * nf + j];
            qEdge = std::isfinite(v) ? std::min<double>(qEdge, v) : qEdge;
        }
    }
    for (int j = 0; j < nf; ++j) {
        for (int i : { 0, ns - 1 }) {
            const float v = q[static_cast<std::size_t>(i) * nf + j];
            qEdge = std::isfinite(v) ? std::min<double>(qEdge, v) : qEdge;
        }
    }
    if (g.panels().size() > 1) {
        // Modular detectors: the slab edges are module edges; take a q most rings of which are covered.
        double qMax = 0.0;
        for (float v : q) {
            qMax = std::isfinite(v) ? std::max<double>(qMax, v) : qMax;
        }
        qEdge = 0.7 * qMax;
    }
    PolarGrid grid;
    grid.nQ = nQ;
    grid.nPhi = nPhi;
    grid.qMaxInvA = std::isfinite(qEdge) ? 0.95 * qEdge : 1.0;
    grid.qMinInvA = 0.08 * grid.qMaxInvA;
    return grid;
}

} // namespace fxs::cli
