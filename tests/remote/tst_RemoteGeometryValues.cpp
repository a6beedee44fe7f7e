// A CXI job whose geometry gives the camera length as an HDF5 path into the data file (LCLS encoder value, mm,
// written by h5py) and no photon energy: the request is refused naming cxi.geometry_values.photon_energy_ev; with
// it set, the worker reads the camera length from the file and its sums equal a local accumulation through a flat
// panel built in the test from the known numbers (0.1 m + coffset, 9000 eV, beam shift applied).
#include "PythonRunner.h"
#include "RemoteFixture.h"

#include <fxs/gpu/GpuC2Accumulator.h>
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

    // Submits `spec`, waits for it to succeed and fetches its sums.
    bool runJob(const fxs::v1::JobSpec& spec, fxs::C2Sums& out)
    {
        auto st = m_server->session->submit(spec);
        auto end = st.ok() ? m_server->session->watch(st->job_id(), {}, {}) : st;
        if (!end.ok() || end->state() != fxs::v1::JOB_STATE_SUCCEEDED) {
            qWarning() << (end.ok() ? end->message().c_str() : end.error().message.c_str());
            return false;
        }
        QTemporaryDir dir;
        if (!m_server->session->fetch(end->job_id(), dir.filePath("r").toStdString()).ok()) {
            return false;
        }
        auto sums = fxs::SumsFile::read(dir.filePath("r").toStdString());
        if (sums.ok()) {
            out = sums->sums;
        }
        return sums.ok();
    }

    // The stack's frames through a flat panel of the job's numbers (80 mm + 0.02 m, 200 µm, 9000 eV, the beam
    // `shiftXM` along +x), with `usable` (1 = usable; empty: all) left to the remap, accumulated in double.
    bool flatPanelSums(const std::string& cxi, double shiftXM, const std::vector<std::uint8_t>& usable, fxs::C2Sums& out)
    {
        fxs::SinglePanelSpec panel;
        panel.nSlow = 48;
        panel.nFast = 48;
        panel.pixelSizeM = 200e-6;
        panel.beamCentreFastPx = 24.0 + shiftXM / 200e-6;
        panel.beamCentreSlowPx = 24.0;
        panel.distanceM = 0.08 + 0.02;
        panel.photonEnergyEv = 9000.0;
        auto geometry = fxs::DetectorGeometry::singlePanel(panel);
        fxs::RemapOptions ro;
        ro.threads = 1;
        auto remap = fxs::PolarRemapper::create(*geometry, fxs::PolarGrid { 8, 32, 0.01, 0.08 }, ro, usable);
        fxs::CxiSourceOptions so;
        so.validate = false;
        auto src = fxs::CxiFileSource::open(cxi, so);
        if (!geometry || !remap || !src) {
            return false;
        }
        fxs::C2Config c;
        c.nQ = 8;
        c.nPhi = 32;
        c.precision = fxs::C2Precision::Double;
        fxs::C2Accumulator acc(c);
        for (;;) {
            auto f = (*src)->next();
            if (!f) {
                return false;
            }
            if (!*f) {
                break;
            }
            auto p = remap->remap(**f);
            if (!p || !acc.add(*p).ok()) {
                return false;
            }
        }
        acc.flush();
        out = acc.sums();
        return true;
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
        fxs::C2Sums remoteSums;
        QVERIFY(runJob(spec, remoteSums));

        // The same frames through the detector the job describes, built here from its numbers: 80 mm + 0.02 m,
        // 200 µm pixels, the beam 0.4 mm along +x from the geometry's origin (pixels move by −0.4 mm).
        fxs::C2Sums local;
        QVERIFY(flatPanelSums(cxi, 0.0004, {}, local));
        QCOMPARE(remoteSums.totalShots(), qint64(60));
        const double err = sumsError(remoteSums, local);
        QVERIFY2(err <= 1e-9, qPrintable(QString("relative error %1").arg(err)));
    }

    // A GPU job on uint16 detector frames of one geometry offers them raw to the device (issue 19: the worker
    // drives the same pipeline as fxs correlate --backend gpu): every rank says where its frames were remapped
    // ("raw frames remapped on the device" or "frames remapped on the CPU", whichever C2Pipeline measured faster),
    // and the sums equal the flat panel's double-precision accumulation. Without a GPU the ranks say why they
    // correlated on the CPU, with the same sums.
    void aGpuJobOffersRawFramesToTheDevice()
    {
        const std::string cxi = m_dir.filePath("raw16.cxi").toStdString();
        const std::string geom = m_dir.filePath("raw16.geom").toStdString();
        const char* writer = R"(
import h5py, sys, numpy as np
y, x = np.mgrid[0:48, 0:48] - 23.5
frames = [100 + 50 * np.cos(0.5 * np.hypot(x, y)) * (1 + np.cos(2 * np.arctan2(y, x) + j)) for j in range(60)]
with h5py.File(sys.argv[1], 'w') as f:
    f['/entry_1/data_1/data'] = np.rint(np.array(frames)).astype(np.uint16)
)";
        QVERIFY(runPython(writer, { QString::fromStdString(cxi) }).ok());
        QFile g(QString::fromStdString(geom));
        QVERIFY(g.open(QIODevice::WriteOnly));
        g.write("res = 5000\nclen = 0.1\nphoton_energy = 9000\np/min_fs = 0\np/max_fs = 47\np/min_ss = 0\n"
                "p/max_ss = 47\np/corner_x = -24\np/corner_y = -24\n");
        g.close();

        auto spec = cxiSpec(cxi, geom);
        spec.set_backend("gpu");
        spec.set_double_precision(false); // the GPU backend is single precision
        auto st = m_server->session->submit(spec);
        QVERIFY2(st.ok(), st.ok() ? "" : st.error().message.c_str());
        auto end = m_server->session->watch(st->job_id(), {}, {});
        QVERIFY(end.ok());
        QCOMPARE(int(end->state()), int(fxs::v1::JOB_STATE_SUCCEEDED));
        const bool gpu = fxs::GpuC2Accumulator::available();
        QCOMPARE(end->ranks_size(), 2);
        for (const auto& r : end->ranks()) {
            const QString d = QString::fromStdString(r.device());
            QVERIFY2(gpu ? (d.startsWith("GPU ") && d.contains("remapped on the"))
                         : (d.startsWith("CPU") && d.contains("GPU correlation unavailable")),
                qPrintable(d));
        }
        QTemporaryDir dir;
        QVERIFY(m_server->session->fetch(end->job_id(), dir.filePath("r").toStdString()).ok());
        auto sums = fxs::SumsFile::read(dir.filePath("r").toStdString());
        QVERIFY(sums.ok());
        fxs::C2Sums local; // 0.1 m (no coffset): the flat panel's 80 mm + 0.02 m
        QVERIFY(flatPanelSums(cxi, 0.0, {}, local));
        QCOMPARE(sums->sums.totalShots(), qint64(60));
        const double err = sumsError(sums->sums, local);
        QVERIFY2(err <= 1e-5, qPrintable(QString("relative error %1").arg(err))); // float spectra and batches
    }

    // geometry_values.mask (a path on the server, HDF5 written by h5py) reaches the worker: its sums equal a local
    // accumulation whose remap leaves out the pixels numpy marks bad, and differ from one without the mask. A mask
    // file missing on the server is refused at once; one of the wrong shape fails the job naming the file.
    void maskReachesTheWorker()
    {
        const std::string cxi = m_dir.filePath("m.cxi").toStdString();
        const std::string geom = m_dir.filePath("m.geom").toStdString();
        const QString mask = m_dir.filePath("mask.h5");
        QVERIFY(runPython(kWriter, { QString::fromStdString(cxi) }).ok());
        QFile g(QString::fromStdString(geom));
        QVERIFY(g.open(QIODevice::WriteOnly));
        g.write(kGeom);
        g.close();
        const auto w = runPython("import h5py, numpy as np, sys\n"
                                 "m = np.zeros((48, 48), np.uint8); m[:, :20] = 1; m[30:40, 28:] = 3\n"
                                 "h5py.File(sys.argv[1], 'w')['/data/mask'] = m\n"
                                 "h5py.File(sys.argv[2], 'w')['/data/mask'] = np.zeros((40, 48), np.uint8)\n"
                                 "print(''.join('0' if v else '1' for v in m.ravel()))\n",
            { mask, m_dir.filePath("wrong.h5") });
        QVERIFY2(w.ok(), w.err.constData());
        std::vector<std::uint8_t> usable;
        for (char c : w.out.trimmed()) {
            usable.push_back(c == '1');
        }
        QCOMPARE(usable.size(), std::size_t(48 * 48));

        auto spec = cxiSpec(cxi, geom);
        spec.mutable_cxi()->mutable_geometry_values()->set_photon_energy_ev(9000.0);
        spec.mutable_cxi()->mutable_geometry_values()->set_mask(m_dir.filePath("absent.h5").toStdString());
        auto refused = m_server->session->submit(spec);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message.find("cxi.geometry_values.mask") != std::string::npos
                && refused.error().message.find("absent.h5") != std::string::npos,
            refused.error().message.c_str());

        spec.mutable_cxi()->mutable_geometry_values()->set_mask(m_dir.filePath("wrong.h5").toStdString());
        auto wrong = m_server->session->submit(spec);
        QVERIFY2(wrong.ok(), wrong.ok() ? "" : wrong.error().message.c_str());
        auto failed = m_server->session->watch(wrong->job_id(), {}, {});
        QVERIFY(failed.ok());
        QCOMPARE(failed->state(), fxs::v1::JOB_STATE_FAILED);
        QVERIFY2(failed->message().find("wrong.h5") != std::string::npos
                && failed->message().find("shape 40 x 48") != std::string::npos,
            failed->message().c_str());

        spec.mutable_cxi()->mutable_geometry_values()->set_mask(mask.toStdString());
        fxs::C2Sums remoteSums;
        QVERIFY(runJob(spec, remoteSums));
        fxs::C2Sums masked, unmasked;
        QVERIFY(flatPanelSums(cxi, 0.0, usable, masked));
        QVERIFY(flatPanelSums(cxi, 0.0, {}, unmasked));
        const double err = sumsError(remoteSums, masked);
        const double without = sumsError(remoteSums, unmasked);
        qInfo() << "relative error against the masked local sums" << err << ", against the unmasked" << without;
        QVERIFY2(err <= 1e-9, qPrintable(QString("relative error %1").arg(err)));
        QVERIFY(without > 1e-3);
    }

    void anUnreadableGeometryMaskIsSaid()
    {
        // The geometry names a mask dataset the data file lacks (h5py wrote none): the job runs unmasked, as fxs
        // correlate does, and its status message says so, as fxs correlate's warning does, naming the field to use.
        const std::string cxi = m_dir.filePath("nomask.cxi").toStdString();
        const QString geom = m_dir.filePath("nomask.geom");
        QVERIFY(runPython(kWriter, { QString::fromStdString(cxi) }).ok());
        QFile g(geom);
        QVERIFY(g.open(QIODevice::WriteOnly));
        g.write(QByteArray(kGeom) + "mask = /entry_1/data_1/mask\n");
        g.close();
        auto spec = cxiSpec(cxi, geom.toStdString());
        spec.mutable_cxi()->mutable_geometry_values()->set_photon_energy_ev(9000.0);
        auto st = m_server->session->submit(spec);
        QVERIFY2(st.ok(), st.ok() ? "" : st.error().message.c_str());
        auto end = m_server->session->watch(st->job_id(), {}, {});
        QVERIFY(end.ok());
        QCOMPARE(end->state(), fxs::v1::JOB_STATE_SUCCEEDED);
        const QString msg = QString::fromStdString(end->message());
        qInfo().noquote() << msg;
        QVERIFY2(msg.startsWith("warning: the geometry's mask " + QString::fromStdString(cxi) + ":/entry_1/data_1/mask "
                                "cannot be read"),
            qPrintable(msg));
        QVERIFY2(msg.endsWith("no pixel mask applied (give one in the cxi.geometry_values.mask field)"), qPrintable(msg));
        // h5py agrees that the dataset is not there.
        QVERIFY(runPython("import h5py, sys; sys.exit(int('/entry_1/data_1/mask' in h5py.File(sys.argv[1], 'r')))",
            { QString::fromStdString(cxi) })
                    .ok());
    }
};

QTEST_GUILESS_MAIN(tst_RemoteGeometryValues)
#include "tst_RemoteGeometryValues.moc"
