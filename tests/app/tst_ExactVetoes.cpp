// Exact vetoes over the whole run, through the real window (fxs-monitor offscreen): a run of more shots than the
// memory ring (and the polar spool) holds is paused mid-way, a threshold is changed and old shots are vetoed by
// hand in the Vetoes panel, and the run goes on. Then
// (a) the C2 the explorer shows equals the brute-force C2 (seed eq. 1, direct φ-sums in float64) of exactly the
//     shots the new rules accept, whose statistic (the frame's largest pixel) numpy computed from the file;
// (b) at every sample of what the window displays during the run, the Vetoes panel, the health bar and the C2
//     explorer show the same shot counts, and the accepted strip chart ends at in C2 / read as numpy counts them;
// (c) a live (simulated) run's polar spool stays within its bound on disk, and the shots it no longer held are
//     reported as unreachable (exactly the vetoed shots older than the spool) and keep their place in the C2.
#include <H5pyResults.h>
#include <MonitorScriptRun.h>
#include <PythonRunner.h>

namespace {

using fxs::test::compareC2;
using fxs::test::readPolar;
using fxs::test::writeScript;
using fxs::test::writeSettings;

fxs::test::ProgramRun monitor(const QTemporaryDir& dir, const QStringList& args)
{
    return fxs::test::monitorWithScript(dir, args);
}

qint64 number(const QString& text, const QString& pattern)
{
    const auto m = QRegularExpression(pattern).match(text);
    return m.hasMatch() ? m.captured(1).remove(',').toLongLong() : -1;
}

struct Shown {
    qint64 vetoInC2, healthInC2, explorerInC2, vetoRead, healthRead, accepted, byHand, byRule;
};

Shown shown(const QJsonObject& s)
{
    const QString veto = s.value("veto").toString();
    const QString health = s.value("health").toString();
    const QString c2 = s.value("c2").toString();
    const QString inC2 = QStringLiteral("([\\d,]+) shots in C2");
    return { number(veto, inC2), number(health, inC2), number(c2, inC2), number(veto, "of ([\\d,]+) shots"),
        number(health, "read ([\\d,]+)"), number(veto, "Accepted ([\\d,]+)"), number(veto, "by hand ([\\d,]+)"),
        number(veto, "by rule ([\\d,]+)") };
}

// (b): every sample of the three displays agrees; returns the samples.
QList<QJsonObject> checkCountsAgree(const QString& path, QString* problem)
{
    QFile f(path);
    QList<QJsonObject> samples;
    if (!f.open(QIODevice::ReadOnly)) {
        *problem = QStringLiteral("no counts log");
        return samples;
    }
    for (const QByteArray& line : f.readAll().split('\n')) {
        if (line.isEmpty()) {
            continue;
        }
        const QJsonObject s = QJsonDocument::fromJson(line).object();
        samples << s;
        const Shown n = shown(s);
        if (n.vetoRead <= 0) {
            continue; // before the first shot
        }
        if (n.vetoInC2 != n.healthInC2 || n.vetoInC2 != n.explorerInC2 || n.vetoRead != n.healthRead
            || n.accepted + n.byHand + n.byRule != n.vetoRead) {
            *problem = QStringLiteral("sample %1 disagrees: %2").arg(samples.size()).arg(QString::fromUtf8(line));
            return samples;
        }
    }
    return samples;
}

} // namespace

