// Exact vetoes over the whole run: after rule and range changes the C2 pipeline's sums equal the brute-force C2
// (seed eq. 1, direct φ-sums in float64) of exactly the shots the new rules accept, whether a changed shot's frame
// came from the RAM ring, the spool or a re-read; without a re-read, shots past the spool are counted unreachable
// and keep their place; the counts always add up. A bin mask set mid-run acts on every shot already in the C2 (frames
// from ring, spool or re-read) and on every later one, and its removal restores the unmasked C2.
#include <C2BruteForce.h>
#include <QtTest>
#include <fxs/pipeline/VetoReevaluator.h>

using namespace fxs;

namespace {
constexpr int kQ = 5;
constexpr int kPhi = 16;
constexpr std::size_t kFrameBytes = 2 * sizeof(float) * kQ * kPhi;

// The statistic the rules test: the frame's mean intensity, computed here by hand.
ShotStats statsOf(const PolarFrame& f)
{
    ShotStats s;
    s.shotIndex = f.shotIndex;
    double sum = 0;
    for (float v : f.intensity) {
        sum += v;
    }
    s.mean = sum / double(f.intensity.size());
    s.sum = sum;
    return s;
}

VetoReevaluatorConfig config(const QTemporaryDir& dir, int spoolShots, int ringShots)
{
    VetoReevaluatorConfig c;
    c.c2.nQ = kQ;
    c.c2.nPhi = kPhi;
    c.ringBytes = std::size_t(ringShots) * kFrameBytes;
    c.spoolOptions.parentDir = dir.path().toStdString();
    c.spoolOptions.maxBytes = PolarSpool::kHeaderBytes + std::uint64_t(spoolShots) * (16 + kFrameBytes);
    c.spoolOptions.freeMarginBytes = 0;
    return c;
}

C2PipelineConfig pipelineConfig()
{
    C2PipelineConfig p;
    p.accumulator.nQ = kQ;
    p.accumulator.nPhi = kPhi;
    p.threads = 1;
    return p;
}

std::vector<PolarFrame> accepted(
    const std::vector<PolarFrame>& frames, const std::function<bool(const PolarFrame&)>& keep)
{
    std::vector<PolarFrame> out;
    for (const auto& f : frames) {
        if (keep(f)) {
            out.push_back(f);
        }
    }
    return out;
}
} // namespace

class tst_VetoReevaluator : public QObject {
    Q_OBJECT
private slots:
    void c2IsExactOverTheWholeRun_data()
    {
        QTest::addColumn<int>("spoolShots");
        QTest::addColumn<bool>("reread");
        QTest::newRow("spool holds every shot") << 100 << false;
        QTest::newRow("spool holds 15, the rest re-read") << 15 << true;
        QTest::newRow("no spool room, all re-read") << 0 << true;
    }
    void c2IsExactOverTheWholeRun()
    {
        QFETCH(int, spoolShots);
        QFETCH(bool, reread);
        QTemporaryDir dir;
        const auto frames = test::randomFrames(kQ, kPhi, 80, 11);
        std::vector<double> means;
        for (const auto& f : frames) {
            means.push_back(statsOf(f).mean);
        }
        std::vector<double> sorted = means;
        std::sort(sorted.begin(), sorted.end());
        const double low = sorted[20]; // the first rule vetoes the 20 lowest means
        const double high = sorted[70]; // the second keeps mean ≤ the 71st, and vetoes shots 10–29 by hand
        int rereads = 0;
        ShotRereader rereader
            = [&](const std::vector<std::int64_t>& shots, const std::function<bool(PolarFrame &&)>& each) {
                  for (std::int64_t s : shots) {
                      ++rereads;
                      PolarFrame copy = frames[std::size_t(s)];
                      if (!each(std::move(copy))) {
                          break;
                      }
                  }
                  return Status {};
              };
        C2Pipeline pipeline(pipelineConfig());
        VetoRules first;
        QVERIFY(first.addThreshold({ ShotStatistic::Mean, low, std::numeric_limits<double>::infinity() }).ok());
        VetoReevaluator re(pipeline, config(dir, spoolShots, 4), first, reread ? rereader : ShotRereader {});
        for (const auto& f : frames) {
            re.take(statsOf(f), std::make_shared<const PolarFrame>(f));
        }
        VetoRules second;
        QVERIFY(second.addThreshold({ ShotStatistic::Mean, -std::numeric_limits<double>::infinity(), high }).ok());
        QVERIFY(second.addRange(10, 29, "beam dump").ok());
        re.setRules(second);
        re.waitExact();
        pipeline.close();
        pipeline.wait();

        const auto keep = accepted(frames, [&](const PolarFrame& f) {
            return means[std::size_t(f.shotIndex)] <= high && (f.shotIndex < 10 || f.shotIndex > 29);
        });
        const VetoCounts c = re.counts();
        QCOMPARE(c.pending, std::int64_t(0));
        QCOMPARE(c.unreachable, std::int64_t(0));
        QCOMPARE(c.inC2, std::int64_t(keep.size()));
        QCOMPARE(c.accepted(), std::int64_t(keep.size()));
        QCOMPARE(c.vetoedByHand, std::int64_t(20));
        QCOMPARE(c.read, std::int64_t(80));
        const C2Sums sums = pipeline.sums();
        QCOMPARE(sums.totalShots(), std::int64_t(keep.size()));
        const double err = test::halfSumsError(sums, test::bruteForce(keep, true));
        QVERIFY2(err < 1e-5, qPrintable(QString("relative error %1").arg(err)));
        // The variance's squares follow the vetoes too: those of exactly the accepted shots, by direct DFT.
        QVERIFY(sums.hasVariance());
        const double sqErr = test::squaresError(sums, test::directSquares(keep, sums.nMax));
        QVERIFY2(sqErr < 1e-5, qPrintable(QString("squares: relative error %1").arg(sqErr)));
        QCOMPARE(rereads > 0, reread && spoolShots < 80);
        int changed = 0; // shots whose verdict differs between the two rules: the re-evaluation's work
        for (const auto& f : frames) {
            const bool before = means[std::size_t(f.shotIndex)] >= low;
            const bool after = means[std::size_t(f.shotIndex)] <= high && (f.shotIndex < 10 || f.shotIndex > 29);
            changed += before != after ? 1 : 0;
        }
        QCOMPARE(c.lastPassShots, std::int64_t(changed));
    }

