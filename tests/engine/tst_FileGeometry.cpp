// FileGeometry on data files written by h5py: values the geometry takes from the data file per frame give the
// ranges and the number of distinct geometries the writer put there (clen in mm → m, coffset apart), a value the
// same for every frame gives one geometry, a mask dataset with one slab per frame is found (and a single slab is
// not), and the user's camera length replaces the per-frame one.
#include "PythonRunner.h"

#include <fxs/geometry/GeomParser.h>
#include <fxs/pipeline/FileGeometry.h>

#include <QTemporaryDir>
#include <QtTest>

namespace {

const char* kGeom = "res = 10000\nclen = /LCLS/detector_1/EncoderValue\ncoffset = 0.01\n"
                    "photon_energy = /LCLS/photon_energy_eV\nmask = /mask\n"
                    "p/min_fs = 0\np/max_fs = 7\np/min_ss = 0\np/max_ss = 7\np/corner_x = -4\np/corner_y = -4\n";

// Arguments: path, comma-separated camera lengths (mm), energies (eV), and the mask's frames (0: one 8 × 8 slab).
const char* kWriter = R"(
import h5py, sys, numpy as np
path, clens, energies, frames = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
with h5py.File(path, 'w') as f:
    f['/entry_1/data_1/data'] = np.ones((5, 8, 8), np.float32)
    f['/LCLS/detector_1/EncoderValue'] = [float(v) for v in clens.split(',')]
    f['/LCLS/photon_energy_eV'] = [float(v) for v in energies.split(',')]
    f['/mask'] = np.zeros((frames, 8, 8) if frames else (8, 8), np.uint32)
)";

} // namespace

class tst_FileGeometry : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    fxs::Result<fxs::FileGeometry> read(const QString& name, const QString& clens, const QString& energies,
        int maskFrames, const fxs::GeomOverrides& overrides = {})
    {
        const QString path = m_dir.filePath(name);
        const auto w = fxs::test::runPython(kWriter, { path, clens, energies, QString::number(maskFrames) });
        if (!w.ok()) {
            return fxs::Error { w.err.toStdString() };
        }
        auto t = fxs::GeomParser::parseTemplateText(kGeom, "test.geom");
        if (!t) {
            return t.error();
        }
        auto g = fxs::FileGeometry::read(std::move(*t), overrides, path.toStdString());
        if (g) {
            if (auto st = g->resolve(0); !st) {
                return fxs::Error { st.message() };
            }
        }
        return g;
    }

private slots:
    void rangesOverTheFrames()
    {
        const auto g = read("a.cxi", "100,140,120,100,140", "9000,9000,9100,9000,9000", 5);
        QVERIFY2(g.ok(), g.ok() ? "" : g.error().message.c_str());
        QVERIFY(g->perFrame);
        // First frame 100 mm; distinct (clen, energy) pairs: (100, 9000), (140, 9000), (120, 9100).
        QCOMPARE(g->resolved.cameraLengthM, 0.1);
        QCOMPARE(g->resolved.geometry.referenceDistanceM(), 0.11); // coffset added to the panel
        QCOMPARE(g->cameraLengthM.min, 0.1);
        QCOMPARE(g->cameraLengthM.max, 0.14);
        QCOMPARE(g->photonEnergyEv.min, 9000.0);
        QCOMPARE(g->photonEnergyEv.max, 9100.0);
        QCOMPARE(g->cameraLengthM.distinct, std::size_t(3));
        QVERIFY(g->frameMask.has_value());
        QCOMPARE(g->frameMask->dataset, std::string("/mask"));
        fxs::CxiSourceOptions options;
        g->applyTo(options);
        QCOMPARE(options.frameMaskDataset, std::string("/mask"));
    }

    void sameValueEveryFrameIsOneGeometry()
    {
        const auto g = read("b.cxi", "120,120,120,120,120", "9000,9000,9000,9000,9000", 0);
        QVERIFY2(g.ok(), g.ok() ? "" : g.error().message.c_str());
        QVERIFY(g->perFrame); // given per frame (remapped through the cache of tables: one is built)
        QCOMPARE(g->cameraLengthM.distinct, std::size_t(1));
        QCOMPARE(g->cameraLengthM.min, 0.12);
        QCOMPARE(g->cameraLengthM.max, 0.12);
        QVERIFY2(!g->frameMask.has_value(), "a single 8 × 8 mask slab taken for a mask per frame");
        QVERIFY(g->perFrameSummary().empty());
    }

    void userCameraLengthWins()
    {
        fxs::GeomOverrides o;
        o.cameraLengthM = 0.2;
        const auto g = read("c.cxi", "100,140,120,100,140", "9000,9000,9000,9000,9000", 0, o);
        QVERIFY2(g.ok(), g.ok() ? "" : g.error().message.c_str());
        QCOMPARE(g->cameraLengthM.distinct, std::size_t(1)); // the only value that changed per frame is overridden
        QCOMPARE(g->cameraLengthM.min, 0.2);
        QCOMPARE(g->cameraLengthM.max, 0.2);
        QCOMPARE(g->resolved.cameraLengthSource, fxs::ValueSource::User);
    }
};

QTEST_GUILESS_MAIN(tst_FileGeometry)
#include "tst_FileGeometry.moc"
