// fxs-monitor reviews finished runs from their results files (offscreen): two files written by the engine from known
// polar frames are opened with --review A --compare B. What the C2 explorer shows of A, the Review tab's curves of A
// and B and their difference A − B are checked against the brute-force C2 (seed eq. 1, a float64 φ-loop over the
// very frames) and against numpy over the files' /c2/c2 datasets (h5py); the q × q′ difference map (in combined
// standard errors) against numpy over /c2/c2, /c2/c2_std_error and /c2/flags; the convergence curves and the ledger
// against what the files hold; the health bar's REVIEW line against h5py's count of each file's /ledger. A file that is not a results file, and two runs on different grids, are refused
// with a message that names them.
#include <C2BruteForce.h>
#include <H5pyResults.h>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <ProgramRunner.h>
#include <PythonRunner.h>
#include <QtTest>
#include <cmath>
#include <fxs/correlation/C2Accumulator.h>
#include <fxs/correlation/C2Snapshot.h>
#include <fxs/results/ResultsFile.h>

using namespace fxs;

namespace {

constexpr int kNQ = 6;
constexpr int kNPhi = 16;

struct Written {
    std::vector<PolarFrame> frames;
    test::BruteC2 brute;
};

// A results file as the engine writes one: the sums of `shots` random frames, the snapshot computed from them, the
// grid, a convergence curve and a ledger of `refused` shots per reason.
Written writeRun(const QString& path, int shots, unsigned seed, int nPhi, const std::vector<double>& convShots,
    const std::vector<double>& convCC, const std::vector<std::pair<std::string, int>>& refused)
{
    Written w;
    w.frames = test::randomFrames(kNQ, nPhi, shots, seed);
    C2Config c;
    c.nQ = kNQ;
    c.nPhi = nPhi;
    c.precision = C2Precision::Double;
    c.subtractRingMean = true;
    C2Accumulator acc(c);
    for (const PolarFrame& f : w.frames) {
        if (!acc.add(f)) {
            qFatal("frame refused");
        }
    }
    acc.flush();
    const C2Sums sums = acc.sums();
    w.brute = test::bruteForce(w.frames, true);
    auto file = ResultsFile::create(path.toStdString());
    if (!file) {
        qFatal("%s", file.error().message.c_str());
    }
    ResultsFile& f = **file;
    const std::vector<double> grid { double(kNQ), double(nPhi), 0.1, 1.0, 1.5 };
    std::vector<double> conv = convShots;
    conv.insert(conv.end(), convCC.begin(), convCC.end());
    LedgerColumns ledger;
    for (const auto& [reason, n] : refused) {
        for (int i = 0; i < n; ++i) {
            ledger.shotIndex.push_back(static_cast<std::int64_t>(ledger.shotIndex.size()));
            ledger.accepted.push_back(0);
            ledger.reason.push_back(reason);
        }
    }
    for (int i = 0; i < shots; ++i) {
        ledger.shotIndex.push_back(static_cast<std::int64_t>(ledger.shotIndex.size()));
        ledger.accepted.push_back(1);
        ledger.reason.emplace_back();
    }
    const Status steps[] = { f.writeSnapshot(C2Snapshot::compute(sums)), f.writeSums(sums),
        f.writeArray("polar_grid", grid, { 5 }), f.writeArray("convergence", conv, { 2, std::int64_t(convShots.size()) }),
        f.writeLedger(ledger), f.writeConfiguration(R"({"program":"tst_MonitorReview"})"), f.close() };
    for (const Status& st : steps) {
        if (!st.ok()) {
            qFatal("%s", st.message().c_str());
        }
    }
    return w;
}

fxs::test::ProgramRun monitor(const QTemporaryDir& dir, const QStringList& args)
{
    return fxs::test::runMonitor(
        QStringList { "--fresh", "--settings", dir.filePath("s.ini"), "--quit-when-done" } + args, 90000);
}

QJsonObject readJson(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object() : QJsonObject {};
}

double bruteC2(const test::BruteC2& b, int q, int qp, int k)
{
    return b.numTotal(b.at(q, qp, k)) / b.denTotal(b.at(q, qp, k));
}

bool close(double shown, double expected) { return std::abs(shown - expected) <= 1e-9 * (1.0 + std::abs(expected)); }

// The explorer's curve at its cursor (a --dump-c2 file) against the brute force: the first difference, or empty;
// `compared` counts the Δ bins compared (a self-term bin is not drawn).
QString explorerVersusBrute(const QJsonObject& c2, const test::BruteC2& brute, int* compared)
{
    const int q = c2.value("q").toInt(), qp = c2.value("qp").toInt();
    const QJsonArray curve = c2.value("c2").toArray();
    if (curve.size() != kNPhi) {
        return QString("the explorer's curve has %1 points, not %2").arg(curve.size()).arg(kNPhi);
    }
    for (int k = 0; k < kNPhi; ++k) {
        if (curve[k].isNull()) {
            continue;
        }
        if (!close(curve[k].toDouble(), bruteC2(brute, q, qp, k))) {
            return QString("explorer Δ bin %1: %2, brute force %3")
                .arg(k)
                .arg(curve[k].toDouble())
                .arg(bruteC2(brute, q, qp, k));
        }
        ++*compared;
    }
    return {};
}

} // namespace

