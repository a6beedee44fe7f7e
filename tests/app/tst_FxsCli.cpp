// The real `fxs` binary driven through QProcess: exit codes, messages, config files, results files read back by
// h5py, correlate against an in-test C2Accumulator on the same frames, Ctrl-C + resume against an uninterrupted run.
#include "H5pyResults.h"
#include "PythonRunner.h"

#include <QtTest>
#include <csignal>
#include <fxs/correlation/C2Accumulator.h>
#include <fxs/sources/CxiFileSource.h>
#include <fxs/geometry/GeomParser.h>
#include <fxs/polar/PolarRemapper.h>

namespace {

// A small detector (96 × 96 pixels of 300 µm at 0.25 m, 9 keV) so that every run takes seconds on 2 cores.
const char* kSmallGeom = "photon_energy = 9000\n"
                         "p0/min_fs = 0\np0/max_fs = 95\np0/min_ss = 0\np0/max_ss = 95\n"
                         "p0/fs = +1.0x +0.0y\np0/ss = +0.0x +1.0y\n"
                         "p0/corner_x = -48.3\np0/corner_y = -47.7\n"
                         "p0/res = 3333.3333333333335\np0/clen = 0.25\np0/coffset = 0.0\n";
constexpr int kShots = 120;
constexpr int kNQ = 20;
constexpr int kNPhi = 32;
constexpr double kQMin = 0.05;
constexpr double kQMax = 0.2;

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

QString fxsBin() { return qEnvironmentVariable("FXS_BIN_DIR") + "/fxs"; }

Run runFxs(const QStringList& args, int timeoutMs = 120000)
{
    QProcess p;
    p.start(fxsBin(), args);
    Run r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = "fxs timed out";
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

// Prints a JSON summary of a results file, read with h5py (an independent reader).
const char* kSummary = R"(
import h5py, json, sys, numpy as np
f = h5py.File(sys.argv[1], 'r')
c2 = f['c2']
wi, ws = f['sums/weighted_intensity'][()], f['sums/weight_sum'][()]
mean = np.where(ws > 0, wi / np.where(ws > 0, ws, 1), 0)
flags = c2['flags'][()]
v = c2['c2'][()]
d, fd = np.einsum('iik->ik', v), np.einsum('iik->ik', flags)
sym = np.abs(d[:, 1:] - d[:, :0:-1])[fd[:, 1:] == 0].max() / np.abs(d).max()
print(json.dumps({
  'n_q': int(c2.attrs['n_q']), 'n_phi': int(c2.attrs['n_phi']), 'shots': int(c2.attrs['shots']),
  'ledger': len(f['ledger/shot_index']), 'accepted': int(f['ledger/accepted'][()].sum()),
  'unique': len(set(f['ledger/shot_index'][()].tolist())),
  'cc': float(c2.attrs['split_half_cc']), 'mean_err': float(np.abs(mean - c2['mean_image'][()]).max()),
  'mean_positive': bool((c2['mean_image'][()][ws > 0] > 0).all()), 'c2_symmetry': float(sym),
  'config': json.loads(f['run/configuration'][()])}))
)";

QJsonObject summary(const QString& path)
{
    const auto r = fxs::test::runPython(kSummary, { path });
    if (!r.ok()) {
        qWarning() << r.err;
        return {};
    }
    return QJsonDocument::fromJson(r.out).object();
}

} // namespace

class tst_FxsCli : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_cxi;
    QString m_geom;
    QStringList correlateArgs(const QString& out) const
    {
        return { "correlate", m_cxi, "--geometry", m_geom, "--out", out, "--n-q", QString::number(kNQ), "--n-phi",
            QString::number(kNPhi), "--q-min", QString::number(kQMin), "--q-max", QString::number(kQMax), "--threads",
            "2" };
    }

