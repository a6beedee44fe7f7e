// Masks drawn in the window act on the whole run, through the real window (fxs-monitor offscreen) and a file of more
// shots than the memory ring and the polar spool hold:
// (a) a rectangle drawn through the Masks panel while the run is paused at shot 200 drops, for every shot in C2
//     (the earlier ones taken again from memory, the spool or the file), exactly the polar bins its pixels feed:
//     the C2 equals the brute force (seed eq. 1, direct φ-sums in float64) over the accepted shots with those bins
//     zeroed. The bins come from a separate path: the file's last frame is an indicator image (1e6 on the pixels
//     whose centres lie in the rectangle, numpy from the flat geometry's closed form, 0 elsewhere) whose dumped polar
//     frame is nonzero exactly in the bins those pixels feed; the max ≤ 2,000 rule vetoes that frame itself.
//     The panel saves the mask as HDF5 and as CrystFEL bad regions: h5py and a plain parse of the regions give back
//     exactly the rectangle's pixels.
// (b) the same mask loaded mid-run from an HDF5 file numpy wrote gives the same C2; after the run ended, the mask is
//     cleared and shots 20–119 are vetoed by hand: the C2 is corrected again and the results file written again
//     under the same name; the explorer and the file's /c2 (h5py) equal the unmasked brute force of the shots then
//     accepted, and its ledger lists exactly them.
#include <H5pyResults.h>
#include <MonitorScriptRun.h>
#include <PythonRunner.h>

namespace {

constexpr int kShots = 300;
constexpr int kQ = 8, kPhi = 16;

// 300 frames 64 × 64 of Poisson(2) counts; the last one is the indicator of the rectangle x 0.3…1.3 mm,
// y −1.2…0.2 mm (pixel centres at ((f − 31.5)·0.1, (s − 31.5)·0.1) mm: the flat panel centred on the beam).
QString makeFile(const QTemporaryDir& dir)
{
    const QString cxi = dir.filePath("run.cxi");
    const auto py = fxs::test::runPython(QStringLiteral(R"(
import h5py, sys, numpy as np
rng = np.random.default_rng(7)
d = rng.poisson(2.0, (300, 64, 64)).astype(np.float32)
s, f = np.meshgrid(np.arange(64), np.arange(64), indexing='ij')
x, y = (f - 31.5) * 0.1, (s - 31.5) * 0.1
inside = (x > 0.3) & (x < 1.3) & (y > -1.2) & (y < 0.2)
d[299] = np.where(inside, 1e6, 0.0)
with h5py.File(sys.argv[1], 'w') as h:
    h['/entry_1/data_1/data'] = d
with h5py.File(sys.argv[2], 'w') as h:
    h['/data/mask'] = inside.astype(np.uint8)  # nonzero = bad
print(int(inside.sum()))
)"),
        { cxi, dir.filePath("numpy-mask.h5") });
    return py.ok() && py.out.trimmed() == "140" ? cxi : QString::fromUtf8(py.err + py.out);
}

fxs::test::ProgramRun runWithMask(const QTemporaryDir& dir, const QString& cxi, const QByteArray& script)
{
    fxs::VetoRules rules;
    rules.addThreshold({ fxs::ShotStatistic::Max, -std::numeric_limits<double>::infinity(), 2000.0 });
    const double record = 16 + 8.0 * kQ * kPhi; // ring ~40 frames, spool 60: older shots are read from the file
    fxs::test::writeSettings(dir, 1, (64 + 60 * record) * 1e-9, 40 * 8.0 * kQ * kPhi * 1e-6, false, rules);
    fxs::test::writeScript(dir, script);
    return fxs::test::monitorWithScript(dir,
        { "--open", cxi, "--clen", "0.03", "--photon-energy", "9100", "--pixel-size", "1e-4", "--nq",
            QString::number(kQ), "--nphi", QString::number(kPhi) });
}

// The bins the indicator frame reaches, and every other frame with those bins dropped (weight 0, intensity 0).
std::vector<fxs::PolarFrame> withBinsDropped(const std::vector<fxs::PolarFrame>& frames, int* droppedBins)
{
    const fxs::PolarFrame& indicator = frames.back();
    std::vector<fxs::PolarFrame> out;
    *droppedBins = 0;
    for (std::size_t b = 0; b < indicator.intensity.size(); ++b) {
        *droppedBins += indicator.intensity[b] > 0.0f ? 1 : 0;
    }
    for (std::size_t i = 0; i + 1 < frames.size(); ++i) {
        fxs::PolarFrame f = frames[i];
        for (std::size_t b = 0; b < f.intensity.size(); ++b) {
            if (indicator.intensity[b] > 0.0f) {
                f.intensity[b] = 0.0f;
                f.weight[b] = 0.0f;
            }
        }
        out.push_back(std::move(f));
    }
    return out;
}

// The results file's /c2 (h5py) against the brute force of `frames` where its flags say valid.
QString compareResultsC2(const QString& path, const std::vector<fxs::PolarFrame>& frames)
{
    const QString out = fxs::test::h5pyOnResults(path,
        QStringLiteral("import numpy as np\n"
                       "print(int(f['/c2'].attrs['shots']))\n"
                       "v = f['/c2/c2'][()].ravel(); fl = f['/c2/flags'][()].ravel()\n"
                       "print(' '.join('nan' if fl[i] else repr(float(v[i])) for i in range(v.size)))\n"));
    const QStringList lines = out.trimmed().split('\n');
    if (lines.size() != 2 || lines[0].toLongLong() != qint64(frames.size())) {
        return QStringLiteral("results file: %1 (expected %2 shots)").arg(out.left(300)).arg(frames.size());
    }
    const fxs::test::BruteC2 b = fxs::test::bruteForce(frames, true);
    const QStringList values = lines[1].split(' ');
    int compared = 0;
    for (int i = 0; i < values.size(); ++i) {
        if (values[i] == "nan") {
            continue;
        }
        const double expected = b.numTotal(std::size_t(i)) / b.denTotal(std::size_t(i));
        if (std::abs(values[i].toDouble() - expected) > 1e-4 * std::abs(expected) + 1e-6) {
            return QStringLiteral("results /c2 element %1: %2, brute force %3").arg(i).arg(values[i]).arg(expected);
        }
        ++compared;
    }
    return compared > 100 ? QString() : QStringLiteral("only %1 values compared").arg(compared);
}

} // namespace

