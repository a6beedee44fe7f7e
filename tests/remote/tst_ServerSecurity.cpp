// fxs-server's front door: TLS with a certificate signed by a test CA (a client trusting another CA fails the
// handshake, a plaintext client gets nothing), and the token file's permissions.
#include "RemoteFixture.h"

using namespace fxs::test;

namespace {

// Runs openssl; true on success.
bool openssl(const QStringList& args, const QString& dir)
{
    QProcess p;
    p.setWorkingDirectory(dir);
    p.start(QStringLiteral("openssl"), args);
    return p.waitForFinished(30000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

bool makeCa(const QString& dir, const QString& name)
{
    return openssl({ "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".pem",
                       "-days", "2", "-subj", "/CN=" + name },
        dir);
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestServerSecurity : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_pki;

private slots:
    void initTestCase()
    {
        const QString d = m_pki.path();
        QVERIFY(makeCa(d, "goodca"));
        QVERIFY(makeCa(d, "otherca"));
        QFile ext(d + "/san.ext");
        QVERIFY(ext.open(QIODevice::WriteOnly));
        ext.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        ext.close();
        QVERIFY(openssl({ "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
                            "-subj", "/CN=localhost" },
            d));
        QVERIFY(openssl({ "x509", "-req", "-in", "server.csr", "-CA", "goodca.pem", "-CAkey", "goodca.key",
                            "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "san.ext" },
            d));
    }

    void tlsWithTheRightCaWorks()
    {
        RemoteServer server;
        server.extraArgs = { "--tls-cert", m_pki.filePath("server.pem"), "--tls-key", m_pki.filePath("server.key") };
        server.rootCertsPem = readAll(m_pki.filePath("goodca.pem")).toStdString();
        QString error;
        QVERIFY2(server.start(error), qPrintable(error));
        const auto h = server.session->health();
        QVERIFY2(h.ok(), h.message().c_str());
        QVERIFY(server.session->list().ok());
        QCOMPARE(server.stop(), 0);
    }

    void aWrongCaOrPlaintextFails_data()
    {
        QTest::addColumn<bool>("plaintext");
        QTest::newRow("client trusts another CA") << false;
        QTest::newRow("plaintext client") << true;
    }
    void aWrongCaOrPlaintextFails()
    {
        QFETCH(bool, plaintext);
        RemoteServer server;
        server.extraArgs = { "--tls-cert", m_pki.filePath("server.pem"), "--tls-key", m_pki.filePath("server.key") };
        QString error;
        QVERIFY2(server.start(error), qPrintable(error));
        fxs::remote::RemoteOptions o;
        o.target = "127.0.0.1:" + std::to_string(server.port);
        o.token = server.token.toStdString();
        o.callTimeout = std::chrono::seconds(3);
        if (!plaintext) {
            o.rootCertsPem = readAll(m_pki.filePath("otherca.pem")).toStdString();
        }
        fxs::remote::RemoteSession s(o);
        const auto jobs = s.list();
        QVERIFY(!jobs.ok());
        const std::string& msg = jobs.error().message;
        QVERIFY2(msg.rfind("UNAVAILABLE", 0) == 0 || msg.rfind("DEADLINE_EXCEEDED", 0) == 0, msg.c_str());
        QVERIFY(!s.health().ok());
        QCOMPARE(server.stop(), 0);
    }

    void tokenFileReadableByOthersIsRefused()
    {
        RemoteServer server;
        QFile t(server.tokenFile());
        QVERIFY(t.open(QIODevice::WriteOnly));
        t.write("a-token-long-enough-0123456789\n");
        t.close();
        QVERIFY(t.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther));
        QString error;
        QVERIFY(!server.start(error));
        QCOMPARE(server.process.exitCode(), 2);
        QVERIFY2(error.contains("chmod 600"), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestServerSecurity)
#include "tst_ServerSecurity.moc"