class tst_ExactVetoes : public QObject {
    Q_OBJECT
private slots:
    void fileRunIsExactAfterARuleChangeAndAHandVeto()
    {
        QTemporaryDir dir;
        const QString cxi = dir.filePath("run.cxi");
        // 300 frames 64 × 64 of Poisson(2) counts; a bright pixel of 1,000 in every 9th frame, of 5,000 in every
        // 13th: numpy prints each frame's largest pixel (the statistic the rules test).
        const auto py = fxs::test::runPython(QStringLiteral(R"(
import h5py, sys, numpy as np
rng = np.random.default_rng(24)
d = rng.poisson(2.0, (300, 64, 64)).astype(np.float32)
d[4::9, 20, 40] = 1000.0
d[6::13, 44, 25] = 5000.0
with h5py.File(sys.argv[1], 'w') as f:
    f['/entry_1/data_1/data'] = d
print(' '.join(str(float(v)) for v in d.reshape(300, -1).max(axis=1)))
)"),
            { cxi });
        QVERIFY2(py.ok(), py.err.constData());
        std::vector<double> maxima;
        for (const QByteArray& v : py.out.trimmed().split(' ')) {
            maxima.push_back(v.toDouble());
        }
        QCOMPARE(int(maxima.size()), 300);
        fxs::VetoRules first;
        QVERIFY(first.addThreshold({ fxs::ShotStatistic::Max, -std::numeric_limits<double>::infinity(), 500.0 }).ok());
        // The memory ring holds ~40 frames and the spool 60: the older changed shots are read again from the file.
        const int nQ = 8, nPhi = 16;
        const double record = 16 + 8.0 * nQ * nPhi;
        writeSettings(dir, 1, (64 + 60 * record) * 1e-9, 40 * 8.0 * nQ * nPhi * 1e-6, false, first);
        writeScript(dir, R"({"pause_at_shot": 200, "changes": [{"statistic": "max", "min": null, "max": 2000},
                             {"veto": [20, 119], "reason": "beam dump"}]})");
        const auto r = monitor(dir,
            { "--open", cxi, "--clen", "0.03", "--photon-energy", "9100", "--pixel-size", "1e-4", "--nq",
                QString::number(nQ), "--nphi", QString::number(nPhi) });
        QVERIFY2(r.exitCode == 0, r.err.constData());

        // (a) The accepted shots by the final rules, from numpy's maxima: max ≤ 2,000 and not in 20–119.
        std::vector<fxs::PolarFrame> accepted;
        const auto frames = readPolar(dir.filePath("polar.bin"));
        QCOMPARE(int(frames.size()), 300);
        for (const auto& f : frames) {
            if (maxima[std::size_t(f.shotIndex)] <= 2000.0 && (f.shotIndex < 20 || f.shotIndex > 119)) {
                accepted.push_back(f);
            }
        }
        QVERIFY(accepted.size() > 150 && accepted.size() < 200);
        const QString c2 = compareC2(dir.filePath("c2.json"), accepted);
        QVERIFY2(c2.isEmpty(), qPrintable(c2));
        // The results file's ledger says the same shots are in the C2 (read back with h5py).
        const QStringList files = QDir(dir.filePath("results")).entryList({ "*.h5" });
        QCOMPARE(files.size(), 1);
        const QString ledger = fxs::test::h5pyOnResults(dir.filePath("results/" + files.first()),
            QStringLiteral("import numpy as np\n"
                           "s = f['/ledger/shot_index'][()][f['/ledger/accepted'][()] == 1]\n"
                           "print(' '.join(str(v) for v in sorted(s)))\n"));
        QStringList expected;
        for (const auto& f : accepted) {
            expected << QString::number(f.shotIndex);
        }
        QCOMPARE(ledger.trimmed(), expected.join(' '));

        // (b) The three displays agree at every sample, and the last one says the C2 is exact again.
        QString problem;
        const auto samples = checkCountsAgree(dir.filePath("counts.jsonl"), &problem);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QVERIFY(samples.size() > 5);
        const Shown last = shown(samples.last());
        QCOMPARE(last.vetoInC2, qint64(accepted.size()));
        QCOMPARE(last.byHand, qint64(100));
        QVERIFY2(samples.last().value("reevaluation").toString().startsWith("C2 exact again"),
            qPrintable(samples.last().value("reevaluation").toString()));
        // The accepted strip chart ends at the fraction of the run's shots in the C2 by the final rules (numpy's
        // count over 300), not at the fraction the shots of its last second were first accepted at.
        QVERIFY2(samples.last().contains("accepted_chart_percent"), "the accepted chart has no point");
        const double expectedPercent = 100.0 * double(accepted.size()) / 300.0;
        const double chartPercent = samples.last().value("accepted_chart_percent").toDouble();
        QVERIFY2(std::abs(chartPercent - expectedPercent) < 1e-9,
            qPrintable(QString("accepted chart %1 %, in C2 / read %2 %").arg(chartPercent).arg(expectedPercent)));
        // The spool was not kept: its folder is gone.
        QCOMPARE(QDir(dir.filePath("spool")).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).size(), 0);
    }

    void liveRunReportsShotsPastTheSpool()
    {
        QTemporaryDir dir;
        const int nQ = 4, nPhi = 16;
        const std::uint64_t record = 16 + 8 * nQ * nPhi;
        const std::uint64_t bound = 64 + 30 * record + record / 2; // 30 records
        writeSettings(dir, 0, double(bound) * 1e-9, 3 * 8.0 * nQ * nPhi * 1e-6, true, fxs::VetoRules {});
        writeScript(dir, R"({"pause_at_shot": 200, "changes": [{"veto": [10, 59], "reason": "detector glitch"}]})");
        const auto r = monitor(dir,
            { "--shots", "260", "--rate", "0", "--size", "64", "--nq", QString::number(nQ), "--nphi",
                QString::number(nPhi) });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        // (c) The spool file on disk stayed within its bound (it wrapped: exactly 30 records).
        const QStringList spools = QDir(dir.filePath("spool")).entryList({ "fxs-spool-*" }, QDir::Dirs);
        QCOMPARE(spools.size(), 1);
        const qint64 size = QFileInfo(dir.filePath("spool/" + spools.first() + "/polar.spool")).size();
        QVERIFY2(size <= qint64(bound), qPrintable(QString("spool %1 bytes, bound %2").arg(size).arg(bound)));
        QCOMPARE(size, qint64(64 + 30 * record));
        // Shots 10–59 were neither in memory (3 frames) nor in the spool (30): all 50 are reported and stay in C2.
        QString problem;
        const auto samples = checkCountsAgree(dir.filePath("counts.jsonl"), &problem);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        const QJsonObject last = samples.last();
        QVERIFY2(last.value("reevaluation").toString().contains("50 shots could not be reached"),
            qPrintable(last.value("reevaluation").toString()));
        QVERIFY2(
            last.value("health").toString().contains("50 unreachable"), qPrintable(last.value("health").toString()));
        const Shown n = shown(last);
        QCOMPARE(n.accepted, qint64(210));
        QCOMPARE(n.vetoInC2, qint64(260));
        QVERIFY2(r.err.contains("50 shots whose verdict changed could not be reached again"), r.err.constData());
        const auto frames = readPolar(dir.filePath("polar.bin"));
        QCOMPARE(int(frames.size()), 260);
        const QString c2 = compareC2(dir.filePath("c2.json"), frames); // every shot is still in the C2
        QVERIFY2(c2.isEmpty(), qPrintable(c2));
    }
};

QTEST_GUILESS_MAIN(tst_ExactVetoes)
#include "tst_ExactVetoes.moc"