class TestMonitorReview : public QObject {
    Q_OBJECT

private slots:
    void reviewAndCompareTwoRuns()
    {
        QTemporaryDir dir;
        const QString a = dir.filePath("run-a.h5");
        const QString b = dir.filePath("run-b.h5");
        const std::vector<double> convShotsA { 10, 20, 40 }, convA { 0.25, 0.5, 0.75 };
        const std::vector<double> convShotsB { 10, 30 }, convB { 0.125, 0.375 };
        const Written wa = writeRun(a, 40, 11, kNPhi, convShotsA, convA, { { "beam drop", 5 }, { "too dim", 3 }, { "sum 12 < 100", 1 }, { "sum 7.5 < 100", 2 } });
        const Written wb = writeRun(b, 25, 12, kNPhi, convShotsB, convB, { { "beam drop", 2 } });
        const auto m = monitor(dir,
            { "--review", a, "--compare", b, "--dump-c2", dir.filePath("c2.json"), "--dump-compare",
                dir.filePath("compare.json"), "--screenshots", dir.filePath("png") });
        QVERIFY2(m.exitCode == 0, m.err.constData());

        // The C2 explorer shows A: its curve at the cursor against the brute force over A's frames.
        const QJsonObject c2 = readJson(dir.filePath("c2.json"));
        QCOMPARE(c2.value("shots").toInt(), 40);
        int compared = 0;
        const QString mismatch = explorerVersusBrute(c2, wa.brute, &compared);
        QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
        QVERIFY(compared >= kNPhi - 1);
        const int q = c2.value("q").toInt(), qp = c2.value("qp").toInt();

        // The Review tab: A and B at the same (q, q′), and A − B, against the brute force of each run.
        const QJsonObject cmp = readJson(dir.filePath("compare.json"));
        QCOMPARE(cmp.value("q").toInt(), q);
        QCOMPARE(cmp.value("qp").toInt(), qp);
        const QJsonArray ca = cmp.value("a").toArray(), cb = cmp.value("b").toArray(),
                         diff = cmp.value("difference").toArray(), delta = cmp.value("deltaDeg").toArray();
        QCOMPARE(diff.size(), kNPhi);
        int differences = 0;
        for (int k = 0; k < kNPhi; ++k) {
            QVERIFY(std::abs(delta[k].toDouble() - 360.0 * k / kNPhi) < 1e-12);
            const double ea = bruteC2(wa.brute, q, qp, k), eb = bruteC2(wb.brute, q, qp, k);
            if (diff[k].isNull()) {
                continue; // masked or the self-term in one of them
            }
            QVERIFY2(close(ca[k].toDouble(), ea), qPrintable(QString("A at bin %1").arg(k)));
            QVERIFY2(close(cb[k].toDouble(), eb), qPrintable(QString("B at bin %1").arg(k)));
            QVERIFY2(close(diff[k].toDouble(), ea - eb),
                qPrintable(QString("A − B at bin %1: %2, brute force %3").arg(k).arg(diff[k].toDouble()).arg(ea - eb)));
            ++differences;
        }
        QVERIFY(differences >= kNPhi - 1);
        QVERIFY(std::abs(diff[1].toDouble()) > 1e-6); // two different runs: the difference is not trivially 0

        // numpy over the files' own /c2/c2 datasets gives the same difference curve.
        const QString numpy = test::h5pyOnResults(a,
            QStringLiteral("import numpy as np\n"
                           "g = h5py.File('%3', 'r')\n"
                           "d = f['/c2/c2'][%1, %2, :] - g['/c2/c2'][%1, %2, :]\n"
                           "print(' '.join(repr(float(x)) for x in d))\n")
                .arg(q)
                .arg(qp)
                .arg(b));
        QVERIFY2(!numpy.startsWith("python failed"), qPrintable(numpy));
        const QStringList values = numpy.trimmed().split(' ');
        QCOMPARE(values.size(), kNPhi);
        for (int k = 0; k < kNPhi; ++k) {
            if (!diff[k].isNull()) {
                QVERIFY2(close(diff[k].toDouble(), values[k].toDouble()), qPrintable(QString("numpy bin %1").arg(k)));
            }
        }

        // The q × q′ difference map at the explorer's Δ bin, in combined standard errors (both files hold them):
        // numpy over the files' /c2/c2, /c2/c2_std_error and /c2/flags gives (A − B) / √(σA² + σB²), NaN where
        // either run is masked or has the self-term.
        QCOMPARE(cmp.value("differenceMapUnit").toString(), QString("standard errors"));
        const int mapK = cmp.value("differenceMapK").toInt();
        QCOMPARE(mapK, c2.value("k").toInt());
        const QString zNumpy = test::h5pyOnResults(a,
            QStringLiteral("import numpy as np\n"
                           "g = h5py.File('%2', 'r')\n"
                           "d = f['/c2/c2'][:, :, %1] - g['/c2/c2'][:, :, %1]\n"
                           "s = np.sqrt(f['/c2/c2_std_error'][:, :, %1]**2 + g['/c2/c2_std_error'][:, :, %1]**2)\n"
                           "z = d / s\n"
                           "z[(f['/c2/flags'][:, :, %1] != 0) | (g['/c2/flags'][:, :, %1] != 0)] = np.nan\n"
                           "print(' '.join(repr(float(x)) for x in z.ravel()))\n")
                .arg(mapK)
                .arg(b));
        QVERIFY2(!zNumpy.startsWith("python failed"), qPrintable(zNumpy));
        const QStringList zs = zNumpy.trimmed().split(' ');
        const QJsonArray map = cmp.value("differenceMap").toArray();
        QCOMPARE(map.size(), kNQ * kNQ);
        QCOMPARE(zs.size(), kNQ * kNQ);
        int mapped = 0;
        double largestZ = 0.0;
        for (int i = 0; i < kNQ * kNQ; ++i) {
            const double expected = zs[i].toDouble();
            if (std::isnan(expected)) {
                QVERIFY2(map[i].isNull(), qPrintable(QString("map cell %1: %2, numpy NaN").arg(i).arg(map[i].toDouble())));
                continue;
            }
            QVERIFY2(std::abs(map[i].toDouble() - expected) <= 1e-7 * (1.0 + std::abs(expected)),
                qPrintable(QString("map cell (q %1, q′ %2): %3, numpy %4")
                               .arg(i / kNQ)
                               .arg(i % kNQ)
                               .arg(map[i].toDouble())
                               .arg(expected)));
            largestZ = std::max(largestZ, std::abs(expected));
            ++mapped;
        }
        QVERIFY(mapped >= kNQ * kNQ - kNQ);
        QVERIFY(largestZ > 1e-3); // two different runs: not a map of zeros

        // Both convergence curves as the files hold them.
        const auto same = [](const QJsonArray& shown, const std::vector<double>& expected) {
            if (shown.size() != int(expected.size())) {
                return false;
            }
            for (int i = 0; i < shown.size(); ++i) {
                if (shown[i].toDouble() != expected[std::size_t(i)]) {
                    return false;
                }
            }
            return true;
        };
        QVERIFY(same(cmp.value("convergenceShotsA").toArray(), convShotsA));
        QVERIFY(same(cmp.value("convergenceA").toArray(), convA));
        QVERIFY(same(cmp.value("convergenceShotsB").toArray(), convShotsB));
        QVERIFY(same(cmp.value("convergenceB").toArray(), convB));

        // The ledger by reason, for each file.
        QMap<QString, QStringList> ledger;
        for (const auto row : cmp.value("ledger").toArray()) {
            const QJsonArray r = row.toArray();
            ledger[r[0].toString()] = { r[1].toString(), r[2].toString() };
        }
        QCOMPARE(ledger.value("read"), (QStringList { "51", "27" }));
        QCOMPARE(ledger.value("in C2"), (QStringList { "40", "25" }));
        QCOMPARE(ledger.value("refused: beam drop"), (QStringList { "5", "2" }));
        QCOMPARE(ledger.value("refused: too dim"), (QStringList { "3", "–" }));
        QCOMPARE(ledger.value("refused: sum …"), (QStringList { "3", "–" })); // one threshold, whatever each shot's sum
        QCOMPARE(ledger.size(), 5);
        QVERIFY(QFileInfo(dir.filePath("png/monitor-review-compare.png")).size() > 5000);
    }