private slots:
    void initTestCase()
    {
        QVERIFY(QFileInfo(fxsBin()).isExecutable());
        if (!fxs::test::pythonHas("h5py")) {
            QSKIP("python3-h5py is not installed");
        }
        m_geom = m_dir.filePath("small.geom");
        QFile g(m_geom);
        QVERIFY(g.open(QIODevice::WriteOnly));
        g.write(kSmallGeom);
        g.close();
        m_cxi = m_dir.filePath("run.cxi");
        const Run r = runFxs({ "simulate", "--out", m_cxi, "--shots", QString::number(kShots), "--geometry", m_geom,
            "--model", "triangle3", "--photons", "200" });
        QVERIFY2(r.exitCode == 0, r.err.constData());
    }

    void demoResultsReadBack()
    {
        const QString out = m_dir.filePath("demo");
        const Run r = runFxs({ "demo", "--out", out, "--shots", "150", "--n-q", "24", "--n-phi", "32" });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains("demo_results.h5"));
        const QJsonObject s = summary(out + "/demo_results.h5");
        QCOMPARE(s["n_q"].toInt(), 24);
        QCOMPARE(s["n_phi"].toInt(), 32);
        QCOMPARE(s["ledger"].toInt(), 150); // every shot has one ledger entry
        QCOMPARE(s["unique"].toInt(), 150);
        QCOMPARE(s["accepted"].toInt(), s["shots"].toInt()); // accepted shots are exactly those in C2
        QVERIFY(s["shots"].toInt() > 100);
        QVERIFY(s["cc"].toDouble() > 0.5 && s["cc"].toDouble() <= 1.0);
        QVERIFY(s["mean_err"].toDouble() < 1e-9); // mean image = Σ w I / Σ w recomputed by numpy
        QVERIFY(s["mean_positive"].toBool());
        QVERIFY(s["c2_symmetry"].toDouble() < 1e-6); // C2(q, q, Δ) = C2(q, q, −Δ): the diagonal is even in Δ
        QCOMPARE(s["config"].toObject()["shots"].toInt(), 150);
        if (r.out.contains("figure:")) { // builds with the widgets draw PNGs: check the PNG signature and IHDR size
            QFile png(out + "/c2_vs_delta.png");
            QVERIFY(png.open(QIODevice::ReadOnly));
            const QByteArray head = png.read(24);
            QVERIFY(head.startsWith("\x89PNG\r\n\x1a\n"));
            const auto be32 = [&](int at) {
                return (quint32(quint8(head[at])) << 24) | (quint32(quint8(head[at + 1])) << 16)
                    | (quint32(quint8(head[at + 2])) << 8) | quint32(quint8(head[at + 3]));
            };
            QVERIFY(be32(16) >= 800 && be32(20) >= 600);
        }
    }

    void badInput_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("named");
        QTest::newRow("not hdf5") << QStringList { "correlate", "@broken", "--geometry", "@geom", "--out", "@x" } << 2
                                  << "broken.cxi";
        QTest::newRow("missing file") << QStringList { "inspect", "@missing" } << 2 << "missing.cxi";
        QTest::newRow("inspect not hdf5") << QStringList { "inspect", "@broken" } << 2 << "broken.cxi";
        QTest::newRow("bad option value") << QStringList { "demo", "--n-q", "-5" } << 2 << "--n-q";
        QTest::newRow("unknown option") << QStringList { "correlate", "@broken", "--out", "@x", "--frobnicate" } << 2
                                        << "--frobnicate";
        QTest::newRow("bad geometry") << QStringList { "correlate", "@cxi", "--geometry", "@broken", "--out", "@x" }
                                      << 2 << "broken.cxi";
        QTest::newRow("results expected") << QStringList { "invariants", "@cxi", "--l-max", "4" } << 2 << "/sums";
    }

    void badInput()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, named);
        const QString broken = m_dir.filePath("broken.cxi");
        QFile b(broken);
        QVERIFY(b.open(QIODevice::WriteOnly));
        b.write("this is not an HDF5 file\n");
        b.close();
        for (QString& a : args) {
            a = a == "@broken"    ? broken
                : a == "@missing" ? m_dir.filePath("missing.cxi")
                : a == "@geom"    ? m_geom
                : a == "@cxi"     ? m_cxi
                : a == "@x"       ? m_dir.filePath("x.h5")
                                  : a;
        }
        const Run r = runFxs(args);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(r.err.contains(named.toUtf8()), r.err.constData());
        QVERIFY(r.err.count('\n') <= 3); // a short message, not a stack of library errors
    }

    void inspectListsAndMeasures()
    {
        const Run r = runFxs({ "inspect", m_cxi, "--frames", "2" });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains("/entry_1/data_1/data  (" + QByteArray::number(kShots) + " x 96 x 96) uint16"),
            r.out.constData());
        // Frame 1's min, max, mean and sum by numpy, against the table line of shot 1.
        const char* script = R"(
