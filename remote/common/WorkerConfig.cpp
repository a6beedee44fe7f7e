#include "WorkerConfig.h"

#include <fxs/results/AtomicFile.h>
#include <fxs/shots/VetoRules.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <utility>

namespace fxs::remote {

std::uint64_t fnv1a64(const void* data, std::size_t size, std::uint64_t seed)
{
    const auto* p = static_cast<const unsigned char*>(data);
    std::uint64_t h = seed;
    for (std::size_t i = 0; i < size; ++i) {
        h = (h ^ p[i]) * 0x100000001b3ULL;
    }
    return h;
}

Status WorkerConfig::validate() const
{
    if (inputKind != "synthetic" && inputKind != "cxi" && inputKind != "simulator" && inputKind != "stream") {
        return Error { "input: synthetic, cxi, simulator or stream expected (got '" + inputKind + "')" };
    }
    if (auto st = validateSimulator(); !st) {
        return st;
    }
    if (auto st = validateStream(); !st) {
        return st;
    }
    if (inputKind == "cxi" && (cxiPath.empty() || geometryPath.empty() || cxiDataset.empty())) {
        return Error { "cxi: paths, dataset and geometry_path must be given" };
    }
    if (inputKind == "synthetic" && (shots <= 0 || shots > (std::int64_t { 1 } << 40))) {
        return Error { "synthetic.shots must be between 1 and 2^40, got " + std::to_string(shots) };
    }
    if (!(maskedFraction >= 0.0 && maskedFraction < 1.0)) {
        return Error { "synthetic.masked_fraction must be in [0, 1), got " + std::to_string(maskedFraction) };
    }
    if (nQ < 1 || nQ > 4096) {
        return Error { "grid.n_q must be between 1 and 4096, got " + std::to_string(nQ) };
    }
    if (nPhi < 4 || nPhi > 8192 || nPhi % 2 != 0) {
        return Error { "grid.n_phi must be even and between 4 and 8192, got " + std::to_string(nPhi) };
    }
    if (!(qMinInvA >= 0.0 && qMaxInvA > qMinInvA && std::isfinite(qMaxInvA))) {
        return Error { "grid: need 0 <= q_min_inv_angstrom < q_max_inv_angstrom, got " + std::to_string(qMinInvA)
            + " and " + std::to_string(qMaxInvA) };
    }
    if (nMax > nPhi / 2) {
        return Error { "n_max must be at most n_phi / 2 = " + std::to_string(nPhi / 2) + ", got "
            + std::to_string(nMax) };
    }
    if (deviceRemap != "auto" && deviceRemap != "on" && deviceRemap != "off") {
        return Error { "device_remap must be \"auto\", \"on\" or \"off\", got \"" + deviceRemap + "\"" };
    }
    if (backend != "cpu" && backend != "gpu" && backend != "auto") {
        return Error { "backend must be \"cpu\", \"gpu\" or \"auto\", got \"" + backend + "\"" };
    }
    for (int d : gpuDevices) {
        if (d < 0 || d > 1023) {
            return Error { "gpu_devices: " + std::to_string(d) + " is not a device ordinal" };
        }
    }
    if (threadsPerRank < 1 || threadsPerRank > 256) {
        return Error { "threads_per_rank must be between 0 (one) and 256, got " + std::to_string(threadsPerRank) };
    }
    if (shotsPerUnit < 1 || shotsPerUnit > 1'000'000) {
        return Error { "shots_per_unit must be between 1 and 1000000, got " + std::to_string(shotsPerUnit) };
    }
    if (unitsPerReduce < 0 || unitsPerReduce > 1'000'000) {
        return Error { "units_per_reduce must be between 0 (no limit) and 1000000, got "
            + std::to_string(unitsPerReduce) };
    }
    if (!(reduceIntervalS > 0.0 && reduceIntervalS <= 86400.0)) {
        return Error { "reduce_interval_s must be between 0 (5 s) and 86400, got " + std::to_string(reduceIntervalS) };
    }
    if (!veto.is_null()) {
        if (auto rules = VetoRules::fromJson(veto); !rules) {
            return Error { "veto: " + rules.error().message };
        }
    }
    const ShotStatsOptions& o = statsOptions;
    const std::pair<const char*, double> settings[]
        = { { "photon_threshold_adu", o.photonThresholdAdu }, { "particle_sum_adu", o.particleSumAdu },
              { "background_sum_adu", o.backgroundSumAdu }, { "hit_score_min", hitScoreMin } };
    for (const auto& [name, v] : settings) {
        if (!std::isfinite(v) || v < 0.0) {
            return Error { std::string("veto.statistics.") + name + " must be a finite number ≥ 0, got "
                + std::to_string(v) };
        }
    }
    if (!(o.saturationAdu > 0.0)) { // infinite: no saturation level
        return Error { "veto.statistics.saturation_adu must be a finite number ≥ 0 (0: none), got "
            + std::to_string(o.saturationAdu) };
    }
    return validateReconstruction();
}

Status WorkerConfig::validateSimulator() const
{
    if (inputKind != "simulator") {
        return {};
    }
    if (shots <= 0 || shots > (std::int64_t { 1 } << 40)) {
        return Error { "simulator.shots must be between 1 and 2^40, got " + std::to_string(shots) };
    }
    if (model.empty()) {
        return Error { "simulator.model: give a built-in model name or a JSON model file" };
    }
    if (!(wavelengthA > 0.0 && wavelengthA < 100.0)) {
        return Error { "simulator.wavelength_angstrom must be in (0, 100), got " + std::to_string(wavelengthA) };
    }
    if (!(peakPhotons > 0.0 && peakPhotons < 1e12)) {
        return Error { "simulator.peak_photons must be in (0, 1e12), got " + std::to_string(peakPhotons) };
    }
    if (!(meanParticles > 0.0 && meanParticles <= 1000.0)) {
        return Error { "simulator.mean_particles must be in (0, 1000], got " + std::to_string(meanParticles) };
    }
    return {};
}

Status WorkerConfig::validateStream() const
{
    if (inputKind != "stream") {
        return {};
    }
    if (followFile) {
        if (cxiPath.empty() || cxiDataset.empty() || geometryPath.empty()) {
            return Error { "cxi: paths, dataset and geometry_path must be given to follow a live file" };
        }
    } else if (streamEndpoint.rfind("tcp://", 0) != 0 && streamEndpoint.rfind("ipc://", 0) != 0) {
        return Error { "stream.endpoint: a ZeroMQ endpoint tcp://HOST:PORT expected, got '" + streamEndpoint + "'" };
    }
    if (!followFile && streamProtocol != "dectris" && streamProtocol != "dectris1" && streamProtocol != "karabo") {
        return Error { "stream.protocol: dectris, dectris1 or karabo expected, got '" + streamProtocol + "'" };
    }
    if (geometryPath.empty()) {
        return Error { "stream.geometry_path: a CrystFEL .geom file is needed to remap the frames (with several "
                       "ranks, only one gets the detector's start message)" };
    }
    if (shots < 0) {
        return Error { "stream.max_shots must be ≥ 0 (0: no limit), got " + std::to_string(shots) };
    }
    const std::pair<const char*, double> times[] = { { "time_limit_s", streamTimeLimitS },
        { "idle_timeout_s", streamIdleTimeoutS }, { "connect_timeout_s", streamConnectTimeoutS } };
    for (const auto& [name, v] : times) {
        if (!(v >= 0.0 && v <= 1e7)) {
            return Error { std::string("stream.") + name + " must be between 0 and 1e7 s, got " + std::to_string(v) };
        }
    }
    if (reconstruct) {
        return Error { "reconstruction.enabled: not for stream input (reconstruct from the job's results file)" };
    }
    return {};
}

Status WorkerConfig::validateReconstruction() const
{
    if (!reconstruct) {
        return {};
    }
    if (inputKind == "synthetic") {
        return Error { "reconstruction.enabled: needs an input with a wavelength and a particle (simulator or cxi); "
                       "synthetic frames have neither" };
    }
    if (mtipIterations < 1 || mtipIterations > 100'000) {
        return Error { "reconstruction.iterations must be between 0 (600) and 100000, got "
            + std::to_string(mtipIterations) };
    }
    if (mtipGridSize < 8 || mtipGridSize > 256 || mtipGridSize % 2 != 0) {
        return Error { "reconstruction.grid_size must be even and between 8 and 256, got "
            + std::to_string(mtipGridSize) };
    }
    if (!(mtipDiameterA >= 0.0 && mtipDiameterA < 1e6) || (inputKind == "cxi" && mtipDiameterA == 0.0)) {
        return Error { "reconstruction.particle_diameter_angstrom must be positive (required for cxi input), got "
            + std::to_string(mtipDiameterA) };
    }
    if (mtipStarts < 1 || mtipStarts > 100) {
        return Error { "reconstruction.starts must be between 0 (3) and 100, got " + std::to_string(mtipStarts) };
    }
    if (mtipLMax > 64 || (mtipLMax > 0 && mtipLMax % 2 != 0)) {
        return Error { "reconstruction.l_max must be 0 (automatic) or even and at most 64, got "
            + std::to_string(mtipLMax) };
    }
    return {};
}

C2Config WorkerConfig::accumulatorConfig() const
{
    C2Config c;
    c.nQ = nQ;
    c.nPhi = nPhi;
    c.nMax = nMax <= 0 ? -1 : nMax;
    c.precision = doublePrecision ? C2Precision::Double : C2Precision::Single;
    c.subtractRingMean = ringMeanSubtracted;
    return c;
}

namespace {
// The statistics' settings as JSON (an infinite saturation level, i.e. none, as null).
nlohmann::json statsOptionsJson(const ShotStatsOptions& o)
{
    return { { "photon_threshold_adu", o.photonThresholdAdu },
        { "saturation_adu", std::isfinite(o.saturationAdu) ? nlohmann::json(o.saturationAdu) : nlohmann::json() },
        { "particle_sum_adu", o.particleSumAdu }, { "background_sum_adu", o.backgroundSumAdu } };
}

// The user's geometry values, only those given (NaN is not JSON).
nlohmann::json geometryValuesJson(const WorkerConfig& c)
{
    nlohmann::json j = nlohmann::json::object();
    if (std::isfinite(c.clenM)) {
        j["clen_m"] = c.clenM;
    }
    if (std::isfinite(c.photonEnergyEv)) {
        j["photon_energy_ev"] = c.photonEnergyEv;
    }
    if (c.beamShiftXM != 0.0 || c.beamShiftYM != 0.0) {
        j["beam_shift_m"] = { c.beamShiftXM, c.beamShiftYM };
    }
    if (!c.maskPath.empty()) {
        j["mask"] = c.maskPath; // another mask is another computation
    }
    return j;
}

} // namespace

std::uint64_t WorkerConfig::computationHash() const
{
    // shotsPerUnit is included: unit ids in a checkpoint only mean something with the same unit size.
    // The vetoes decide which shots enter the sums, and the simulator's settings what the shots are.
    nlohmann::json j = { { "input", inputKind }, { "shots", shots }, { "seed", seed }, { "masked", maskedFraction },
        { "nQ", nQ }, { "nPhi", nPhi }, { "qMin", qMinInvA }, { "qMax", qMaxInvA }, { "nMax", nMax },
        { "double", doublePrecision }, { "ringMean", ringMeanSubtracted }, { "shotsPerUnit", shotsPerUnit } };
    if (inputKind == "simulator") {
        j["simulator"] = { model, wavelengthA, peakPhotons, meanParticles, geometryPath };
    }
    if (inputKind == "stream") { // the publisher may move; what a frame means may not
        j["stream"] = followFile ? nlohmann::json { "follow", cxiDataset, geometryPath }
                                 : nlohmann::json { streamProtocol, geometryPath, karaboSource, karaboDataPath };
    }
    if (const auto v = geometryValuesJson(*this); !v.empty()) {
        j["geometry_values"] = v; // another camera length or energy is another computation
    }
    if (!veto.is_null()) {
        j["veto"] = veto;
        j["statistics"] = statsOptionsJson(statsOptions);
    }
    const std::string s = j.dump();
    return fnv1a64(s.data(), s.size());
}

std::string WorkerConfig::toJson() const
{
    const nlohmann::json j = { { "input_kind", inputKind }, { "cxi_path", cxiPath }, { "cxi_dataset", cxiDataset },
        { "geometry_path", geometryPath }, { "shots", shots }, { "seed", seed }, { "masked_fraction", maskedFraction },
        { "n_q", nQ }, { "n_phi", nPhi }, { "q_min_inv_angstrom", qMinInvA }, { "q_max_inv_angstrom", qMaxInvA },
        { "n_max", nMax }, { "double_precision", doublePrecision }, { "ring_mean_subtracted", ringMeanSubtracted },
        { "threads_per_rank", threadsPerRank }, { "shots_per_unit", shotsPerUnit },
        { "units_per_reduce", unitsPerReduce }, { "heartbeat_interval_s", heartbeatIntervalS },
        { "slowdown_per_shot_s", slowdownPerShotS }, { "backend", backend },
        { "device_remap", deviceRemap }, { "gpu_devices", gpuDevices },
        { "model", model }, { "wavelength_angstrom", wavelengthA }, { "peak_photons", peakPhotons },
        { "mean_particles", meanParticles }, { "veto", veto }, { "shot_statistics", statsOptionsJson(statsOptions) },
        { "hit_score_min", hitScoreMin }, { "reduce_interval_s", reduceIntervalS },
        { "reconstruction",
            { { "enabled", reconstruct }, { "iterations", mtipIterations }, { "grid_size", mtipGridSize },
                { "particle_diameter_angstrom", mtipDiameterA }, { "starts", mtipStarts }, { "l_max", mtipLMax },
                { "seed", mtipSeed } } } };
    nlohmann::json out = j;
    out["geometry_values"] = geometryValuesJson(*this);
    if (inputKind == "stream") {
        out["stream"] = { { "endpoint", streamEndpoint }, { "protocol", streamProtocol },
            { "time_limit_s", streamTimeLimitS }, { "idle_timeout_s", streamIdleTimeoutS },
            { "connect_timeout_s", streamConnectTimeoutS }, { "stop_at_end", streamStopAtEnd },
            { "karabo_source", karaboSource }, { "karabo_data_path", karaboDataPath }, { "follow_file", followFile } };
    }
    return out.dump(2);
}

Result<WorkerConfig> WorkerConfig::fromJson(const std::string& text, const std::string& origin)
{
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return Error { origin + ": not a JSON object" };
    }
    WorkerConfig c;
    try {
        c.inputKind = j.value("input_kind", c.inputKind);
        c.shots = j.value("shots", c.shots);
        c.cxiPath = j.value("cxi_path", c.cxiPath);
        c.cxiDataset = j.value("cxi_dataset", c.cxiDataset);
        c.geometryPath = j.value("geometry_path", c.geometryPath);
        if (const auto g = j.find("geometry_values"); g != j.end() && g->is_object()) {
            c.clenM = g->value("clen_m", c.clenM);
            c.photonEnergyEv = g->value("photon_energy_ev", c.photonEnergyEv);
            c.maskPath = g->value("mask", c.maskPath);
            if (const auto s = g->find("beam_shift_m"); s != g->end() && s->is_array() && s->size() == 2) {
                c.beamShiftXM = (*s)[0].get<double>();
                c.beamShiftYM = (*s)[1].get<double>();
            }
        }
        if (const auto st = j.find("stream"); st != j.end() && st->is_object()) {
            c.streamEndpoint = st->value("endpoint", c.streamEndpoint);
            c.streamProtocol = st->value("protocol", c.streamProtocol);
            c.streamTimeLimitS = st->value("time_limit_s", c.streamTimeLimitS);
            c.streamIdleTimeoutS = st->value("idle_timeout_s", c.streamIdleTimeoutS);
            c.streamConnectTimeoutS = st->value("connect_timeout_s", c.streamConnectTimeoutS);
            c.streamStopAtEnd = st->value("stop_at_end", c.streamStopAtEnd);
            c.karaboSource = st->value("karabo_source", c.karaboSource);
            c.karaboDataPath = st->value("karabo_data_path", c.karaboDataPath);
            c.followFile = st->value("follow_file", c.followFile);
        }
        c.seed = j.value("seed", c.seed);
        c.maskedFraction = j.value("masked_fraction", c.maskedFraction);
        c.nQ = j.value("n_q", c.nQ);
        c.nPhi = j.value("n_phi", c.nPhi);
        c.qMinInvA = j.value("q_min_inv_angstrom", c.qMinInvA);
        c.qMaxInvA = j.value("q_max_inv_angstrom", c.qMaxInvA);
        c.nMax = j.value("n_max", c.nMax);
        c.doublePrecision = j.value("double_precision", c.doublePrecision);
        c.ringMeanSubtracted = j.value("ring_mean_subtracted", c.ringMeanSubtracted);
        c.threadsPerRank = j.value("threads_per_rank", c.threadsPerRank);
        c.shotsPerUnit = j.value("shots_per_unit", c.shotsPerUnit);
        c.unitsPerReduce = j.value("units_per_reduce", c.unitsPerReduce);
        c.heartbeatIntervalS = j.value("heartbeat_interval_s", c.heartbeatIntervalS);
        c.slowdownPerShotS = j.value("slowdown_per_shot_s", c.slowdownPerShotS);
        c.backend = j.value("backend", c.backend);
        c.deviceRemap = j.value("device_remap", c.deviceRemap);
        c.gpuDevices = j.value("gpu_devices", c.gpuDevices);
        c.model = j.value("model", c.model);
        c.wavelengthA = j.value("wavelength_angstrom", c.wavelengthA);
        c.peakPhotons = j.value("peak_photons", c.peakPhotons);
        c.meanParticles = j.value("mean_particles", c.meanParticles);
        c.veto = j.value("veto", c.veto);
        c.hitScoreMin = j.value("hit_score_min", c.hitScoreMin);
        if (const auto it = j.find("shot_statistics"); it != j.end() && it->is_object()) {
            const nlohmann::json& o = *it;
            c.statsOptions.photonThresholdAdu = o.value("photon_threshold_adu", c.statsOptions.photonThresholdAdu);
            const nlohmann::json sat = o.value("saturation_adu", nlohmann::json());
            c.statsOptions.saturationAdu = sat.is_null() ? std::numeric_limits<double>::infinity() : sat.get<double>();
            c.statsOptions.particleSumAdu = o.value("particle_sum_adu", c.statsOptions.particleSumAdu);
            c.statsOptions.backgroundSumAdu = o.value("background_sum_adu", c.statsOptions.backgroundSumAdu);
        }
        c.reduceIntervalS = j.value("reduce_interval_s", c.reduceIntervalS);
        const nlohmann::json r = j.value("reconstruction", nlohmann::json::object());
        c.reconstruct = r.value("enabled", c.reconstruct);
        c.mtipIterations = r.value("iterations", c.mtipIterations);
        c.mtipGridSize = r.value("grid_size", c.mtipGridSize);
        c.mtipDiameterA = r.value("particle_diameter_angstrom", c.mtipDiameterA);
        c.mtipStarts = r.value("starts", c.mtipStarts);
        c.mtipLMax = r.value("l_max", c.mtipLMax);
        c.mtipSeed = r.value("seed", c.mtipSeed);
    } catch (const nlohmann::json::exception& e) {
        return Error { origin + ": a key has the wrong type (" + e.what() + ")" };
    }
    if (auto st = c.validate(); !st) {
        return Error { origin + ": " + st.message() };
    }
    return c;
}

Result<WorkerConfig> WorkerConfig::load(const std::filesystem::path& path)
{
    auto text = readText(path);
    if (!text) {
        return text.error();
    }
    return fromJson(*text, path.string());
}

} // namespace fxs::remote
