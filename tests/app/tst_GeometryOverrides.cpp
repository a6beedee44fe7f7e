// `fxs correlate` on an LCLS-style CXI file written by h5py whose geometry takes the camera length and the
// photon energy from the data file: values missing everywhere stop the run naming the key and the option;
// --clen / --photon-energy / --config supply them; the results file records each value and its source; a camera
// length that changes per frame moves the remap with it (the ring stays in its q bin); --mask masks pixels.
#include "ProgramRunner.h"
#include "PythonRunner.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

namespace {

using Run = fxs::test::ProgramRun;
using fxs::test::runFxs;

// A 64 × 64 panel of 100 µm pixels; its camera length is the LCLS encoder value (mm), its energy the LCLS one.
const char* kGeom = "res = 10000\nclen = /LCLS/detector_1/EncoderValue\nphoton_energy = /LCLS/photon_energy_eV\n"
                    "p/min_fs = 0\np/max_fs = 63\np/min_ss = 0\np/max_ss = 63\np/corner_x = -32\np/corner_y = -32\n";
const char* kGeomNoEnergy = "res = 10000\nclen = /LCLS/detector_1/EncoderValue\n"
                            "p/min_fs = 0\np/max_fs = 63\np/min_ss = 0\np/max_ss = 63\np/corner_x = -32\n"
                            "p/corner_y = -32\n";

// Writes the run with h5py: each frame a ring at q0 = 0.0825 1/A drawn with that frame's camera length.
const char* kWriter = R"(
import h5py, sys, numpy as np
path, clens, energy = sys.argv[1], [float(v) for v in sys.argv[2].split(',')], sys.argv[3]
lam = 12398.419843320026 / 9000.0
c = (np.arange(64) + 0.5 - 32) / 1e4
r = np.hypot(c[None, :], c[:, None])
frames = []
for clen_mm in clens:
    q = 4 * np.pi * np.sin(0.5 * np.arctan2(r, clen_mm * 1e-3)) / lam
    frames.append(1 + 1000 * np.exp(-0.5 * ((q - 0.0825) / 0.004) ** 2))
with h5py.File(path, 'w') as f:
    f['/entry_1/data_1/data'] = np.array(frames, dtype=np.float32)
    f['/LCLS/detector_1/EncoderValue'] = clens if len(clens) > 1 else clens[0]
    if energy != 'none':
        f['/LCLS/photon_energy_eV'] = float(energy)
)";

// The geometry values recorded in a results file, and the q bin of the brightest φ-averaged mean intensity.
const char* kReader = R"(
import h5py, json, sys, numpy as np
f = h5py.File(sys.argv[1], 'r')
wi, ws = f['sums/weighted_intensity'][()], f['sums/weight_sum'][()]
mean = np.where(ws > 0, wi / np.where(ws > 0, ws, 1), 0).reshape(int(sys.argv[2]), -1)
profile = mean.mean(axis=1)
stats = f['analysis/shot_statistics'][()]
print(json.dumps({'values': json.loads(f['run/configuration'][()])['geometry_values'],
                  'peak': int(profile.argmax()), 'peak_ratio': float(np.sort(profile)[-2] / profile.max()),
                  'masked_fraction': [float(v) for v in stats[:, 5]]}))
)";

} // namespace

