// Session file: every setting written comes back equal (file and QSettings), the file is plain JSON with the
// documented keys, and a broken file is refused with a message naming the file and the key.
#include "../../app/monitor/MonitorSession.cpp" // app/monitor is an executable's folder: compile the class here

#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>
#include <VetoEdit.h>
#include <limits>

using namespace fxs;
using namespace fxs::monitor;
using fxs::widgets::VetoState;

class tst_MonitorSession : public QObject {
    Q_OBJECT
private slots:
    void fileRoundTrip();
    void settingsRoundTrip();
    void brokenFilesRefused_data();
    void brokenFilesRefused();
};

namespace {
MonitorSession makeSession()
{
    MonitorSession s;
    s.windowGeometry = QByteArray("\x01\x02geometry\xff", 11);
    s.windowState = QByteArray(300, '\x7f');
    s.run.source = SourceKind::CxiFile;
    s.run.path = QStringLiteral("/data/run0042.cxi");
    s.run.dataset = QStringLiteral("/entry_1/instrument_1/detector_1/data");
    s.run.geometryPath = QStringLiteral("/data/jungfrau4m.geom");
    s.run.distanceM = 0.321;
    s.run.wavelengthA = 1.2398;
    s.run.grid = PolarGrid { 77, 180, 0.02, 0.95 };
    s.run.seed = 18446744073709551557ULL; // above 2^53: must not pass through a double
    s.run.simulatedShots = 123456;
    VetoState veto;
    veto.rules.addThreshold({ ShotStatistic::HitScore, 0.01, std::numeric_limits<double>::infinity() });
    veto.rules.addRange(100, 250, "ice");
    veto.sampleChanges.push_back({ 5000, "new chip" });
    s.vetoes = veto.toJson();
    s.views = QJsonObject { { "detector",
        QJsonObject { { "colorMap", "magma" }, { "scale", "log" }, { "levelsLocked", true }, { "levelMin", 1.5 },
            { "levelMax", 2000.0 } } } };
    return s;
}

void compareSessions(const MonitorSession& a, const MonitorSession& b)
{
    QCOMPARE(b.windowGeometry, a.windowGeometry);
    QCOMPARE(b.windowState, a.windowState);
    QCOMPARE(int(b.run.source), int(a.run.source));
    QCOMPARE(b.run.path, a.run.path);
    QCOMPARE(b.run.dataset, a.run.dataset);
    QCOMPARE(b.run.geometryPath, a.run.geometryPath);
    QCOMPARE(b.run.distanceM, a.run.distanceM);
    QCOMPARE(b.run.wavelengthA, a.run.wavelengthA);
    QCOMPARE(b.run.grid.nQ, a.run.grid.nQ);
    QCOMPARE(b.run.grid.nPhi, a.run.grid.nPhi);
    QCOMPARE(b.run.grid.qMinInvA, a.run.grid.qMinInvA);
    QCOMPARE(b.run.grid.qMaxInvA, a.run.grid.qMaxInvA);
    QCOMPARE(b.run.seed, a.run.seed);
    QCOMPARE(b.run.simulatedShots, a.run.simulatedShots);
    QCOMPARE(b.views, a.views);
    VetoState va;
    VetoState vb;
    QString error;
    QVERIFY(VetoState::fromJson(a.vetoes, &va, &error));
    QVERIFY2(VetoState::fromJson(b.vetoes, &vb, &error), qPrintable(error));
    QCOMPARE(vb.rules.thresholds().size(), std::size_t(1));
    QCOMPARE(vb.rules.thresholds()[0].min, 0.01);
    QCOMPARE(vb.rules.ranges()[0].last, 250);
    QCOMPARE(vb.rules.ranges()[0].reason, std::string("ice"));
    QCOMPARE(vb.sampleChanges[0].reason, std::string("new chip"));
}
}

void tst_MonitorSession::fileRoundTrip()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("beamtime.fxs-session.json");
    const MonitorSession written = makeSession();
    QString error;
    QVERIFY2(written.save(path, &error), qPrintable(error));
    // The file is plain JSON with the documented keys (read without MonitorSession).
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject raw = QJsonDocument::fromJson(f.readAll()).object();
    QCOMPARE(raw["run"].toObject()["grid"].toObject()["n_q"].toInt(), 77);
    QCOMPARE(raw["run"].toObject()["source"].toString(), QStringLiteral("cxi_file"));
    QCOMPARE(raw["vetoes"].toObject()["rules"].toObject()["ranges"].toArray()[0].toObject()["reason"].toString(),
        QStringLiteral("ice"));
    MonitorSession read;
    QVERIFY2(MonitorSession::load(path, &read, &error), qPrintable(error));
    compareSessions(written, read);
}

void tst_MonitorSession::settingsRoundTrip()
{
    QTemporaryDir dir;
    const MonitorSession written = makeSession();
    {
        QSettings settings(dir.filePath("monitor.ini"), QSettings::IniFormat);
        written.toSettings(settings);
    }
    QSettings settings(dir.filePath("monitor.ini"), QSettings::IniFormat);
    compareSessions(written, MonitorSession::fromSettings(settings));
}

void tst_MonitorSession::brokenFilesRefused_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("not json") << QByteArray("{ run: ") << QStringLiteral("not JSON");
    QTest::newRow("no version") << QByteArray("{\"run\": {}}") << QStringLiteral("fxs_monitor_session");
    QTest::newRow("bad source") << QByteArray("{\"fxs_monitor_session\": 1, \"run\": {\"source\": \"tape\"}}")
                                << QStringLiteral("run.source");
    QTest::newRow("bad grid") << QByteArray(
        "{\"fxs_monitor_session\": 1, \"run\": {\"grid\": {\"n_q\": 10, \"q_min_inv_a\": 1, \"q_max_inv_a\": 0.5}}}")
                              << QStringLiteral("run.grid");
}

void tst_MonitorSession::brokenFilesRefused()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, mentions);
    QTemporaryDir dir;
    const QString path = dir.filePath("broken.json");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(content);
    f.close();
    MonitorSession s;
    QString error;
    QVERIFY(!MonitorSession::load(path, &s, &error));
    QVERIFY2(error.contains(mentions) && error.contains(path), qPrintable(error));
}

QTEST_MAIN(tst_MonitorSession)
#include "tst_MonitorSession.moc"
