// An HDF5 input may pull bytes from other files (NeXus/CXI external links, European XFEL virtual datasets): a real
// fxs-server on 127.0.0.1 with one --data-root refuses at submission every job whose file, or a file it links to
// (recursively), reaches outside the root, naming the linked file, the file that links to it and the root; a VDS
// whose source lies inside is accepted and the job reads the source's frames (its sums equal fxs correlate's on the
// source file itself); a cycle of links is answered at once with a message naming it. Files are written by h5py;
// which file each one reaches follows from the layout the test builds.
#include "PythonRunner.h"
#include "ProgramRunner.h"
#include "RemoteFixture.h"

using namespace fxs::test;

namespace {

// root/src.h5 (4 frames), outside/secret.h5, and the files in root that reach them.
const char* kWriter = R"(
import sys, h5py, numpy as np
root, outside = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(7)
with h5py.File(outside + '/secret.h5', 'w') as f: f['data'] = rng.integers(0, 100, (4, 64, 64), dtype='u2')
with h5py.File(outside + '/mask.h5', 'w') as f: f['data/mask'] = np.zeros((64, 64), 'u1')
with h5py.File(root + '/src.h5', 'w') as f: f['entry_1/data_1/data'] = rng.integers(0, 100, (4, 64, 64), dtype='u2')
with h5py.File(root + '/elink-out.cxi', 'w') as f:
    f['entry_1/data_1/data'] = h5py.ExternalLink(outside + '/secret.h5', '/data')
def vds(name, source, dataset):
    lay = h5py.VirtualLayout(shape=(4, 64, 64), dtype='u2')
    lay[:] = h5py.VirtualSource(source, dataset, shape=(4, 64, 64))
    with h5py.File(root + '/' + name, 'w') as f: f.create_virtual_dataset('entry_1/data_1/data', lay)
vds('vds-out.cxi', '../outside/secret.h5', 'data')   # relative: against the VDS file's folder, as HDF5 does
vds('vds-in.cxi', 'src.h5', 'entry_1/data_1/data')
with h5py.File(root + '/nested.cxi', 'w') as f:      # reaches outside only through vds-out.cxi
    f['entry_1/data_1/data'] = h5py.ExternalLink('vds-out.cxi', '/entry_1/data_1/data')
with h5py.File(root + '/a.cxi', 'w') as f: f['entry_1/data_1/data'] = h5py.ExternalLink('b.cxi', '/entry_1/data_1/data')
with h5py.File(root + '/b.cxi', 'w') as f: f['entry_1/data_1/data'] = h5py.ExternalLink('a.cxi', '/entry_1/data_1/data')
with h5py.File(root + '/mask-link.h5', 'w') as f: f['data/mask'] = h5py.ExternalLink(outside + '/mask.h5', '/data/mask')
)";

const char* kGeometry = "clen = 0.1\nphoton_energy = 9000\nres = 5000\np0/min_fs = 0\np0/max_fs = 63\np0/min_ss = 0\n"
                        "p0/max_ss = 63\np0/fs = x\np0/ss = y\np0/corner_x = -32\np0/corner_y = -32\n";

} // namespace

class tst_LinkedFiles : public QObject {
    Q_OBJECT
    QTemporaryDir m_tree; // root/, outside/
    std::unique_ptr<RemoteServer> m_server;

    QString at(const QString& rel) const { return QFileInfo(m_tree.filePath(rel)).absoluteFilePath(); }

    QString writeText(const QString& rel, const QByteArray& text)
    {
        QFile f(at(rel));
        f.open(QIODevice::WriteOnly);
        f.write(text);
        return f.fileName();
    }

    fxs::v1::JobSpec cxiSpec(const QString& input, const QString& geometry = {})
    {
        fxs::v1::JobSpec spec = smallSpec(1, 0, 12, 32);
        spec.mutable_cxi()->add_paths(input.toStdString());
        spec.mutable_cxi()->set_geometry_path((geometry.isEmpty() ? at("root/det.geom") : geometry).toStdString());
        spec.mutable_grid()->set_q_min_inv_angstrom(0.02);
        spec.mutable_grid()->set_q_max_inv_angstrom(0.25);
        spec.set_shots_per_unit(2);
        spec.set_double_precision(false);
        return spec;
    }

