// fxs-worker (real fxs-server on 127.0.0.1, mpirun with 2 ranks) reads facility inputs as `fxs correlate` does
// (whose results its own tests check against numpy): an LCLS-like file written by h5py whose camera length changes
// per event, a European-XFEL-like file (h5py) with a uint32 mask per frame, and a DECTRIS NeXus master file with
// external links to bitshuffle-LZ4 data files. The job's sums equal those in the CLI's checkpoint of the same input to
// 1e-6 (relative), and differ from what the first frame's camera length alone, or no mask, gives.
#include "FacilityWriters.h"
#include "ProgramRunner.h"
#include "PythonRunner.h"
#include "RemoteFixture.h"

using namespace fxs::test;

namespace {

constexpr int kNq = 12;
constexpr int kNphi = 32;

} // namespace

class tst_RemotePerFrameInputs : public QObject {
    Q_OBJECT
    std::unique_ptr<RemoteServer> m_server;
    QTemporaryDir m_dir;

    QString writeText(const QString& name, const QByteArray& text)
    {
        QFile f(m_dir.filePath(name));
        f.open(QIODevice::WriteOnly);
        f.write(text);
        return f.fileName();
    }

    // The job's sums for `input` read through `geometry` on the grid (single precision, as fxs correlate).
    std::optional<fxs::C2Sums> remoteSums(const QString& input, const QString& dataset, const QString& geometry,
        double qMin, double qMax)
    {
        fxs::v1::JobSpec spec = smallSpec(2, 0, kNq, kNphi);
        spec.mutable_cxi()->add_paths(input.toStdString());
        spec.mutable_cxi()->set_dataset(dataset.toStdString());
        spec.mutable_cxi()->set_geometry_path(geometry.toStdString());
        spec.mutable_grid()->set_q_min_inv_angstrom(qMin);
        spec.mutable_grid()->set_q_max_inv_angstrom(qMax);
        spec.set_shots_per_unit(2);
        spec.set_double_precision(false);
        auto st = m_server->session->submit(spec);
        if (!st.ok()) {
            qWarning() << "submit:" << st.error().message.c_str();
            return std::nullopt;
        }
        auto end = m_server->session->watch(st->job_id(), {}, {});
        if (!end.ok() || end->state() != fxs::v1::JOB_STATE_SUCCEEDED) {
            qWarning() << "job:" << (end.ok() ? end->message().c_str() : end.error().message.c_str());
            return std::nullopt;
        }
        QTemporaryDir out;
        if (!m_server->session->fetch(end->job_id(), out.filePath("r").toStdString()).ok()) {
            return std::nullopt;
        }
        auto sums = fxs::SumsFile::read(out.filePath("r").toStdString());
        return sums.ok() ? std::optional(sums->sums) : std::nullopt;
    }