import h5py, sys
d = h5py.File(sys.argv[1], 'r')['entry_1/data_1/data'][1].astype('float64')
print('%g %g %g %g' % (d.min(), d.max(), d.mean(), d.sum()))
)";
        const auto py = fxs::test::runPython(script, { m_cxi });
        QVERIFY2(py.ok(), py.err.constData());
        const QList<QByteArray> want = py.out.simplified().split(' ');
        QByteArray line;
        for (const QByteArray& l : r.out.split('\n')) {
            if (l.simplified().startsWith("1 ")) {
                line = l.simplified();
            }
        }
        const QList<QByteArray> got = line.split(' ');
        QVERIFY2(got.size() == 6, line.constData());
        for (int i = 0; i < 4; ++i) {
            QVERIFY2(qAbs(got[i + 1].toDouble() - want[i].toDouble()) <= 1e-5 * qAbs(want[i].toDouble()) + 1e-9,
                line.constData());
        }
        // A truncated copy is refused with exit 2, naming the file.
        const QString cut = m_dir.filePath("truncated.cxi");
        QFile::remove(cut);
        QVERIFY(QFile::copy(m_cxi, cut));
        QFile c(cut);
        QVERIFY(c.open(QIODevice::ReadWrite));
        QVERIFY(c.resize(c.size() / 3));
        c.close();
        const Run t = runFxs({ "inspect", cut });
        QCOMPARE(t.exitCode, 2);
        QVERIFY2(t.err.contains("truncated.cxi"), t.err.constData());
    }

    void benchPassesArgumentsOn()
    {
        const QString bench = qEnvironmentVariable("FXS_BIN_DIR") + "/fxs-bench";
        if (!QFileInfo(bench).isExecutable()) {
            QSKIP("fxs-bench is not built");
        }
        QProcess direct;
        direct.start(bench, { "no-such-benchmark" });
        QVERIFY(direct.waitForFinished(30000));
        const Run viaFxs = runFxs({ "bench", "no-such-benchmark" });
        QCOMPARE(viaFxs.exitCode, direct.exitCode());
        QCOMPARE(viaFxs.err + viaFxs.out, direct.readAllStandardError() + direct.readAllStandardOutput());
    }

    void configFileSetsOptions()
    {
        const QString cfg = m_dir.filePath("demo.json");
        QFile c(cfg);
        QVERIFY(c.open(QIODevice::WriteOnly));
        c.write(R"({"shots": 90, "n-q": 16, "n-phi": 32, "no-figures": true, "seed": 3})");
        c.close();
        const QString out = m_dir.filePath("cfgdemo");
        Run r = runFxs({ "demo", "--config", cfg, "--out", out });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QJsonObject s = summary(out + "/demo_results.h5");
        QCOMPARE(s["n_q"].toInt(), 16);
        QCOMPARE(s["ledger"].toInt(), 90);
        QCOMPARE(s["config"].toObject()["seed"].toInt(), 3);
        QVERIFY(!QFile::exists(out + "/c2_vs_delta.png"));
        // The command line wins over the file.
        r = runFxs({ "demo", "--config", cfg, "--out", out, "--shots", "70" });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(summary(out + "/demo_results.h5")["ledger"].toInt(), 70);
        // An unknown key names the file and the key.
        QFile bad(m_dir.filePath("bad.json"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write(R"({"shotz": 10})");
        bad.close();
        r = runFxs({ "demo", "--config", bad.fileName(), "--out", out });
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("bad.json") && r.err.contains("shotz"));
    }

    void correlateEqualsInTestAccumulator()
    {
        const QString out = m_dir.filePath("corr.h5");
        const Run r = runFxs(correlateArgs(out));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        // Independent run on the same frames: the file read by CxiFileSource, remapped, one C2Accumulator in double.
        auto geometry = fxs::GeomParser::parseFile(m_geom.toStdString());
        QVERIFY(geometry.ok());
        const fxs::PolarGrid grid { kNQ, kNPhi, kQMin, kQMax };
        auto remapper = fxs::PolarRemapper::create(*geometry, grid);
        QVERIFY(remapper.ok());
        fxs::CxiSourceOptions so;
        so.validate = false;
        auto source = fxs::CxiFileSource::open(m_cxi.toStdString(), so);
        QVERIFY(source.ok());
        fxs::C2Config cfg;
        cfg.nQ = kNQ;
        cfg.nPhi = kNPhi;
        cfg.precision = fxs::C2Precision::Double;
        fxs::C2Accumulator acc(cfg);
        while (true) {
            auto f = (*source)->next();
            QVERIFY(f.ok());
            if (!f->has_value()) {
                break;
            }
            auto p = remapper->remap(**f);
            QVERIFY(p.ok());
            QVERIFY(acc.add(*p).ok());
        }
        acc.flush();
        const fxs::C2Sums& s = acc.sums();
        QCOMPARE(s.totalShots(), std::int64_t(kShots));
        // Hand the in-test sums to numpy as raw float64 and compare with the results file.
        const QString raw = m_dir.filePath("sums.bin");
        QFile f(raw);
        QVERIFY(f.open(QIODevice::WriteOnly));
        for (int h = 0; h < 2; ++h) {
            f.write(reinterpret_cast<const char*>(s.signal[h].data()), qint64(s.signal[h].size() * 16));
        }
        f.write(reinterpret_cast<const char*>(s.weightedIntensity.data()), qint64(s.weightedIntensity.size() * 8));
        f.close();
        const char* script = R"(
import h5py, sys, numpy as np
f = h5py.File(sys.argv[1], 'r')
raw = np.fromfile(sys.argv[2], dtype=np.float64)
sig = [f['sums/signal_even'][()], f['sums/signal_odd'][()]]
n = sig[0].size
mine = [raw[:2*n].view(np.complex128).reshape(sig[0].shape), raw[2*n:4*n].view(np.complex128).reshape(sig[0].shape)]
wi = raw[4*n:].reshape(f['sums/weighted_intensity'].shape)
d = max(np.abs(sig[h] - mine[h]).max() / np.abs(mine[h]).max() for h in range(2))
d = max(d, np.abs(f['sums/weighted_intensity'][()] - wi).max() / np.abs(wi).max())
print(d, int(f['sums'].attrs['shots_even']), int(f['sums'].attrs['shots_odd']))
)";
        const auto py = fxs::test::runPython(script, { out, raw });
        QVERIFY2(py.ok(), py.err.constData());
        const QList<QByteArray> fields = py.out.trimmed().split(' ');
        QCOMPARE(fields.size(), 3);
        QVERIFY2(fields[0].toDouble() < 1e-5, fields[0].constData()); // single-precision batches vs double
        QCOMPARE(fields[1].toLongLong(), s.shots[0]);
        QCOMPARE(fields[2].toLongLong(), s.shots[1]);
        // The per-shot sums of the ledger statistics against numpy's frame sums (every pixel of this detector is
        // valid).
        const char* sums = R"(
import h5py, sys, numpy as np
st = h5py.File(sys.argv[1], 'r')['analysis/shot_statistics'][()]
d = h5py.File(sys.argv[2], 'r')['entry_1/data_1/data'][()].astype(np.float64).sum(axis=(1, 2))
print(float(np.abs(st[:, 1] - d[st[:, 0].astype(int)]).max()), len(st))
)";
        const auto check = fxs::test::runPython(sums, { out, m_cxi });
        QVERIFY2(check.ok(), check.err.constData());
        QCOMPARE(check.out.trimmed(), QByteArray("0.0 ") + QByteArray::number(kShots));
    }

    void polarStackWithMask()
    {
        // A polar stack (N, n_q, n_phi) with a 2-D mask, written by h5py; C2 checked against a numpy brute force of
        // the masked, ring-mean-subtracted correlation (FXS_SPEC §2) of the same numbers.
        const QString in = m_dir.filePath("polar.h5");
        const QString out = m_dir.filePath("polar_results.h5");
        const char* make = R"(
import h5py, sys, numpy as np
rng = np.random.default_rng(7)
I = rng.gamma(2.0, 3.0, size=(40, 8, 16)).astype(np.float32)
I[:, :, 3] += 5 * np.cos(np.arange(8))[None, :]
w = np.ones((8, 16), np.float32); w[2, 4:7] = 0; w[5, 10] = 0.5
with h5py.File(sys.argv[1], 'w') as f:
    f['polar/intensity'] = I
    f['polar/mask'] = w
)";
        auto py = fxs::test::runPython(make, { in });
        QVERIFY2(py.ok(), py.err.constData());
        const Run r = runFxs({ "correlate", in, "--polar", "--dataset", "/polar/intensity", "--weights", "/polar/mask",
            "--q-min", "0.1", "--q-max", "0.5", "--wavelength", "1.0", "--out", out, "--threads", "2" });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const char* check = R"(