    void binMaskActsOnTheWholeRunAndIsUndone_data()
    {
        QTest::addColumn<int>("spoolShots");
        QTest::addColumn<bool>("reread");
        QTest::newRow("spool holds every shot") << 100 << false;
        QTest::newRow("spool holds 15, the rest re-read") << 15 << true;
    }
    void binMaskActsOnTheWholeRunAndIsUndone()
    {
        QFETCH(int, spoolShots);
        QFETCH(bool, reread);
        QTemporaryDir dir;
        const auto frames = test::randomFrames(kQ, kPhi, 60, 23);
        ShotRereader rereader
            = [&](const std::vector<std::int64_t>& shots, const std::function<bool(PolarFrame &&)>& each) {
                  for (std::int64_t s : shots) {
                      PolarFrame copy = frames[std::size_t(s)];
                      if (!each(std::move(copy))) {
                          break;
                      }
                  }
                  return Status {};
              };
        C2Pipeline pipeline(pipelineConfig());
        VetoRules rules;
        QVERIFY(rules.addRange(5, 9, "glitch").ok());
        VetoReevaluator re(pipeline, config(dir, spoolShots, 4), rules, reread ? rereader : ShotRereader {});
        // Bins dropped by the mask: q ring 1 at φ 3–6 and all of q ring 3.
        std::vector<std::uint8_t> dropped(std::size_t(kQ) * kPhi, 0);
        for (int p = 3; p <= 6; ++p) {
            dropped[std::size_t(1 * kPhi + p)] = 1;
        }
        for (int p = 0; p < kPhi; ++p) {
            dropped[std::size_t(3 * kPhi + p)] = 1;
        }
        const auto applyMask = [&](PolarFrame f) { // the oracle's own masking: weight 0 and intensity 0
            for (std::size_t i = 0; i < dropped.size(); ++i) {
                if (dropped[i]) {
                    f.weight[i] = 0.0f;
                    f.intensity[i] = 0.0f;
                }
            }
            return f;
        };
        for (int i = 0; i < 40; ++i) {
            re.take(statsOf(frames[std::size_t(i)]), std::make_shared<const PolarFrame>(frames[std::size_t(i)]));
        }
        QVERIFY(!re.setBinMask(std::vector<std::uint8_t>(7, 1))); // wrong size: refused
        QVERIFY(re.setBinMask(dropped));
        QVERIFY(re.counts().pending > 0 || re.counts().lastPassShots > 0);
        for (int i = 40; i < 60; ++i) { // later shots go in with the mask in force
            re.take(statsOf(frames[std::size_t(i)]), std::make_shared<const PolarFrame>(frames[std::size_t(i)]));
        }
        re.waitExact();
        QTRY_COMPARE_WITH_TIMEOUT(pipeline.progress().shotsDone, std::int64_t(55), 20000); // the queue drained
        pipeline.flush();
        std::vector<PolarFrame> keepMasked, keepPlain;
        for (const auto& f : frames) {
            if (f.shotIndex < 5 || f.shotIndex > 9) {
                keepMasked.push_back(applyMask(f));
                keepPlain.push_back(f);
            }
        }
        VetoCounts c = re.counts();
        QCOMPARE(c.pending, std::int64_t(0));
        QCOMPARE(c.unreachable, std::int64_t(0));
        QCOMPARE(c.lastPassShots, std::int64_t(35)); // the 35 accepted shots taken before the mask
        C2Sums sums = pipeline.sums();
        QCOMPARE(sums.totalShots(), std::int64_t(keepMasked.size()));
        double err = test::halfSumsError(sums, test::bruteForce(keepMasked, true));
        QVERIFY2(err < 1e-5, qPrintable(QString("masked: relative error %1").arg(err)));
        const double sqErr = test::squaresError(sums, test::directSquares(keepMasked, sums.nMax));
        QVERIFY2(sqErr < 1e-5, qPrintable(QString("masked squares: relative error %1").arg(sqErr)));

        QVERIFY(re.setBinMask({})); // removed: every shot back unmasked
        re.waitExact();
        pipeline.close();
        pipeline.wait();
        c = re.counts();
        QCOMPARE(c.pending, std::int64_t(0));
        QCOMPARE(c.lastPassShots, std::int64_t(55));
        sums = pipeline.sums();
        QCOMPARE(sums.totalShots(), std::int64_t(keepPlain.size()));
        err = test::halfSumsError(sums, test::bruteForce(keepPlain, true));
        QVERIFY2(err < 1e-5, qPrintable(QString("unmasked again: relative error %1").arg(err)));
    }

