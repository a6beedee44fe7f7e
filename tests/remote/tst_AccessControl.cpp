// Who may do what, against a real fxs-server on 127.0.0.1: every RPC × every role (the expected answer of each
// cell written out below, from the roles' definition in fxs.proto), limits per token, the audit log's lines, and
// a token file reloaded on SIGHUP.
#include "RemoteFixture.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

using namespace fxs::test;
using grpc::StatusCode;

namespace {

const QString watchToken = QStringLiteral("watch-token-0123456789ab");
const QString operateToken = QStringLiteral("operate-token-0123456789");
const QString otherToken = QStringLiteral("other-token-0123456789ab");
const QString adminToken = QStringLiteral("admin-token-0123456789ab");
const QString limitedToken = QStringLiteral("limited-token-0123456789");
const QString rankyToken = QStringLiteral("ranky-token-0123456789ab");

QString tokenFileText()
{
    return "# name role token limits\n"
           "watcher  watch   "
        + watchToken + "\noperator operate " + operateToken + "\nother operate " + otherToken + "\nboss admin "
        + adminToken + "\nlimited operate " + limitedToken + " jobs=1 ranks=3\nranky operate " + rankyToken
        + " ranks=3\n";
}

// A call of `rpc` on `jobId` (the job it acts on, where it acts on one) with `token` ("" : no authorization at all).
grpc::Status call(const RemoteServer& server, const QString& token, const QString& rpc, const std::string& jobId)
{
    auto s = server.sessionWith(token);
    auto ctx = token.isEmpty() ? std::make_unique<grpc::ClientContext>() : s->context(std::chrono::seconds(20));
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    auto& stub = s->stub();
    if (rpc == "ListJobs") {
        fxs::v1::ListJobsReply r;
        return stub.ListJobs(ctx.get(), {}, &r);
    }
    if (rpc == "WhoAmI") {
        fxs::v1::WhoAmIReply r;
        return stub.WhoAmI(ctx.get(), {}, &r);
    }
    if (rpc == "GetServerInfo") {
        fxs::v1::ServerInfoReply r;
        return stub.GetServerInfo(ctx.get(), {}, &r);
    }
    if (rpc == "SubmitJob") { // a bad spec: a role that may submit gets INVALID_ARGUMENT, and nothing is launched
        fxs::v1::SubmitJobRequest req;
        *req.mutable_spec() = smallSpec(0, 16);
        fxs::v1::SubmitJobReply r;
        return stub.SubmitJob(ctx.get(), req, &r);
    }
    if (rpc.startsWith("CancelJob")) {
        fxs::v1::CancelJobRequest req;
        req.set_job_id(jobId);
        fxs::v1::CancelJobReply r;
        return stub.CancelJob(ctx.get(), req, &r);
    }
    if (rpc.startsWith("ResumeJob")) {
        fxs::v1::ResumeJobRequest req;
        req.set_job_id(jobId);
        fxs::v1::ResumeJobReply r;
        return stub.ResumeJob(ctx.get(), req, &r);
    }
    if (rpc == "WatchJob") {
        fxs::v1::WatchJobRequest req;
        req.set_job_id(jobId);
        auto reader = stub.WatchJob(ctx.get(), req);
        fxs::v1::WatchUpdate u;
        while (reader->Read(&u)) { }
        return reader->Finish();
    }
    fxs::v1::FetchResultRequest req; // FetchResult
    req.set_job_id(jobId);
    req.set_kind(fxs::v1::RESULT_KIND_LOG);
    auto reader = stub.FetchResult(ctx.get(), req);
    fxs::v1::ResultChunk c;
    while (reader->Read(&c)) { }
    return reader->Finish();
}

QList<QJsonObject> auditLines(const RemoteServer& server)
{
    QFile f(server.auditLog());
    QList<QJsonObject> out;
    if (f.open(QIODevice::ReadOnly)) {
        for (const QByteArray& line : f.readAll().split('\n')) {
            if (!line.isEmpty()) {
                out.push_back(QJsonDocument::fromJson(line).object());
            }
        }
    }
    return out;
}

} // namespace

