// The CUDA backend against the CPU path (C2Accumulator) on random masked inputs; skipped without a GPU.
#include "C2BruteForce.h"

#include <QtTest>
#include <cmath>
#include <fxs/correlation/C2Accumulator.h>
#include <fxs/correlation/C2Snapshot.h>
#include <fxs/gpu/GpuC2Accumulator.h>

using namespace fxs;

namespace {

double relativeDifference(const std::vector<std::complex<double>>& a, const std::vector<std::complex<double>>& b)
{
    double d = 0, r = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!std::isfinite(a[i].real()) || !std::isfinite(a[i].imag())) {
            return INFINITY;
        }
        d += std::norm(a[i] - b[i]);
        r += std::norm(b[i]);
    }
    return std::sqrt(d / r);
}

C2Sums cpuSums(const std::vector<PolarFrame>& frames, const C2Config& c)
{
    C2Accumulator acc(c);
    for (const auto& f : frames) {
        acc.add(f);
    }
    acc.flush();
    return acc.sums();
}

} // namespace

class tst_GpuC2Accumulator : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        std::string why;
        if (!GpuC2Accumulator::available(&why)) {
            QSKIP(qPrintable(QString::fromStdString("no GPU: " + why)));
        }
    }

    void matchesCpuPath_data()
    {
        QTest::addColumn<int>("mode"); // 0: add(frame), 1: host batch with per-frame weights, 2: static mask
        QTest::addColumn<bool>("subtractMean");
        QTest::newRow("frames, random masks") << 0 << true;
        QTest::newRow("host batch, device masks") << 1 << true;
        QTest::newRow("host batch, static mask") << 2 << true;
        QTest::newRow("frames, raw intensities") << 0 << false;
    }
    void matchesCpuPath()
    {
        QFETCH(int, mode);
        QFETCH(bool, subtractMean);
        const int nQ = 24, nPhi = 64, shots = 700;
        auto frames = test::randomFrames(nQ, nPhi, shots, 100u + mode, 0.2, mode == 2);
        C2Config c;
        c.nQ = nQ;
        c.nPhi = nPhi;
        c.nMax = 20;
        c.subtractRingMean = subtractMean;
        GpuC2Config g;
        g.c2 = c;
        g.batchFrames = 128; // several batches and a partial one
        g.foldFrames = 256;
        g.poisonScratch = true; // every scratch element read must have been written
        auto gpu = GpuC2Accumulator::create(g);
        QVERIFY2(gpu.ok(), gpu.ok() ? "" : gpu.error().message.c_str());
        if (mode == 0) {
            for (const auto& f : frames) {
                QVERIFY((*gpu)->add(f).ok());
            }
        } else {
            std::vector<float> I, W;
            for (const auto& f : frames) {
                I.insert(I.end(), f.intensity.begin(), f.intensity.end());
                W.insert(W.end(), f.weight.begin(), f.weight.end());
            }
            if (mode == 2) {
                QVERIFY((*gpu)->setStaticMask(frames.front().weight).ok());
            }
            QVERIFY((*gpu)->addHostBatch(I.data(), mode == 1 ? W.data() : nullptr, shots, 0).ok());
        }
        (*gpu)->flush();
        const C2Sums& gs = (*gpu)->sums();
        const C2Sums cs = cpuSums(frames, c);
        QCOMPARE(gs.shots[0], cs.shots[0]);
        QCOMPARE(gs.shots[1], cs.shots[1]);
        for (int h = 0; h < 2; ++h) {
            const double ds = relativeDifference(gs.signal[h], cs.signal[h]);
            const double dm = relativeDifference(gs.mask[h], cs.mask[h]);
            QVERIFY2(ds <= 1e-5, qPrintable(QString("signal half %1: %2").arg(h).arg(ds)));
            QVERIFY2(dm <= 1e-5, qPrintable(QString("mask half %1: %2").arg(h).arg(dm)));
        }
        // And the normalised C2 against the float64 brute force.
        const C2Snapshot s = C2Snapshot::compute(gs, SnapshotOptions { false, false, false });
        const auto ref = test::bruteForce(frames, subtractMean);
        double d = 0, r = 0;
        for (std::size_t i = 0; i < s.c2.size(); ++i) {
            if (s.flags[i] != C2Snapshot::Masked) {
                const double den = ref.denTotal(i);
                // the reference truncated at n_max is not needed: compare the mask correlation instead
                d += (s.maskCorrelation[i] - den) * (s.maskCorrelation[i] - den);
                r += den * den;
            }
        }
        QVERIFY(std::sqrt(d / r) <= 1e-5);
    }
};

QTEST_GUILESS_MAIN(tst_GpuC2Accumulator)
#include "tst_GpuC2Accumulator.moc"
