#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <complex>
#include <fxs/simulation/ParticleModel.h>
#include <numbers>

namespace {

// Closed form of a uniform sphere's normalised amplitude, written out here independently of the engine.
double sphereAmplitude(double q, double r)
{
    const double x = q * r;
    return 3.0 * (std::sin(x) - x * std::cos(x)) / (x * x * x);
}

} // namespace

class tst_ParticleModel : public QObject {
    Q_OBJECT
private slots:
    void sphereAmplitudeIsClosedForm_data()
    {
        QTest::addColumn<double>("q");
        QTest::newRow("0.05") << 0.05;
        QTest::newRow("0.17") << 0.17;
        QTest::newRow("near first zero") << 4.4934 / 25.0 + 0.01;
        QTest::newRow("0.6") << 0.6;
    }
    void sphereAmplitudeIsClosedForm()
    {
        QFETCH(double, q);
        const auto m = fxs::ParticleModel::sphere(25.0, 3.0);
        // Any direction: the sphere is isotropic.
        const double d = q / std::sqrt(3.0);
        const auto f = m.amplitude({ d, -d, d });
        QVERIFY(std::abs(f.real() - 3.0 * sphereAmplitude(q, 25.0)) < 1e-12);
        QVERIFY(std::abs(f.imag()) < 1e-12);
    }

    void dumbbellIntensityIsTwoBeamInterference()
    {
        const double d = 40.0;
        const auto m = fxs::ParticleModel::dumbbell(d, 0.0, 1.5);
        for (const auto& q : { std::array<double, 3> { 0.1, 0.02, -0.03 }, { 0.31, -0.2, 0.05 }, { 0, 0.4, 0 } }) {
            // |a e^{−iq·d/2} + a e^{iq·d/2}|² = 2a²(1 + cos(q_x d)) for scatterers at ±d/2 on x.
            const double expected = 2.0 * 1.5 * 1.5 * (1.0 + std::cos(q[0] * d));
            QVERIFY(std::abs(m.intensity(q) - expected) < 1e-12);
        }
    }

    void gaussianBlobHasGaussianEnvelopeAndPhase()
    {
        auto m = fxs::ParticleModel::fromScatterers(
            "blob", { { fxs::Scatterer::Kind::Gaussian, 2.0, 5.0, 0.0, { 3.0, -4.0, 7.0 } } });
        QVERIFY(m.ok());
        const std::array<double, 3> q { 0.1, 0.2, -0.05 };
        const double q2 = 0.01 + 0.04 + 0.0025;
        const double phase = 0.1 * 3.0 - 0.2 * 4.0 - 0.05 * 7.0;
        const auto expected = 2.0 * std::exp(-q2 * 25.0 / 2.0) * std::polar(1.0, phase);
        QVERIFY(std::abs(m->amplitude(q) - expected) < 1e-12);
    }

    void densityIntegratesToForwardAmplitude_data()
    {
        QTest::addColumn<QString>("name");
        for (const auto& n : fxs::ParticleModel::builtinNames()) {
            QTest::newRow(n.c_str()) << QString::fromStdString(n);
        }
    }
    void densityIntegratesToForwardAmplitude()
    {
        QFETCH(QString, name);
        auto m = fxs::ParticleModel::builtin(name.toStdString());
        QVERIFY2(m.ok(), name.toUtf8());
        const double voxel = 2.0;
        const auto d = m->density(64, voxel);
        QCOMPARE(d.values.size(), std::size_t(64 * 64 * 64));
        double total = 0.0;
        std::array<double, 3> centroid { 0, 0, 0 };
        for (int iz = 0; iz < d.n; ++iz) {
            for (int iy = 0; iy < d.n; ++iy) {
                for (int ix = 0; ix < d.n; ++ix) {
                    const double v = d.values[d.at(ix, iy, iz)] * voxel * voxel * voxel;
                    total += v;
                    centroid[0] += v * (ix - 32) * voxel;
                    centroid[1] += v * (iy - 32) * voxel;
                    centroid[2] += v * (iz - 32) * voxel;
                }
            }
        }
        double a = 0.0;
        std::array<double, 3> expected { 0, 0, 0 };
        for (const auto& s : m->scatterers()) {
            a += s.amplitude;
            for (int k = 0; k < 3; ++k) {
                expected[k] += s.amplitude * s.positionA[k];
            }
        }
        QVERIFY2(std::abs(total - a) < 1e-3 * a, qPrintable(QString("%1 vs %2").arg(total).arg(a)));
        for (int k = 0; k < 3; ++k) {
            QVERIFY(std::abs(centroid[k] / total - expected[k] / a) < 0.05);
        }
    }

