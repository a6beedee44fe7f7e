// The worker's simulator input, veto rules and server-side reconstruction, through a real fxs-server on 127.0.0.1
// with real mpirun + fxs-worker ranks. Oracles: the engine's Simulator and C2Accumulator fed directly in this
// process (no MPI, no vetoes code), the shot sums computed here, h5py reading the results file, the simulator's
// truth density for the reconstruction.
#include "RemoteFixture.h"

#include <MrcReadBack.h>
#include <PythonRunner.h>
#include <algorithm>
#include <cmath>
#include <fxs/simulation/ParticleModel.h>
#include <fxs/simulation/Simulator.h>
#include <fxs/simulation/SimulatorPixels.h>

using namespace fxs::test;

namespace {

/// A simulator job: tetramer4 on a small polar grid, double precision.
fxs::v1::JobSpec simulatorSpec(int ranks, std::int64_t shots, int nQ, int nPhi, double qMax)
{
    fxs::v1::JobSpec s;
    s.set_name("simulator job");
    auto* sim = s.mutable_simulator();
    sim->set_shots(shots);
    sim->set_seed(7);
    sim->set_model("tetramer4");
    sim->set_wavelength_angstrom(1.5);
    sim->set_peak_photons(100.0);
    s.mutable_grid()->set_n_q(nQ);
    s.mutable_grid()->set_n_phi(nPhi);
    s.mutable_grid()->set_q_min_inv_angstrom(0.02);
    s.mutable_grid()->set_q_max_inv_angstrom(qMax);
    s.set_ranks(ranks);
    s.set_threads_per_rank(1);
    s.set_shots_per_unit(16);
    s.set_units_per_reduce(3);
    s.set_double_precision(true);
    s.set_ring_mean_subtracted(false);
    return s;
}

/// The spec's shots, made here by the engine's Simulator directly (same seed and shot index).
std::vector<fxs::PolarFrame> simulatedShots(const fxs::v1::JobSpec& spec)
{
    const auto& in = spec.simulator();
    fxs::SimulatorConfig sc;
    sc.seed = in.seed();
    sc.peakPhotons = in.peak_photons();
    sc.threads = 1;
    auto sim = fxs::Simulator::create(*fxs::ParticleModel::builtin(in.model()), sc);
    const fxs::PolarGrid grid { spec.grid().n_q(), spec.grid().n_phi(), spec.grid().q_min_inv_angstrom(),
        spec.grid().q_max_inv_angstrom() };
    auto pixels = fxs::SimulatorPixels::polar(grid, in.wavelength_angstrom());
    std::vector<fxs::PolarFrame> shots;
    for (std::int64_t i = 0; i < in.shots(); ++i) {
        shots.push_back(sim->polarFrame(*pixels, i));
    }
    return shots;
}

/// One C2Accumulator over the shots `take` accepts.
fxs::C2Sums accumulate(const fxs::v1::JobSpec& spec, const std::vector<fxs::PolarFrame>& shots,
    const std::function<bool(std::size_t)>& take)
{
    return accumulateLocally(spec, std::int64_t(shots.size()),
        [&](std::int64_t i) { return take(std::size_t(i)) ? std::optional { shots[std::size_t(i)] } : std::nullopt; });
}

/// Σ intensity over bins of weight > 0: the statistic "sum" of a polar shot, computed independently.
double shotSum(const fxs::PolarFrame& f)
{
    double s = 0.0;
    for (std::size_t i = 0; i < f.intensity.size(); ++i) {
        s += f.weight[i] > 0.0f ? f.intensity[i] : 0.0;
    }
    return s;
}

/// The hit score of a polar shot computed here: the fraction of bins of weight > 0 whose intensity exceeds
/// `photon` (the job's statistics.photon_threshold_adu).
double hitScore(const fxs::PolarFrame& f, double photon)
{
    int valid = 0, lit = 0;
    for (std::size_t i = 0; i < f.intensity.size(); ++i) {
        if (f.weight[i] > 0.0f) {
            ++valid;
            lit += f.intensity[i] > photon ? 1 : 0;
        }
    }
    return valid > 0 ? double(lit) / double(valid) : 0.0;
}

/// The largest intensity over bins of weight > 0.
double maxValue(const fxs::PolarFrame& f)
{
    double m = -INFINITY;
    for (std::size_t i = 0; i < f.intensity.size(); ++i) {
        m = f.weight[i] > 0.0f ? std::max(m, double(f.intensity[i])) : m;
    }
    return m;
}

/// A threshold between two distinct neighbouring values, the first pair from the k-th smallest on: no shot sits
/// on it even when values repeat (counts are integers).
double splitAt(std::vector<double> v, std::size_t k)
{
    std::sort(v.begin(), v.end());
    while (k + 1 < v.size() && v[k] == v[k + 1]) {
        ++k;
    }
    return 0.5 * (v[k] + v[k + 1]);
}

/// A threshold halfway between the k-th and (k+1)-th smallest sums: no shot sits near it.
double between(std::vector<double> sums, std::size_t k)
{
    std::sort(sums.begin(), sums.end());
    return 0.5 * (sums[k] + sums[k + 1]);
}

} // namespace

