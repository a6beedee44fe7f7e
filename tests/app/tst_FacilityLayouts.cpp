// Data layouts as facilities write them, each written by the facility's own (independent) tools and read by
// `fxs correlate` end to end.
// - European XFEL: a run of 16 AGIPD module files made by EXtra-data's test generator (python3-extra-data) and
//   its `AGIPD1M(run).write_virtual_cxi()`: a CXI file whose (frames, 16, 512, 128) float32 data, uint32 `mask`
//   and train/pulse ids are HDF5 virtual datasets over the module files. Read through a 16-module AGIPD-like
//   CrystFEL geometry (`dim1` = module index) whose `mask` is that per-frame mask: every shot's statistics must
//   match numpy's over the pixels the frame's own mask leaves (h5py reading the same virtual dataset), and the
//   ledger must hold each shot's train id, pulse id and index in its train.
// - DECTRIS NeXus: a master file whose /entry/data/data_000001, data_000002 are external links to data files of
//   bitshuffle-LZ4 uint32 frames (h5py with the bitshuffle filter), gaps marked 0xFFFFFFFF and masked by the
//   master's pixel_mask: the frames of both files are read in order, from another working directory, and a
//   missing data file stops the run before it, saying so.
#include "FacilityWriters.h"
#include "ProgramRunner.h"
#include "PythonRunner.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

namespace {

constexpr int kFrames = fxs::test::kEuXfelFrames;
using fxs::test::agipdLikeGeometry;
using fxs::test::kDectrisGeometry;
using fxs::test::kDectrisWriter;
using fxs::test::kEuXfelWriter;

// Per shot read by fxs: what numpy finds over the same frames (h5py through the virtual datasets), and what the
// results file says.
const char* kEuXfelOracle = R"(
import json, sys, h5py, numpy as np
cxi, results, frames = sys.argv[1], sys.argv[2], int(sys.argv[3])
f = h5py.File(cxi, 'r')
data = f['entry_1/instrument_1/detector_1/data'][:frames].reshape(frames, -1).astype(np.float64)
mask = f['entry_1/instrument_1/detector_1/mask'][:frames].reshape(frames, -1)
good = (mask == 0) & np.isfinite(data)
r = h5py.File(results, 'r')
stats = r['analysis/shot_statistics'][()]
print(json.dumps({
    'oracle_sum': [float(data[i][good[i]].sum()) for i in range(frames)],
    'oracle_masked': [float(1.0 - good[i].mean()) for i in range(frames)],
    'oracle_train': [int(v) for v in f['entry_1/trainId'][:frames]],
    'oracle_pulse': [int(v) for v in f['entry_1/pulseId'][:frames]],
    'sum': [float(v) for v in stats[:, 1]],
    'masked': [float(v) for v in stats[:, 5]],
    'train': [int(v) for v in r['ledger/series_id'][()]],
    'frame_number': [int(v) for v in r['ledger/frame_number'][()]],
    'pulse': [int(v) for v in r['ledger/pulse_id'][()]],
    'accepted': [int(v) for v in r['ledger/accepted'][()]],
}))
)";

const char* kDectrisOracle = R"(
import json, sys, h5py, numpy as np
master, results = sys.argv[1], sys.argv[2]
f = h5py.File(master, 'r')
links = sorted(k for k in f['entry/data'].keys() if k.startswith('data_'))
stacks = []
for k in links:
    try:
        stacks.append(f['entry/data/' + k][()])
    except KeyError:  # a dangling external link: the data file is missing, the run ends before it
        break
frames = np.concatenate(stacks).astype(np.float64)
good = f['entry/instrument/detector/detectorSpecific/pixel_mask'][()] == 0
r = h5py.File(results, 'r')
stats = r['analysis/shot_statistics'][()]
print(json.dumps({'oracle_sum': [float(x[good].sum()) for x in frames],
                  'oracle_masked': float(1.0 - good.mean()),
                  'sum': [float(v) for v in stats[:, 1]], 'masked': [float(v) for v in stats[:, 5]]}))
)";

QList<double> numbers(const QJsonValue& v)
{
    QList<double> out;
    for (const auto& x : v.toArray()) {
        out << x.toDouble();
    }
    return out;
}

} // namespace

