// Jobs read input only under the server's --data-root folders, against a real fxs-server on 127.0.0.1: `..`,
// symlinks (to files and to folders) and absolute paths leading outside are refused with PERMISSION_DENIED naming
// the field, the path and the roots; paths inside (also through a link to another root) are accepted. The
// expected verdict of each path follows from the folder layout the test builds.
#include "RemoteFixture.h"

using namespace fxs::test;

class TestDataRoots : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tree; // root1/, root2/, outside/
    std::unique_ptr<RemoteServer> m_server;

    QString at(const QString& rel) const { return m_tree.filePath(rel); }
    QString canonical(const QString& rel) const { return QFileInfo(at(rel)).canonicalFilePath(); }

    static void touch(const QString& path)
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        // The server reads a job's geometry at submission (its camera length and photon energy): a real one.
        f.write(path.endsWith(".geom") ? "clen = 0.1\nphoton_energy = 9000\nres = 5000\np0/min_fs = 0\np0/max_fs = 63\n"
                                         "p0/min_ss = 0\np0/max_ss = 63\np0/fs = x\np0/ss = y\np0/corner_x = -32\n"
                                         "p0/corner_y = -32\n"
                                       : "not a real file\n");
    }

    grpc::Status submit(const fxs::v1::JobSpec& spec)
    {
        auto ctx = m_server->session->context(std::chrono::seconds(10));
        fxs::v1::SubmitJobRequest req;
        *req.mutable_spec() = spec;
        fxs::v1::SubmitJobReply reply;
        const auto st = m_server->session->stub().SubmitJob(ctx.get(), req, &reply);
        if (st.ok()) {
            (void)m_server->session->cancel(reply.job_id()); // accepted: it would fail on the fake file anyway
        }
        return st;
    }

private slots:
    void initTestCase()
    {
        for (const char* d : { "root1/sub", "root2", "outside" }) {
            QVERIFY(QDir().mkpath(at(d)));
        }
        touch(at("root1/run.cxi"));
        touch(at("root1/sub/det.geom"));
        touch(at("root2/other.cxi"));
        touch(at("outside/secret.cxi"));
        QVERIFY(QFile::link(at("outside/secret.cxi"), at("root1/link-out.cxi")));
        QVERIFY(QFile::link(at("outside"), at("root1/dir-out")));
        QVERIFY(QFile::link(at("root2/other.cxi"), at("root1/link-to-root2.cxi")));
        m_server = std::make_unique<RemoteServer>();
        m_server->defaultDataRoot = false;
        // root2 named through a relative `..` path: the server resolves its roots too.
        m_server->extraArgs = { "--data-root", at("root1"), "--data-root", at("root1/../root2") };
        QString error;
        QVERIFY2(m_server->start(error), qPrintable(error));
    }
    void cleanupTestCase()
    {
        if (m_server) {
            QCOMPARE(m_server->stop(), 0);
        }
    }

    void inputPathsAgainstTheRoots_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("path"); // relative to the tree unless absolute
        QTest::addColumn<bool>("allowed");
        QTest::addColumn<QString>("resolved"); // for a refusal through a link or `..`: what it resolves to
        QTest::newRow("file in root1") << "cxi.paths" << "root1/run.cxi" << true << "";
        QTest::newRow("file in root2") << "cxi.paths" << "root2/other.cxi" << true << "";
        QTest::newRow("link to root2") << "cxi.paths" << "root1/link-to-root2.cxi" << true << "";
        QTest::newRow("dotdot between roots") << "cxi.paths" << "root1/sub/../../root2/other.cxi" << true << "";
        QTest::newRow("dotdot out") << "cxi.paths" << "root1/../outside/secret.cxi" << false
                                    << "outside/secret.cxi";
        QTest::newRow("link to a file outside") << "cxi.paths" << "root1/link-out.cxi" << false
                                                << "outside/secret.cxi";
        QTest::newRow("link to a folder outside") << "cxi.paths" << "root1/dir-out/secret.cxi" << false
                                                  << "outside/secret.cxi";
        QTest::newRow("absolute outside") << "cxi.paths" << "/etc/shadow" << false << "";
        QTest::newRow("prefix is not a parent") << "cxi.paths" << "root1-not/run.cxi" << false << "";
        QTest::newRow("relative") << "cxi.paths" << "@run.cxi" << false << "";
        QTest::newRow("geometry outside") << "cxi.geometry_path" << "outside/secret.cxi" << false << "";
        QTest::newRow("simulator geometry outside") << "simulator.geometry_path" << "/etc/hostname" << false << "";
        QTest::newRow("simulator model file outside") << "simulator.model" << "/etc/passwd" << false << "";
    }
    void inputPathsAgainstTheRoots()
    {
        QFETCH(QString, field);
        QFETCH(QString, path);
        QFETCH(bool, allowed);
        QFETCH(QString, resolved);
        const QString full = path.startsWith('/') ? path : path.startsWith('@') ? path.mid(1) : at(path);
        fxs::v1::JobSpec spec = smallSpec(1, 16);
        if (field.startsWith("cxi")) {
            spec.mutable_cxi()->add_paths((field == "cxi.paths" ? full : at("root1/run.cxi")).toStdString());
            spec.mutable_cxi()->set_geometry_path(
                (field == "cxi.geometry_path" ? full : at("root1/sub/det.geom")).toStdString());
        } else {
            auto* sim = spec.mutable_simulator();
            sim->set_shots(16);
            sim->set_model(field == "simulator.model" ? full.toStdString() : "sphere");
            if (field == "simulator.geometry_path") {
                sim->set_geometry_path(full.toStdString());
            }
        }
        const auto st = submit(spec);
        const QString msg = QString::fromStdString(st.error_message());
        if (allowed) {
            QVERIFY2(st.ok(), qPrintable(msg));
            return;
        }
        QCOMPARE(int(st.error_code()), int(grpc::StatusCode::PERMISSION_DENIED));
        QVERIFY2(msg.startsWith(field + ": " + full), qPrintable(msg));
        QVERIFY2(msg.contains(canonical("root1")) && msg.contains(canonical("root2")), qPrintable(msg));
        if (!resolved.isEmpty()) {
            QVERIFY2(msg.contains("resolved: " + canonical(resolved)), qPrintable(msg));
        }
    }

    void noRootsNoFiles()
    {
        RemoteServer server;
        server.defaultDataRoot = false;
        QString error;
        QVERIFY2(server.start(error), qPrintable(error));
        fxs::v1::JobSpec spec = smallSpec(1, 16);
        spec.mutable_cxi()->add_paths(at("root1/run.cxi").toStdString());
        spec.mutable_cxi()->set_geometry_path(at("root1/sub/det.geom").toStdString());
        auto r = server.session->submit(spec);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.find("started without --data-root") != std::string::npos, r.error().message.c_str());
        QVERIFY(server.session->submit(smallSpec(1, 16)).ok()); // synthetic input reads no file
        QCOMPARE(server.stop(), 0);
    }

    void aRootThatIsNoFolderStopsTheServer()
    {
        RemoteServer server;
        server.defaultDataRoot = false;
        server.extraArgs = { "--data-root", at("root1/run.cxi") };
        QString error;
        QVERIFY(!server.start(error));
        QCOMPARE(server.process.exitCode(), 2);
        QVERIFY2(error.contains("--data-root " + at("root1/run.cxi") + " is not an existing folder"), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestDataRoots)
#include "tst_DataRoots.moc"
