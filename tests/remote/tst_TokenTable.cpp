// The server's token file: named entries with roles and limits, the one-token file of earlier servers, and the
// errors that name the line at fault. The expected entries are written out by hand from each file's text.
#include "TokenTable.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using fxs::remote::Role;
using fxs::remote::TokenTable;

class TestTokenTable : public QObject {
    Q_OBJECT

private slots:
    void namedEntriesWithRolesAndLimits()
    {
        const auto t = TokenTable::parse("# name role token limits\n"
                                         "alice   operate  alice-secret-0123456789  jobs=2 ranks=64\n"
                                         "\n"
                                         "  beam watch beam-secret-0123456789   # the control room\n"
                                         "root admin root-secret-0123456789 ranks=0\n",
            "tokens");
        QVERIFY2(t.ok(), t.ok() ? "" : t.error().message.c_str());
        QCOMPARE(int(t->entries().size()), 3);
        const auto* a = t->find("alice-secret-0123456789");
        QVERIFY(a);
        QCOMPARE(QString::fromStdString(a->name), QString("alice"));
        QCOMPARE(int(a->role), int(Role::Operate));
        QCOMPARE(a->maxJobs, 2);
        QCOMPARE(a->maxRanks, 64);
        const auto* b = t->find("beam-secret-0123456789");
        QVERIFY(b);
        QCOMPARE(int(b->role), int(Role::Watch));
        QCOMPARE(b->maxJobs, 0);
        QCOMPARE(int(t->find("root-secret-0123456789")->role), int(Role::Admin));
        QVERIFY(!t->find("alice-secret-012345678")); // a prefix is not the token
        QVERIFY(!t->find("alice-secret-0123456789x"));
        QVERIFY(!t->find(""));
    }

    void aSingleTokenIsOneAdminEntry()
    {
        const auto t = TokenTable::parse("  the-only-token-of-old-servers  \n", "token");
        QVERIFY(t.ok());
        QCOMPARE(int(t->entries().size()), 1);
        QCOMPARE(QString::fromStdString(t->entries()[0].name), QString("default"));
        QCOMPARE(int(t->entries()[0].role), int(Role::Admin));
        QVERIFY(t->find("the-only-token-of-old-servers"));
    }

    void badFilesNameTheLine_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown role") << "a operate aaaaaaaaaaaaaaaaaaaa\nb root bbbbbbbbbbbbbbbbbbbb\n"
                                      << "line 2: unknown role 'root'";
        QTest::newRow("short token") << "a watch short\n" << "line 1: the token of 'a' is shorter than 16";
        QTest::newRow("two fields") << "a watch\n" << "line 1: expected `name role token";
        QTest::newRow("same name") << "a watch aaaaaaaaaaaaaaaaaaaa\na admin bbbbbbbbbbbbbbbbbbbb\n"
                                   << "line 2: the name 'a' is used twice";
        QTest::newRow("same token") << "a watch aaaaaaaaaaaaaaaaaaaa\nb admin aaaaaaaaaaaaaaaaaaaa\n"
                                    << "line 2: the token of 'b' is also another entry's token";
        QTest::newRow("bad limit") << "a operate aaaaaaaaaaaaaaaaaaaa jobs=two\n" << "line 1: 'jobs=two' is not a limit";
        QTest::newRow("negative limit") << "a operate aaaaaaaaaaaaaaaaaaaa ranks=-1\n" << "'ranks=-1' is not a limit";
        QTest::newRow("bad name") << "a/b watch aaaaaaaaaaaaaaaaaaaa\n" << "the name 'a/b' must be";
        QTest::newRow("empty") << "# nothing\n\n" << "has no token";
        QTest::newRow("bare token among entries") << "aaaaaaaaaaaaaaaaaaaa\nb watch bbbbbbbbbbbbbbbbbbbb\n"
                                                  << "a single-token line must be the file's only entry";
    }
    void badFilesNameTheLine()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        const auto t = TokenTable::parse(text.toStdString(), "tokens");
        QVERIFY(!t.ok());
        QVERIFY2(QString::fromStdString(t.error().message).contains(expected), t.error().message.c_str());
    }

    void aFileOthersMayReadIsRefused()
    {
        QTemporaryDir d;
        QFile f(d.filePath("tokens"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("a operate aaaaaaaaaaaaaaaaaaaa\n");
        f.close();
        QVERIFY(f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup));
        auto t = TokenTable::read(d.filePath("tokens").toStdString());
        QVERIFY(!t.ok());
        QVERIFY2(QString::fromStdString(t.error().message).contains("mode 0640"), t.error().message.c_str());
        QVERIFY(f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
        t = TokenTable::read(d.filePath("tokens").toStdString());
        QVERIFY(t.ok());
        QCOMPARE(int(t->entries()[0].role), int(Role::Operate));
    }
};

QTEST_GUILESS_MAIN(TestTokenTable)
#include "tst_TokenTable.moc"
