#include <QtTest>
#include <cmath>
#include <fxs/geometry/DetectorGeometry.h>
#include <fxs/geometry/GeomParser.h>
#include <numbers>

using fxs::DetectorGeometry;
using fxs::GeomParser;

namespace {

constexpr double kPi = std::numbers::pi;

std::string resource(const char* name)
{
    return qEnvironmentVariable("FXS_SOURCE_DIR").toStdString() + "/resources/geometry/" + name;
}

// 2100 × 1000 flat panel, 100 µm, 0.1 m, λ = 1 Å, beam at fs = 500.5, ss = 1000.5 (a pixel centre).
DetectorGeometry flatPanel()
{
    fxs::SinglePanelSpec s;
    s.nSlow = 2100;
    s.nFast = 1000;
    s.pixelSizeM = 100e-6;
    s.beamCentreFastPx = 500.5;
    s.beamCentreSlowPx = 1000.5;
    s.distanceM = 0.1;
    s.wavelengthA = 1.0;
    auto g = DetectorGeometry::singlePanel(s);
    if (!g) {
        qFatal("%s", g.error().message.c_str());
    }
    return *g;
}

} // namespace

class tst_DetectorGeometry : public QObject {
    Q_OBJECT
private slots:
    // Pixels whose centres sit at known distances from the beam on the flat panel.
    void flatPanelPixels_data()
    {
        QTest::addColumn<int>("ss");
        QTest::addColumn<int>("fs");
        QTest::addColumn<double>("twoThetaDeg");
        QTest::addColumn<double>("phiDeg");
        QTest::addColumn<double>("q");
        // Centre 1000 px = 0.1 m from the beam along +y at D = 0.1 m: 2θ = 45°, q = 4π sin 22.5° / 1 Å.
        QTest::newRow("+y, 45°") << 2000 << 500 << 45.0 << 90.0 << 4.8089418390747705;
        // One pixel from the beam along +x: tan 2θ = 1e-3.
        QTest::newRow("next to beam") << 1000 << 501 << std::atan(1e-3) * 180 / kPi << 0.0
                                      << 4 * kPi * std::sin(0.5 * std::atan(1e-3));
        // 500 px along −x: tan 2θ = 0.5, φ = 180°.
        QTest::newRow("-x") << 1000 << 0 << std::atan(0.5) * 180 / kPi << 180.0
                            << 4 * kPi * std::sin(0.5 * std::atan(0.5));
        // 300 px along +x, 400 along −y: r = 500 px = 0.05 m, tan 2θ = 0.5.
        QTest::newRow("3-4-5") << 600 << 800 << std::atan(0.5) * 180 / kPi << 360 - std::atan2(4.0, 3.0) * 180 / kPi
                               << 4 * kPi * std::sin(0.5 * std::atan(0.5));
    }
    void flatPanelPixels()
    {
        QFETCH(int, ss);
        QFETCH(int, fs);
        QFETCH(double, twoThetaDeg);
        QFETCH(double, phiDeg);
        QFETCH(double, q);
        const auto g = flatPanel();
        const std::size_t i = static_cast<std::size_t>(ss) * g.nFast() + fs;
        QCOMPARE(g.nSlow(), 2100);
        QCOMPARE(g.nFast(), 1000);
        QVERIFY(std::abs(g.twoThetaRad()[i] * 180 / kPi - twoThetaDeg) < 1e-4);
        QVERIFY(std::abs(g.phiRad()[i] * 180 / kPi - phiDeg) < 1e-3);
        QVERIFY(std::abs(g.qInvAngstrom()[i] - q) < 1e-5 * q + 1e-7);
        const auto qv = g.pixelQVectors()[i];
        const double k = 2 * kPi;
        const double tth = twoThetaDeg * kPi / 180;
        const double phi = phiDeg * kPi / 180;
        QVERIFY(std::abs(qv[0] - k * std::sin(tth) * std::cos(phi)) < 1e-5);
        QVERIFY(std::abs(qv[1] - k * std::sin(tth) * std::sin(phi)) < 1e-5);
        QVERIFY(std::abs(qv[2] - k * (std::cos(tth) - 1)) < 1e-5);
        QVERIFY(std::abs(std::hypot(qv[0], qv[1], qv[2]) - q) < 1e-5 * q + 1e-6);
        // Flat normal panel: solid angle cos³2θ; horizontal polarisation 1 − sin²2θ cos²φ.
        QVERIFY(std::abs(g.solidAngleFactor()[i] - std::pow(std::cos(tth), 3)) < 1e-6);
        const double pol = 1 - std::pow(std::sin(tth) * std::cos(phi), 2);
        QVERIFY(std::abs(g.polarisationFactor()[i] - pol) < 1e-6);
    }