    // The health bar in review says what is shown: REVIEW, the file's name and its shot counts as its /ledger holds
    // them (h5py counts the ledger's rows and its accepted shots), not IDLE; with a second file, both.
    // A results file of the first schema (before the standard errors: no /c2/c2_std_error, /c2/fourier_std_error or
    // /sums/squares, schema_version 1), made from a new one with h5py, still opens: the explorer shows its C2 (against
    // the brute force over its frames) and draws no error band.
    void reviewsAFileOfTheFirstSchema()
    {
        QTemporaryDir dir;
        const QString a = dir.filePath("old.h5");
        const Written wa = writeRun(a, 30, 7, kNPhi, { 30 }, { 0.5 }, {});
        const auto downgraded = test::runPython(QStringLiteral(R"(
import h5py, sys
with h5py.File(sys.argv[1], 'r+') as f:
    gone = [p for p in ('c2/c2_std_error', 'c2/fourier_std_error', 'sums/squares') if p in f]
    for p in gone:
        del f[p]
    f.attrs['schema_version'] = 1
    print(len(gone))
)"),
            { a });
        QVERIFY2(downgraded.ok(), downgraded.err.constData());
        QVERIFY2(downgraded.out.trimmed().toInt() >= 2, downgraded.out.constData()); // what schema 2 added was there
        const auto m = monitor(dir, { "--review", a, "--dump-c2", dir.filePath("c2.json") });
        QVERIFY2(m.exitCode == 0, m.err.constData());
        const QJsonObject c2 = readJson(dir.filePath("c2.json"));
        QCOMPARE(c2.value("shots").toInt(), 30);
        int compared = 0;
        const QString mismatch = explorerVersusBrute(c2, wa.brute, &compared);
        QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
        QVERIFY(compared >= kNPhi - 1);
        QVERIFY(c2.value("stdError").toArray().isEmpty()); // no band: the file has no standard errors
    }

