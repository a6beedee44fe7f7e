// One MPI rank per GPU: the binding of node-local ranks to devices.
#include <QtTest>
#include <algorithm>
#include <fstream>
#include <fxs/gpu/CudaLibraries.h>
#include <fxs/gpu/GpuBinding.h>
#include <numeric>
#include <string>

using namespace fxs;

namespace {

// Whether a shared object whose file name contains `name` is mapped into this process (/proc/self/maps).
bool mapped(const std::string& name)
{
    std::ifstream maps("/proc/self/maps");
    for (std::string line; std::getline(maps, line);) {
        if (line.find(name) != std::string::npos) {
            return true;
        }
    }
    return false;
}

} // namespace

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

    // A CUDA build does not load cuFFT and cuBLAS when the program starts (they cost 0.3-0.8 s of every process
    // start here, GPU or not), but on the GPU backend's first use, with every function it calls found. This runs
    // without a GPU: the libraries and their symbols are what is checked. The oracle is the process's own map of
    // loaded files.
    void cudaLibrariesLoadOnFirstUse()
    {
#ifdef FXS_HAVE_CUDA
        QVERIFY2(!mapped("libcublas") && !mapped("libcufft"), "cuBLAS or cuFFT was loaded at start-up");
        std::string why;
        QVERIFY2(detail::loadCudaLibraries(&why), why.c_str());
        QVERIFY(why.empty());
        QVERIFY(mapped("libcublas.so") && mapped("libcufft.so"));
        QVERIFY(detail::loadCudaLibraries()); // once: the second call finds them loaded
#else
        std::string why;
        QVERIFY(!detail::loadCudaLibraries(&why));
        QVERIFY2(why.find("no CUDA backend") != std::string::npos, why.c_str());
        QVERIFY(!mapped("libcublas") && !mapped("libcufft"));
#endif
    }
};

QTEST_GUILESS_MAIN(tst_GpuBinding)
#include "tst_GpuBinding.moc"