class tst_FacilityLayouts : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void euXfelVirtualCxiWithMaskPerFrame()
    {
        if (!fxs::test::pythonHas("extra_data")) {
            QSKIP("python3-extra-data is not installed (packaging/install-deps installs it)");
        }
        const auto w = fxs::test::runPython(kEuXfelWriter, { m_dir.path(), QString::number(kFrames) }, 120000);
        QVERIFY2(w.ok(), w.err.constData());
        const QString cxi = m_dir.filePath("spb.cxi");
        const QString geom = m_dir.filePath("agipd.geom");
        QFile g(geom);
        QVERIFY(g.open(QIODevice::WriteOnly));
        g.write(agipdLikeGeometry());
        g.close();
        const QString results = m_dir.filePath("spb.h5");
        const auto r = fxs::test::runFxs({ "correlate", cxi, "--dataset", "/entry_1/instrument_1/detector_1/data",
            "--geometry", geom, "--max-shots", QString::number(kFrames), "--n-q", "12", "--n-phi", "32", "--threads",
            "2", "--out", results });
        QVERIFY2(r.ok(), r.err.constData());

        const auto o = fxs::test::runPython(kEuXfelOracle, { cxi, results, QString::number(kFrames) });
        QVERIFY2(o.ok(), o.err.constData());
        const QJsonObject j = QJsonDocument::fromJson(o.out).object();
        const auto sum = numbers(j["sum"]), oracleSum = numbers(j["oracle_sum"]);
        const auto masked = numbers(j["masked"]), oracleMasked = numbers(j["oracle_masked"]);
        QCOMPARE(sum.size(), kFrames);
        for (int i = 0; i < kFrames; ++i) {
            qInfo() << "shot" << i << "sum" << sum[i] << "numpy" << oracleSum[i] << "masked" << masked[i] << "numpy"
                    << oracleMasked[i];
            QVERIFY2(std::abs(sum[i] - oracleSum[i]) <= 1e-6 * std::abs(oracleSum[i]), qPrintable(QString::number(i)));
            QVERIFY2(std::abs(masked[i] - oracleMasked[i]) <= 1e-12, qPrintable(QString::number(i)));
        }
        // The masks differ per frame: a static mask could not give these fractions.
        QVERIFY(oracleMasked[0] == 0.0 && oracleMasked[1] > 0.0 && oracleMasked[3] > oracleMasked[1]
            && oracleMasked[4] > 0.0);
        QCOMPARE(numbers(j["train"]), numbers(j["oracle_train"]));
        QCOMPARE(numbers(j["pulse"]), numbers(j["oracle_pulse"]));
        // The generator's first train holds 64 pulses: the first frames are pulses 0, 1, 2 … of one train.
        QList<double> index;
        for (int i = 0; i < kFrames; ++i) {
            index << i;
        }
        QCOMPARE(numbers(j["frame_number"]), index);
    }

    void dectrisMasterWithExternalDataFiles()
    {
        if (!fxs::test::pythonHas("bitshuffle.h5")) {
            QSKIP("the bitshuffle Python module is not installed (packaging/install-deps installs it)");
        }
        const QString dir = m_dir.filePath("dectris");
        QVERIFY(QDir().mkpath(dir));
        const auto w = fxs::test::runPython(kDectrisWriter, { dir });
        QVERIFY2(w.ok(), w.err.constData());
        const QString geom = m_dir.filePath("eiger.geom");
        QFile g(geom);
        QVERIFY(g.open(QIODevice::WriteOnly));
        g.write(kDectrisGeometry);
        g.close();
        const QString master = dir + "/run_master.h5";
        const auto correlate = [&](const QString& out) {
            QProcess p;
            p.setWorkingDirectory(m_dir.path()); // not the data's folder: the links resolve from the master's
            p.start(fxs::test::binPath("fxs"),
                { "correlate", master, "--geometry", geom, "--n-q", "8", "--n-phi", "16", "--out", out });
            return fxs::test::finishProgram(p);
        };
        const QString results = m_dir.filePath("dectris.h5");
        auto r = correlate(results);
        QVERIFY2(r.ok(), r.err.constData());
        QVERIFY2(r.err.contains("NeXus master") && r.err.contains("data_000002"), r.err.constData());
        auto o = fxs::test::runPython(kDectrisOracle, { master, results });
        QVERIFY2(o.ok(), o.err.constData());
        QJsonObject j = QJsonDocument::fromJson(o.out).object();
        const auto sum = numbers(j["sum"]), oracleSum = numbers(j["oracle_sum"]);
        QCOMPARE(sum.size(), 6);
        QCOMPARE(oracleSum.size(), 6);
        for (int i = 0; i < 6; ++i) {
            QVERIFY2(std::abs(sum[i] - oracleSum[i]) <= 1e-9 * oracleSum[i], qPrintable(QString::number(i)));
            QVERIFY(std::abs(numbers(j["masked"])[i] - j["oracle_masked"].toDouble()) <= 1e-12);
        }
        // The second file's frames (Poisson mean 60) follow the first's (mean 30): they are read in link order.
        QVERIFY(sum[3] > 1.5 * sum[2]);

        // The second data file gone: the run reads the first, says which one is missing, and stops there.
        QVERIFY(QFile::remove(dir + "/run_data_000002.h5"));
        const QString partial = m_dir.filePath("dectris-partial.h5");
        r = correlate(partial);
        QVERIFY2(r.ok(), r.err.constData());
        QVERIFY2(r.err.contains("data_000002") && r.err.contains("missing"), r.err.constData());
        o = fxs::test::runPython(kDectrisOracle, { master, partial });
        QVERIFY2(o.ok(), o.err.constData());
        j = QJsonDocument::fromJson(o.out).object();
        QCOMPARE(numbers(j["sum"]).size(), 3);
        QCOMPARE(numbers(j["sum"]), numbers(j["oracle_sum"]));
    }
};

QTEST_GUILESS_MAIN(tst_FacilityLayouts)
#include "tst_FacilityLayouts.moc"
