// The Debian package: built with CPack from this build tree, unpacked into a fresh prefix with dpkg -x, and its
// programs run from there (fxs demo, fxs-server --version).
#include <QtTest>

class tst_Package : public QObject {
    Q_OBJECT
private:
    QString run(const QString& program, const QStringList& args, const QString& dir, int timeoutMs,
        int* exitCode = nullptr, const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment())
    {
        QProcess p;
        p.setWorkingDirectory(dir);
        p.setProcessEnvironment(env);
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(program, args);
        if (!p.waitForFinished(timeoutMs)) {
            p.kill();
            p.waitForFinished();
        }
        if (exitCode) {
            *exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        }
        return QString::fromLocal8Bit(p.readAll());
    }

private slots:
    void buildsUnpacksAndRuns()
    {
        const QString buildDir = QDir(qEnvironmentVariable("FXS_BIN_DIR") + "/..").absolutePath();
        if (!QFile::exists(buildDir + "/CPackConfig.cmake")) {
            QSKIP("no CPackConfig.cmake in the build tree");
        }
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        int rc = 0;
        const QString log = run("cpack", { "-G", "DEB", "--config", buildDir + "/CPackConfig.cmake", "-B", tmp.path() },
            tmp.path(), 900000, &rc);
        QVERIFY2(rc == 0, qPrintable(log.right(3000)));
        const QStringList debs = QDir(tmp.path()).entryList({ "*.deb" });
        QCOMPARE(debs.size(), 1);
        const QString deb = tmp.path() + "/" + debs.first();
        // Dependencies come from dpkg-shlibdeps: the C2 engine's libraries must be named.
        const QString fields = run("dpkg-deb", { "-f", deb, "Depends" }, tmp.path(), 60000, &rc);
        QVERIFY2(fields.contains("libfftw3") && fields.contains("libopenblas") && fields.contains("libhdf5"),
            qPrintable(fields));
        const QString root = tmp.path() + "/root";
        run("dpkg", { "-x", deb, root }, tmp.path(), 120000, &rc);
        QCOMPARE(rc, 0);
        for (const char* f : { "usr/bin/fxs", "usr/bin/fxs-monitor", "usr/bin/fxs-server", "usr/bin/fxs-worker",
                 "usr/bin/fxs-probe", "usr/share/applications/fxs-monitor.desktop",
                 "usr/lib/systemd/system/fxs-server.service", "usr/share/man/man1/fxs.1.gz",
                 "usr/share/fxs-monitor/geometry/single-panel.geom" }) {
            QVERIFY2(QFile::exists(root + "/" + f), f);
        }
        // Run from the unpacked prefix, with the build and source trees out of reach of the search paths.
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove("FXS_SOURCE_DIR");
        env.remove("FXS_BIN_DIR");
        env.insert("PATH", root + "/usr/bin:/usr/bin:/bin");
        const QString version = run(root + "/usr/bin/fxs-server", { "--version" }, tmp.path(), 30000, &rc, env);
        QCOMPARE(rc, 0);
        QVERIFY2(version.contains("fxs-server") && version.contains("0."), qPrintable(version));
        const QString demo = run(root + "/usr/bin/fxs", { "demo", "--out", tmp.path() + "/demo" }, tmp.path(),
            300000, &rc, env);
        QVERIFY2(rc == 0, qPrintable(demo.right(3000)));
        const QStringList outputs = QDir(tmp.path() + "/demo").entryList({ "*.h5", "*.png" });
        QVERIFY2(outputs.size() >= 2, qPrintable(outputs.join(", ") + "\n" + demo.right(2000)));
    }
};

QTEST_GUILESS_MAIN(tst_Package)
#include "tst_Package.moc"