    grpc::Status submit(const fxs::v1::JobSpec& spec, std::string* jobId = nullptr)
    {
        auto ctx = m_server->session->context(std::chrono::seconds(10));
        fxs::v1::SubmitJobRequest req;
        *req.mutable_spec() = spec;
        fxs::v1::SubmitJobReply reply;
        const auto st = m_server->session->stub().SubmitJob(ctx.get(), req, &reply);
        if (st.ok() && jobId) {
            *jobId = reply.job_id();
        } else if (st.ok()) {
            (void)m_server->session->cancel(reply.job_id());
        }
        return st;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(QDir().mkpath(at("root")) && QDir().mkpath(at("outside")));
        const auto w = runPython(kWriter, { at("root"), at("outside") });
        QVERIFY2(w.ok(), w.err.constData());
        writeText("root/det.geom", kGeometry);
        writeText("root/mask-out.geom", QByteArray(kGeometry) + "mask_file = " + at("outside/mask.h5").toUtf8()
                + "\nmask = /data/mask\n");
        writeText("root/mask-link.geom", QByteArray(kGeometry) + "mask_file = " + at("root/mask-link.h5").toUtf8()
                + "\nmask = /data/mask\n");
        m_server = std::make_unique<RemoteServer>();
        m_server->defaultDataRoot = false;
        m_server->extraArgs = { "--data-root", at("root") };
        QString error;
        QVERIFY2(m_server->start(error), qPrintable(error));
    }
    void cleanupTestCase()
    {
        if (m_server) {
            QCOMPARE(m_server->stop(), 0);
        }
    }

    void linksOutOfTheRootAreRefused_data()
    {
        QTest::addColumn<QString>("input"); // in root/
        QTest::addColumn<QString>("geometry"); // in root/
        QTest::addColumn<QString>("mask"); // geometry_values.mask, relative to the tree; empty: none
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("linked"); // the file outside, relative to the tree
        QTest::addColumn<QString>("from"); // the file that links to it
        QTest::addColumn<QString>("kind");
        QTest::newRow("external link to /tmp") << "elink-out.cxi" << "det.geom" << "" << "cxi.paths"
                                               << "outside/secret.h5" << "root/elink-out.cxi" << "external link";
        QTest::newRow("VDS source outside") << "vds-out.cxi" << "det.geom" << "" << "cxi.paths" << "outside/secret.h5"
                                            << "root/vds-out.cxi" << "virtual dataset source";
        QTest::newRow("through a second file") << "nested.cxi" << "det.geom" << "" << "cxi.paths"
                                               << "outside/secret.h5" << "root/vds-out.cxi"
                                               << "virtual dataset source";
        QTest::newRow("job mask links out") << "src.h5" << "det.geom" << "root/mask-link.h5"
                                            << "cxi.geometry_values.mask" << "outside/mask.h5"
                                            << "root/mask-link.h5" << "external link";
        QTest::newRow("geometry's mask_file links out")
            << "src.h5" << "mask-link.geom" << "" << "cxi.geometry_path's mask_file" << "outside/mask.h5"
            << "root/mask-link.h5" << "external link";
    }
    void linksOutOfTheRootAreRefused()
    {
        QFETCH(QString, input);
        QFETCH(QString, geometry);
        QFETCH(QString, mask);
        QFETCH(QString, field);
        QFETCH(QString, linked);
        QFETCH(QString, from);
        QFETCH(QString, kind);
        auto spec = cxiSpec(at("root/" + input), at("root/" + geometry));
        if (!mask.isEmpty()) {
            spec.mutable_cxi()->mutable_geometry_values()->set_mask(at(mask).toStdString());
        }
        const auto st = submit(spec);
        const QString msg = QString::fromStdString(st.error_message());
        qInfo().noquote() << msg;
        QCOMPARE(int(st.error_code()), int(grpc::StatusCode::PERMISSION_DENIED));
        QVERIFY2(msg.startsWith(field + ": "), qPrintable(msg));
        QVERIFY2(msg.contains("links to " + at(linked)), qPrintable(msg));
        QVERIFY2(msg.contains(kind + " ") && msg.contains(" in " + at(from)), qPrintable(msg));
        QVERIFY2(msg.contains("data roots (" + QFileInfo(at("root")).canonicalFilePath() + ")"), qPrintable(msg));
    }