class tst_MonitorMasks : public QObject {
    Q_OBJECT
private slots:
    void rectangleDrawnMidRunDropsItsBinsForEveryShot()
    {
        QTemporaryDir dir;
        const QString cxi = makeFile(dir);
        QVERIFY2(cxi.endsWith("run.cxi"), qPrintable(cxi));
        const auto r = runWithMask(dir, cxi,
            QStringLiteral(R"({"pause_at_shot": 200, "changes": [{"mask_rect": [0.3, -1.2, 1.3, 0.2]},
                {"mask_save": "%1"}, {"mask_save": "%2"}]})")
                .arg(dir.filePath("saved.h5"), dir.filePath("saved.geom"))
                .toUtf8());
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto frames = fxs::test::readPolar(dir.filePath("polar.bin"));
        QCOMPARE(int(frames.size()), kShots);
        int dropped = 0;
        const auto masked = withBinsDropped(frames, &dropped);
        QVERIFY2(dropped >= 3 && dropped < kQ * kPhi / 4, qPrintable(QString::number(dropped)));
        // The explorer: every accepted shot (0–298) with the bins dropped, the ones before the mask too.
        const QString c2 = fxs::test::compareC2(dir.filePath("c2.json"), masked);
        QVERIFY2(c2.isEmpty(), qPrintable(c2));
        const QStringList files = QDir(dir.filePath("results")).entryList({ "*.h5" });
        QCOMPARE(files.size(), 1);
        const QString file = compareResultsC2(dir.filePath("results/" + files.first()), masked);
        QVERIFY2(file.isEmpty(), qPrintable(file));
        // The saved files hold exactly the rectangle's pixels (numpy's closed form again).
        const auto saved = fxs::test::runPython(QStringLiteral(R"(
import h5py, sys, re, numpy as np
s, f = np.meshgrid(np.arange(64), np.arange(64), indexing='ij')
x, y = (f - 31.5) * 0.1, (s - 31.5) * 0.1
inside = (x > 0.3) & (x < 1.3) & (y > -1.2) & (y < 0.2)
m = h5py.File(sys.argv[1], 'r')['/data/mask'][()] != 0
regions = {}
for line in open(sys.argv[2]):
    g = re.match(r'\s*(bad_[^/]+)/(min_fs|max_fs|min_ss|max_ss)\s*=\s*(-?\d+)', line)
    if g:
        regions.setdefault(g.group(1), {})[g.group(2)] = int(g.group(3))
b = np.zeros((64, 64), bool)
for r in regions.values():
    b[r['min_ss']:r['max_ss'] + 1, r['min_fs']:r['max_fs'] + 1] = True
print(int(m.sum()), bool((m == inside).all()), int(b.sum()), bool((b == inside).all()))
)"),
            { dir.filePath("saved.h5"), dir.filePath("saved.geom") });
        QVERIFY2(saved.ok(), saved.err.constData());
        QCOMPARE(saved.out.trimmed(), QByteArray("140 True 140 True"));
        // The results file says which mask acted: numpy's 140 pixels in /analysis/window_mask, and the configuration
        // counts them and the bins the indicator frame reached.
        const QString recorded = fxs::test::h5pyOnResults(dir.filePath("results/" + files.first()),
            QStringLiteral("import json\nimport numpy as np\n"
                           "s, f2 = np.meshgrid(np.arange(64), np.arange(64), indexing='ij')\n"
                           "x, y = (f2 - 31.5) * 0.1, (s - 31.5) * 0.1\n"
                           "inside = (x > 0.3) & (x < 1.3) & (y > -1.2) & (y < 0.2)\n"
                           "m = f['/analysis/window_mask'][()] != 0\n"
                           "c = f['/run/configuration'][()]\n"
                           "w = json.loads(c.decode() if isinstance(c, bytes) else c)['window_mask']\n"
                           "print(bool((m == inside).all()), w['pixels_masked'], w['polar_bins_dropped'])\n"));
        QCOMPARE(recorded.trimmed(), QStringLiteral("True 140 %1").arg(dropped));
    }

    void maskClearedAndVetoChangedAfterTheEndRewriteTheResults()
    {
        QTemporaryDir dir;
        const QString cxi = makeFile(dir);
        QVERIFY2(cxi.endsWith("run.cxi"), qPrintable(cxi));
        const auto r = runWithMask(dir, cxi,
            QStringLiteral(R"({"pause_at_shot": 200, "changes": [{"mask_load": "%1"}],
                "after_end": [{"mask_clear": true}, {"veto": [20, 119], "reason": "beam dump"}]})")
                .arg(dir.filePath("numpy-mask.h5"))
                .toUtf8());
        QVERIFY2(r.exitCode == 0, r.err.constData());
        // The mask loaded mid-run acted on every shot: the C2 written at the run's end (its message says so) is the
        // masked one; after the end it was corrected back, which the checks below see.
        QVERIFY2(r.err.contains("Run ended: 300 frames read, 299 shots in C2"), r.err.constData());
        bool loaded = false; // the panel said so while the run went on
        QFile log(dir.filePath("counts.jsonl"));
        QVERIFY(log.open(QIODevice::ReadOnly));
        for (const QByteArray& line : log.readAll().split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            loaded |= o.value("masks").toString().startsWith("140 pixels masked · ")
                && o.value("masks").toString().contains("polar bins dropped from C2");
        }
        QVERIFY(loaded);
        QVERIFY2(r.err.contains("results file written again"), r.err.constData());
        const auto frames = fxs::test::readPolar(dir.filePath("polar.bin"));
        QCOMPARE(int(frames.size()), kShots);
        std::vector<fxs::PolarFrame> accepted; // unmasked, max ≤ 2,000 (not the indicator), not 20–119
        QStringList expected;
        for (const auto& f : frames) {
            if (f.shotIndex < 299 && (f.shotIndex < 20 || f.shotIndex > 119)) {
                accepted.push_back(f);
                expected << QString::number(f.shotIndex);
            }
        }
        const QString c2 = fxs::test::compareC2(dir.filePath("c2.json"), accepted);
        QVERIFY2(c2.isEmpty(), qPrintable(c2));
        // One results file, the same name, written again (no temporary left beside it).
        const QStringList files = QDir(dir.filePath("results")).entryList(QDir::Files);
        QCOMPARE(files.size(), 1);
        const QString path = dir.filePath("results/" + files.first());
        QVERIFY2(r.err.contains(files.first().toUtf8()), r.err.constData());
        const QString file = compareResultsC2(path, accepted);
        QVERIFY2(file.isEmpty(), qPrintable(file));
        const QString ledger = fxs::test::h5pyOnResults(path,
            QStringLiteral("s = f['/ledger/shot_index'][()][f['/ledger/accepted'][()] == 1]\n"
                           "print(' '.join(str(v) for v in sorted(s)))\n"));
        QCOMPARE(ledger.trimmed(), expected.join(' '));
        // The mask was cleared before the rewrite: the file records none.
        const QString none = fxs::test::h5pyOnResults(path,
            QStringLiteral("import json\nc = f['/run/configuration'][()]\n"
                           "print('window_mask' in json.loads(c.decode() if isinstance(c, bytes) else c), "
                           "'window_mask' in f.get('/analysis', {}))\n"));
        QCOMPARE(none.trimmed(), QStringLiteral("False False"));
    }
};

QTEST_GUILESS_MAIN(tst_MonitorMasks)
#include "tst_MonitorMasks.moc"