    // A panel tilted about y (fs = 0.8x + 0.6z) and a panel turned by 90° (fs = +y, ss = −x).
    void tiltedAndRotatedPanels()
    {
        const char* text = "photon_energy = 12398.419843320026\nclen = 0.2\nres = 10000\n"
                           "a/min_fs = 0\na/max_fs = 99\na/min_ss = 0\na/max_ss = 49\n"
                           "a/fs = +0.8x +0.6z\na/ss = +1.0y\na/corner_x = 100\na/corner_y = -25\n"
                           "b/min_fs = 0\nb/max_fs = 99\nb/min_ss = 50\nb/max_ss = 99\n"
                           "b/fs = y\nb/ss = -x\nb/corner_x = -30\nb/corner_y = 40\nb/coffset = 0.01\n";
        auto g = GeomParser::parseText(text, "tilt.geom");
        QVERIFY2(g.ok(), g.ok() ? "" : g.error().message.c_str());
        QCOMPARE(g->wavelengthA(), 1.0);
        QCOMPARE(g->nSlow(), 100);
        QCOMPARE(g->nFast(), 100);
        const auto pos = g->pixelPositionsM();
        const auto q = g->qInvAngstrom();
        const auto omega = g->solidAngleFactor();
        // Panel a, pixel (ss 10, fs 20): centre 20.5 fs steps and 10.5 ss steps from the corner.
        const double xa = (100 + 20.5 * 0.8) / 1e4, ya = (-25 + 10.5) / 1e4, za = 0.2 + 20.5 * 0.6 / 1e4;
        const std::size_t ia = 10 * 100 + 20;
        QVERIFY(std::abs(pos[ia][0] - xa) < 1e-12 && std::abs(pos[ia][1] - ya) < 1e-12);
        QVERIFY(std::abs(pos[ia][2] - za) < 1e-12);
        const double ra = std::sqrt(xa * xa + ya * ya + za * za);
        const double qa = 4 * kPi * std::sin(0.5 * std::atan2(std::hypot(xa, ya), za));
        QVERIFY(std::abs(q[ia] - qa) < 1e-5 * qa);
        // The tilted panel's normal is ±(0.6, 0, −0.8): cosα = |0.6 x − 0.8 z| / r; D_ref = 0.2.
        const double cosA = std::abs(0.6 * xa - 0.8 * za) / ra;
        QVERIFY(std::abs(omega[ia] - cosA * 0.04 / (ra * ra)) < 1e-6);
        // Panel b, slab pixel (ss 60, fs 5): fs runs along +y, ss along −x.
        const double xb = (-30 - 10.5) / 1e4, yb = (40 + 5.5) / 1e4, zb = 0.21;
        const std::size_t ib = 60 * 100 + 5;
        QVERIFY(std::abs(pos[ib][0] - xb) < 1e-12 && std::abs(pos[ib][1] - yb) < 1e-12);
        QVERIFY(std::abs(pos[ib][2] - zb) < 1e-12);
        const double qb = 4 * kPi * std::sin(0.5 * std::atan2(std::hypot(xb, yb), zb));
        QVERIFY(std::abs(q[ib] - qb) < 1e-5 * qb);
        QVERIFY(std::abs(g->phiRad()[ib] - std::atan2(yb, xb)) < 1e-6);
    }

    // The ePix10k2M-like example: every module's far corner lands where the layout design puts it.
    void epixCorners()
    {
        auto g = GeomParser::parseFile(resource("epix10k2m-like.geom"));
        QVERIFY2(g.ok(), g.ok() ? "" : g.error().message.c_str());
        QCOMPARE(g->panels().size(), std::size_t(16));
        QCOMPARE(g->nSlow(), 16 * 352);
        QCOMPARE(g->nFast(), 384);
        QCOMPARE(g->photonEnergyEv(), 9500.0);
        const double twistDeg[] = { 0.15, -0.1, 0.2, -0.05 };
        for (int quad = 0; quad < 4; ++quad) {
            const double a = quad * kPi / 2 + twistDeg[quad] * kPi / 180;
            for (int m = 0; m < 4; ++m) {
                const auto& p = g->panels()[quad * 4 + m];
                // Design: quadrant 0 modules start 20 px from the beam, 6 px gaps, then rotate the quadrant.
                const double x0 = 20 + (m % 2) * (384 + 6) + 384, y0 = 20 + (m / 2) * (352 + 6) + 352;
                const double xe = (std::cos(a) * x0 - std::sin(a) * y0) / 1e4;
                const double ye = (std::sin(a) * x0 + std::cos(a) * y0) / 1e4;
                const auto far = p.labPositionM(p.maxSs + 1, p.maxFs + 1);
                QVERIFY2(std::hypot(far[0] - xe, far[1] - ye) < 1e-8, p.name.c_str());
                QCOMPARE(far[2], 0.35);
            }
        }
        // 16 × 352 × 384 pixels; the bad column (2 × 352) and the beamstop shadow are masked.
        const auto mask = g->validMask();
        const auto valid = std::count(mask.begin(), mask.end(), 1);
        QVERIFY(valid < 16 * 352 * 384 - 2 * 352);
        QCOMPARE(mask[(6 * 352 + 10) * 384 + 100], std::uint8_t(0));
        const auto pos = g->pixelPositionsM();
        for (std::size_t i = 0; i < mask.size(); i += 97) {
            const double xPx = pos[i][0] * 1e4, yPx = pos[i][1] * 1e4;
            const bool shadow = xPx >= -60 && xPx <= 60 && yPx >= -8 && yPx <= 400;
            QCOMPARE(mask[i] == 0, shadow || (i / 384 >= 6 * 352 && i / 384 < 7 * 352 && i % 384 / 2 == 50));
        }
    }

