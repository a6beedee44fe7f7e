#include "RunResults.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <algorithm>
#include <cmath>
#include <functional>
#include <fxs/geometry/GeomParser.h>
#include <nlohmann/json.hpp>

namespace fxs::monitor {

namespace {

std::string configurationJson(
    const RunConfig& c, const std::string& vetoStateJson, const GeometryInEffect* v, const WindowMask* mask = nullptr)
{
    nlohmann::json j;
    j["source"] = sourceKindKey(c.source);
    j["path"] = c.path.toStdString();
    if (c.source == SourceKind::DetectorStream) {
        j["stream"] = { { "endpoint", c.streamEndpoint.toStdString() }, { "protocol", c.streamProtocol.toStdString() },
            { "stop_at_end", c.streamStopAtEnd } };
    }
    j["dataset"] = c.dataset.toStdString();
    j["geometry"] = c.geometryPath.toStdString();
    j["pixel_mask"] = c.pixelMask.toStdString();
    j["grid"] = { { "n_q", c.grid.nQ }, { "n_phi", c.grid.nPhi }, { "q_min_inv_angstrom", c.grid.qMinInvA },
        { "q_max_inv_angstrom", c.grid.qMaxInvA } };
    if (c.source == SourceKind::Simulated) {
        j["simulation"] = { { "model", c.model.toStdString() }, { "detector_side_px", c.simulatedSize },
            { "seed", c.seed }, { "rate_hz", c.simulatedRateHz } };
    }
    // The veto panel's rules and sample-change annotations, with their reasons.
    if (auto v = nlohmann::json::parse(vetoStateJson, nullptr, false); !vetoStateJson.empty() && !v.is_discarded()) {
        j["vetoes"] = std::move(v);
    }
    if (v != nullptr) {
        j["geometry_values"] = { { "clen_m", v->clenM }, { "clen_source", valueSourceName(v->clenSource) },
            { "photon_energy_ev", v->photonEnergyEv }, { "photon_energy_source", valueSourceName(v->energySource) },
            { "pixel_size_m", v->pixelSizeM }, { "pixel_size_source", valueSourceName(v->pixelSource) },
            { "beam_shift_m", { c.beamShiftXM, c.beamShiftYM } }, { "per_frame", v->perFrame } };
        if (v->perFrame) { // the remap followed the data file's values frame by frame: their ranges
            j["geometry_values"]["clen_range_m"] = { v->clenRangeM.min, v->clenRangeM.max };
            j["geometry_values"]["photon_energy_range_ev"] = { v->energyRangeEv.min, v->energyRangeEv.max };
            j["geometry_values"]["distinct_geometries"] = v->clenRangeM.distinct;
        }
    }
    if (mask != nullptr && !mask->maskedPixels.empty()) {
        const auto pixels = std::count_if(
            mask->maskedPixels.begin(), mask->maskedPixels.end(), [](std::uint8_t m) { return m != 0; });
        j["window_mask"] = { { "pixels_masked", pixels }, { "polar_bins_dropped", mask->droppedBins },
            { "dataset", "/analysis/window_mask" },
            { "rule", "every polar bin a masked pixel feeds is dropped from C2 for every shot" } };
    }
    j["program"] = "fxs-monitor";
    return j.dump();
}

Status check(const Status& s, const std::string& what)
{
    return s.ok() ? s : Status(Error { what + ": " + s.message() });
}

// C2, sums and configuration, plus what `extra` writes (a local run's ledger and geometry), then close.
Result<std::string> writeFile(const std::string& path, const C2Sums& sums, const C2Snapshot& snapshot,
    const std::string& configuration, const std::function<Status(ResultsFile&)>& extra)
{
    if (!QDir().mkpath(QFileInfo(QString::fromStdString(path)).absolutePath())) {
        return Error { "cannot create the results folder for " + path };
    }
    auto file = ResultsFile::create(path);
    if (!file) {
        return file.error();
    }
    for (const Status& s : { check((*file)->writeSnapshot(snapshot), "writing /c2 to " + path),
             check((*file)->writeSums(sums), "writing /sums to " + path), extra(**file),
             check((*file)->writeConfiguration(configuration), "writing /run/configuration to " + path),
             check((*file)->close(), "closing " + path) }) {
        if (!s.ok()) {
            return Error { s.message() };
        }
    }
    return path;
}

} // namespace

std::string RunResults::pathFor(const RunConfig& config)
{
    const QString dir
        = config.resultsDir.isEmpty() ? QDir::home().filePath(QStringLiteral("fxs-results")) : config.resultsDir;
    const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    // Named after the run (its start and its source) and never over an earlier run's file.
    QString source = config.source == SourceKind::Simulated ? QStringLiteral("simulated")
        : config.source == SourceKind::DetectorStream       ? QStringLiteral("stream")
                                                            : QFileInfo(config.path).completeBaseName();
    source.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]+")), QStringLiteral("_"));
    const QString base = source.isEmpty() ? QStringLiteral("fxs-run-%1").arg(stamp)
                                          : QStringLiteral("fxs-run-%1-%2").arg(stamp, source.left(80));
    QString path = QDir(dir).filePath(base + QStringLiteral(".h5"));
    for (int n = 2; QFileInfo::exists(path); ++n) {
        path = QDir(dir).filePath(QStringLiteral("%1-%2.h5").arg(base).arg(n));
    }
    return path.toStdString();
}

