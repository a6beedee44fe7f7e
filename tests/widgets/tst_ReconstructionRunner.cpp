// Reconstruction runner: M-TIP on a worker thread reports every iteration in order on the GUI thread, ends with
// a result, stops early on cancel, and writes an MRC file whose header and size match the grid.
#include "../../app/monitor/ReconstructionRunner.cpp" // app/monitor is an executable's folder: compile the class here
#include "TetramerInvariants.h"

#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

using namespace fxs;
using namespace fxs::monitor;

class tst_ReconstructionRunner : public QObject {
    Q_OBJECT
private slots:
    void runsAndReportsEveryIteration();
    void cancelStopsEarly();
};

namespace {

MtipConfig smallConfig()
{
    MtipConfig c;
    c.gridSize = 16;
    c.particleDiameterA = 50.0;
    c.starts = 1;
    c.threads = 1;
    c.schedule = MtipConfig::cycles(1, 20, 10, 10);
    c.densityEvery = 10;
    return c;
}
}

void tst_ReconstructionRunner::runsAndReportsEveryIteration()
{
    ReconstructionRunner runner;
    std::vector<int> iterations;
    int densities = 0;
    bool offGuiThread = false;
    std::optional<MtipResult> finished;
    runner.onProgress = [&](const MtipProgress& p) {
        iterations.push_back(p.iteration);
        densities += p.density.empty() ? 0 : 1;
        offGuiThread |= QThread::currentThread() != qApp->thread();
    };
    runner.onFinished = [&](const MtipResult& r) { finished = r; };
    runner.onFailed = [](const QString& m) { QFAIL(qPrintable(m)); };
    runner.start(fxs::test::tetramerInvariants(16, 12), smallConfig());
    QVERIFY(runner.running());
    QTRY_VERIFY_WITH_TIMEOUT(finished.has_value(), 60000);
    QVERIFY(!runner.running());
    QVERIFY(!offGuiThread);
    const int total = MtipConfig::iterationCount(smallConfig().schedule); // 20 + 10 + 10
    QCOMPARE(total, 40);
    QCOMPARE(int(iterations.size()), total);
    for (int i = 0; i < total; ++i) {
        QCOMPARE(iterations[std::size_t(i)], i + 1);
    }
    QCOMPARE(densities, total / 10);
    QCOMPARE(finished->density.size(), std::size_t(16 * 16 * 16));
    QVERIFY(!finished->cancelled);

    QTemporaryDir dir;
    QString message;
    const QString path = dir.filePath("map.mrc");
    QVERIFY2(runner.saveMrc(path, &message), qPrintable(message));
    QVERIFY(message.contains(path));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray all = f.readAll();
    std::int32_t header[4] = {};
    std::memcpy(header, all.constData(), sizeof(header));
    QCOMPARE(header[0], 16); // nx, ny, nz, mode 2 (MRC2014)
    QCOMPARE(header[1], 16);
    QCOMPARE(header[2], 16);
    QCOMPARE(header[3], 2);
    std::int32_t extended = 0;
    std::memcpy(&extended, all.constData() + 92, 4); // NSYMBT: extended header bytes
    QCOMPARE(all.size(), qsizetype(1024 + extended + 4 * 16 * 16 * 16));
}

void tst_ReconstructionRunner::cancelStopsEarly()
{
    ReconstructionRunner runner;
    int progressed = 0;
    std::optional<MtipResult> finished;
    runner.onProgress = [&](const MtipProgress&) {
        if (++progressed == 3) {
            runner.cancel();
        }
    };
    runner.onFinished = [&](const MtipResult& r) { finished = r; };
    MtipConfig c = smallConfig();
    c.schedule = MtipConfig::cycles(20, 60, 40, 100); // 2,100 iterations: far more than it will run
    runner.start(fxs::test::tetramerInvariants(16, 12), c);
    QTRY_VERIFY_WITH_TIMEOUT(finished.has_value(), 60000);
    QVERIFY(finished->cancelled);
    QVERIFY(finished->iterationsRun < 2100);
    QString message;
    QVERIFY(runner.saveMrc(QDir::temp().filePath("tst_ReconstructionRunner_cancel.mrc"), &message));
    QFile::remove(QDir::temp().filePath("tst_ReconstructionRunner_cancel.mrc"));
}

QTEST_MAIN(tst_ReconstructionRunner)
#include "tst_ReconstructionRunner.moc"
