// fxs-monitor on CXI files written by h5py: without a geometry it no longer assumes a camera length, pixel
// size or photon energy but asks for them (the run does not start and the message names each value and where
// to enter it); values given by the user, read from the data file through the geometry's HDF5 paths, or
// written in the geometry are used and recorded in the results file with their source.
#include "H5pyResults.h"
#include "PythonRunner.h"

#include <QDir>
#include <ProgramRunner.h>
#include <QtTest>

namespace {

fxs::test::ProgramRun monitor(const QTemporaryDir& dir, const QStringList& args)
{
    return fxs::test::runMonitor(
        QStringList { "--fresh", "--settings", dir.filePath("s.ini"), "--results", dir.filePath("results"), "--nq", "8",
            "--nphi", "16", "--quit-when-done" }
            + args,
        90000);
}

// Four 64 × 64 frames; with `lcls`, the LCLS per-event camera length (mm) and photon energy (eV) beside them.
const char* kWriter = R"(
import h5py, sys, numpy as np
rng = np.random.default_rng(5)
with h5py.File(sys.argv[1], 'w') as f:
    f['/entry_1/data_1/data'] = rng.poisson(3.0, (4, 64, 64)).astype(np.float32)
    if sys.argv[2] == 'lcls':
        f['/LCLS/detector_1/EncoderValue'] = [120.0, 120.0, 120.0, 120.0]
        f['/LCLS/photon_energy_eV'] = [9350.0, 9350.0, 9350.0, 9350.0]
)";

QStringList resultsFiles(const QTemporaryDir& dir) { return QDir(dir.filePath("results")).entryList({ "*.h5" }); }

} // namespace

class tst_MonitorGeometryValues : public QObject {
    Q_OBJECT

private slots:
    void fileWithoutGeometryAsksInsteadOfAssuming()
    {
        QTemporaryDir dir;
        const QString cxi = dir.filePath("plain.cxi");
        QVERIFY(fxs::test::runPython(kWriter, { cxi, "plain" }).ok());
        const auto r = monitor(dir, { "--open", cxi });
        QCOMPARE(r.exitCode, 1);
        for (const char* what : { "camera length", "photon energy", "pixel size", "Detector values" }) {
            QVERIFY2(r.err.contains(what), r.err.constData());
        }
        QVERIFY2(resultsFiles(dir).isEmpty(), "a run started on assumed values");
    }

    void userValuesAreUsedAndRecorded()
    {
        QTemporaryDir dir;
        const QString cxi = dir.filePath("plain.cxi");
        QVERIFY(fxs::test::runPython(kWriter, { cxi, "plain" }).ok());
        const auto r
            = monitor(dir, { "--open", cxi, "--clen", "0.2", "--photon-energy", "9100", "--pixel-size", "1e-4" });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto files = resultsFiles(dir);
        QCOMPARE(files.size(), 1);
        const QString out = fxs::test::h5pyOnResults(dir.filePath("results/" + files.first()),
            "v = c['geometry_values']\n"
            "print(v['clen_m'], v['clen_source'], v['photon_energy_ev'], v['photon_energy_source'], "
            "v['pixel_size_m'], v['pixel_size_source'], sep='|')\n");
        QCOMPARE(out.trimmed(), QString("0.2|user|9100.0|user|0.0001|user"));
    }

    void geometryPathsAreReadFromTheDataFile()
    {
        QTemporaryDir dir;
        const QString cxi = dir.filePath("lcls.cxi");
        QVERIFY(fxs::test::runPython(kWriter, { cxi, "lcls" }).ok());
        QFile geom(dir.filePath("lcls.geom"));
        QVERIFY(geom.open(QIODevice::WriteOnly));
        geom.write("res = 10000\nclen = /LCLS/detector_1/EncoderValue\ncoffset = 0.01\n"
                   "photon_energy = /LCLS/photon_energy_eV\n"
                   "p/min_fs = 0\np/max_fs = 63\np/min_ss = 0\np/max_ss = 63\np/corner_x = -32\np/corner_y = -32\n");
        geom.close();
        auto r = monitor(dir, { "--open", cxi, "--geometry", geom.fileName() });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto files = resultsFiles(dir);
        QCOMPARE(files.size(), 1);
        const QString out = fxs::test::h5pyOnResults(dir.filePath("results/" + files.first()),
            "v = c['geometry_values']\n"
            "print(v['clen_m'], v['clen_source'], v['photon_energy_ev'], v['photon_energy_source'], sep='|')\n");
        QCOMPARE(out.trimmed(), QString("0.12|data file|9350.0|data file"));
    }

