#include "MonitorSession.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSettings>
#include <cmath>
#include <iterator>

namespace fxs::monitor {

namespace {
const char* const kRemoteInputs[] = { "synthetic", "cxi", "simulator", "stream" };

QJsonObject runFieldsToJson(const RunConfig& c);

QJsonObject runToJson(const RunConfig& c)
{
    QJsonObject j = runFieldsToJson(c);
    // The user's detector values: only those given (NaN is not JSON).
    const std::pair<const char*, double> user[] = { { "user_clen_m", c.userClenM },
        { "user_photon_energy_ev", c.userPhotonEnergyEv }, { "user_pixel_size_m", c.userPixelSizeM } };
    for (const auto& [key, v] : user) {
        if (std::isfinite(v)) {
            j.insert(key, v);
        }
    }
    if (c.beamShiftXM != 0.0 || c.beamShiftYM != 0.0) {
        j.insert("beam_shift_m", QJsonArray { c.beamShiftXM, c.beamShiftYM });
    }
    return j;
}

QJsonObject runFieldsToJson(const RunConfig& c)
{
    return QJsonObject { { "source", sourceKindKey(c.source) }, { "path", c.path }, { "dataset", c.dataset },
        { "stream",
            QJsonObject { { "endpoint", c.streamEndpoint }, { "protocol", c.streamProtocol },
                { "stop_at_end", c.streamStopAtEnd } } },
        { "geometry", c.geometryPath }, { "pixel_mask", c.pixelMask }, { "distance_m", c.distanceM }, { "pixel_size_m", c.pixelSizeM },
        { "wavelength_a", c.wavelengthA },
        { "grid",
            QJsonObject { { "n_q", c.grid.nQ }, { "n_phi", c.grid.nPhi }, { "q_min_inv_a", c.grid.qMinInvA },
                { "q_max_inv_a", c.grid.qMaxInvA } } },
        { "model", c.model }, { "simulated_size", c.simulatedSize }, { "simulated_shots", double(c.simulatedShots) },
        { "simulated_rate_hz", c.simulatedRateHz }, { "seed", QString::number(c.seed) }, { "threads", c.threads },
        { "snapshot_interval_s", c.snapshotIntervalS }, { "remote", MonitorSession::remoteToJson(c.remote) } };
}

bool runFromJson(const QJsonObject& j, RunConfig* c, QString* error)
{
    const QString source = j.value("source").toString(QStringLiteral("simulated"));
    int kind = -1;
    for (int i = 0; i < kSourceKinds; ++i) {
        kind = source == QLatin1String(sourceKindKey(SourceKind(i))) ? i : kind;
    }
    if (kind < 0) {
        *error = QObject::tr("run.source is \"%1\"; expected simulated, cxi_file, live_file, remote_job or "
                             "detector_stream")
                     .arg(source);
        return false;
    }
    c->source = SourceKind(kind);
    c->path = j.value("path").toString();
    const QJsonObject stream = j.value("stream").toObject();
    c->streamEndpoint = stream.value("endpoint").toString(c->streamEndpoint);
    c->streamProtocol = stream.value("protocol").toString(c->streamProtocol);
    c->streamStopAtEnd = stream.value("stop_at_end").toBool(c->streamStopAtEnd);
    c->dataset = j.value("dataset").toString(c->dataset);
    c->geometryPath = j.value("geometry").toString();
    c->pixelMask = j.value("pixel_mask").toString();
    c->distanceM = j.value("distance_m").toDouble(c->distanceM);
    c->pixelSizeM = j.value("pixel_size_m").toDouble(c->pixelSizeM);
    c->wavelengthA = j.value("wavelength_a").toDouble(c->wavelengthA);
    const double nan = std::nan("");
    c->userClenM = j.value("user_clen_m").toDouble(nan);
    c->userPhotonEnergyEv = j.value("user_photon_energy_ev").toDouble(nan);
    c->userPixelSizeM = j.value("user_pixel_size_m").toDouble(nan);
    const QJsonArray shift = j.value("beam_shift_m").toArray();
    c->beamShiftXM = shift.size() == 2 ? shift[0].toDouble() : 0.0;
    c->beamShiftYM = shift.size() == 2 ? shift[1].toDouble() : 0.0;
    const QJsonObject g = j.value("grid").toObject();
    c->grid.nQ = g.value("n_q").toInt(c->grid.nQ);
    c->grid.nPhi = g.value("n_phi").toInt(c->grid.nPhi);
    c->grid.qMinInvA = g.value("q_min_inv_a").toDouble(c->grid.qMinInvA);
    c->grid.qMaxInvA = g.value("q_max_inv_a").toDouble(c->grid.qMaxInvA);
    if (c->grid.nQ <= 0 || c->grid.nPhi <= 0 || !(c->grid.qMaxInvA > c->grid.qMinInvA)) {
        *error = QObject::tr("run.grid: expected n_q > 0, n_phi > 0 and q_max_inv_a > q_min_inv_a");
        return false;
    }
    c->model = j.value("model").toString(c->model);
    c->simulatedSize = j.value("simulated_size").toInt(c->simulatedSize);
    c->simulatedShots = static_cast<std::int64_t>(j.value("simulated_shots").toDouble(double(c->simulatedShots)));
    c->simulatedRateHz = j.value("simulated_rate_hz").toDouble(c->simulatedRateHz);
    c->seed = j.value("seed").toString(QString::number(c->seed)).toULongLong();
    c->threads = j.value("threads").toInt(c->threads);
    c->snapshotIntervalS = j.value("snapshot_interval_s").toDouble(c->snapshotIntervalS);
    MonitorSession::remoteFromJson(j.value("remote").toObject(), &c->remote);
    return true;
}
}

QJsonObject MonitorSession::remoteToJson(const RemoteJobSettings& r)
{
    return QJsonObject { { "address", r.address }, { "token_file", r.tokenFile }, { "ca_certificate", r.caCertificate },
        { "ranks", r.ranks }, { "threads_per_rank", r.threadsPerRank }, { "backend", r.backend },
        { "input", kRemoteInputs[int(r.input)] }, { "synthetic_shots", double(r.syntheticShots) },
        { "seed", QString::number(r.seed) }, { "server_cxi_path", r.serverCxiPath },
        { "server_geometry_path", r.serverGeometryPath }, { "model", r.model }, { "wavelength_a", r.wavelengthA },
        { "peak_photons", r.peakPhotons }, { "mean_particles", r.meanParticles }, { "n_max", r.nMax },
        { "double_precision", r.doublePrecision }, { "reduce_interval_s", r.reduceIntervalS },
        { "stream_endpoint", r.streamEndpoint },
        { "stream_protocol", r.streamProtocol }, { "stream_stop_at_end", r.streamStopAtEnd },
        { "stream_max_shots", double(r.streamMaxShots) }, { "stream_idle_timeout_s", r.streamIdleTimeoutS },
        { "reconstruction",
            QJsonObject { { "enabled", r.reconstruction.enabled }, { "grid_size", r.reconstruction.gridSize },
                { "particle_diameter_a", r.reconstruction.particleDiameterA }, { "starts", r.reconstruction.starts },
                { "iterations", r.reconstruction.iterations }, { "l_max", r.reconstruction.lMax },
                { "seed", QString::number(r.reconstruction.seed) } } } };
}

void MonitorSession::remoteFromJson(const QJsonObject& j, RemoteJobSettings* r)
{
    r->address = j.value("address").toString(r->address);
    r->tokenFile = j.value("token_file").toString(r->tokenFile);
    r->caCertificate = j.value("ca_certificate").toString(r->caCertificate);
    r->ranks = j.value("ranks").toInt(r->ranks);
    r->threadsPerRank = j.value("threads_per_rank").toInt(r->threadsPerRank);
    r->backend = j.value("backend").toString(r->backend);
    const QString input = j.value("input").toString(QLatin1String(kRemoteInputs[int(r->input)]));
    for (int i = 0; i < int(std::size(kRemoteInputs)); ++i) {
        r->input = input == QLatin1String(kRemoteInputs[i]) ? RemoteInput(i) : r->input;
    }
    r->syntheticShots = static_cast<std::int64_t>(j.value("synthetic_shots").toDouble(double(r->syntheticShots)));
    r->seed = j.value("seed").toString(QString::number(r->seed)).toULongLong();
    r->serverCxiPath = j.value("server_cxi_path").toString(r->serverCxiPath);
    r->serverGeometryPath = j.value("server_geometry_path").toString(r->serverGeometryPath);
    r->model = j.value("model").toString(r->model);
    r->wavelengthA = j.value("wavelength_a").toDouble(r->wavelengthA);
    r->peakPhotons = j.value("peak_photons").toDouble(r->peakPhotons);
    r->meanParticles = j.value("mean_particles").toDouble(r->meanParticles);
    r->nMax = j.value("n_max").toInt(r->nMax);
    r->doublePrecision = j.value("double_precision").toBool(r->doublePrecision);
    r->reduceIntervalS = j.value("reduce_interval_s").toDouble(r->reduceIntervalS);
    r->streamEndpoint = j.value("stream_endpoint").toString(r->streamEndpoint);
    r->streamProtocol = j.value("stream_protocol").toString(r->streamProtocol);
    r->streamStopAtEnd = j.value("stream_stop_at_end").toBool(r->streamStopAtEnd);
    r->streamMaxShots = static_cast<std::int64_t>(j.value("stream_max_shots").toDouble(double(r->streamMaxShots)));
    r->streamIdleTimeoutS = j.value("stream_idle_timeout_s").toDouble(r->streamIdleTimeoutS);
    const QJsonObject rec = j.value("reconstruction").toObject();
    RemoteReconstruction& m = r->reconstruction;
    m.enabled = rec.value("enabled").toBool(m.enabled);
    m.gridSize = rec.value("grid_size").toInt(m.gridSize);
    m.particleDiameterA = rec.value("particle_diameter_a").toDouble(m.particleDiameterA);
    m.starts = rec.value("starts").toInt(m.starts);
    m.iterations = rec.value("iterations").toInt(m.iterations);
    m.lMax = rec.value("l_max").toInt(m.lMax);
    m.seed = rec.value("seed").toString(QString::number(m.seed)).toULongLong();
}

QJsonObject MonitorSession::toJson() const
{
    QJsonObject j { { "fxs_monitor_session", kFormatVersion }, { "run", runToJson(run) }, { "views", views },
        { "window_geometry", QString::fromLatin1(windowGeometry.toBase64()) },
        { "window_state", QString::fromLatin1(windowState.toBase64()) } };
    const QJsonDocument veto = QJsonDocument::fromJson(vetoes);
    if (veto.isObject()) {
        j.insert("vetoes", veto.object());
    }
    return j;
}

bool MonitorSession::fromJson(const QJsonObject& json, MonitorSession* session, QString* error)
{
    const int version = json.value("fxs_monitor_session").toInt(-1);
    if (version != kFormatVersion) {
        *error
            = QObject::tr("not an fxs-monitor session (key \"fxs_monitor_session\" should be %1)").arg(kFormatVersion);
        return false;
    }
    MonitorSession s;
    if (!runFromJson(json.value("run").toObject(), &s.run, error)) {
        return false;
    }
    s.views = json.value("views").toObject();
    s.windowGeometry = QByteArray::fromBase64(json.value("window_geometry").toString().toLatin1());
    s.windowState = QByteArray::fromBase64(json.value("window_state").toString().toLatin1());
    if (json.contains("vetoes")) {
        if (!json.value("vetoes").isObject()) {
            *error = QObject::tr("\"vetoes\" should be an object with \"rules\"");
            return false;
        }
        s.vetoes = QJsonDocument(json.value("vetoes").toObject()).toJson(QJsonDocument::Compact);
    }
    *session = s;
    return true;
}

bool MonitorSession::save(const QString& path, QString* error) const
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        *error = QObject::tr("Cannot write the session file %1: %2").arg(path, f.errorString());
        return false;
    }
    f.write(QJsonDocument(toJson()).toJson(QJsonDocument::Indented));
    return f.error() == QFile::NoError;
}

bool MonitorSession::load(const QString& path, MonitorSession* session, QString* error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QObject::tr("Cannot read the session file %1: %2").arg(path, f.errorString());
        return false;
    }
    QJsonParseError parse;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &parse);
    if (!doc.isObject()) {
        *error = QObject::tr("Session file %1 is not JSON: %2 at byte %3")
                     .arg(path, parse.errorString())
                     .arg(parse.offset);
        return false;
    }
    QString why;
    if (!fromJson(doc.object(), session, &why)) {
        *error = QObject::tr("Session file %1: %2").arg(path, why);
        return false;
    }
    return true;
}

void MonitorSession::toSettings(QSettings& settings) const
{
    settings.setValue(QStringLiteral("session/json"), QJsonDocument(toJson()).toJson(QJsonDocument::Compact));
}

MonitorSession MonitorSession::fromSettings(QSettings& settings)
{
    MonitorSession s;
    const QJsonDocument doc = QJsonDocument::fromJson(settings.value(QStringLiteral("session/json")).toByteArray());
    QString ignored;
    if (doc.isObject()) {
        fromJson(doc.object(), &s, &ignored);
    }
    return s;
}

} // namespace fxs::monitor
