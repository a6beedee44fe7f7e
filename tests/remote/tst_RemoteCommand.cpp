// `fxs remote` against a real fxs-server on 127.0.0.1: every subcommand says who it acts as (the token file's
// entry, written here), and a role that does not allow an action ends with exit code 3 and the server's word.
#include "RemoteFixture.h"

using namespace fxs::test;

namespace {

struct Run {
    int code = -1;
    QString out;
};

Run fxsRemote(const QStringList& args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(binDir() + "/fxs", QStringList { "remote" } + args);
    Run r;
    if (p.waitForFinished(60000)) {
        r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    }
    r.out = QString::fromUtf8(p.readAll());
    return r;
}

} // namespace

class TestRemoteCommand : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<RemoteServer> m_server;
    QTemporaryDir m_tokens;
    std::string m_job;

    QString tokenFile(const QString& name, const QString& token)
    {
        QFile f(m_tokens.filePath(name));
        f.open(QIODevice::WriteOnly);
        f.write(token.toUtf8() + "\n");
        f.close();
        f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        return f.fileName();
    }
    QStringList common(const QString& file) const
    {
        return { "--server", QStringLiteral("127.0.0.1:%1").arg(m_server->port), "--token-file", file };
    }

private slots:
    void initTestCase()
    {
        m_server = std::make_unique<RemoteServer>();
        m_server->tokenFileText = "eve watch eve-token-0123456789ab\nbob operate bob-token-0123456789ab jobs=3 ranks=8\n";
        QString error;
        QVERIFY2(m_server->start(error), qPrintable(error));
        auto st = m_server->sessionWith("bob-token-0123456789ab")->submit(smallSpec(1, 16));
        QVERIFY(st.ok());
        m_job = st->job_id();
        QVERIFY(m_server->sessionWith("bob-token-0123456789ab")->watch(m_job, {}).ok());
    }
    void cleanupTestCase()
    {
        if (m_server) {
            QCOMPARE(m_server->stop(), 0);
        }
    }

    void whoamiShowsNameRoleAndLimits()
    {
        const Run r = fxsRemote(QStringList { "whoami" } + common(tokenFile("bob", "bob-token-0123456789ab")));
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("signed in as bob (operate)"), qPrintable(r.out));
        QVERIFY2(r.out.contains("limits: 3 running jobs, 8 ranks; in use: 0 jobs, 0 ranks"), qPrintable(r.out));
    }

    void listNamesTheRoleAndTheOwner()
    {
        const Run r = fxsRemote(QStringList { "list" } + common(tokenFile("eve", "eve-token-0123456789ab")));
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("signed in as eve (watch)"), qPrintable(r.out));
        QVERIFY2(r.out.contains(QString::fromStdString(m_job) + "  SUCCEEDED  16/16 shots  owner bob"), qPrintable(r.out));
    }

    void aForbiddenActionExitsWith3()
    {
        const Run r = fxsRemote(
            QStringList { "cancel", QString::fromStdString(m_job) } + common(tokenFile("eve", "eve-token-0123456789ab")));
        QCOMPARE(r.code, 3);
        QVERIFY2(r.out.contains("signed in as eve (watch)")
                && r.out.contains("PERMISSION_DENIED: CancelJob needs the role operate; the token 'eve' has the role watch"),
            qPrintable(r.out));
    }
};

QTEST_GUILESS_MAIN(TestRemoteCommand)
#include "tst_RemoteCommand.moc"