class TestRemoteAnalysis : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<RemoteServer> m_server;
    QTemporaryDir m_tmp;

    fxs::v1::JobStatus runToEnd(
        const fxs::v1::JobSpec& spec,
        const std::function<void(const fxs::v1::JobStatus&)>& onStatus = [](const fxs::v1::JobStatus&) {})
    {
        auto st = m_server->session->submit(spec);
        if (!st) {
            qWarning() << st.error().message.c_str();
            return {};
        }
        auto end = m_server->session->watch(st->job_id(), onStatus);
        if (!end) {
            qWarning() << end.error().message.c_str();
            return {};
        }
        return *end;
    }

    std::string submitError(const fxs::v1::JobSpec& spec)
    {
        auto st = m_server->session->submit(spec);
        return st ? std::string("accepted") : st.error().message;
    }

    fxs::C2Sums fetchSums(const std::string& jobId)
    {
        const auto path = m_tmp.filePath(QString::fromStdString(jobId) + ".fxs1").toStdString();
        if (!m_server->session->fetch(jobId, path).ok()) {
            return {};
        }
        auto f = fxs::SumsFile::read(path);
        return f ? f->sums : fxs::C2Sums {};
    }

    // The job's sums against the engine fed, in this process, the shots `take` accepts.
    static double errorAgainstLocal(const fxs::C2Sums& remote, const fxs::v1::JobSpec& spec,
        const std::vector<fxs::PolarFrame>& shots, const std::function<bool(std::size_t)>& take)
    {
        return sumsError(remote, accumulate(spec, shots, take));
    }
    // The job's shot ledger read by h5py from its results.h5: one "shot accepted reasons" line per shot.
    QStringList ledger(const std::string& jobId, const QString& name)
    {
        const QString h5 = m_tmp.filePath(name);
        if (!m_server->session->fetch(jobId, h5.toStdString(), fxs::v1::RESULT_KIND_RESULTS_H5).ok()) {
            return { QStringLiteral("fetching results.h5 failed") };
        }
        const auto py
            = runPython(QStringLiteral("import h5py, sys\n"
                                       "l = h5py.File(sys.argv[1], 'r')['/ledger']\n"
                                       "for s, a, r in zip(l['shot_index'][()], l['accepted'][()], "
                                       "l['reason'][()]):\n"
                                       "    print(int(s), int(a), r.decode() if isinstance(r, bytes) else r)\n"),
                { h5 });
        return py.ok() ? QString::fromUtf8(py.out).trimmed().split('\n') : QStringList { QString::fromUtf8(py.err) };
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(binDir() + "/fxs-worker"), "FXS_BIN_DIR must hold fxs-worker");
        QString error;
        m_server = startServer(error);
        QVERIFY2(m_server, qPrintable(error));
    }
    void cleanupTestCase()
    {
        if (m_server) {
            QCOMPARE(m_server->stop(), 0);
        }
    }

    // Shot i is a function of (seed, i): 2 and 3 ranks, with a short last unit, give the single-process sums.
    void simulatorJobEqualsLocalAccumulation_data()
    {
        QTest::addColumn<int>("ranks");
        QTest::addColumn<int>("shots");
        QTest::newRow("2 ranks, 200 shots") << 2 << 200;
        QTest::newRow("3 ranks, 133 shots") << 3 << 133;
    }
    void simulatorJobEqualsLocalAccumulation()
    {
        QFETCH(int, ranks);
        QFETCH(int, shots);
        const auto spec = simulatorSpec(ranks, shots, 16, 32, 0.5);
        const auto end = runToEnd(spec);
        QCOMPARE(int(end.state()), int(fxs::v1::JOB_STATE_SUCCEEDED));
        QCOMPARE(end.shots_done(), qint64(shots));
        QCOMPARE(end.shots_rejected(), qint64(0));
        const fxs::C2Sums remote = fetchSums(end.job_id());
        const fxs::C2Sums local = accumulate(spec, simulatedShots(spec), [](std::size_t) { return true; });
        QCOMPARE(remote.shots[0], local.shots[0]);
        QCOMPARE(remote.shots[1], local.shots[1]);
        const double err = sumsError(remote, local);
        QVERIFY2(err <= 1e-10, qPrintable(QString("relative error %1").arg(err)));
    }

    // min and max on the shot sum: exactly the shots the sums computed here put inside [min, max] go into C2; the
    // others are counted per rank and listed with a reason in the results file's ledger (read with h5py).
    void vetoRejectsExactlyTheShotsOutsideTheLimits()
    {
        auto spec = simulatorSpec(2, 160, 16, 32, 0.5);
        const auto shots = simulatedShots(spec);
        std::vector<double> sums;
        for (const auto& f : shots) {
            sums.push_back(shotSum(f));
        }
        const double lo = between(sums, 39), hi = between(sums, 139); // 40 below, 20 above
        spec.mutable_veto()->set_min_total_intensity(lo);
        spec.mutable_veto()->set_max_total_intensity(hi);
        const auto end = runToEnd(spec);
        QCOMPARE(int(end.state()), int(fxs::v1::JOB_STATE_SUCCEEDED));
        QCOMPARE(end.shots_done(), qint64(160));
        QCOMPARE(end.shots_rejected(), qint64(60));
        QCOMPARE(end.shots_accepted(), qint64(100));
        qint64 perRank = 0;
        for (const auto& r : end.ranks()) {
            perRank += r.shots_rejected();
        }
        QCOMPARE(perRank, qint64(60));
        const auto inside = [&](std::size_t i) { return sums[i] >= lo && sums[i] <= hi; };
        const fxs::C2Sums remote = fetchSums(end.job_id());
        QCOMPARE(remote.totalShots(), qint64(100));
        const double err = errorAgainstLocal(remote, spec, shots, inside);
        QVERIFY2(err <= 1e-10, qPrintable(QString("relative error %1").arg(err)));

        if (!pythonHas("h5py")) {
            QSKIP("Debian's python3-h5py is needed to read the results file");
        }
        const QStringList lines = ledger(end.job_id(), QStringLiteral("veto.h5"));
        QCOMPARE(lines.size(), 160);
        for (int i = 0; i < 160; ++i) {
            const QStringList cols = lines[i].split(' ');
            QCOMPARE(cols[0].toInt(), i);
            QCOMPARE(cols[1].toInt(), inside(std::size_t(i)) ? 1 : 0);
            QVERIFY2(
                inside(std::size_t(i)) == (cols.size() == 2 || cols.mid(2).join(' ').isEmpty()), qPrintable(lines[i]));
            if (!inside(std::size_t(i))) {
                QVERIFY2(lines[i].contains("sum"), qPrintable(lines[i]));
            }
        }
    }

    // Thresholds on other statistics and a hand-vetoed range travel with the job: the ranks reject exactly the
    // shots that the hit scores and maxima computed here say, plus the range, and the sums equal the engine fed
    // the accepted shots directly. The ledger gives each rejected shot the reasons that apply.
    void vetoOnAnyStatisticAndRangesRejectsExactlyThoseShots()
    {
        auto spec = simulatorSpec(2, 160, 16, 32, 0.5);
        const auto shots = simulatedShots(spec);
        const double photon = 1.5; // two photons or more: the default (0) would light other bins
        std::vector<double> hits, maxima;
        for (const auto& f : shots) {
            hits.push_back(hitScore(f, photon));
            maxima.push_back(maxValue(f));
        }
        const double minHit = splitAt(hits, 29), maxMax = splitAt(maxima, 144);
        auto* veto = spec.mutable_veto();
        veto->mutable_statistics()->set_photon_threshold_adu(photon);
        auto* t = veto->add_thresholds();
        t->set_statistic("hit_score");
        t->set_min(minHit);
        t = veto->add_thresholds();
        t->set_statistic("max");
        t->set_max(maxMax);
        auto* r = veto->add_ranges();
        r->set_first(100);
        r->set_last(109);
        r->set_reason("beam drop");
        std::vector<QStringList> expected(shots.size());
        int rejected = 0;
        for (std::size_t i = 0; i < shots.size(); ++i) {
            if (hits[i] < minHit) {
                expected[i] << "hit_score";
            }
            if (maxima[i] > maxMax) {
                expected[i] << "max";
            }
            if (i >= 100 && i <= 109) {
                expected[i] << "beam drop";
            }
            rejected += expected[i].isEmpty() ? 0 : 1;
        }
        QVERIFY(rejected > 30 && rejected < 80); // each rule rejects some shots, not all
        const auto end = runToEnd(spec);
        QCOMPARE(int(end.state()), int(fxs::v1::JOB_STATE_SUCCEEDED));
        QCOMPARE(end.shots_rejected(), qint64(rejected));
        QCOMPARE(end.shots_accepted(), qint64(160 - rejected));
        const fxs::C2Sums remote = fetchSums(end.job_id());
        QCOMPARE(remote.totalShots(), qint64(160 - rejected));
        const double err = errorAgainstLocal(remote, spec, shots, [&](std::size_t i) { return expected[i].isEmpty(); });
        QVERIFY2(err <= 1e-10, qPrintable(QString("relative error %1").arg(err)));

        if (!pythonHas("h5py")) {
            QSKIP("Debian's python3-h5py is needed to read the results file");
        }
        const QStringList lines = ledger(end.job_id(), QStringLiteral("veto-any.h5"));
        QCOMPARE(lines.size(), 160);
        for (int i = 0; i < 160; ++i) {
            QCOMPARE(lines[i].section(' ', 0, 0).toInt(), i);
            QCOMPARE(lines[i].section(' ', 1, 1) == QLatin1String("1"), expected[std::size_t(i)].isEmpty());
            for (const QString& why : expected[std::size_t(i)]) {
                QVERIFY2(
                    lines[i].contains(why), qPrintable(QString("shot %1: %2, expected %3").arg(i).arg(lines[i], why)));
            }
        }
    }

    // The shots' statistics are reported: of every shot, vetoed or not, when the job has vetoes (they need them
    // all), else of every 4th shot. At the end the job's counters equal the hits and the mean intensities computed
    // here from the same shots (the monitor plots their differences as hit rate and mean intensity).
    void shotStatisticsAreReported_data()
    {
        QTest::addColumn<bool>("withVeto");
        QTest::newRow("with a veto: every shot") << true;
        QTest::newRow("no veto: every 4th shot") << false;
    }
    void shotStatisticsAreReported()
    {
        QFETCH(bool, withVeto);
        auto spec = simulatorSpec(2, 120, 16, 32, 0.5);
        const auto shots = simulatedShots(spec);
        const double photon = 1.5;
        std::vector<double> hits;
        for (const auto& f : shots) {
            hits.push_back(hitScore(f, photon));
        }
        const double hitMin = splitAt(hits, 59);
        std::int64_t counted = 0, expectedHits = 0;
        double meanSum = 0.0;
        for (std::size_t j = 0; j < shots.size(); ++j) {
            if (!withVeto && j % 4 != 0) {
                continue;
            }
            double sum = 0.0;
            int valid = 0;
            for (std::size_t i = 0; i < shots[j].intensity.size(); ++i) {
                if (shots[j].weight[i] > 0.0f) {
                    sum += shots[j].intensity[i];
                    ++valid;
                }
            }
            ++counted;
            expectedHits += hits[j] >= hitMin ? 1 : 0;
            meanSum += sum / valid;
        }
        QVERIFY(expectedHits > counted / 5 && expectedHits < counted * 4 / 5);
        spec.mutable_veto()->mutable_statistics()->set_photon_threshold_adu(photon);
        spec.mutable_veto()->mutable_statistics()->set_hit_score_min(hitMin);
        if (withVeto) { // vetoed shots count in the statistics too
            auto* r = spec.mutable_veto()->add_ranges();
            r->set_first(0);
            r->set_last(9);
            r->set_reason("warm-up");
        }
        const auto end = runToEnd(spec);
        QCOMPARE(int(end.state()), int(fxs::v1::JOB_STATE_SUCCEEDED));
        QCOMPARE(end.shots_rejected(), qint64(withVeto ? 10 : 0));
        QCOMPARE(end.shots_with_statistics(), qint64(counted));
        QCOMPARE(end.shots_hit(), qint64(expectedHits));
        QVERIFY2(std::abs(end.mean_intensity_sum() - meanSum) <= 1e-9 * meanSum,
            qPrintable(QString("mean intensity sum %1, expected %2").arg(end.mean_intensity_sum()).arg(meanSum)));
    }

    void badRulesAreRefusedNamingTheField_data()
    {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("field");
        QTest::newRow("NaN min") << 0 << "veto.min_total_intensity";
        QTest::newRow("inf max") << 1 << "veto.max_total_intensity";
        QTest::newRow("min > max") << 2 << "veto.max_total_intensity";
        QTest::newRow("unknown model") << 3 << "simulator.model";
        QTest::newRow("reconstruct synthetic") << 4 << "reconstruction.enabled";
        QTest::newRow("odd grid size") << 5 << "reconstruction.grid_size";
        QTest::newRow("zero interval") << 6 << "reduce_interval_s";
        QTest::newRow("unknown statistic") << 7 << "veto.thresholds[1].statistic";
        QTest::newRow("threshold min > max") << 8 << "veto.thresholds[0]";
        QTest::newRow("threshold without limits") << 9 << "veto.thresholds[0]";
        QTest::newRow("range backwards") << 10 << "veto.ranges[0]";
        QTest::newRow("range without reason") << 11 << "veto.ranges[0]";
        QTest::newRow("negative photon threshold") << 12 << "veto.statistics.photon_threshold_adu";
        QTest::newRow("too many ranges") << 13 << "veto.ranges";
        QTest::newRow("reason too long") << 14 << "veto.ranges[0].reason";
    }
    void badRulesAreRefusedNamingTheField()
    {
        QFETCH(int, which);
        QFETCH(QString, field);
        auto spec = simulatorSpec(2, 10, 8, 16, 0.5);
        switch (which) {
        case 0:
            spec.mutable_veto()->set_min_total_intensity(std::nan(""));
            break;
        case 1:
            spec.mutable_veto()->set_max_total_intensity(INFINITY);
            break;
        case 2:
            spec.mutable_veto()->set_min_total_intensity(10.0);
            spec.mutable_veto()->set_max_total_intensity(5.0);
            break;
        case 3:
            spec.mutable_simulator()->set_model("no-such-model");
            break;
        case 4:
            spec = smallSpec(2, 10);
            spec.mutable_reconstruction()->set_enabled(true);
            break;
        case 5:
            spec.mutable_reconstruction()->set_enabled(true);
            spec.mutable_reconstruction()->set_grid_size(33);
            break;
        case 6:
            spec.set_reduce_interval_s(-1.0);
            break;
        case 7:
            spec.mutable_veto()->add_thresholds()->set_statistic("hit_score");
            spec.mutable_veto()->mutable_thresholds(0)->set_min(0.1);
            spec.mutable_veto()->add_thresholds()->set_statistic("brightness");
            spec.mutable_veto()->mutable_thresholds(1)->set_max(5.0);
            break;
        case 8: {
            auto* t = spec.mutable_veto()->add_thresholds();
            t->set_statistic("mean");
            t->set_min(3.0);
            t->set_max(2.0);
            break;
        }
        case 9:
            spec.mutable_veto()->add_thresholds()->set_statistic("max");
            break;
        case 10: {
            auto* r = spec.mutable_veto()->add_ranges();
            r->set_first(9);
            r->set_last(3);
            r->set_reason("backwards");
            break;
        }
        case 11: {
            auto* r = spec.mutable_veto()->add_ranges();
            r->set_first(3);
            r->set_last(9);
            break;
        }
        case 12:
            spec.mutable_veto()->mutable_statistics()->set_photon_threshold_adu(-1.0);
            break;
        case 14: {
            auto* r = spec.mutable_veto()->add_ranges();
            r->set_first(1);
            r->set_last(2);
            r->set_reason(std::string(10'000, 'x'));
            break;
        }
        case 13:
            for (int i = 0; i < 100'001; ++i) {
                auto* r = spec.mutable_veto()->add_ranges();
                r->set_first(i);
                r->set_last(i);
                r->set_reason("x");
            }
            break;
        }
        const std::string error = submitError(spec);
        QVERIFY2(QString::fromStdString(error).startsWith("INVALID_ARGUMENT"), error.c_str());
        QVERIFY2(QString::fromStdString(error).contains(field), error.c_str());
    }

    // Simulate, correlate on 2 ranks, invariants + M-TIP on rank 0: progress reaches 1, the MRC map is fetchable
    // and matches the model's truth after alignment (as tst_MtipEndToEnd checks the engine alone).
    void reconstructionMatchesTheTruth()
    {
        auto spec = simulatorSpec(2, 2000, 32, 128, 0.5);
        spec.set_shots_per_unit(100);
        spec.set_units_per_reduce(0);
        auto* rec = spec.mutable_reconstruction();
        rec->set_enabled(true);
        rec->set_grid_size(32);
        rec->set_starts(2);
        rec->set_iterations(400);
        double seen = 0.0;
        bool monotone = true;
        const auto end = runToEnd(spec, [&](const fxs::v1::JobStatus& s) {
            monotone = monotone && s.reconstruction_progress() >= seen;
            seen = std::max(seen, s.reconstruction_progress());
        });
        QVERIFY2(end.state() == fxs::v1::JOB_STATE_SUCCEEDED, end.message().c_str());
        QCOMPARE(end.reconstruction_progress(), 1.0);
        QVERIFY(monotone);
        const QString mrc = m_tmp.filePath("density.mrc");
        QVERIFY(m_server->session->fetch(end.job_id(), mrc.toStdString(), fxs::v1::RESULT_KIND_DENSITY_MRC).ok());
        const DensityVerdict v = judgeMrc(mrc, "tetramer4", "pentamer5");
        QCOMPARE(v.n, 32);
        QVERIFY2(
            v.truth >= 0.85 && v.control < 0.85, qPrintable(QString("CC %1, control %2").arg(v.truth).arg(v.control)));
    }

    // Cancel while rank 0 reconstructs: the job ends CANCELLED and no process of it is left.
    void cancelDuringReconstructionLeavesNoProcess()
    {
        auto spec = simulatorSpec(2, 200, 16, 64, 0.5);
        auto* rec = spec.mutable_reconstruction();
        rec->set_enabled(true);
        rec->set_grid_size(32);
        rec->set_iterations(50000);
        rec->set_starts(1);
        auto sub = m_server->session->submit(spec);
        QVERIFY(sub.ok());
        std::vector<qint64> pids;
        bool cancelled = false;
        const auto end = m_server->session->watch(sub->job_id(), [&](const fxs::v1::JobStatus& s) {
            if (!cancelled && s.reconstruction_progress() > 0.0) {
                for (const auto& r : s.ranks()) {
                    pids.push_back(r.pid());
                }
                cancelled = m_server->session->cancel(sub->job_id()).ok();
            }
        });
        QVERIFY(end.ok());
        QVERIFY(cancelled);
        QCOMPARE(int(end->state()), int(fxs::v1::JOB_STATE_CANCELLED));
        QCOMPARE(int(pids.size()), 2);
        for (qint64 pid : pids) {
            QTRY_VERIFY_WITH_TIMEOUT(!alive(pid), 5000);
        }
    }
};

QTEST_GUILESS_MAIN(TestRemoteAnalysis)
#include "tst_RemoteAnalysis.moc"
