// A live file whose geometry takes the camera length per frame from the data file (LCLS EncoderValue): h5py writes it
// in SWMR mode, the first frame before `fxs correlate --live` opens it and the others after, each with its own
// camera length. Every frame must be remapped with its own value, not the ones read at open: the live run's C2 equals
// that of `fxs correlate` on the finished file (the same frames read at rest) to 1e-6, relative, by h5py; and it
// differs from a run that keeps the first frame's camera length (so a reader that kept the values read at open fails).
#include "FacilityWriters.h"
#include "ProgramRunner.h"
#include "PythonRunner.h"

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

private slots:
    void cameraLengthPerFrameIsFollowedLive()
    {
        const QString cxi = m_dir.filePath("live.cxi");
        const QString geom = m_dir.filePath("lcls.geom");
        QFile g(geom);
        QVERIFY(g.open(QIODevice::WriteOnly));
        g.write(kLclsGeometry);
        g.close();

        QProcess writer;
        writer.start(debianPython(), { "-c", kLclsLiveWriter, cxi, kClens, "2" });
        QVERIFY2(writer.waitForReadyRead(30000), writer.readAllStandardError().constData());
        QCOMPARE(writer.readLine().trimmed(), QByteArray("ready"));
        const QString live = m_dir.filePath("live.h5");
        const auto run = runFxs(correlateArgs(cxi, geom, live) + QStringList { "--live", "--idle-timeout", "4" });
        QVERIFY(writer.waitForFinished(30000));
        QVERIFY2(writer.exitCode() == 0, writer.readAllStandardError().constData());
        QVERIFY2(run.ok(), run.err.constData());
        qInfo().noquote() << run.out.trimmed();
        // It opened the file while the writer still had frames to add (the pause is 2 s).
        QVERIFY2(!run.out.contains("writer closed"), run.out.constData());

        const QString rest = m_dir.filePath("rest.h5");
        const auto r = runFxs(correlateArgs(cxi, geom, rest));
        QVERIFY2(r.ok(), r.err.constData());
        const QString first = m_dir.filePath("first.h5");
        const auto f = runFxs(correlateArgs(cxi, geom, first) + QStringList { "--clen", "0.1" });
        QVERIFY2(f.ok(), f.err.constData());

        const double same = c2Difference(live, rest), firstOnly = c2Difference(live, first);
        qInfo() << "live vs at rest" << same << "| vs the first frame's clen alone" << firstOnly;
        QVERIFY2(same >= 0.0 && same <= 1e-6, qPrintable(QString::number(same)));
        QVERIFY2(firstOnly > 0.05, qPrintable(QString::number(firstOnly)));
        const auto shots = runPython("import h5py, sys; print(len(h5py.File(sys.argv[1], 'r')['ledger']['shot_index']))",
            { live });
        QCOMPARE(shots.out.trimmed(), QByteArray::number(kClens.count(',') + 1));
    }
};

QTEST_GUILESS_MAIN(tst_LivePerFrameValues)
#include "tst_LivePerFrameValues.moc"