    void masksOutOfTheRootAreRefused()
    {
        // The job's own mask file and the geometry's mask_file are input paths too (the worker opens them).
        auto spec = cxiSpec(at("root/src.h5"));
        spec.mutable_cxi()->mutable_geometry_values()->set_mask((at("outside/mask.h5") + ":/data/mask").toStdString());
        auto st = submit(spec);
        QCOMPARE(int(st.error_code()), int(grpc::StatusCode::PERMISSION_DENIED));
        QVERIFY2(QString::fromStdString(st.error_message()).startsWith("cxi.geometry_values.mask: " + at("outside/mask.h5")),
            st.error_message().c_str());
        st = submit(cxiSpec(at("root/src.h5"), at("root/mask-out.geom")));
        QCOMPARE(int(st.error_code()), int(grpc::StatusCode::PERMISSION_DENIED));
        QVERIFY2(QString::fromStdString(st.error_message())
                     .startsWith("cxi.geometry_path's mask_file: " + at("outside/mask.h5") + " is outside"),
            st.error_message().c_str());
    }

    void aLinkCycleIsAnsweredAtOnce()
    {
        QElapsedTimer t;
        t.start();
        const auto st = submit(cxiSpec(at("root/a.cxi")));
        const QString msg = QString::fromStdString(st.error_message());
        qInfo().noquote() << msg;
        QVERIFY2(t.elapsed() < 8000, qPrintable(QString::number(t.elapsed())));
        QCOMPARE(int(st.error_code()), int(grpc::StatusCode::INVALID_ARGUMENT));
        QVERIFY2(msg.startsWith("cxi.paths: ") && msg.contains("cycle"), qPrintable(msg));
        QVERIFY2(msg.contains(at("root/a.cxi") + " → " + at("root/b.cxi")), qPrintable(msg));
    }

    void aVdsInsideIsReadFromItsSource()
    {
        std::string id;
        const auto st = submit(cxiSpec(at("root/vds-in.cxi")), &id);
        QVERIFY2(st.ok(), st.error_message().c_str());
        auto end = m_server->session->watch(id, {}, {});
        QVERIFY2(end.ok(), end.ok() ? "" : end.error().message.c_str());
        QVERIFY2(end->state() == fxs::v1::JOB_STATE_SUCCEEDED, end->message().c_str());
        QTemporaryDir out;
        QVERIFY(m_server->session->fetch(id, out.filePath("r").toStdString()).ok());
        auto remote = fxs::SumsFile::read(out.filePath("r").toStdString());
        QVERIFY(remote.ok());
        // Oracle: fxs correlate on the source file itself (no VDS), same grid.
        const QString cli = at("cli.h5");
        const auto r = runFxs({ "correlate", at("root/src.h5"), "--geometry", at("root/det.geom"), "--n-q", "12",
            "--n-phi", "32", "--q-min", "0.02", "--q-max", "0.25", "--out", cli });
        QVERIFY2(r.ok(), r.err.constData());
        auto local = fxs::SumsFile::read((cli + ".ckpt").toStdString());
        QVERIFY(local.ok());
        QCOMPARE(remote->sums.totalShots(), qint64(4)); // the frames h5py wrote to src.h5
        const double e = sumsError(remote->sums, local->sums);
        QVERIFY2(e <= 1e-6, qPrintable(QString::number(e)));
    }
};

QTEST_GUILESS_MAIN(tst_LinkedFiles)
#include "tst_LinkedFiles.moc"