import h5py, sys, numpy as np
f = h5py.File(sys.argv[1], 'r'); g = h5py.File(sys.argv[2], 'r')
I = f['polar/intensity'][()].astype(np.float64); w = f['polar/mask'][()].astype(np.float64)
mean = (w * I).sum(axis=2, keepdims=True) / w.sum(axis=1, keepdims=True)[None]
dI = w[None] * (I - mean)
nq, nphi = w.shape
num = np.zeros((nq, nq, nphi)); den = np.zeros((nq, nq, nphi))
for k in range(nphi):
    num[:, :, k] = np.einsum('jap,jbp->ab', dI, np.roll(dI, -k, axis=2))
    den[:, :, k] = len(I) * np.einsum('ap,bp->ab', w, np.roll(w, -k, axis=1))
c2 = g['c2/c2'][()]; flags = g['c2/flags'][()]
ok = flags == 0
ref = num / np.where(den > 0, den, 1)
print(float(np.abs(c2 - ref)[ok].max() / np.abs(ref[ok]).max()), int(ok.sum()), int(g['c2'].attrs['shots']))
)";
        py = fxs::test::runPython(check, { in, out });
        QVERIFY2(py.ok(), py.err.constData());
        const QList<QByteArray> v = py.out.trimmed().split(' ');
        QCOMPARE(v.size(), 3);
        QVERIFY2(v[0].toDouble() < 1e-5, py.out.constData());
        QVERIFY(v[1].toInt() > 8 * 8 * 16 / 2);
        QCOMPARE(v[2].toInt(), 40);
    }

    void twoFilesAreOneRun()
    {
        // Shot indices continue across files; with an even first file the even/odd halves of the chained run are
        // the sums of the two files' halves (numpy adds the separate runs' sums).
        const QString second = m_dir.filePath("run2.cxi");
        Run r = runFxs({ "simulate", "--out", second, "--shots", "40", "--geometry", m_geom, "--model", "triangle3",
            "--photons", "200", "--seed", "2" });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QString a = m_dir.filePath("a.h5"), b = m_dir.filePath("b.h5"), ab = m_dir.filePath("ab.h5");
        QVERIFY(runFxs(correlateArgs(a)).exitCode == 0);
        QStringList args = correlateArgs(b);
        args[1] = second;
        QVERIFY(runFxs(args).exitCode == 0);
        args = correlateArgs(ab);
        args.insert(2, second);
        r = runFxs(args);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const char* script = R"(
import h5py, sys, numpy as np
a, b, ab = (h5py.File(p, 'r') for p in sys.argv[1:4])
d = 0.0
for k in ['signal_even', 'signal_odd', 'mask_even', 'weighted_intensity', 'weight_sum']:
    x = a['sums/' + k][()] + b['sums/' + k][()]
    d = max(d, float(np.abs(ab['sums/' + k][()] - x).max() / np.abs(x).max()))
idx = ab['ledger/shot_index'][()]
print(d, len(idx), int(idx.max()), len(ab['inputs/path']) if 'inputs/path' in ab else -1)
)";
        const auto py = fxs::test::runPython(script, { a, b, ab });
        QVERIFY2(py.ok(), py.err.constData());
        const QList<QByteArray> v = py.out.trimmed().split(' ');
        QCOMPARE(v.size(), 4);
        QVERIFY2(v[0].toDouble() < 1e-6, py.out.constData());
        QCOMPARE(v[1].toInt(), kShots + 40);
        QCOMPARE(v[2].toInt(), kShots + 39);
    }

    void liveFileFollowed()
    {
        // fxs simulate --live writes a SWMR file at 60 shots/s while fxs correlate --live follows it; the result
        // equals a correlate of the finished file.
        const QString live = m_dir.filePath("live.cxi");
        QProcess writer;
        writer.start(fxsBin(),
            { "simulate", "--out", live, "--shots", "60", "--geometry", m_geom, "--model", "triangle3", "--photons",
                "200", "--rate", "60", "--live" });
        QVERIFY(writer.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(live), 20000);
        QTest::qWait(300); // let the writer switch the new file to SWMR mode before a reader opens it
        QStringList args = correlateArgs(m_dir.filePath("live.h5"));
        args[1] = live;
        args << "--live"
             << "--idle-timeout"
             << "20";
        Run r = runFxs(args);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(writer.waitForFinished(30000));
        QCOMPARE(writer.exitCode(), 0);
        args = correlateArgs(m_dir.filePath("closed.h5"));
        args[1] = live;
        QVERIFY(runFxs(args).exitCode == 0);
        QCOMPARE(summary(m_dir.filePath("live.h5"))["shots"].toInt(), 60);
        QVERIFY(fxs::test::h5pySumsDifference(m_dir.filePath("closed.h5"), m_dir.filePath("live.h5")) < 1e-6);
    }

    void reportDrawsFigures()
    {
        const QString in = m_dir.filePath("report_in.h5");
        QVERIFY(runFxs(correlateArgs(in)).exitCode == 0);
        const QString dir = m_dir.filePath("report");
        const Run r = runFxs({ "report", in, "--out", dir, "--pdf" });
        if (r.exitCode == 1 && r.err.contains("without the Qt widgets")) {
            QSKIP("fxs was built without the widgets");
        }
        QVERIFY2(r.exitCode == 0, r.err.constData());
        for (const char* name : { "c2_vs_delta", "c2_map_q_q", "mean_polar", "convergence" }) {
            QFile png(dir + "/" + name + ".png");
            QVERIFY2(png.open(QIODevice::ReadOnly), name);
            QVERIFY(png.read(8) == QByteArray("\x89PNG\r\n\x1a\n", 8));
            QFile pdf(dir + "/" + name + ".pdf");
            QVERIFY2(pdf.open(QIODevice::ReadOnly), name);
            QVERIFY(pdf.read(5) == "%PDF-");
        }
    }

    void interruptThenResume()
    {
        const QString full = m_dir.filePath("full.h5");
        Run r = runFxs(correlateArgs(full));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QString part = m_dir.filePath("part.h5");
        QProcess p;
        p.start(fxsBin(),
            correlateArgs(part) << "--rate"
                                << "30");
        QVERIFY(p.waitForStarted());
        // The "->" line comes right before the shots start flowing; 1.5 s later some 45 of 120 shots are in.
        QByteArray err;
        QTRY_VERIFY_WITH_TIMEOUT(
            (err += p.readAllStandardError()).contains("->") || p.state() != QProcess::Running, 30000);
        QVERIFY2(p.state() == QProcess::Running, err.constData());
        QTest::qWait(1500);
        ::kill(static_cast<pid_t>(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 130);
        QVERIFY(QFile::exists(part + ".ckpt"));
        const int partial = summary(part)["shots"].toInt();
        QVERIFY2(partial > 0 && partial < kShots, QByteArray::number(partial).constData());
        r = runFxs(correlateArgs(part) << "--resume");
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains(QByteArray::number(partial) + " from the checkpoint"));
        const QJsonObject s = summary(part);
        QCOMPARE(s["shots"].toInt(), kShots);
        QCOMPARE(s["ledger"].toInt(), kShots); // every shot counted once
        QCOMPARE(s["unique"].toInt(), kShots);
        QVERIFY(fxs::test::h5pySumsDifference(full, part) < 1e-6);
        // A resume with other science settings is refused, naming the checkpoint.
        r = runFxs(correlateArgs(part) << "--resume"
                                       << "--min-total"
                                       << "5");
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("part.h5.ckpt") || r.err.contains("configuration"), r.err.constData());
    }

    void simulateCorrelateReconstruct()
    {
        const QString corr = m_dir.filePath("rec_in.h5");
        Run r = runFxs(correlateArgs(corr));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QString inv = m_dir.filePath("inv.h5");
        r = runFxs({ "invariants", corr, "--l-max", "6", "--out", inv });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QString mrc = m_dir.filePath("rec.mrc");
        r = runFxs({ "reconstruct", inv, "--grid-size", "16", "--starts", "1", "--cycles", "1", "--particle-diameter",
            "40", "--out", m_dir.filePath("rec.h5"), "--mrc", mrc });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        // MRC2014 header: nx, ny, nz (int32 at 0, 4, 8), mode 2 at 12, "MAP " at 208; then 16³ float32 voxels.
        QFile m(mrc);
        QVERIFY(m.open(QIODevice::ReadOnly));
        const QByteArray bytes = m.readAll();
        QCOMPARE(bytes.size(), 1024 + 16 * 16 * 16 * 4);
        const auto* h = reinterpret_cast<const std::int32_t*>(bytes.constData());
        QCOMPARE(h[0], 16);
        QCOMPARE(h[2], 16);
        QCOMPARE(h[3], 2);
        QCOMPARE(bytes.mid(208, 4), QByteArray("MAP "));
    }
};

QTEST_GUILESS_MAIN(tst_FxsCli)
#include "tst_FxsCli.moc"
