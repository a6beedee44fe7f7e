// A CXI job whose geometry gives the camera length as an HDF5 path into the data file (LCLS encoder value, mm,
// written by h5py) and no photon energy: the request is refused naming cxi.geometry_values.photon_energy_ev; with
// it set, the worker reads the camera length from the file and its sums equal a local accumulation through a flat
// panel built in the test from the known numbers (0.1 m + coffset, 9000 eV, beam shift applied).
#include "PythonRunner.h"
#include "RemoteFixture.h"

#include <fxs/sources/CxiFileSource.h>
#include <fxs/polar/PolarRemapper.h>

using namespace fxs::test;

namespace {

const char* kGeom = "res = 5000\nclen = /LCLS/detector_1/EncoderValue\ncoffset = 0.02\n"
                    "p/min_fs = 0\np/max_fs = 47\np/min_ss = 0\np/max_ss = 47\np/corner_x = -24\np/corner_y = -24\n";

// 60 frames of 48 × 48: rings with an anisotropic part, and the encoder value (mm) per event.
const char* kWriter = R"(
import h5py, sys, numpy as np
y, x = np.mgrid[0:48, 0:48] - 23.5
frames = [100 + 50 * np.cos(0.5 * np.hypot(x, y)) * (1 + np.cos(2 * np.arctan2(y, x) + j)) for j in range(60)]
with h5py.File(sys.argv[1], 'w') as f:
    f['/entry_1/data_1/data'] = np.array(frames, dtype=np.float32)
    f['/LCLS/detector_1/EncoderValue'] = np.full(60, 80.0)
)";

} // namespace

class tst_RemoteGeometryValues : public QObject {
    Q_OBJECT
    std::unique_ptr<RemoteServer> m_server;
    QTemporaryDir m_dir;

    fxs::v1::JobSpec cxiSpec(const std::string& cxi, const std::string& geom) const
    {
        fxs::v1::JobSpec spec = smallSpec(2, 0, 8, 32);
        spec.mutable_cxi()->add_paths(cxi);
        spec.mutable_cxi()->set_geometry_path(geom);
        spec.mutable_grid()->set_q_min_inv_angstrom(0.01);
        spec.mutable_grid()->set_q_max_inv_angstrom(0.08);
        return spec;
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

    void valuesFromTheDataFileAndTheRequest()
    {
        const std::string cxi = m_dir.filePath("lcls.cxi").toStdString();
        const std::string geom = m_dir.filePath("lcls.geom").toStdString();
        QVERIFY(runPython(kWriter, { QString::fromStdString(cxi) }).ok());
        QFile g(QString::fromStdString(geom));
        QVERIFY(g.open(QIODevice::WriteOnly));
        g.write(kGeom);
        g.close();

        // No photon energy anywhere: refused at once, naming the field that supplies it.
        auto refused = m_server->session->submit(cxiSpec(cxi, geom));
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message.find("cxi.geometry_values.photon_energy_ev") != std::string::npos,
            refused.error().message.c_str());

        auto spec = cxiSpec(cxi, geom);
        spec.mutable_cxi()->mutable_geometry_values()->set_photon_energy_ev(9000.0);
        spec.mutable_cxi()->mutable_geometry_values()->set_beam_shift_x_m(0.0004);
        auto st = m_server->session->submit(spec);
        QVERIFY2(st.ok(), st.ok() ? "" : st.error().message.c_str());
        auto end = m_server->session->watch(st->job_id(), {}, {});
        QVERIFY(end.ok());
        QVERIFY2(end->state() == fxs::v1::JOB_STATE_SUCCEEDED, end->message().c_str());
        QTemporaryDir out;
        QVERIFY(m_server->session->fetch(end->job_id(), out.filePath("r").toStdString()).ok());
        auto remote = fxs::SumsFile::read(out.filePath("r").toStdString());
        QVERIFY(remote.ok());

        // The same frames through the detector the job describes, built here from its numbers: 80 mm + 0.02 m,
        // 200 µm pixels, the beam 0.4 mm along +x from the geometry's origin (pixels move by −0.4 mm).
        fxs::SinglePanelSpec panel;
        panel.nSlow = 48;
        panel.nFast = 48;
        panel.pixelSizeM = 200e-6;
        panel.beamCentreFastPx = 24.0 + 0.0004 / 200e-6;
        panel.beamCentreSlowPx = 24.0;
        panel.distanceM = 0.08 + 0.02;
        panel.photonEnergyEv = 9000.0;
        auto geometry = fxs::DetectorGeometry::singlePanel(panel);
        QVERIFY(geometry.ok());
        fxs::RemapOptions ro;
        ro.threads = 1;
        auto remap = fxs::PolarRemapper::create(*geometry, fxs::PolarGrid { 8, 32, 0.01, 0.08 }, ro);
        QVERIFY(remap.ok());
        fxs::CxiSourceOptions so;
        so.validate = false;
        auto src = fxs::CxiFileSource::open(cxi, so);
        QVERIFY(src.ok());
        fxs::C2Config c;
        c.nQ = 8;
        c.nPhi = 32;
        c.precision = fxs::C2Precision::Double;
        fxs::C2Accumulator acc(c);
        for (;;) {
            auto f = (*src)->next();
            QVERIFY(f.ok());
            if (!*f) {
                break;
            }
            auto p = remap->remap(**f);
            QVERIFY(p.ok());
            QVERIFY(acc.add(*p).ok());
        }
        acc.flush();
        QCOMPARE(remote->sums.totalShots(), qint64(60));
        const double err = sumsError(remote->sums, acc.sums());
        QVERIFY2(err <= 1e-9, qPrintable(QString("relative error %1").arg(err)));
    }
};

QTEST_GUILESS_MAIN(tst_RemoteGeometryValues)
#include "tst_RemoteGeometryValues.moc"
