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
};

QTEST_GUILESS_MAIN(tst_MonitorGeometryValues)
#include "tst_MonitorGeometryValues.moc"
