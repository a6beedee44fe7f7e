#include "RunGeometry.h"

#include <QObject>
#include <cmath>
#include <fxs/sources/GeomDataReader.h>
#include <fxs/geometry/GeomParser.h>

namespace fxs::monitor {

namespace {

constexpr double kHcEvA = 12398.419843320026;
// The CXI photon energy (joules by the format; values above 1 are taken to be eV, as CxiFileSource does).
constexpr const char* kCxiEnergy = "/entry_1/instrument_1/source_1/energy";

bool isFileRun(const RunConfig& c) { return c.source == SourceKind::CxiFile || c.source == SourceKind::LiveFile; }

// A value the stream's start message gives (positive), else NaN.
double given(double v) { return v > 0.0 ? v : std::nan(""); }

// The photon energy a DECTRIS start message states (incident_energy, else from incident_wavelength), NaN when none.
double startEnergyEv(const std::optional<DectrisStart>& s)
{
    if (!s) {
        return std::nan("");
    }
    return s->incidentEnergyEv > 0.0 ? s->incidentEnergyEv : kHcEvA / given(s->incidentWavelengthA);
}

QString label(const QString& key)
{
    if (key == "clen") {
        return QObject::tr("camera length");
    }
    return key == "photon_energy" ? QObject::tr("photon energy") : QObject::tr("pixel size");
}

Error ask(const QStringList& keys, const QString& why, MissingValues* missing)
{
    QStringList names;
    for (const auto& k : keys) {
        names << label(k);
    }
    const QString message
        = QObject::tr("Needed before this run can start: %1. %2 Enter %3 under Run control › "
                      "Detector values, then start again.")
              .arg(names.join(QStringLiteral(", ")), why, keys.size() == 1 ? QObject::tr("it") : QObject::tr("them"));
    if (missing) {
        *missing = { keys, message };
    }
    return Error { message.toStdString() };
}

// The photon energy a CXI file states, in eV (NaN when it states none).
double cxiEnergyEv(const RunConfig& c)
{
    auto v = GeomDataReader::read(c.path.toStdString(), { kCxiEnergy });
    if (!v || v->empty() || v->begin()->second.empty()) {
        return std::nan("");
    }
    const double e = v->begin()->second.front();
    return e > 1.0 ? e : e / 1.602176634e-19;
}

Result<RunGeometry> fromGeometryFile(
    const RunConfig& c, int nSlow, int nFast, MissingValues* missing, const std::optional<DectrisStart>& start)
{
    const std::string path = c.geometryPath.toStdString();
    auto t = GeomParser::parseTemplateFile(path);
    if (!t) {
        return t.error();
    }
    auto file = FileGeometry::read(std::move(*t), { c.userClenM, c.userPhotonEnergyEv, c.beamShiftXM, c.beamShiftYM },
        isFileRun(c) ? c.path.toStdString() : std::string());
    if (!file) {
        return file.error();
    }
    GeomOverrides& o = file->overrides;
    const bool stream = c.source == SourceKind::DetectorStream;
    const bool energyFromStart = stream && !std::isfinite(o.photonEnergyEv)
        && !file->geometryTemplate.photonEnergy.isNumber() && std::isfinite(startEnergyEv(start));
    if (energyFromStart) {
        o.photonEnergyEv = startEnergyEv(start); // a stream: its start message's energy
    } else if (!isFileRun(c) && !stream && !std::isfinite(o.photonEnergyEv)
        && !file->geometryTemplate.photonEnergy.isNumber()) {
        o.photonEnergyEv = kHcEvA / c.wavelengthA; // a simulated run: the simulation's wavelength
    }
    const auto firstFrame = std::max<std::int64_t>(0, c.firstShot);
    if (const auto keys = file->missing(); !keys.empty()) {
        QStringList k;
        for (const auto& key : keys) {
            k << QString::fromStdString(key);
        }
        const Status why = file->resolve(firstFrame);
        return ask(k, QString::fromStdString(why.ok() ? std::string() : why.message()), missing);
    }
    if (const Status st = file->resolve(firstFrame); !st) {
        return Error { st.message() };
    }
    const ResolvedGeometry& r = file->resolved;
    if (r.geometry.nSlow() != nSlow || r.geometry.nFast() != nFast) {
        return Error { "geometry " + path + " describes a " + std::to_string(r.geometry.nSlow()) + " × "
            + std::to_string(r.geometry.nFast()) + " slab but the frames are " + std::to_string(nSlow) + " × "
            + std::to_string(nFast) };
    }
    RunGeometry g { r.geometry, {}, std::nullopt };
    g.values = { r.cameraLengthM, r.cameraLengthSource, r.photonEnergyEv, r.photonEnergySource,
        1.0 / r.geometry.panels().front().pixelsPerM, ValueSource::Geometry, file->perFrame, file->cameraLengthM,
        file->photonEnergyEv };
    if (energyFromStart) {
        g.values.energySource = ValueSource::Stream;
    }
    // A live file's values per frame grow with it: FrameRemappers re-read them as frames are appended.
    if (isFileRun(c)) {
        g.file = std::move(*file);
    }
    return g;
}

} // namespace

Result<RunGeometry> RunGeometry::resolve(
    const RunConfig& c, int nSlow, int nFast, MissingValues* missing, const std::optional<DectrisStart>& start)
{
    if (!c.geometryPath.isEmpty()) {
        return fromGeometryFile(c, nSlow, nFast, missing, start);
    }
    // No geometry: a flat panel centred on the beam. The simulated detector has its settings; a file has none; a
    // stream has what its start message says.
    const bool file = isFileRun(c);
    const bool stream = c.source == SourceKind::DetectorStream;
    auto pick = [](double user, double fallback, ValueSource fallbackSource) {
        return std::isfinite(user) ? std::pair { user, ValueSource::User } : std::pair { fallback, fallbackSource };
    };
    const double nan = std::nan("");
    const auto clen = stream ? pick(c.userClenM, start ? given(start->detectorDistanceM) : nan, ValueSource::Stream)
                             : pick(c.userClenM, file ? nan : c.distanceM, ValueSource::Geometry);
    const auto pixel = stream ? pick(c.userPixelSizeM, start ? given(start->pixelSizeXM) : nan, ValueSource::Stream)
                              : pick(c.userPixelSizeM, file ? nan : c.pixelSizeM, ValueSource::Geometry);
    auto energy = stream ? pick(c.userPhotonEnergyEv, startEnergyEv(start), ValueSource::Stream)
                         : pick(c.userPhotonEnergyEv, file ? cxiEnergyEv(c) : kHcEvA / c.wavelengthA,
                             file ? ValueSource::DataFile : ValueSource::Geometry);
    const QString streamLacks = start
        ? QObject::tr("The stream's start message (series %1) gives no %2.").arg(start->seriesId)
        : QObject::tr("The stream sent no start message with the %2 (a Karabo bridge never does).");
    QStringList keys;
    QStringList why;
    if (!std::isfinite(clen.first)) {
        keys << "clen";
        why << (stream ? streamLacks.arg(QStringLiteral("detector distance (detector_translation)"))
                       : QObject::tr("A file read without a geometry has no camera length."));
    }
    if (!std::isfinite(energy.first)) {
        keys << "photon_energy";
        why << (stream ? streamLacks.arg(QStringLiteral("photon energy (incident_energy)"))
                       : QObject::tr("%1 states no photon energy (%2).").arg(c.path, kCxiEnergy));
    }
    if (!std::isfinite(pixel.first)) {
        keys << "pixel_size";
        why << (stream ? streamLacks.arg(QStringLiteral("pixel size (pixel_size_x)"))
                       : QObject::tr("A file read without a geometry has no pixel size."));
    }
    if (!keys.isEmpty()) {
        return ask(keys, why.join(' '), missing);
    }
    // Where the beam meets the detector: the start message's beam centre when it gives one, else the middle.
    const bool centreFromStart = stream && start && (start->beamCenterXPx > 0.0 || start->beamCenterYPx > 0.0);
    SinglePanelSpec spec;
    spec.nSlow = nSlow;
    spec.nFast = nFast;
    spec.pixelSizeM = pixel.first;
    spec.beamCentreSlowPx = (centreFromStart ? start->beamCenterYPx : nSlow / 2.0) + c.beamShiftYM / pixel.first;
    spec.beamCentreFastPx = (centreFromStart ? start->beamCenterXPx : nFast / 2.0) + c.beamShiftXM / pixel.first;
    spec.distanceM = clen.first;
    spec.photonEnergyEv = energy.first;
    auto g = DetectorGeometry::singlePanel(spec);
    if (!g) {
        return g.error();
    }
    return RunGeometry { std::move(*g),
        { clen.first, clen.second, energy.first, energy.second, pixel.first, pixel.second }, std::nullopt };
}

} // namespace fxs::monitor
