// A live file whose geometry takes the camera length per frame from the data file (LCLS EncoderValue): h5py writes it
// in SWMR mode, the first frame before `fxs correlate --live` (or the window's Live SWMR file source) opens it and the
// others after, each with its own camera length. Every frame must be remapped with its own value, not the ones read
// at open: the live run's C2 equals that of `fxs correlate` on the finished file (the same frames read at rest) to
// 1e-6, relative, by h5py; and it differs from a run that keeps the first frame's camera length (so a reader that kept
// the values read at open fails).
#include "FacilityWriters.h"
#include "ProgramRunner.h"
#include "PythonRunner.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

using namespace fxs::test;

namespace {

const QString kClens = "100,140,120,100,140,120,100,140"; // mm, frame by frame

QStringList correlateArgs(const QString& input, const QString& geometry, const QString& out)
{
    return { "correlate", input, "--geometry", geometry, "--n-q", "12", "--n-phi", "32", "--q-min", "0.02",
        "--q-max", "0.12", "--threads", "2", "--out", out };
}

// ||C2(a) − C2(b)|| / ||C2(b)|| by h5py; negative when it cannot be read.
double c2Difference(const QString& a, const QString& b)
{
    const auto r = runPython(kC2Difference, { a, b });
    const auto parts = QString::fromUtf8(r.out).split(' ');
    return r.ok() && parts.size() == 2 && parts[1].trimmed().toInt() > 0 ? parts[0].toDouble() : -1.0;
}

} // namespace

class tst_LivePerFrameValues : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_geom;

    // Starts the h5py SWMR writer on `cxi` and waits until the first frame is in.
    bool startWriter(QProcess& writer, const QString& cxi)
    {
        writer.start(debianPython(), { "-c", kLclsLiveWriter, cxi, kClens, "2" });
        return writer.waitForReadyRead(30000) && writer.readLine().trimmed() == "ready";
    }

    // The live run's C2 against the finished file's (fxs correlate at rest) and against the first frame's clen alone.
    void compareWithTheFileAtRest(const QString& name, const QString& cxi, const QString& live)
    {
        const QString rest = m_dir.filePath(name + "-rest.h5");
        const auto r = runFxs(correlateArgs(cxi, m_geom, rest));
        QVERIFY2(r.ok(), r.err.constData());
        const QString first = m_dir.filePath(name + "-first.h5");
        const auto f = runFxs(correlateArgs(cxi, m_geom, first) + QStringList { "--clen", "0.1" });
        QVERIFY2(f.ok(), f.err.constData());
        const double same = c2Difference(live, rest), firstOnly = c2Difference(live, first);
        qInfo() << name << "live vs at rest" << same << "| vs the first frame's clen alone" << firstOnly;
        QVERIFY2(same >= 0.0 && same <= 1e-6, qPrintable(QString::number(same)));
        QVERIFY2(firstOnly > 0.05, qPrintable(QString::number(firstOnly)));
        const auto shots = runPython("import h5py, sys; print(len(h5py.File(sys.argv[1], 'r')['ledger']['shot_index']))",
            { live });
        QCOMPARE(shots.out.trimmed(), QByteArray::number(kClens.count(',') + 1));
    }

private slots:
    void initTestCase()
    {
        m_geom = m_dir.filePath("lcls.geom");
        QFile g(m_geom);
        QVERIFY(g.open(QIODevice::WriteOnly));
        g.write(kLclsGeometry);
    }

    void cameraLengthPerFrameIsFollowedLive()
    {
        const QString cxi = m_dir.filePath("live.cxi");
        QProcess writer;
        QVERIFY2(startWriter(writer, cxi), writer.readAllStandardError().constData());
        const QString live = m_dir.filePath("live.h5");
        const auto run = runFxs(correlateArgs(cxi, m_geom, live) + QStringList { "--live", "--idle-timeout", "4" });
        QVERIFY(writer.waitForFinished(30000));
        QVERIFY2(writer.exitCode() == 0, writer.readAllStandardError().constData());
        QVERIFY2(run.ok(), run.err.constData());
        qInfo().noquote() << run.out.trimmed();
        compareWithTheFileAtRest("cli", cxi, live);
    }

    void theWindowFollowsItToo()
    {
        const QString cxi = m_dir.filePath("window.cxi");
        const QString ini = m_dir.filePath("window.ini");
        QFile f(ini);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QStringLiteral("[run]\nsource=2\npath=%1\ndataset=/entry_1/data_1/data\ngeometry=%2\n[grid]\nnQ=12\n"
                               "nPhi=32\nqMin=0.02\nqMax=0.12\n")
                    .arg(cxi, m_geom)
                    .toUtf8());
        f.close();
        QProcess writer;
        QVERIFY2(startWriter(writer, cxi), writer.readAllStandardError().constData());
        // A live file has no end the window can see (h5py leaves no mark): it stops once every frame is in.
        const QString results = m_dir.filePath("window-results");
        const auto run = runMonitor({ "--settings", ini, "--results", results, "--quit-when-done", "--stop-at-shots",
            QString::number(kClens.count(',') + 1) });
        QVERIFY(writer.waitForFinished(30000));
        QVERIFY2(run.ok(), run.err.constData());
        const auto files = QDir(results).entryList({ "*.h5" });
        QCOMPARE(files.size(), 1);
        compareWithTheFileAtRest("window", cxi, results + "/" + files.first());
    }
};

QTEST_GUILESS_MAIN(tst_LivePerFrameValues)
#include "tst_LivePerFrameValues.moc"