    void densityFourierTransformIsTheAmplitude()
    {
        // A direct DFT of the gridded truth density at a few q must reproduce F(q): ties the grid to F.
        auto m = fxs::ParticleModel::builtin("tetramer4");
        QVERIFY(m.ok());
        const double voxel = 1.5;
        const int n = 64;
        const auto d = m->density(n, voxel);
        for (const auto& q : { std::array<double, 3> { 0.1, 0.0, 0.0 }, { 0.05, -0.12, 0.08 }, { 0.0, 0.2, 0.1 } }) {
            std::complex<double> f { 0, 0 };
            for (int iz = 0; iz < n; ++iz) {
                for (int iy = 0; iy < n; ++iy) {
                    for (int ix = 0; ix < n; ++ix) {
                        const double ph = ((ix - n / 2) * q[0] + (iy - n / 2) * q[1] + (iz - n / 2) * q[2]) * voxel;
                        f += static_cast<double>(d.values[d.at(ix, iy, iz)]) * std::polar(1.0, ph);
                    }
                }
            }
            f *= voxel * voxel * voxel;
            const auto ref = m->amplitude(q);
            // Voxel integration multiplies F by ~sinc(q h / 2)³ ≈ 1 − 0.3 % here.
            QVERIFY2(std::abs(f - ref) < 0.01 * std::abs(m->amplitude({ 0, 0, 0 })),
                qPrintable(QString("%1%2i vs %3%4i").arg(f.real()).arg(f.imag()).arg(ref.real()).arg(ref.imag())));
        }
    }

    void jsonRoundTrips()
    {
        auto m = fxs::ParticleModel::builtin("helix6");
        QVERIFY(m.ok());
        auto back = fxs::ParticleModel::fromJson(m->toJson());
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message.c_str());
        QCOMPARE(back->name(), m->name());
        QCOMPARE(back->scatterers().size(), std::size_t(6));
        for (std::size_t i = 0; i < 6; ++i) {
            QCOMPARE(back->scatterers()[i].positionA, m->scatterers()[i].positionA);
            QCOMPARE(back->scatterers()[i].sigmaA, m->scatterers()[i].sigmaA);
        }
    }

    void jsonFileWithSpheresAndBlobs()
    {
        const char* text = R"({"name": "mixed",
            "blobs": [{"amplitude": 2, "sigma_A": 3, "position_A": [10, 0, 0]}],
            "spheres": [{"amplitude": 5, "radius_A": 8}]})";
        auto m = fxs::ParticleModel::fromJson(text, "mixed.json");
        QVERIFY(m.ok());
        const double q = 0.2;
        const auto expected
            = 2.0 * std::exp(-q * q * 9.0 / 2.0) * std::polar(1.0, q * 10.0) + 5.0 * sphereAmplitude(q, 8.0);
        QVERIFY(std::abs(m->amplitude({ q, 0, 0 }) - expected) < 1e-12);
    }

    void badJsonGivesClearErrors_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("mustMention");
        QTest::newRow("not json") << "{ blobs: ["
                                  << "not valid JSON";
        QTest::newRow("no scatterers") << R"({"name": "x"})"
                                       << "no scatterers";
        QTest::newRow("sphere without radius") << R"({"spheres": [{"amplitude": 1}]})"
                                               << "radius_A";
        QTest::newRow("position of 2") << R"({"blobs": [{"position_A": [1, 2]}]})"
                                       << "blobs[0]";
        QTest::newRow("negative sigma") << R"({"blobs": [{"sigma_A": -1}]})"
                                        << "≥ 0";
        QTest::newRow("string amplitude") << R"({"blobs": [{"amplitude": "big"}]})"
                                          << "amplitude";
        QTest::newRow("array at top") << "[1, 2]"
                                      << "JSON object";
        QTest::newRow("number overflow") << R"({"blobs": [{"amplitude": 1e400}]})"
                                         << "JSON";
    }
    void badJsonGivesClearErrors()
    {
        QFETCH(QString, text);
        QFETCH(QString, mustMention);
        auto m = fxs::ParticleModel::fromJson(text.toStdString(), "bad.json");
        QVERIFY(!m.ok());
        const QString msg = QString::fromStdString(m.error().message);
        QVERIFY2(msg.contains("bad.json") && msg.contains(mustMention), qPrintable(msg));
    }

    void loadTakesANameOrAPath()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("m.json");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"name": "pair", "blobs": [{"position_A": [5, 0, 0]}, {"position_A": [-5, 0, 0]}]})");
        f.close();
        auto fromPath = fxs::ParticleModel::load(path.toStdString());
        QVERIFY(fromPath.ok());
        QCOMPARE(fromPath->name(), std::string("pair"));
        // Two unit points 10 Å apart: |F|² = 2(1 + cos 10 q_x).
        QVERIFY(std::abs(fromPath->intensity({ 0.2, 0, 0 }) - 2.0 * (1.0 + std::cos(2.0))) < 1e-12);
        auto byName = fxs::ParticleModel::load("helix6");
        QVERIFY(byName.ok() && byName->scatterers().size() == 6);
        auto neither = fxs::ParticleModel::load("no-such-model");
        QVERIFY(!neither.ok());
        QVERIFY(QString::fromStdString(neither.error().message).contains("built-in"));
    }

    void missingFileAndUnknownBuiltin()
    {
        QVERIFY(!fxs::ParticleModel::fromFile("/nonexistent/model.json").ok());
        auto b = fxs::ParticleModel::builtin("teapot");
        QVERIFY(!b.ok());
        QVERIFY(QString::fromStdString(b.error().message).contains("dumbbell"));
    }
};

QTEST_GUILESS_MAIN(tst_ParticleModel)
#include "tst_ParticleModel.moc"