    // fxs correlate's sums (its checkpoint) for the same input and grid.
    std::optional<fxs::C2Sums> cliSums(const QString& name, const QString& input, const QString& dataset,
        const QString& geometry, double qMin, double qMax, const QStringList& extra = {})
    {
        const QString out = m_dir.filePath(name + ".h5");
        const auto r = runFxs(QStringList { "correlate", input, "--dataset", dataset, "--geometry", geometry, "--n-q",
                                  QString::number(kNq), "--n-phi", QString::number(kNphi), "--q-min",
                                  QString::number(qMin), "--q-max", QString::number(qMax), "--out", out }
            + extra);
        if (!r.ok()) {
            qWarning() << "fxs correlate:" << r.err;
            return std::nullopt;
        }
        auto sums = fxs::SumsFile::read((out + ".ckpt").toStdString());
        return sums.ok() ? std::optional(sums->sums) : std::nullopt;
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

    void cameraLengthPerFrameIsFollowed()
    {
        const QString cxi = m_dir.filePath("lcls.cxi");
        const auto w = runPython(kLclsWriter, { cxi, "100,140,120,100,140,120,100,140" });
        QVERIFY2(w.ok(), w.err.constData());
        const QString geom = writeText("lcls.geom", kLclsGeometry);
        const QString dataset = "/entry_1/data_1/data";
        const auto remote = remoteSums(cxi, dataset, geom, 0.02, 0.12);
        QVERIFY(remote);
        const auto cli = cliSums("lcls", cxi, dataset, geom, 0.02, 0.12);
        QVERIFY(cli);
        const auto first = cliSums("lcls-first", cxi, dataset, geom, 0.02, 0.12, { "--clen", "0.1" });
        QVERIFY(first);
        QCOMPARE(remote->totalShots(), qint64(8));
        const double same = sumsError(*remote, *cli), firstOnly = sumsError(*remote, *first);
        qInfo() << "worker vs fxs correlate" << same << "| vs the first frame's clen alone" << firstOnly;
        QVERIFY2(same <= 1e-6, qPrintable(QString::number(same)));
        QVERIFY2(firstOnly > 0.05, qPrintable(QString::number(firstOnly)));
    }

    void maskPerFrameIsApplied()
    {
        const QString cxi = m_dir.filePath("xfel.cxi");
        const auto w = runPython(kXfelLikeWriter, { cxi });
        QVERIFY2(w.ok(), w.err.constData());
        const QString geom = writeText("xfel.geom", xfelLikeGeometry());
        QByteArray unmaskedText = xfelLikeGeometry();
        unmaskedText.replace("mask = /entry_1/instrument_1/detector_1/mask\n", "");
        const QString unmasked = writeText("xfel-nomask.geom", unmaskedText);
        const QString dataset = "/entry_1/instrument_1/detector_1/data";
        const auto remote = remoteSums(cxi, dataset, geom, 0.05, 0.5);
        QVERIFY(remote);
        const auto cli = cliSums("xfel", cxi, dataset, geom, 0.05, 0.5);
        QVERIFY(cli);
        const auto noMask = cliSums("xfel-nomask", cxi, dataset, unmasked, 0.05, 0.5);
        QVERIFY(noMask);
        QCOMPARE(remote->totalShots(), qint64(6));
        const double same = sumsError(*remote, *cli), masks = sumsError(*remote, *noMask);
        qInfo() << "worker vs fxs correlate" << same << "| vs no mask" << masks;
        QVERIFY2(same <= 1e-6, qPrintable(QString::number(same)));
        QVERIFY2(masks > 1e-3, qPrintable(QString::number(masks)));
    }

    void dectrisMasterFileIsRead()
    {
        if (!pythonHas("bitshuffle.h5")) {
            QSKIP("the bitshuffle Python module is not installed (packaging/install-deps installs it)");
        }
        const QString dir = m_dir.filePath("dectris");
        QVERIFY(QDir().mkpath(dir));
        const auto w = runPython(kDectrisWriter, { dir });
        QVERIFY2(w.ok(), w.err.constData());
        QByteArray text = kDectrisGeometry;
        text.replace("mask = /entry/instrument/detector/detectorSpecific/pixel_mask\n", ""); // static masks: not here
        const QString geom = writeText("eiger.geom", text);
        const QString master = dir + "/run_master.h5";
        const QString dataset = "/entry_1/data_1/data"; // the default: a master file is read through its links
        const auto remote = remoteSums(master, dataset, geom, 0.02, 0.15);
        QVERIFY(remote);
        const auto cli = cliSums("eiger", master, dataset, geom, 0.02, 0.15);
        QVERIFY(cli);
        QCOMPARE(remote->totalShots(), qint64(6)); // 3 frames in each data file
        const double same = sumsError(*remote, *cli);
        qInfo() << "worker vs fxs correlate" << same;
        QVERIFY2(same <= 1e-6, qPrintable(QString::number(same)));
    }
};

QTEST_GUILESS_MAIN(tst_RemotePerFrameInputs)
#include "tst_RemotePerFrameInputs.moc"
