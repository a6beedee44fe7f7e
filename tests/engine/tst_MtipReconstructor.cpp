#include "DensityAlignment.h"
#include "KamClosedForm.h"

#include <QtTest>
#include <atomic>
#include <fxs/reconstruction/MtipReconstructor.h>
#include <fxs/results/MrcWriter.h>
#include <fxs/simulation/ParticleModel.h>

namespace {

std::vector<fxs::test::Blob> blobsOf(const fxs::ParticleModel& m)
{
    std::vector<fxs::test::Blob> b;
    for (const auto& s : m.scatterers()) {
        b.push_back({ s.amplitude, s.sigmaA, s.positionA });
    }
    return b;
}

// Exact, noise-free invariants of a blob model from the closed form (FXS_SPEC §7), independent of the engine.
fxs::KamInvariants exactInvariants(const fxs::ParticleModel& model, int nQ, double qMin, double qMax, int lMax)
{
    std::vector<double> q;
    for (int i = 0; i < nQ; ++i) {
        q.push_back(qMin + (qMax - qMin) * i / (nQ - 1));
    }
    fxs::KamInvariants inv = fxs::KamInvariants::zeros(q, lMax);
    inv.b = fxs::test::closedFormInvariants(blobsOf(model), q, lMax);
    return inv;
}

fxs::MtipConfig smallConfig()
{
    fxs::MtipConfig c;
    c.gridSize = 32;
    c.particleDiameterA = 50.0;
    c.threads = 2;
    return c;
}

} // namespace

class tst_MtipReconstructor : public QObject {
    Q_OBJECT
private slots:
    void reconstructsBlobModelFromExactInvariants_data()
    {
        QTest::addColumn<QString>("model");
        QTest::newRow("tetramer4") << "tetramer4";
        QTest::newRow("pentamer5") << "pentamer5";
    }
    void reconstructsBlobModelFromExactInvariants()
    {
        QFETCH(QString, model);
        auto m = fxs::ParticleModel::builtin(model.toStdString());
        QVERIFY(m.ok());
        const fxs::KamInvariants inv = exactInvariants(*m, 32, 0.02, 0.5, 26);
        fxs::MtipConfig c = smallConfig();
        c.starts = 5;
        auto r = fxs::MtipReconstructor(c).run(inv);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        QCOMPARE(r->gridSize, 32);
        const fxs::ModelDensity truth = m->density(32, r->voxelSizeA);
        const auto a = fxs::test::alignDensities(truth.values, r->density, 32);
        const auto fsc = fxs::test::fourierShellCorrelation(truth.values, a.aligned, 32);
        qInfo("%s: real-space error %.4g, invariant error l=2 %.3g, CC %.3f (inverted %d), FSC at 1/2 Nyquist %.3f",
            qPrintable(model), r->realSpaceError, r->invariantError.at(1), a.correlation, int(a.inverted), fsc[8]);
        QVERIFY2(a.correlation >= 0.9, qPrintable(QString("correlation %1").arg(a.correlation)));
    }

    void sameSeedGivesSameDensityAndProgressEveryIteration()
    {
        auto m = fxs::ParticleModel::builtin("triangle3");
        const fxs::KamInvariants inv = exactInvariants(*m, 20, 0.02, 0.4, 16);
        fxs::MtipConfig c = smallConfig();
        c.schedule = fxs::MtipConfig::cycles(1, 10, 5, 5);
        c.starts = 2;
        c.densityEvery = 7;
        int calls = 0, withDensity = 0;
        fxs::MtipControl control;
        control.progress = [&](const fxs::MtipProgress& p) {
            ++calls;
            withDensity += p.density.empty() ? 0 : 1;
            QCOMPARE(static_cast<int>(p.invariantError.size()), 16 / 2 + 1);
        };
        auto a = fxs::MtipReconstructor(c).run(inv, control);
        auto b = fxs::MtipReconstructor(c).run(inv);
        QVERIFY(a.ok() && b.ok());
        QCOMPARE(calls, 2 * 20);
        QCOMPARE(withDensity, 2 * 2);
        QCOMPARE(a->iterationsRun, 40);
        QVERIFY(a->density == b->density);
        const fxs::MrcMap map = fxs::MrcWriter::mapOf(*a);
        QCOMPARE(map.nx * map.ny * map.nz, 32 * 32 * 32);
        QCOMPARE(map.originAngstrom[2], -16.0 * a->voxelSizeA);
        c.seed = 2;
        auto d = fxs::MtipReconstructor(c).run(inv);
        QVERIFY(d.ok() && d->density != a->density);
    }

    void cancellationStopsAfterTheCurrentIteration()
    {
        auto m = fxs::ParticleModel::builtin("triangle3");
        const fxs::KamInvariants inv = exactInvariants(*m, 16, 0.02, 0.4, 12);
        fxs::MtipConfig c = smallConfig();
        std::atomic<bool> cancel { false };
        std::atomic<bool> densityRequest { false };
        int densities = 0;
        fxs::MtipControl control;
        control.cancel = &cancel;
        control.densityRequest = &densityRequest;
        control.progress = [&](const fxs::MtipProgress& p) {
            densities += p.density.empty() ? 0 : 1;
            if (p.iteration == 3) {
                densityRequest = true;
            }
            if (p.iteration == 5) {
                cancel = true;
            }
        };
        auto r = fxs::MtipReconstructor(c).run(inv, control);
        QVERIFY(r.ok());
        QVERIFY(r->cancelled);
        QCOMPARE(r->iterationsRun, 5);
        QCOMPARE(densities, 1);
        QCOMPARE(r->density.size(), std::size_t(32 * 32 * 32));
    }

    void rejectsUnusableSettings()
    {
        auto m = fxs::ParticleModel::builtin("triangle3");
        const fxs::KamInvariants inv = exactInvariants(*m, 8, 0.02, 0.4, 8);
        fxs::MtipConfig c = smallConfig();
        c.gridSize = 31;
        QVERIFY(!fxs::MtipReconstructor(c).run(inv).ok());
        c = smallConfig();
        c.schedule.clear();
        QVERIFY(!fxs::MtipReconstructor(c).run(inv).ok());
        QVERIFY(!fxs::MtipReconstructor(smallConfig()).run(fxs::KamInvariants {}).ok());
        fxs::KamInvariants nan = inv;
        nan.b[3] = std::nan("");
        QVERIFY(!fxs::MtipReconstructor(smallConfig()).run(nan).ok());
    }
};

QTEST_GUILESS_MAIN(tst_MtipReconstructor)
#include "tst_MtipReconstructor.moc"