class tst_GeometryOverrides : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    QString write(const QString& name, const QByteArray& text)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        f.write(text);
        return path;
    }
    QString cxi(const QString& name, const QString& clensMm, const QString& energy)
    {
        const QString path = m_dir.filePath(name);
        const auto r = fxs::test::runPython(kWriter, { path, clensMm, energy });
        return r.ok() ? path : (qWarning() << r.err, QString());
    }
    QStringList correlate(const QString& in, const QString& geom, const QString& out) const
    {
        return { "correlate", in, "--geometry", geom, "--out", out, "--n-q", "20", "--n-phi", "16", "--q-min", "0.02",
            "--q-max", "0.12", "--threads", "2" };
    }
    QJsonObject results(const QString& path)
    {
        const auto r = fxs::test::runPython(kReader, { path, "20" });
        return r.ok() ? QJsonDocument::fromJson(r.out).object() : (qWarning() << r.err, QJsonObject());
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void missingValueNamesKeyAndOption()
    {
        const QString noEnergy = write("no-energy.geom", kGeomNoEnergy);
        const QString in = cxi("noenergy.cxi", "100", "none");
        QVERIFY(!in.isEmpty());
        Run r = runFxs(correlate(in, noEnergy, m_dir.filePath("a.h5")));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("photon_energy") && r.err.contains("--photon-energy"), r.err.constData());
        // The geometry names the energy's HDF5 path but the file lacks it: the message says so.
        r = runFxs(correlate(in, write("paths.geom", kGeom), m_dir.filePath("b.h5")));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("/LCLS/photon_energy_eV") && r.err.contains("--photon-energy"), r.err.constData());
        r = runFxs(correlate(in, noEnergy, m_dir.filePath("c.h5")) << "--photon-energy"
                                                                   << "9000"
                                                                   << "--beam-shift"
                                                                   << "0.001");
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--beam-shift"), r.err.constData());
    }

    void valuesAndSourcesAreRecorded()
    {
        const QString geom = write("lcls.geom", kGeom);
        const QString noEnergy = write("no-energy2.geom", kGeomNoEnergy);
        const QString in = cxi("run.cxi", "100", "9000");
        QVERIFY(!in.isEmpty());
        // Both from the data file.
        Run r = runFxs(correlate(in, geom, m_dir.filePath("d.h5")));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QJsonObject v = results(m_dir.filePath("d.h5"))["values"].toObject();
        QCOMPARE(v["clen_m"].toDouble(), 0.1);
        QCOMPARE(v["clen_source"].toString(), QString("data file"));
        QCOMPARE(v["photon_energy_ev"].toDouble(), 9000.0);
        QCOMPARE(v["photon_energy_source"].toString(), QString("data file"));
        // The user's values win, from the command line and from a JSON config.
        r = runFxs(correlate(in, noEnergy, m_dir.filePath("e.h5")) << "--clen"
                                                                   << "0.11"
                                                                   << "--photon-energy"
                                                                   << "9100");
        QVERIFY2(r.exitCode == 0, r.err.constData());
        v = results(m_dir.filePath("e.h5"))["values"].toObject();
        QCOMPARE(v["clen_m"].toDouble(), 0.11);
        QCOMPARE(v["clen_source"].toString(), QString("user"));
        QCOMPARE(v["photon_energy_ev"].toDouble(), 9100.0);
        QCOMPARE(v["photon_energy_source"].toString(), QString("user"));
        const QString cfg = write("cfg.json", R"({"photon-energy": 8900, "beam-shift": "0.0002,-0.0001"})");
        r = runFxs(correlate(in, noEnergy, m_dir.filePath("f.h5")) << "--config" << cfg);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        v = results(m_dir.filePath("f.h5"))["values"].toObject();
        QCOMPARE(v["photon_energy_ev"].toDouble(), 8900.0);
        QCOMPARE(v["clen_source"].toString(), QString("data file"));
        QCOMPARE(v["beam_shift_m"].toArray()[0].toDouble(), 0.0002);
        QCOMPARE(v["beam_shift_m"].toArray()[1].toDouble(), -0.0001);
    }

    void perFrameCameraLengthMovesTheRemap()
    {
        const QString geom = write("lcls3.geom", kGeom);
        const QString in = cxi("perframe.cxi", "100,140,100,140,100,140", "9000");
        QVERIFY(!in.isEmpty());
        Run r = runFxs(correlate(in, geom, m_dir.filePath("g.h5")));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QJsonObject o = results(m_dir.filePath("g.h5"));
        QCOMPARE(o["values"].toObject()["per_frame"].toBool(), true);
        // Every frame's ring at q0 falls in bin 12; one geometry for all would smear half of them elsewhere.
        qInfo() << "per-frame remap: peak bin" << o["peak"].toInt() << "second/first" << o["peak_ratio"].toDouble();
        QCOMPARE(o["peak"].toInt(), 12);
        QVERIFY2(o["peak_ratio"].toDouble() < 0.6, qPrintable(QString::number(o["peak_ratio"].toDouble())));
        // Forcing one camera length puts half the frames' rings in another bin: a second peak appears.
        r = runFxs(correlate(in, geom, m_dir.filePath("h.h5")) << "--clen"
                                                               << "0.1");
        QVERIFY2(r.exitCode == 0, r.err.constData());
        o = results(m_dir.filePath("h.h5"));
        qInfo() << "one camera length: second/first" << o["peak_ratio"].toDouble();
        QCOMPARE(o["values"].toObject()["per_frame"].toBool(), false);
        QVERIFY2(o["peak_ratio"].toDouble() > 0.6, qPrintable(QString::number(o["peak_ratio"].toDouble())));
    }

    void maskOptionMasksPixels()
    {
        const QString geom = write("lcls4.geom", kGeom);
        const QString in = cxi("masked.cxi", "100,100", "9000");
        const QString mask = m_dir.filePath("mask.h5");
        // NeXus convention without mask bits in the geometry: nonzero = bad; the left 24 columns are bad.
        const auto w = fxs::test::runPython("import h5py, numpy as np, sys\n"
                                            "m = np.zeros((64, 64), np.uint8); m[:, :24] = 1\n"
                                            "h5py.File(sys.argv[1], 'w')['/detector/pixel_mask'] = m\n",
            { mask });
        QVERIFY(w.ok());
        Run r = runFxs(correlate(in, geom, m_dir.filePath("i.h5")) << "--mask" << mask + ":/detector/pixel_mask");
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject o = results(m_dir.filePath("i.h5"));
        QCOMPARE(o["values"].toObject()["mask"].toString(), mask + ":/detector/pixel_mask");
        const auto fractions = o["masked_fraction"].toArray();
        QCOMPARE(fractions.size(), 2);
        QCOMPARE(fractions[0].toDouble(), 24.0 / 64.0);
        QCOMPARE(fractions[1].toDouble(), 24.0 / 64.0);
        r = runFxs(correlate(in, geom, m_dir.filePath("j.h5")) << "--mask" << mask + ":/nope");
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("/nope"), r.err.constData());
        // The same 24 columns as a CrystFEL bad region (a snippet of bad_* lines): the same fraction masked.
        const QString regions = write("left.txt", "bad_left/min_fs = 0\nbad_left/max_fs = 23\nbad_left/min_ss = 0\n"
                                                  "bad_left/max_ss = 63\nbad_left/panel = p\n");
        r = runFxs(correlate(in, geom, m_dir.filePath("k.h5")) << "--mask" << regions);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject k = results(m_dir.filePath("k.h5"));
        QCOMPARE(k["values"].toObject()["mask"].toString(), regions);
        QCOMPARE(k["masked_fraction"].toArray()[0].toDouble(), 24.0 / 64.0);
        r = runFxs(correlate(in, geom, m_dir.filePath("l.h5")) << "--mask" << write("junk.txt", "not a mask\n"));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--mask") && r.err.contains("junk.txt:1:"), r.err.constData());
    }

    // fxs simulate writes the pixels its detector does not measure (the built-in beamstop and gap) as a mask file
    // that its geometry names: at 1e9 photons every masked pixel holds 0 in every frame and, inside the disc of
    // radius 150 px about the beam (the simulated signal stops near the corners), no other pixel does (h5py over
    // the frames); fxs correlate with that geometry masks what the built-in detector masks (another program path).
    void simulateWritesItsGapsAsMask()
    {
        const QString sim = m_dir.filePath("sim.cxi");
        Run r = fxs::test::runFxs({ "simulate", "--out", sim, "--shots", "3", "--photons", "1e9", "--jitter", "0" });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto check = fxs::test::runPython(
            "import h5py, numpy as np, sys\n"
            "m = h5py.File(sys.argv[1] + '.mask.h5', 'r')['/data/mask'][()] != 0\n"
            "d = h5py.File(sys.argv[1], 'r')['/entry_1/data_1/data'][()]\n"
            "zero = (d == 0).all(axis=0)\n"
            "ss, fs = np.mgrid[0:256, 0:256]\n"
            "inner = np.hypot(fs + 0.5 - 128.3, ss + 0.5 - 127.7) < 150\n"
            "print(int(m.sum()), int((m & ~zero).sum()), int((inner & (zero != m)).sum()))\n",
            { sim });
        QVERIFY2(check.ok(), check.err.constData());
        const auto counts = check.out.trimmed().split(' ');
        qInfo() << "masked, masked but not 0, differing inside the disc:" << counts;
        QCOMPARE(counts.size(), 3);
        QVERIFY(counts[0].toInt() > 1024); // gap rows 140-143 (1024 pixels) and the beamstop
        QCOMPARE(counts[1], QByteArray("0"));
        QCOMPARE(counts[2], QByteArray("0"));
        QStringList args { "correlate", sim, "--n-q", "20", "--n-phi", "16", "--q-min", "0.02", "--q-max", "0.12",
            "--threads", "2", "--geometry" };
        r = runFxs(QStringList(args) << sim + ".geom" << "--out" << m_dir.filePath("sim-geom.h5"));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        r = runFxs(QStringList(args) << "builtin" << "--out" << m_dir.filePath("sim-builtin.h5"));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject viaGeom = results(m_dir.filePath("sim-geom.h5"));
        const QJsonObject viaBuiltin = results(m_dir.filePath("sim-builtin.h5"));
        QVERIFY2(viaGeom["values"].toObject()["mask"].toString().endsWith("sim.cxi.mask.h5:/data/mask"),
            qPrintable(viaGeom["values"].toObject()["mask"].toString()));
        const auto a = viaGeom["masked_fraction"].toArray(), b = viaBuiltin["masked_fraction"].toArray();
        QCOMPARE(a.size(), 3);
        QVERIFY(b[0].toDouble() > 0.0);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(a[i].toDouble(), b[i].toDouble());
        }
    }
};

QTEST_GUILESS_MAIN(tst_GeometryOverrides)
#include "tst_GeometryOverrides.moc"