    // CrystFEL mask rule: good bits must all be set, no bad bit may be set.
    void maskBits()
    {
        const char* text = "photon_energy = 9000\nclen = 0.1\nres = 1e4\nmask = /entry_1/mask\n"
                           "mask_good = 0x0001\nmask_bad = 0x0006\np/min_fs = 0\np/max_fs = 3\np/min_ss = 0\n"
                           "p/max_ss = 0\n";
        auto g = GeomParser::parseText(text);
        QVERIFY2(g.ok(), g.ok() ? "" : g.error().message.c_str());
        QCOMPARE(g->maskSource().dataset, std::string("/entry_1/mask"));
        const std::vector<std::uint32_t> values { 0x1, 0x0, 0x3, 0x9 }; // good, no good bit, bad bit 0x2, good
        auto mask = g->validMaskWith(values);
        QVERIFY(mask.ok());
        QCOMPARE(*mask, (std::vector<std::uint8_t> { 1, 0, 0, 1 }));
        QVERIFY(!g->validMaskWith(std::vector<std::uint32_t>(3, 1)).ok());
    }

    void singlePanelByEnergy()
    {
        fxs::SinglePanelSpec s;
        s.nSlow = s.nFast = 10;
        s.photonEnergyEv = 6199.209921660013; // λ = 2 Å
        auto g = DetectorGeometry::singlePanel(s);
        QVERIFY(g.ok());
        QCOMPARE(g->wavelengthA(), 2.0);
        s.photonEnergyEv = 0.0;
        s.wavelengthA = -1.0;
        QVERIFY(!DetectorGeometry::singlePanel(s).ok());
    }

    void singlePanelFile()
    {
        auto g = GeomParser::parseFile(resource("single-panel.geom"));
        QVERIFY2(g.ok(), g.ok() ? "" : g.error().message.c_str());
        QCOMPARE(g->nSlow(), 1024);
        QCOMPARE(g->nFast(), 1024);
        // Pixel (ss 611, fs 812): centre 300.2 px along x, 99.8 px along y at 75 µm, D = 0.25 m, 9 keV.
        const double x = 300.2 * 75e-6, y = 99.8 * 75e-6;
        const double lambda = 12398.419843320026 / 9000;
        const double q = 4 * kPi * std::sin(0.5 * std::atan(std::hypot(x, y) / 0.25)) / lambda;
        QVERIFY(std::abs(g->qInvAngstrom()[611 * 1024 + 812] - q) < 1e-5 * q);
        QCOMPARE(g->saturationAdu()[0], 65535.0f);
    }

    // 4-D stacks: `dim1 = <module>` folds module k's rows to k · rows-per-module.
    void moduleFolding()
    {
        const char* text = "photon_energy = 9000\nclen = 0.1\nres = 10000\ndim0 = %\ndim2 = ss\ndim3 = fs\n"
                           "m0/dim1 = 0\nm0/min_fs = 0\nm0/max_fs = 9\nm0/min_ss = 0\nm0/max_ss = 4\n"
                           "m1/dim1 = 1\nm1/min_fs = 0\nm1/max_fs = 9\nm1/min_ss = 0\nm1/max_ss = 4\n"
                           "m1/corner_y = 20\n";
        auto g = GeomParser::parseText(text);
        QVERIFY2(g.ok(), g.ok() ? "" : g.error().message.c_str());
        QCOMPARE(g->nSlow(), 10);
        QCOMPARE(g->panels()[1].minSs, 5);
        QCOMPARE(g->panelAt(7, 3), 1);
        QVERIFY(std::abs(g->pixelPositionsM()[7 * 10 + 3][1] - (20 + 2.5) / 1e4) < 1e-12);
    }