Result<std::string> RunResults::write(const std::string& path, const RunConfig& config,
    const DetectorGeometry& geometry, C2Pipeline& pipeline, const LedgerColumns& ledger,
    const std::string& vetoStateJson, const GeometryInEffect* values, const StreamCounts* stream, const WindowMask* mask)
{
    const C2Sums sums = pipeline.sums();
    return writeFile(path, sums, C2Snapshot::compute(sums), configurationJson(config, vetoStateJson, values, mask),
        [&](ResultsFile& file) {
            if (mask != nullptr && mask->maskedPixels.size() == geometry.pixelCount()) {
                const std::vector<double> m(mask->maskedPixels.begin(), mask->maskedPixels.end());
                if (auto st = file.writeArray("window_mask", m, { geometry.nSlow(), geometry.nFast() },
                        "the window's mask (1 = masked pixel): every polar bin a masked pixel feeds was dropped "
                        "from C2 for every shot");
                    !st) {
                    return check(st, "writing /analysis/window_mask to " + path);
                }
            }
            // The grid as `fxs correlate` writes it: the window reviews its own results files (File → Open results…).
            const bool energy = values != nullptr && std::isfinite(values->photonEnergyEv) && values->photonEnergyEv > 0;
            const double grid[5] = { double(config.grid.nQ), double(config.grid.nPhi), config.grid.qMinInvA,
                config.grid.qMaxInvA, energy ? 12398.419843320026 / values->photonEnergyEv : config.wavelengthA };
            for (const Status& s :
                { check(file.writeArray("polar_grid", grid, { 5 }, "n_q, n_phi, q_min (1/A), q_max (1/A), wavelength (A)"),
                      "writing /analysis/polar_grid to " + path),
                    check(file.writeLedger(ledger), "writing /ledger to " + path),
                    check(file.writeGeometry(GeomParser::toGeomText(geometry)), "writing /run/geometry to " + path),
                    stream != nullptr ? check(file.writeStreamCounts(*stream), "writing the stream counts to " + path)
                                      : Status {} }) {
                if (!s.ok()) {
                    return s;
                }
            }
            return Status {};
        });
}

Result<std::string> RunResults::writeSums(
    const std::string& path, const C2Sums& sums, const C2Snapshot& snapshot, const std::string& configurationJson)
{
    return writeFile(path, sums, snapshot, configurationJson, [](ResultsFile&) { return Status {}; });
}

} // namespace fxs::monitor
