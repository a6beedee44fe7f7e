// End-to-end validation (FXS_SPEC §5–7): simulate shots of a known blob model → correlate with the C2 engine →
// Kam invariants → M-TIP → align with the truth over rotations and inversion → real-space correlation.
// CI runs a reduced size; the full validation (≥ 20,000 shots) is one command:
//     FXS_MTIP_E2E_SHOTS=20000 build/<dir>/bin/tst_MtipEndToEnd
// (FXS_MTIP_E2E_PHOTONS sets the expected photons per polar bin at q = 0, default 100.)
#include "DensityAlignment.h"

#include <QtTest>
#include <chrono>
#include <fxs/correlation/C2Accumulator.h>
#include <fxs/correlation/C2Snapshot.h>
#include <fxs/invariants/KamInvariants.h>
#include <fxs/reconstruction/MtipReconstructor.h>
#include <fxs/simulation/ParticleModel.h>
#include <fxs/simulation/Simulator.h>
#include <fxs/simulation/SimulatorPixels.h>

using namespace fxs;

namespace {

int envInt(const char* name, int fallback)
{
    const QByteArray v = qgetenv(name);
    bool ok = false;
    const int n = v.toInt(&ok);
    return ok && n > 0 ? n : fallback;
}

} // namespace

class tst_MtipEndToEnd : public QObject {
    Q_OBJECT
private slots:
    void simulateCorrelateInvertReconstruct()
    {
        const int shots = envInt("FXS_MTIP_E2E_SHOTS", 3000);
        const double threshold = 0.8;
        const auto t0 = std::chrono::steady_clock::now();
        auto model = ParticleModel::builtin("tetramer4");
        QVERIFY(model.ok());
        const PolarGrid grid { 32, 128, 0.02, 0.5 };
        const double lambdaA = 1.5;
        SimulatorConfig sc;
        sc.peakPhotons = qEnvironmentVariableIntValue("FXS_MTIP_E2E_PHOTONS") > 0
            ? qEnvironmentVariableIntValue("FXS_MTIP_E2E_PHOTONS")
            : 100.0;
        sc.threads = 1;
        sc.seed = 42;
        auto sim = Simulator::create(*model, sc);
        QVERIFY2(sim.ok(), sim.ok() ? "" : sim.error().message.c_str());
        auto pixels = SimulatorPixels::polar(grid, lambdaA);
        QVERIFY(pixels.ok());
        C2Config cc;
        cc.nQ = grid.nQ;
        cc.nPhi = grid.nPhi;
        C2Accumulator acc(cc);
        for (int j = 0; j < shots; ++j) {
            QVERIFY(acc.add(sim->polarFrame(*pixels, j)).ok());
        }
        acc.flush();
        SnapshotOptions so;
        so.splitHalf = false;
        so.interShot = false;
        const C2Snapshot snap = C2Snapshot::compute(acc.sums(), so);
        const auto t1 = std::chrono::steady_clock::now();

        InvariantOptions io;
        io.particleDiameterA = 2.0 * model->extentA();
        auto inv = KamInvariants::fromSnapshot(snap, grid, lambdaA, io);
        QVERIFY2(inv.ok(), inv.ok() ? "" : inv.error().message.c_str());

        MtipConfig mc;
        mc.gridSize = 32;
        mc.particleDiameterA = io.particleDiameterA;
        mc.starts = 3;
        mc.threads = 2;
        auto rec = MtipReconstructor(mc).run(*inv);
        QVERIFY2(rec.ok(), rec.ok() ? "" : rec.error().message.c_str());
        const auto truth = model->density(32, rec->voxelSizeA);
        const auto a = test::alignDensities(truth.values, rec->density, 32);
        const auto t2 = std::chrono::steady_clock::now();
        qInfo("%d shots, L = %d: simulate+correlate %.1f s, invert+reconstruct+align %.1f s; real-space error %.3g, "
              "CC with truth %.3f (threshold %.2f)",
            shots, inv->lMax, std::chrono::duration<double>(t1 - t0).count(),
            std::chrono::duration<double>(t2 - t1).count(), rec->realSpaceError, a.correlation, threshold);
        QVERIFY2(a.correlation >= threshold, qPrintable(QString("correlation %1").arg(a.correlation)));
        // Negative control: the same map against another model's truth must not pass, or the metric proves nothing.
        const auto other = ParticleModel::builtin("pentamer5")->density(32, rec->voxelSizeA);
        const double wrong = test::alignDensities(other.values, rec->density, 32).correlation;
        qInfo("control: CC with the pentamer5 truth %.3f", wrong);
        QVERIFY2(wrong < threshold, qPrintable(QString("control correlation %1").arg(wrong)));
    }
};

QTEST_GUILESS_MAIN(tst_MtipEndToEnd)
#include "tst_MtipEndToEnd.moc"