    void roundTrip()
    {
        auto g = GeomParser::parseFile(resource("epix10k2m-like.geom"));
        QVERIFY(g.ok());
        auto back = GeomParser::parseText(GeomParser::toGeomText(*g), "written.geom");
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message.c_str());
        QCOMPARE(back->fingerprint(), g->fingerprint());
        QCOMPARE(back->validMask(), g->validMask());
    }

    void malformed_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("line");
        QTest::addColumn<QString>("key");
        const QString head
            = "photon_energy = 9000\nclen = 0.1\np/res = 5000\np/min_fs = 0\np/max_fs = 9\np/min_ss = 0\n";
        QTest::newRow("no '='") << head + "p/max_ss 9\n" << 7 << "p/max_ss 9";
        QTest::newRow("not an integer") << head + "p/max_ss = nine\n" << 7 << "p/max_ss";
        QTest::newRow("bad vector") << head + "p/max_ss = 9\np/fs = +1.0q\n" << 8 << "p/fs";
        QTest::newRow("refused key") << head + "p/max_ss = 9\n\n; note\np/electron_voltage = 200\n"
                                     << 10 << "p/electron_voltage";
        QTest::newRow("missing max_ss") << head << 3 << "p/max_ss";
        QTest::newRow("missing res") << "photon_energy = 9000\nclen = 0.1\np/min_fs = 0\np/max_fs = 9\n"
                                        "p/min_ss = 0\np/max_ss = 9\n"
                                     << 3 << "p/res";
        QTest::newRow("clen is a path, no data file")
            << "photon_energy = 9000\nclen = /LCLS/detector_1/EncoderValue\np/res = 5000\np/min_fs = 0\n"
               "p/max_fs = 9\np/min_ss = 0\np/max_ss = 9\n"
            << 2 << "clen";
        QTest::newRow("bad region mixes") << head + "p/max_ss = 9\nbad_a/min_x = 1\nbad_a/min_fs = 2\n"
                                          << 9 << "bad_a/min_fs";
        QTest::newRow("negative res") << head + "p/max_ss = 9\np/res = -5\n" << 8 << "p/res";
    }
    void malformed()
    {
        QFETCH(QString, text);
        QFETCH(int, line);
        QFETCH(QString, key);
        auto g = GeomParser::parseText(text.toStdString(), "bad.geom");
        QVERIFY(!g.ok());
        const QString msg = QString::fromStdString(g.error().message);
        QVERIFY2(msg.startsWith(QString("bad.geom:%1: ").arg(line)), qPrintable(msg));
        QVERIFY2(msg.contains("key '" + key + "'"), qPrintable(msg));
    }

    void refusedGeometries()
    {
        // Overlapping slab rectangles and a missing file are refused with a message, not a crash.
        const char* text
            = "photon_energy = 9000\nclen = 0.1\nres = 10000\na/min_fs = 0\na/max_fs = 9\na/min_ss = 0\na/max_ss = 9\n"
              "b/min_fs = 5\nb/max_fs = 14\nb/min_ss = 5\nb/max_ss = 9\n";
        auto g = GeomParser::parseText(text, "overlap.geom");
        QVERIFY(!g.ok());
        QVERIFY(g.error().message.find("overlaps") != std::string::npos);
        // A typo making a 1.6 Gpx slab is refused instead of allocating gigabytes.
        auto huge = GeomParser::parseText("photon_energy = 9000\nclen = 0.1\nres = 1e4\np/min_fs = 0\n"
                                          "p/max_fs = 39999\np/min_ss = 0\np/max_ss = 39999\n");
        QVERIFY(!huge.ok());
        QVERIFY(huge.error().message.find("max_fs/max_ss") != std::string::npos);
        auto missing = GeomParser::parseFile("/nonexistent/x.geom");
        QVERIFY(!missing.ok());
        QVERIFY(missing.error().message.find("/nonexistent/x.geom") != std::string::npos);
        fxs::GeomParseOptions opt;
        opt.cameraLengthM = 0.3;
        auto withPath
            = GeomParser::parseText("photon_energy = 9000\nclen = /x/clen\nres = 1e4\np/min_fs = 0\np/max_fs = 0\n"
                                    "p/min_ss = 0\np/max_ss = 0\n",
                "path.geom", opt);
        QVERIFY(withPath.ok());
        QCOMPARE(withPath->panels()[0].cameraLengthM, 0.3);
    }
};

QTEST_GUILESS_MAIN(tst_DetectorGeometry)
#include "tst_DetectorGeometry.moc"