    void healthBarSaysWhatIsReviewed()
    {
        QTemporaryDir dir;
        const QString a = dir.filePath("run-a.h5"), b = dir.filePath("run-b.h5");
        writeRun(a, 30, 5, kNPhi, { 30 }, { 0.5 }, { { "beam drop", 4 }, { "too dim", 3 } });
        writeRun(b, 20, 6, kNPhi, { 20 }, { 0.25 }, { { "beam drop", 1 } });
        const auto counts = [](const QString& path) {
            return test::h5pyOnResults(path,
                QStringLiteral("a = f['/ledger/accepted'][()]\n"
                               "print(len(a), int(a.sum()), len(a) - int(a.sum()))\n"))
                .trimmed()
                .split(' ');
        };
        const QStringList na = counts(a), nb = counts(b);
        QCOMPARE(na.size(), 3);
        QCOMPARE(nb.size(), 3);
        auto m = monitor(dir, { "--review", a, "--dump-window", dir.filePath("w.json") });
        QVERIFY2(m.exitCode == 0, m.err.constData());
        const QString expected
            = QString("REVIEW · run-a.h5 · read %1 · %2 shots in C2 · %3 not in C2 · nothing runs").arg(na[0], na[1], na[2]);
        QCOMPARE(readJson(dir.filePath("w.json")).value("health").toString(), expected);

        m = monitor(dir, { "--review", a, "--compare", b, "--dump-window", dir.filePath("w2.json") });
        QVERIFY2(m.exitCode == 0, m.err.constData());
        QCOMPARE(readJson(dir.filePath("w2.json")).value("health").toString(),
            QString("REVIEW · run-a.h5 · compared with run-b.h5 · A: read %1 · %2 shots in C2 · %3 not in C2 · B: read "
                    "%4 · %5 shots in C2 · %6 not in C2")
                .arg(na[0], na[1], na[2], nb[0], nb[1], nb[2]));
    }

    void badFilesAreNamed()
    {
        QTemporaryDir dir;
        QFile junk(dir.filePath("notes.h5"));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("not HDF5 at all\n");
        junk.close();
        auto m = monitor(dir, { "--review", junk.fileName() });
        QCOMPARE(m.exitCode, 1);
        QVERIFY2(m.err.contains(junk.fileName().toUtf8()) && m.err.contains("not an HDF5 file"), m.err.constData());

        const QString a = dir.filePath("a.h5"), c = dir.filePath("c.h5");
        writeRun(a, 8, 1, kNPhi, { 8 }, { 0.5 }, {});
        writeRun(c, 8, 2, 2 * kNPhi, { 8 }, { 0.5 }, {});
        m = monitor(dir, { "--review", a, "--compare", c });
        QCOMPARE(m.exitCode, 1);
        QVERIFY2(m.err.contains("Cannot compare a.h5 with c.h5: their polar grids differ"), m.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestMonitorReview)
#include "tst_MonitorReview.moc"