    // The Pixel mask field (--mask) applied to a file run: the window's C2 sums equal those of fxs correlate --mask
    // on the same file (another program path); a mask of the wrong shape stops the start naming the file.
    void pixelMaskGivesTheSameC2AsTheCli()
    {
        QTemporaryDir dir;
        const QString cxi = dir.filePath("plain.cxi");
        QVERIFY(fxs::test::runPython(kWriter, { cxi, "plain" }).ok());
        const QString mask = dir.filePath("mask.h5"), wrong = dir.filePath("wrong.h5");
        QVERIFY(fxs::test::runPython("import h5py, numpy as np, sys\n"
                                     "m = np.zeros((64, 64), np.uint8); m[:, :20] = 1; m[40:50, 30:] = 2\n"
                                     "h5py.File(sys.argv[1], 'w')['/data/mask'] = m\n"
                                     "h5py.File(sys.argv[2], 'w')['/data/mask'] = np.zeros((64, 60), np.uint8)\n",
            { mask, wrong })
                    .ok());
        QFile geom(dir.filePath("p.geom"));
        QVERIFY(geom.open(QIODevice::WriteOnly));
        geom.write("res = 10000\nclen = 0.03\nphoton_energy = 9350\n"
                   "p/min_fs = 0\np/max_fs = 63\np/min_ss = 0\np/max_ss = 63\np/corner_x = -32\np/corner_y = -32\n");
        geom.close();
        auto r = monitor(dir, { "--open", cxi, "--geometry", geom.fileName(), "--mask", mask });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto files = resultsFiles(dir);
        QCOMPARE(files.size(), 1);
        const QString cli = dir.filePath("cli.h5");
        const auto c = fxs::test::runFxs({ "correlate", cxi, "--geometry", geom.fileName(), "--mask", mask, "--n-q", "8",
            "--n-phi", "16", "--q-min", "0.05", "--q-max", "0.7", "--out", cli });
        QVERIFY2(c.exitCode == 0, c.err.constData());
        const auto py = fxs::test::runPython("import h5py, numpy as np, sys\n"
                                             "f, g = h5py.File(sys.argv[1], 'r')['sums'], h5py.File(sys.argv[2], 'r')['sums']\n"
                                             "worst = 0.0\n"
                                             "for k in ('weighted_intensity', 'weight_sum', 'signal_even', 'signal_odd',\n"
                                             "          'mask_even', 'mask_odd'):\n"
                                             "    a, b = f[k][()], g[k][()]\n"
                                             "    worst = max(worst, float(np.abs(a - b).max() / np.abs(b).max()))\n"
                                             "ws = f['weight_sum'][()]\n"
                                             "print(worst, int((ws == 0).sum()), ws.size)\n",
            { dir.filePath("results/" + files.first()), cli });
        QVERIFY2(py.ok(), py.err.constData());
        const QString out = QString::fromUtf8(py.out);
        qInfo().noquote() << "window vs fxs correlate: worst relative difference, empty bins, bins:" << out.trimmed();
        const QStringList v = out.trimmed().split(' ');
        QCOMPARE(v.size(), 3);
        QVERIFY2(v[0].toDouble() < 1e-6, qPrintable(out));
        QVERIFY(v[1].toInt() > 0); // the 20 masked columns empty whole bins

        r = monitor(dir, { "--open", cxi, "--geometry", geom.fileName(), "--mask", wrong });
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("Pixel mask") && r.err.contains("wrong.h5") && r.err.contains("shape 64 x 60"),
            r.err.constData());
        QCOMPARE(resultsFiles(dir).size(), 1);
    }
};

QTEST_GUILESS_MAIN(tst_MonitorGeometryValues)
#include "tst_MonitorGeometryValues.moc"
