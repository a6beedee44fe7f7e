#include "Setup.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <fxs/geometry/GeomParser.h>
#include <fxs/simulation/ParticleModel.h>
#include <limits>
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
    GeometrySetup s { *g, GeomParser::toGeomText(*g), "builtin", g->validMask() };
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

Result<GeometrySetup> loadGeometry(const std::string& spec)
{
    if (spec.empty() || spec == "builtin") {
        return builtinGeometry();
    }
    if (!std::filesystem::is_regular_file(spec)) {
        return Error { spec + ": no such geometry file (give a CrystFEL .geom file or 'builtin')" };
    }
    auto g = GeomParser::parseFile(spec);
    if (!g) {
        return g.error();
    }
    std::ifstream in(spec);
    std::stringstream text;
    text << in.rdbuf();
    return GeometrySetup { *g, text.str(), spec, g->validMask() };
}

Result<std::shared_ptr<const Simulator>> makeSimulator(const SimSettings& s)
{
    auto names = ParticleModel::builtinNames();
    auto model = std::find(names.begin(), names.end(), s.model) != names.end() ? ParticleModel::builtin(s.model)
                                                                               : ParticleModel::fromFile(s.model);
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
