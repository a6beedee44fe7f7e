// One MPI rank per GPU: the binding of node-local ranks to devices.
#include <QtTest>
#include <algorithm>
#include <fxs/gpu/GpuBinding.h>
#include <numeric>

using namespace fxs;

class tst_GpuBinding : public QObject {
    Q_OBJECT
private slots:
    void roundRobin_data()
    {
        QTest::addColumn<int>("devices");
        QTest::addColumn<int>("ranks");
        QTest::newRow("4 GPUs, 4 ranks") << 4 << 4;
        QTest::newRow("8 GPUs, 8 ranks") << 8 << 8;
        QTest::newRow("1 GPU shared by 3 ranks") << 1 << 3;
        QTest::newRow("2 GPUs, 5 ranks") << 2 << 5;
    }
    void roundRobin()
    {
        QFETCH(int, devices);
        QFETCH(int, ranks);
        std::vector<int> perDevice(devices, 0);
        for (int r = 0; r < ranks; ++r) {
            const auto d = GpuBinding::deviceFor(r, devices);
            QVERIFY(d.ok());
            QCOMPARE(*d, r % devices);
            ++perDevice[*d];
        }
        // Balanced: no device carries more than one rank above any other.
        const auto [lo, hi] = std::minmax_element(perDevice.begin(), perDevice.end());
        QVERIFY(*hi - *lo <= 1);
        QCOMPARE(std::accumulate(perDevice.begin(), perDevice.end(), 0), ranks);
    }
    void configuredList()
    {
        const auto list = GpuBinding::parseList("2,0");
        QVERIFY(list.ok());
        QCOMPARE(*GpuBinding::deviceFor(0, 4, *list), 2);
        QCOMPARE(*GpuBinding::deviceFor(1, 4, *list), 0);
        QCOMPARE(*GpuBinding::deviceFor(2, 4, *list), 2);
        const auto bad = GpuBinding::deviceFor(0, 2, { 3 });
        QVERIFY(!bad.ok());
        QVERIFY(QString::fromStdString(bad.error().message).contains("device 3 is not visible"));
        QVERIFY(!GpuBinding::parseList("0,x").ok());
        QVERIFY(!GpuBinding::deviceFor(0, 0).ok());
    }
    void localRankFromLauncher()
    {
        qputenv("OMPI_COMM_WORLD_LOCAL_RANK", "3");
        QCOMPARE(GpuBinding::localRankFromEnvironment(7), 3);
        qunsetenv("OMPI_COMM_WORLD_LOCAL_RANK");
        qunsetenv("MPI_LOCALRANKID");
        qputenv("SLURM_LOCALID", "1");
        QCOMPARE(GpuBinding::localRankFromEnvironment(7), 1);
        qunsetenv("SLURM_LOCALID");
        QCOMPARE(GpuBinding::localRankFromEnvironment(7), 7);
    }
};

QTEST_GUILESS_MAIN(tst_GpuBinding)
#include "tst_GpuBinding.moc"