    void unreachableShotsAreCountedAndKeepTheirPlace()
    {
        QTemporaryDir dir;
        const auto frames = test::randomFrames(kQ, kPhi, 40, 12);
        C2Pipeline pipeline(pipelineConfig());
        VetoReevaluator re(pipeline, config(dir, 5, 2), VetoRules {}); // a live source: no re-read
        for (const auto& f : frames) {
            re.take(statsOf(f), std::make_shared<const PolarFrame>(f));
        }
        VetoRules rules;
        QVERIFY(rules.addRange(0, 9, "detector glitch").ok()); // older than the ring (2) and the spool (5)
        QVERIFY(rules.addRange(36, 37, "late glitch").ok()); // still in the spool
        re.setRules(rules);
        re.waitExact();
        pipeline.close();
        pipeline.wait();
        const VetoCounts c = re.counts();
        QCOMPARE(c.unreachable, std::int64_t(10));
        QCOMPARE(c.pending, std::int64_t(0));
        QCOMPARE(c.vetoedByHand, std::int64_t(12));
        QCOMPARE(c.inC2, std::int64_t(38)); // the 10 unreachable stay in, 36 and 37 are out
        auto inC2 = accepted(frames, [](const PolarFrame& f) { return f.shotIndex != 36 && f.shotIndex != 37; });
        QVERIFY(test::halfSumsError(pipeline.sums(), test::bruteForce(inC2, true)) < 1e-5);
        QVERIFY(re.spool()->fileBytes() <= PolarSpool::kHeaderBytes + 5 * (16 + kFrameBytes));
    }

    void countsAddUpAtEveryStep()
    {
        QTemporaryDir dir;
        const auto frames = test::randomFrames(kQ, kPhi, 30, 13);
        C2Pipeline pipeline(pipelineConfig());
        VetoRules rules;
        QVERIFY(rules.addRange(3, 5, "bad").ok());
        VetoReevaluator re(pipeline, config(dir, 100, 100), rules);
        int refused = 0;
        for (const auto& f : frames) {
            if (f.shotIndex % 10 == 9) {
                re.recordRefused(f.shotIndex);
                ++refused;
            } else {
                re.take(statsOf(f), std::make_shared<const PolarFrame>(f));
            }
            const VetoCounts c = re.counts();
            QCOMPARE(c.read, f.shotIndex + 1);
            QCOMPARE(c.refused, std::int64_t(refused));
            QCOMPARE(c.accepted() + c.vetoedByHand + c.vetoedByRule + c.refused, c.read);
        }
        re.setRules(VetoRules {});
        re.waitExact();
        const VetoCounts c = re.counts();
        QCOMPARE(c.vetoedByHand, std::int64_t(0));
        QCOMPARE(c.inC2, std::int64_t(30 - refused));
        QCOMPARE(c.lastPassShots, std::int64_t(3));
    }
};

QTEST_GUILESS_MAIN(tst_VetoReevaluator)
#include "tst_VetoReevaluator.moc"
