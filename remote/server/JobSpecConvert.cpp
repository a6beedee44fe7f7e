// JobSpec (what a client asks for) → WorkerConfig (what fxs-worker reads), with the checks that make a bad
// request an INVALID_ARGUMENT naming the field rather than a failed job.
#include "JobStore.h"
#include <fxs/geometry/GeomParser.h>
#include <fxs/sources/MaskFile.h>
#include <fxs/simulation/ParticleModel.h>
#include <fxs/shots/VetoRules.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

namespace fxs::remote {

namespace {

// The user's geometry values (GeometryValues) checked and copied; `field` names the request's message.
Status geometryValues(const fxs::v1::GeometryValues& v, const std::string& field, WorkerConfig& c)
{
    if (v.has_clen_m()) {
        if (!std::isfinite(v.clen_m())) {
            return Error { field + ".clen_m must be a finite number of metres" };
        }
        c.clenM = v.clen_m();
    }
    if (v.has_photon_energy_ev()) {
        if (!(v.photon_energy_ev() > 0.0) || !std::isfinite(v.photon_energy_ev())) {
            return Error { field + ".photon_energy_ev must be a positive number of eV" };
        }
        c.photonEnergyEv = v.photon_energy_ev();
    }
    if (!std::isfinite(v.beam_shift_x_m()) || !std::isfinite(v.beam_shift_y_m())) {
        return Error { field + ".beam_shift_x_m/y_m must be finite numbers of metres" };
    }
    c.beamShiftXM = v.beam_shift_x_m();
    c.beamShiftYM = v.beam_shift_y_m();
    if (!v.mask().empty()) {
        // FILE:DATASET: the file is what must exist (the worker reads the mask, after the server checked this).
        const std::string file = splitMaskSpec(v.mask()).file;
        if (!std::filesystem::is_regular_file(file)) {
            return Error { field + ".mask: " + file + " does not exist on the server" };
        }
        c.maskPath = v.mask();
    }
    return {};
}

// A geometry that leaves clen or the photon energy out, with no value in the request, is refused now, naming the
// field that supplies it. HDF5-path values are the worker's to read: the server runs no HDF5 on an input that
// fxs-probe has not validated.
Status checkGeometry(const WorkerConfig& c, const std::string& field)
{
    auto t = GeomParser::parseTemplateFile(c.geometryPath);
    if (!t) {
        return Error { field + ".geometry_path: " + t.error().message };
    }
    const bool noClen = !std::isfinite(c.clenM)
        && std::any_of(t->clen.begin(), t->clen.end(), [](const GeomScalar& s) { return !s.isSet(); });
    const bool noEnergy = !std::isfinite(c.photonEnergyEv) && !t->photonEnergy.isSet();
    if (noClen || noEnergy) {
        return Error { field + ".geometry_path: " + c.geometryPath + " gives no "
            + (noClen ? "camera length (clen)" : "photon energy (photon_energy)") + "; set " + field
            + ".geometry_values." + (noClen ? "clen_m" : "photon_energy_ev") };
    }
    return {};
}

Status simulatorInput(const fxs::v1::SimulatorInput& in, WorkerConfig& c)
{
    c.inputKind = "simulator";
    c.shots = in.shots();
    c.seed = in.seed();
    c.model = in.model();
    auto model = ParticleModel::load(in.model());
    if (!model) {
        return Error { "simulator.model: " + model.error().message };
    }
    if (!in.geometry_path().empty() && !std::filesystem::exists(in.geometry_path())) {
        return Error { "simulator.geometry_path: " + in.geometry_path() + " does not exist on the server" };
    }
    c.geometryPath = in.geometry_path();
    if (auto st = geometryValues(in.geometry_values(), "simulator.geometry_values", c); !st) {
        return st;
    }
    if (!c.geometryPath.empty()) {
        if (auto st = checkGeometry(c, "simulator"); !st) {
            return st;
        }
    }
    c.wavelengthA = in.wavelength_angstrom() == 0.0 ? 1.5 : in.wavelength_angstrom();
    c.peakPhotons = in.peak_photons() == 0.0 ? 1000.0 : in.peak_photons();
    c.meanParticles = in.mean_particles() == 0.0 ? 1.0 : in.mean_particles();
    return {};
}

// The statistics' settings as the worker takes them (0 on saturation: none; 0 on hit_score_min: 0.01);
// WorkerConfig::validate checks them, naming the field. Only the request's encoding is checked here: "none" is
// 0, so an infinite saturation level is refused.
Status statisticsSettings(const fxs::v1::ShotStatisticsSettings& s, WorkerConfig& c)
{
    if (std::isinf(s.saturation_adu())) {
        return Error { "veto.statistics.saturation_adu must be a finite number ≥ 0 (0: none), got "
            + std::to_string(s.saturation_adu()) };
    }
    ShotStatsOptions& o = c.statsOptions;
    o.photonThresholdAdu = s.photon_threshold_adu();
    o.saturationAdu = s.saturation_adu() == 0.0 ? std::numeric_limits<double>::infinity() : s.saturation_adu();
    o.particleSumAdu = s.particle_sum_adu();
    o.backgroundSumAdu = s.background_sum_adu();
    c.hitScoreMin = s.hit_score_min() == 0.0 ? 0.01 : s.hit_score_min();
    return {};
}

// min/max total intensity → a threshold on ShotStats "sum" (0 on either side: no limit there); then the further
// thresholds and the manual ranges, each checked by VetoRules with its index in the message.
Status vetoRules(const fxs::v1::VetoRules& v, WorkerConfig& c)
{
    const double lo = v.min_total_intensity(), hi = v.max_total_intensity();
    if (!std::isfinite(lo)) {
        return Error { "veto.min_total_intensity must be a finite number, got " + std::to_string(lo) };
    }
    if (!std::isfinite(hi)) {
        return Error { "veto.max_total_intensity must be a finite number (0: no upper limit), got "
            + std::to_string(hi) };
    }
    // Every rule is tested against every shot: bounded so that a request cannot make each shot cost seconds.
    constexpr int maxThresholds = 64, maxRanges = 100'000;
    if (v.thresholds_size() > maxThresholds) {
        return Error { "veto.thresholds: at most " + std::to_string(maxThresholds) + ", got "
            + std::to_string(v.thresholds_size()) };
    }
    if (v.ranges_size() > maxRanges) {
        return Error { "veto.ranges: at most " + std::to_string(maxRanges) + " (merge neighbouring ranges), got "
            + std::to_string(v.ranges_size()) };
    }
    constexpr double inf = std::numeric_limits<double>::infinity();
    VetoRules rules;
    if (lo != 0.0 || hi != 0.0) {
        const VetoThreshold t { ShotStatistic::Sum, lo != 0.0 ? lo : -inf, hi != 0.0 ? hi : inf };
        if (t.min > t.max || !rules.addThreshold(t)) {
            return Error { "veto.max_total_intensity (" + std::to_string(hi) + ") is below veto.min_total_intensity ("
                + std::to_string(lo) + ")" };
        }
    }
    for (int i = 0; i < v.thresholds_size(); ++i) {
        const fxs::v1::VetoThreshold& p = v.thresholds(i);
        const std::string field = "veto.thresholds[" + std::to_string(i) + "]";
        const auto statistic = ShotStats::fromName(p.statistic());
        if (!statistic) {
            return Error { field + ".statistic: unknown statistic '" + p.statistic()
                + "' (sum, mean, max, saturated, masked_fraction, hit_score or particles)" };
        }
        if ((p.has_min() && std::isnan(p.min())) || (p.has_max() && std::isnan(p.max()))) {
            return Error { field + ": a limit is NaN" };
        }
        const VetoThreshold t { *statistic, p.has_min() ? p.min() : -inf, p.has_max() ? p.max() : inf };
        if (auto st = rules.addThreshold(t); !st) {
            return Error { field + " (" + p.statistic() + "): " + st.message() };
        }
    }
    for (int i = 0; i < v.ranges_size(); ++i) {
        const fxs::v1::VetoRange& r = v.ranges(i);
        if (r.reason().size() > 256) { // written into the ledger with every shot it vetoes
            return Error { "veto.ranges[" + std::to_string(i) + "].reason: at most 256 bytes, got "
                + std::to_string(r.reason().size()) };
        }
        if (auto st = rules.addRange(r.first(), r.last(), r.reason()); !st) {
            return Error { "veto.ranges[" + std::to_string(i) + "]: " + st.message() };
        }
    }
    if (auto st = statisticsSettings(v.statistics(), c); !st) {
        return st;
    }
    c.veto = rules.thresholds().empty() && rules.ranges().empty() ? nlohmann::json {} : rules.toJson();
    return {};
}

Status streamInput(const fxs::v1::StreamInput& in, WorkerConfig& c)
{
    c.inputKind = "stream";
    c.streamEndpoint = in.endpoint();
    c.streamProtocol = in.protocol();
    c.shots = in.max_shots();
    c.streamTimeLimitS = in.time_limit_s();
    c.streamIdleTimeoutS = in.idle_timeout_s();
    c.streamConnectTimeoutS = in.connect_timeout_s() == 0.0 ? 60.0 : in.connect_timeout_s();
    c.streamStopAtEnd = in.stop_at_end();
    c.karaboSource = in.karabo_source();
    c.karaboDataPath = in.karabo_data_path().empty() ? "image.data" : in.karabo_data_path();
    if (in.geometry_path().empty()) {
        return Error { "stream.geometry_path: a CrystFEL .geom file is needed to remap the frames (with several "
                       "ranks, only one gets the detector's start message)" };
    }
    if (!std::filesystem::exists(in.geometry_path())) {
        return Error { "stream.geometry_path: " + in.geometry_path() + " does not exist on the server" };
    }
    c.geometryPath = in.geometry_path();
    if (auto st = geometryValues(in.geometry_values(), "stream.geometry_values", c); !st) {
        return st;
    }
    if (auto st = checkGeometry(c, "stream"); !st) {
        return st;
    }
    return c.validateStream();
}

// cxi.follow: the file is followed as it grows, by the stream worker (every rank consuming its share).
Status followInput(const fxs::v1::CxiInput& in, WorkerConfig& c)
{
    if (!in.follow()) {
        if (in.follow_idle_timeout_s() != 0.0 || in.follow_time_limit_s() != 0.0) {
            return Error { "cxi.follow_idle_timeout_s / follow_time_limit_s: only with cxi.follow" };
        }
        return {};
    }
    const std::pair<const char*, double> times[] = { { "follow_idle_timeout_s", in.follow_idle_timeout_s() },
        { "follow_time_limit_s", in.follow_time_limit_s() } };
    for (const auto& [name, v] : times) {
        if (!(v >= 0.0 && v <= 1e7)) {
            return Error { std::string("cxi.") + name + " must be between 0 and 1e7 s, got " + std::to_string(v) };
        }
    }
    c.inputKind = "stream";
    c.followFile = true;
    c.streamEndpoint.clear();
    c.streamIdleTimeoutS = in.follow_idle_timeout_s() == 0.0 ? 60.0 : in.follow_idle_timeout_s();
    c.streamTimeLimitS = in.follow_time_limit_s();
    c.streamConnectTimeoutS = std::max(60.0, c.streamIdleTimeoutS); // no first frame within it: the job fails
    if (auto st = c.validateStream(); !st) {
        return Error { st.message() };
    }
    return {};
}

Status reconstruction(const fxs::v1::ReconstructionOptions& r, WorkerConfig& c)
{
    c.reconstruct = r.enabled();
    if (!c.reconstruct) {
        return {};
    }
    if (!std::isfinite(r.particle_diameter_angstrom())) {
        return Error { "reconstruction.particle_diameter_angstrom must be a finite number" };
    }
    c.mtipIterations = r.iterations() == 0 ? 600 : r.iterations();
    c.mtipGridSize = r.grid_size() == 0 ? 32 : r.grid_size();
    c.mtipDiameterA = r.particle_diameter_angstrom();
    c.mtipStarts = r.starts() == 0 ? 3 : r.starts();
    c.mtipLMax = r.l_max() == 0 ? -1 : r.l_max();
    c.mtipSeed = r.seed() == 0 ? 1 : r.seed();
    return {};
}

} // namespace

Result<WorkerConfig> workerConfigFor(const fxs::v1::JobSpec& spec, int maxRanks)
{
    WorkerConfig c;
    switch (spec.input_case()) {
    case fxs::v1::JobSpec::kSynthetic:
        c.inputKind = "synthetic";
        c.shots = spec.synthetic().shots();
        c.seed = spec.synthetic().seed();
        c.maskedFraction = spec.synthetic().masked_fraction();
        break;
    case fxs::v1::JobSpec::kCxi:
        if (spec.cxi().paths_size() != 1) {
            return Error { "cxi.paths: exactly one file per job is supported, got "
                + std::to_string(spec.cxi().paths_size()) };
        }
        if (spec.cxi().geometry_path().empty()) {
            return Error { "cxi.geometry_path: a CrystFEL .geom file is needed to remap the frames" };
        }
        if (!std::filesystem::exists(spec.cxi().paths(0))) {
            return Error { "cxi.paths: " + spec.cxi().paths(0) + " does not exist on the server" };
        }
        if (!std::filesystem::exists(spec.cxi().geometry_path())) {
            return Error { "cxi.geometry_path: " + spec.cxi().geometry_path() + " does not exist on the server" };
        }
        c.inputKind = "cxi";
        c.cxiPath = spec.cxi().paths(0);
        c.geometryPath = spec.cxi().geometry_path();
        if (auto st = geometryValues(spec.cxi().geometry_values(), "cxi.geometry_values", c); !st) {
            return Error { st.message() };
        }
        if (auto st = checkGeometry(c, "cxi"); !st) {
            return Error { st.message() };
        }
        if (!spec.cxi().dataset().empty()) {
            c.cxiDataset = spec.cxi().dataset();
        }
        if (auto st = followInput(spec.cxi(), c); !st) {
            return Error { st.message() };
        }
        break;
    case fxs::v1::JobSpec::kSimulator:
        if (auto st = simulatorInput(spec.simulator(), c); !st) {
            return Error { st.message() };
        }
        break;
    case fxs::v1::JobSpec::kStream:
        if (auto st = streamInput(spec.stream(), c); !st) {
            return Error { st.message() };
        }
        break;
    default:
        return Error { "input: the job has no input (set synthetic, cxi, simulator or stream)" };
    }
    if (spec.ranks() < 1 || spec.ranks() > maxRanks) {
        return Error { "ranks must be between 1 and " + std::to_string(maxRanks) + ", got "
            + std::to_string(spec.ranks()) };
    }
    if (!spec.has_grid()) {
        return Error { "grid: missing (n_q, n_phi, q_min_inv_angstrom, q_max_inv_angstrom)" };
    }
    c.nQ = spec.grid().n_q();
    c.nPhi = spec.grid().n_phi();
    c.qMinInvA = spec.grid().q_min_inv_angstrom();
    c.qMaxInvA = spec.grid().q_max_inv_angstrom();
    c.nMax = spec.n_max() <= 0 ? -1 : spec.n_max();
    c.doublePrecision = spec.double_precision();
    c.ringMeanSubtracted = spec.ring_mean_subtracted();
    c.threadsPerRank = spec.threads_per_rank() == 0 ? 1 : spec.threads_per_rank();
    c.backend = spec.backend().empty() ? "cpu" : spec.backend();
    c.gpuDevices.assign(spec.gpu_devices().begin(), spec.gpu_devices().end());
    c.shotsPerUnit = spec.shots_per_unit() == 0 ? 64 : spec.shots_per_unit();
    c.unitsPerReduce = spec.units_per_reduce();
    c.reduceIntervalS = spec.reduce_interval_s() == 0.0 ? 5.0 : spec.reduce_interval_s();
    if (auto st = vetoRules(spec.veto(), c); !st) {
        return Error { st.message() };
    }
    if (auto st = reconstruction(spec.reconstruction(), c); !st) {
        return Error { st.message() };
    }
    if (auto st = c.validate(); !st) {
        return Error { st.message() };
    }
    return c;
}

} // namespace fxs::remote
