// ConvergenceEstimate / ConvergencePlot: shots to go against a hand-computed case of the stated model.
#include <ConvergencePlot.h>
#include <QtTest>

using namespace fxs::widgets;

class TestConvergencePlot : public QObject {
    Q_OBJECT
private slots:
    void handComputedCase()
    {
        // A run with K = 5000: CC(N) = N / (N + 5000). At N = 1000, CC = 1/6; for CC 0.9 it needs
        // 5000 · 0.9 / 0.1 = 45,000 shots, i.e. 44,000 to go.
        ConvergenceEstimate e;
        for (int n : { 200, 400, 600, 800, 1000 }) {
            e.add(n, n / (n + 5000.0));
        }
        QVERIFY(std::abs(*e.constant() - 5000.0) < 1e-6);
        QVERIFY(std::abs(*e.shotsFor(0.9) - 45000.0) < 1e-6);
        QVERIFY(std::abs(*e.shotsToGo(0.9, 1000) - 44000.0) < 1e-6);
        QCOMPARE(*e.shotsToGo(0.1, 1000), 0.0); // 5000 / 9 ≈ 556 < 1000: already there
    }

    void medianResistsOneOutlier()
    {
        ConvergenceEstimate e;
        e.add(100, 100 / 2100.0); // K = 2000
        e.add(200, 0.9); // K ≈ 22: one wild snapshot
        e.add(300, 300 / 2300.0);
        QVERIFY(std::abs(*e.constant() - 2000.0) < 1e-6);
        e.add(0, 0.5); // unusable points are ignored
        e.add(10, 1.0);
        QVERIFY(std::abs(*e.constant() - 2000.0) < 1e-6);
    }

    void plotSaysShotsToGo()
    {
        ConvergencePlot p;
        QVERIFY(p.summary().contains(QStringLiteral("waiting")));
        for (int n : { 500, 1000 }) {
            p.addPoint(n, n / (n + 5000.0), std::nan(""), 0.2);
        }
        QCOMPARE(p.summary(), QStringLiteral("≈ 44,000 shots to go to CC 0.90"));
        p.setTarget(0.5); // needs 5000: 4,000 to go
        QCOMPARE(p.summary(), QStringLiteral("≈ 4,000 shots to go to CC 0.50"));
    }
};

QTEST_MAIN(TestConvergencePlot)
#include "tst_ConvergencePlot.moc"
