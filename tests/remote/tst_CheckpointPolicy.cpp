// The MPI worker's checkpoint policy (remote/common/CheckpointPolicy.h, issue 22): a round lasts long enough that its
// checkpoint costs at most 4 % of it, the checkpoint writer's CPU time counted where the ranks fill the node's cores.
// The expected intervals are worked out by hand from the closed form I = max(I_min, c (1 - s) / s); the worker's own
// choice (timing.json of a real 1-rank run under mpirun) is checked against the same closed form.
#include "CheckpointPolicy.h"
#include "ProgramRunner.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using fxs::remote::checkpointCostS;
using fxs::remote::checkpointIntervalS;
using fxs::remote::CheckpointCost;

class TestCheckpointPolicy : public QObject {
    Q_OBJECT

private slots:
    void writerCpuCountsOnlyWhenTheCoresAreFull()
    {
        // One rank on a 2-core node: the writer has a core of its own, only the ranks' time at the round's end counts.
        QCOMPARE(checkpointCostS({ 0.1, 0.8, 1, 2 }), 0.1);
        // Two ranks on two cores: 0.8 core-seconds taken from 2 cores = 0.4 s of the run, plus 0.1 s.
        QCOMPARE(checkpointCostS({ 0.1, 0.8, 2, 2 }), 0.5);
        // One rank bound to one core (mpirun -n 1 binds to a core): the writer's whole CPU time is the rank's.
        QCOMPARE(checkpointCostS({ 0.05, 0.75, 1, 1 }), 0.8);
        // Four ranks on two cores (oversubscribed): still 0.8 / 2.
        QCOMPARE(checkpointCostS({ 0.0, 0.8, 4, 2 }), 0.4);
    }

    void intervalKeepsTheShareAtFourPercent()
    {
        // c = 0.5 s: I = 0.5 * 0.96 / 0.04 = 12 s, above the job's 5 s.
        QVERIFY(qAbs(checkpointIntervalS(5.0, 0.5) - 12.0) < 1e-12);
        // c = 0.8 s: 19.2 s.
        QVERIFY(qAbs(checkpointIntervalS(5.0, 0.8) - 19.2) < 1e-12);
        // c = 0.1 s would allow 2.4 s: the job's 5 s stands.
        QCOMPARE(checkpointIntervalS(5.0, 0.1), 5.0);
        // Whatever the cost, a round of I + c spends at most 4 % on its checkpoint, exactly 4 % once I is the policy's.
        for (double c : { 1e-3, 0.03, 0.2, 1.0, 7.5, 60.0 }) {
            const double i = checkpointIntervalS(0.0, c);
            QVERIFY(qAbs(c / (i + c) - 0.04) < 1e-12);
            const double withFloor = checkpointIntervalS(5.0, c);
            QVERIFY(c / (withFloor + c) <= 0.04 + 1e-12);
        }
    }

    // A real run: the interval the worker chose and reported equals the closed form of the cost it reports, and that
    // cost holds the writer's measured CPU time where the node's cores are full.
    void theWorkerChoosesTheClosedForm()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QJsonObject config { { "shots", 8192 }, { "n_q", 40 }, { "n_phi", 128 }, { "seed", 5 },
            { "masked_fraction", 0.1 }, { "double_precision", false }, { "ring_mean_subtracted", true },
            { "threads_per_rank", 1 }, { "shots_per_unit", 16 }, { "units_per_reduce", 0 },
            { "reduce_interval_s", 0.3 } };
        QFile f(dir.filePath("worker.json"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QJsonDocument(config).toJson());
        f.close();
        QProcess p;
        p.start("mpirun", { "--oversubscribe", "-n", "1", fxs::test::binPath("fxs-worker"), dir.path() });
        const auto run = fxs::test::finishProgram(p, 300000);
        QVERIFY2(run.ok(), (run.out + run.err).constData());
        QFile t(dir.filePath("timing.json"));
        QVERIFY(t.open(QIODevice::ReadOnly));
        const QJsonObject j = QJsonDocument::fromJson(t.readAll()).object();
        for (const char* key : { "last_interval_s", "checkpoint_cost_s", "policy_writer_cpu_s", "node_cores",
                 "node_busy_threads", "rounds" }) {
            QVERIFY2(j.contains(key), key);
        }
        const double interval = j["last_interval_s"].toDouble(), cost = j["checkpoint_cost_s"].toDouble();
        const double writerCpu = j["policy_writer_cpu_s"].toDouble();
        const int cores = j["node_cores"].toInt(), busy = j["node_busy_threads"].toInt();
        qInfo("rounds %d, interval %.4f s, cost %.4f s, writer CPU %.4f s, %d busy threads on %d cores",
            j["rounds"].toInt(), interval, cost, writerCpu, busy, cores);
        QVERIFY2(j["rounds"].toInt() >= 3, "too few rounds for the policy to have seen a checkpoint's cost");
        QVERIFY2(writerCpu > 0.0, "no checkpoint's CPU time was measured before the last round");
        // The interval is the closed form of the cost (timing.json prints 6 decimals).
        const double expected = std::max(0.3, cost * 0.96 / 0.04);
        QVERIFY2(qAbs(interval - expected) <= 1e-5 * 24 + 1e-6 * expected,
            qPrintable(QString("interval %1, closed form %2").arg(interval).arg(expected)));
        // The cost holds the writer's CPU share where the ranks fill the cores (1 rank bound to 1 core by mpirun).
        if (busy >= cores) {
            QVERIFY2(cost >= writerCpu / cores - 2e-6, qPrintable(QString("cost %1 < %2").arg(cost).arg(writerCpu)));
        }
    }
};

QTEST_GUILESS_MAIN(TestCheckpointPolicy)
#include "tst_CheckpointPolicy.moc"
