#include "RemoteJobSpec.h"

#include <QObject>
#include <cmath>

#ifdef FXS_HAVE_REMOTE
#include <google/protobuf/util/json_util.h>
#include <nlohmann/json.hpp>
#endif

namespace fxs::monitor {

#ifdef FXS_HAVE_REMOTE

namespace {
// The run-control panel's detector values (NaN: not given), for a job whose geometry leaves them open.
void setGeometryValues(const RunConfig& c, fxs::v1::GeometryValues* v)
{
    if (std::isfinite(c.userClenM)) {
        v->set_clen_m(c.userClenM);
    }
    if (std::isfinite(c.userPhotonEnergyEv)) {
        v->set_photon_energy_ev(c.userPhotonEnergyEv);
    }
    v->set_beam_shift_x_m(c.beamShiftXM);
    v->set_beam_shift_y_m(c.beamShiftYM);
    v->set_mask(c.pixelMask.toStdString()); // a path on the server, as the geometry's
}
} // namespace

fxs::v1::JobSpec RemoteJobSpec::build(const RunConfig& c, const VetoRules& rules)
{
    const RemoteJobSettings& r = c.remote;
    fxs::v1::JobSpec s;
    s.set_name("fxs-monitor");
    switch (r.input) {
    case RemoteInput::Cxi:
        s.mutable_cxi()->add_paths(r.serverCxiPath.toStdString());
        s.mutable_cxi()->set_dataset(c.dataset.toStdString());
        s.mutable_cxi()->set_geometry_path(r.serverGeometryPath.toStdString());
        setGeometryValues(c, s.mutable_cxi()->mutable_geometry_values());
        break;
    case RemoteInput::Simulator: {
        auto* sim = s.mutable_simulator();
        sim->set_shots(r.syntheticShots);
        sim->set_seed(r.seed);
        sim->set_model(r.model.toStdString());
        sim->set_wavelength_angstrom(r.wavelengthA);
        sim->set_peak_photons(r.peakPhotons);
        sim->set_mean_particles(r.meanParticles);
        sim->set_geometry_path(r.serverGeometryPath.toStdString());
        if (!r.serverGeometryPath.isEmpty()) {
            setGeometryValues(c, sim->mutable_geometry_values());
        }
        break;
    }
    case RemoteInput::Stream: {
        auto* st = s.mutable_stream();
        st->set_endpoint(r.streamEndpoint.toStdString());
        st->set_protocol(r.streamProtocol.toStdString());
        st->set_geometry_path(r.serverGeometryPath.toStdString());
        setGeometryValues(c, st->mutable_geometry_values());
        st->set_stop_at_end(r.streamStopAtEnd);
        st->set_max_shots(r.streamMaxShots);
        st->set_idle_timeout_s(r.streamIdleTimeoutS);
        break;
    }
    case RemoteInput::Synthetic:
        s.mutable_synthetic()->set_shots(r.syntheticShots);
        s.mutable_synthetic()->set_seed(r.seed);
        break;
    }
    // The server reconstructs only with a wavelength (simulator, CXI or stream input); synthetic shots have none.
    if (r.reconstruction.enabled && r.input != RemoteInput::Synthetic) {
        const RemoteReconstruction& m = r.reconstruction;
        auto* rec = s.mutable_reconstruction();
        rec->set_enabled(true);
        rec->set_grid_size(m.gridSize);
        rec->set_particle_diameter_angstrom(m.particleDiameterA);
        rec->set_starts(m.starts);
        rec->set_iterations(m.iterations);
        rec->set_l_max(m.lMax);
        rec->set_seed(m.seed);
    }
    s.mutable_grid()->set_n_q(c.grid.nQ);
    s.mutable_grid()->set_n_phi(c.grid.nPhi);
    s.mutable_grid()->set_q_min_inv_angstrom(c.grid.qMinInvA);
    s.mutable_grid()->set_q_max_inv_angstrom(c.grid.qMaxInvA);
    s.set_ranks(r.ranks);
    s.set_threads_per_rank(r.threadsPerRank);
    s.set_backend(r.backend.toStdString());
    s.set_n_max(r.nMax);
    s.set_double_precision(r.doublePrecision);
    s.set_reduce_interval_s(r.reduceIntervalS);
    s.set_ring_mean_subtracted(true); // as the local engine does
    // Every threshold and manual range travels (fxs.proto VetoRules), with the statistics' settings of the local
    // engine, so that a remote job rejects the shots this window would.
    auto* veto = s.mutable_veto();
    for (const VetoThreshold& t : rules.thresholds()) {
        auto* p = veto->add_thresholds();
        p->set_statistic(ShotStats::name(t.statistic));
        if (std::isfinite(t.min)) {
            p->set_min(t.min);
        }
        if (std::isfinite(t.max)) {
            p->set_max(t.max);
        }
    }
    for (const VetoRange& r : rules.ranges()) {
        auto* p = veto->add_ranges();
        p->set_first(r.first);
        p->set_last(r.last);
        p->set_reason(r.reason);
    }
    const ShotStatsOptions o = monitorShotStatsOptions();
    veto->mutable_statistics()->set_photon_threshold_adu(o.photonThresholdAdu);
    veto->mutable_statistics()->set_saturation_adu(std::isfinite(o.saturationAdu) ? o.saturationAdu : 0.0);
    veto->mutable_statistics()->set_particle_sum_adu(o.particleSumAdu);
    veto->mutable_statistics()->set_background_sum_adu(o.backgroundSumAdu);
    veto->mutable_statistics()->set_hit_score_min(kMonitorHitScore);
    return s;
}

std::string RemoteJobSpec::configurationJson(
    const fxs::v1::JobSpec& spec, const QString& server, const RemoteJobStatus& end)
{
    std::string specJson;
    (void)google::protobuf::util::MessageToJsonString(spec, &specJson);
    nlohmann::json j;
    j["program"] = "fxs-monitor";
    j["source"] = "remote_job";
    j["server"] = server.toStdString();
    j["job_id"] = end.jobId.toStdString();
    j["state"] = end.state.toStdString();
    j["attempt"] = end.attempt;
    j["job_spec"] = nlohmann::json::parse(specJson, nullptr, false);
    return j.dump();
}

#endif

QString RemoteJobSpec::explain(const std::string& error, const QString& server, const RemoteJobSettings& settings)
{
    const QString e = QString::fromStdString(error);
    const QString lower = e.toLower();
    if (e.startsWith(QLatin1String("UNAUTHENTICATED"))) {
        return QObject::tr("fxs-server at %1 refused the token from %2 (%3). The token file must hold the token of "
                           "the server's --token-file.")
            .arg(server, settings.tokenFile.isEmpty() ? QObject::tr("the token file") : settings.tokenFile, e);
    }
    const bool tls = lower.contains(QLatin1String("ssl")) || lower.contains(QLatin1String("tls"))
        || lower.contains(QLatin1String("handshake")) || lower.contains(QLatin1String("certificate"));
    if (e.startsWith(QLatin1String("UNAVAILABLE")) && (tls || !settings.caCertificate.isEmpty())) {
        return QObject::tr("TLS connection to fxs-server at %1 failed (%2). Check the CA certificate %3, that it "
                           "signed the server's certificate for this host name, and that the server runs with "
                           "--tls-cert/--tls-key.")
            .arg(server, e, settings.caCertificate.isEmpty() ? QObject::tr("(none given)") : settings.caCertificate);
    }
    if (e.startsWith(QLatin1String("UNAVAILABLE"))) {
        return QObject::tr("Cannot reach fxs-server at %1 (%2). Is it running and listening on that address? If it "
                           "uses TLS, give its CA certificate.")
            .arg(server, e);
    }
    if (e.startsWith(QLatin1String("DEADLINE_EXCEEDED"))) {
        return QObject::tr("fxs-server at %1 did not answer in time (%2).").arg(server, e);
    }
    if (e.startsWith(QLatin1String("INVALID_ARGUMENT"))) {
        return QObject::tr("fxs-server at %1 refused the job: %2").arg(server, e);
    }
    return QObject::tr("fxs-server at %1: %2").arg(server, e);
}

} // namespace fxs::monitor