class TestAccessControl : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<RemoteServer> m_server;
    std::string m_operatorJob; // submitted by "operator", finished
    std::string m_adminJob; // submitted by "boss", finished

    std::string submitAndWait(const QString& token)
    {
        auto s = m_server->sessionWith(token);
        auto st = s->submit(smallSpec(1, 16));
        if (!st) {
            qWarning() << st.error().message.c_str();
            return {};
        }
        auto end = s->watch(st->job_id(), {});
        return end && end->state() == fxs::v1::JOB_STATE_SUCCEEDED ? st->job_id() : std::string();
    }

    fxs::v1::JobStatus statusOf(const std::string& id)
    {
        auto jobs = m_server->sessionWith(adminToken)->list();
        for (const auto& j : jobs ? *jobs : std::vector<fxs::v1::JobStatus> {}) {
            if (j.job_id() == id) {
                return j;
            }
        }
        return {};
    }

private slots:
    void initTestCase()
    {
        m_server = std::make_unique<RemoteServer>();
        m_server->tokenFileText = tokenFileText();
        m_server->extraArgs = { "--debug-slowdown-per-shot", "0.01" };
        QString error;
        QVERIFY2(m_server->start(error), qPrintable(error));
        m_operatorJob = submitAndWait(operateToken);
        m_adminJob = submitAndWait(adminToken);
        QVERIFY(!m_operatorJob.empty() && !m_adminJob.empty());
    }
    void cleanupTestCase()
    {
        if (m_server) {
            QCOMPARE(m_server->stop(), 0);
        }
    }

    void everyRpcTimesEveryRole_data()
    {
        QTest::addColumn<QString>("role");
        QTest::addColumn<QString>("rpc");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("needed"); // the role PERMISSION_DENIED names; empty otherwise
        const int ok = int(StatusCode::OK), denied = int(StatusCode::PERMISSION_DENIED);
        const int invalid = int(StatusCode::INVALID_ARGUMENT), notResumable = int(StatusCode::FAILED_PRECONDITION);
        const int unauth = int(StatusCode::UNAUTHENTICATED);
        struct Row {
            const char* rpc;
            int watch, operate, admin;
            const char *watchNeeds, *operateNeeds;
        };
        // "own": a job of the caller's token (for watch, the operator's); "other": another token's.
        const Row rows[] = {
            { "ListJobs", ok, ok, ok, "", "" },
            { "WatchJob", ok, ok, ok, "", "" },
            { "FetchResult", ok, ok, ok, "", "" },
            { "WhoAmI", ok, ok, ok, "", "" },
            { "SubmitJob", denied, invalid, invalid, "operate", "" },
            { "CancelJob own", denied, ok, ok, "operate", "" },
            { "ResumeJob own", denied, notResumable, notResumable, "operate", "" },
            { "CancelJob other", denied, denied, ok, "operate", "admin" },
            { "ResumeJob other", denied, denied, notResumable, "operate", "admin" },
            { "GetServerInfo", denied, denied, ok, "admin", "admin" },
        };
        for (const Row& r : rows) {
            QTest::addRow("%s watch", r.rpc) << "watch" << r.rpc << r.watch << r.watchNeeds;
            QTest::addRow("%s operate", r.rpc) << "operate" << r.rpc << r.operate << r.operateNeeds;
            QTest::addRow("%s admin", r.rpc) << "admin" << r.rpc << r.admin << "";
            QTest::addRow("%s no token", r.rpc) << "none" << r.rpc << unauth << "";
            QTest::addRow("%s wrong token", r.rpc) << "wrong" << r.rpc << unauth << "";
        }
    }
    void everyRpcTimesEveryRole()
    {
        QFETCH(QString, role);
        QFETCH(QString, rpc);
        QFETCH(int, code);
        QFETCH(QString, needed);
        const QString token = role == "watch" ? watchToken
            : role == "operate"               ? operateToken
            : role == "admin"                 ? adminToken
            : role == "wrong"                 ? QStringLiteral("wrong-token-0123456789abc")
                                              : QString();
        const bool adminCaller = role == "admin";
        const std::string& own = adminCaller ? m_adminJob : m_operatorJob;
        const std::string& other = adminCaller ? m_operatorJob : m_adminJob;
        const auto st = call(*m_server, token, rpc, rpc.endsWith("other") ? other : own);
        QVERIFY2(int(st.error_code()) == code,
            qPrintable(QString("got %1: %2").arg(int(st.error_code())).arg(st.error_message().c_str())));
        if (!needed.isEmpty()) {
            const QString msg = QString::fromStdString(st.error_message());
            QVERIFY2(msg.contains("needs the role " + needed) && msg.contains("has the role " + role), qPrintable(msg));
        }
        // Refused calls changed nothing; allowed cancels of finished jobs and refused resumes neither.
        QCOMPARE(int(statusOf(m_operatorJob).state()), int(fxs::v1::JOB_STATE_SUCCEEDED));
        QCOMPARE(int(statusOf(m_adminJob).state()), int(fxs::v1::JOB_STATE_SUCCEEDED));
    }

    void whoAmISaysNameRoleAndLimits()
    {
        auto w = m_server->sessionWith(limitedToken)->whoAmI();
        QVERIFY2(w.ok(), w ? "" : w.error().message.c_str());
        QCOMPARE(QString::fromStdString(w->token_name()), QString("limited"));
        QCOMPARE(int(w->role()), int(fxs::v1::ROLE_OPERATE));
        QCOMPARE(w->max_jobs(), 1);
        QCOMPARE(w->max_ranks(), 3);
        QVERIFY2(QString::fromStdString(w->peer()).contains("127.0.0.1"), w->peer().c_str());
        auto b = m_server->sessionWith(watchToken)->whoAmI();
        QVERIFY(b.ok());
        QCOMPARE(QString::fromStdString(b->token_name()), QString("watcher"));
        QCOMPARE(int(b->role()), int(fxs::v1::ROLE_WATCH));
        QCOMPARE(QString::fromStdString(statusOf(m_operatorJob).owner()), QString("operator"));
    }

    void serverInfoListsNamesNeverSecrets()
    {
        auto s = m_server->sessionWith(adminToken);
        auto ctx = s->context(std::chrono::seconds(5));
        fxs::v1::ServerInfoReply r;
        QVERIFY(s->stub().GetServerInfo(ctx.get(), {}, &r).ok());
        QCOMPARE(r.tokens_size(), 6);
        QCOMPARE(QString::fromStdString(r.tokens(5).name()), QString("ranky"));
        QCOMPARE(r.tokens(5).max_ranks(), 3);
        QCOMPARE(r.data_roots_size(), 1);
        QCOMPARE(QString::fromStdString(r.data_roots(0)), QFileInfo(QDir::tempPath()).canonicalFilePath());
        const std::string bytes = r.SerializeAsString();
        for (const QString& t : { watchToken, operateToken, otherToken, adminToken, limitedToken, rankyToken }) {
            QVERIFY(bytes.find(t.toStdString()) == std::string::npos);
        }
    }

    void limitsOnRunningJobsAndRanks()
    {
        // Long jobs (2000 shots at 10 ms each over ≤ 2 ranks: ≥ 10 s), cancelled at the end.
        auto lim = m_server->sessionWith(limitedToken);
        auto ranky = m_server->sessionWith(rankyToken);
        auto first = lim->submit(smallSpec(2, 2000));
        QVERIFY2(first.ok(), first ? "" : first.error().message.c_str());
        auto second = lim->submit(smallSpec(1, 2000));
        QVERIFY(!second.ok());
        QVERIFY2(second.error().message.rfind("RESOURCE_EXHAUSTED", 0) == 0
                && second.error().message.find("at most 1 jobs at a time and has 1 running") != std::string::npos,
            second.error().message.c_str());
        auto r1 = ranky->submit(smallSpec(2, 2000));
        QVERIFY(r1.ok());
        auto r2 = ranky->submit(smallSpec(2, 2000)); // 2 + 2 > 3
        QVERIFY(!r2.ok());
        QVERIFY2(r2.error().message.find("at most 3 ranks in all; its running jobs use 2 and this one asks for 2")
                != std::string::npos,
            r2.error().message.c_str());
        auto r3 = ranky->submit(smallSpec(1, 2000)); // 2 + 1 = 3
        QVERIFY2(r3.ok(), r3 ? "" : r3.error().message.c_str());
        auto w = ranky->whoAmI();
        QVERIFY(w.ok());
        QCOMPARE(w->running_jobs(), 2);
        QCOMPARE(w->running_ranks(), 3);
        QVERIFY(lim->cancel(first->job_id()).ok());
        QVERIFY(ranky->cancel(r1->job_id()).ok());
        QVERIFY(ranky->cancel(r3->job_id()).ok());
        auto again = lim->submit(smallSpec(1, 16)); // the limit counts running jobs only
        QVERIFY2(again.ok(), again ? "" : again.error().message.c_str());
        QVERIFY(lim->watch(again->job_id(), {}).ok());
    }

    void auditLinesForEachAction()
    {
        const int before = auditLines(*m_server).size();
        const QDateTime t0 = QDateTime::currentDateTimeUtc().addSecs(-1);
        auto op = m_server->sessionWith(operateToken);
        auto job = op->submit(smallSpec(1, 2000));
        QVERIFY(job.ok());
        QVERIFY(!m_server->sessionWith(watchToken)->submit(smallSpec(1, 16)).ok());
        QVERIFY(op->cancel(job->job_id()).ok());
        QVERIFY(op->resume(job->job_id()).ok());
        QVERIFY(!m_server->sessionWith(otherToken)->cancel(job->job_id()).ok());
        QVERIFY(m_server->sessionWith(adminToken)->cancel(job->job_id()).ok());
        const QDateTime t1 = QDateTime::currentDateTimeUtc().addSecs(1);

        const auto lines = auditLines(*m_server).mid(before);
        struct Expected {
            const char *action, *token, *role;
            bool ok;
            const char* detail; // a part of the detail
        };
        const Expected expected[] = {
            { "submit", "operator", "operate", true, "test job, 1 ranks" },
            { "submit", "watcher", "watch", false, "SubmitJob needs the role operate" },
            { "cancel", "operator", "operate", true, "" },
            { "resume", "operator", "operate", true, "" },
            { "cancel", "other", "operate", false, "needs the role admin" },
            { "cancel", "boss", "admin", true, "" },
        };
        QCOMPARE(lines.size(), int(std::size(expected)));
        for (int i = 0; i < lines.size(); ++i) {
            const QJsonObject& l = lines[i];
            const Expected& e = expected[i];
            QCOMPARE(l["action"].toString(), QString(e.action));
            QCOMPARE(l["token"].toString(), QString(e.token));
            QCOMPARE(l["role"].toString(), QString(e.role));
            QCOMPARE(l["ok"].toBool(), e.ok);
            QVERIFY2(l["detail"].toString().contains(e.detail), qPrintable(l["detail"].toString()));
            QVERIFY2(l["peer"].toString().contains("127.0.0.1:"), qPrintable(l["peer"].toString()));
            if (i != 1) {
                QCOMPARE(l["job"].toString(), QString::fromStdString(job->job_id()));
            }
            const QDateTime t = QDateTime::fromString(l["time"].toString(), Qt::ISODateWithMs);
            QVERIFY2(t.isValid() && t >= t0 && t <= t1, qPrintable(l["time"].toString()));
        }
        QFile f(m_server->auditLog());
        QCOMPARE(int(f.permissions() & (QFileDevice::ReadOther | QFileDevice::ReadGroup)), 0);
    }

    void sighupReloadsTheTokenFile()
    {
        RemoteServer server;
        server.tokenFileText = "alpha operate alpha-token-0123456789\n";
        QString error;
        QVERIFY2(server.start(error), qPrintable(error));
        auto alpha = server.sessionWith("alpha-token-0123456789");
        auto beta = server.sessionWith("beta-token-0123456789ab");
        QVERIFY(alpha->list().ok());
        QVERIFY(beta->list().error().message.rfind("UNAUTHENTICATED", 0) == 0);

        auto rewrite = [&](const QByteArray& text, QFileDevice::Permissions mode) {
            QFile t(server.tokenFile());
            QVERIFY(t.open(QIODevice::WriteOnly | QIODevice::Truncate));
            t.write(text);
            t.close();
            QVERIFY(t.setPermissions(mode));
            ::kill(static_cast<pid_t>(server.process.processId()), SIGHUP);
        };
        const auto owner = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
        rewrite("beta watch beta-token-0123456789ab\n", owner);
        QTRY_VERIFY_WITH_TIMEOUT(beta->list().ok(), 5000);
        QVERIFY(alpha->list().error().message.rfind("UNAUTHENTICATED", 0) == 0);
        auto who = beta->whoAmI();
        QVERIFY(who.ok());
        QCOMPARE(int(who->role()), int(fxs::v1::ROLE_WATCH));

        // A file others may read is not taken: the tokens in force stay, and the server says why.
        rewrite("alpha operate alpha-token-0123456789\n", owner | QFileDevice::ReadOther);
        QByteArray log;
        QTRY_VERIFY_WITH_TIMEOUT((log += server.process.readAllStandardOutput()).contains("not reloaded"), 5000);
        QVERIFY2(log.contains("chmod 600"), log.constData());
        QVERIFY(beta->list().ok());
        QVERIFY(!alpha->list().ok());
        QCOMPARE(server.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(TestAccessControl)
#include "tst_AccessControl.moc"
