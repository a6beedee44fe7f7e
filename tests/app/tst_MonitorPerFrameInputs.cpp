// fxs-monitor (offscreen window, --quit-when-done) reads facility inputs as `fxs correlate` does (whose C2 its own
// tests check against numpy): an LCLS-like file written by h5py whose camera length changes per event (the remap
// follows it frame by frame), a European XFEL virtual CXI file made by EXtra-data with a mask per frame, and a DECTRIS
// NeXus master file with external links to bitshuffle-LZ4 data files. Each run's C2 equals the CLI's to 1e-6
// (relative norm, h5py reading both results files); the per-frame cases also differ from what the first frame's
// camera length alone, or no mask, gives (so the old monitor, which did that, fails here). A master file whose second
// data file is missing is read up to it, and the end of the run says so.
#include "FacilityWriters.h"
#include "H5pyResults.h"
#include "ProgramRunner.h"
#include "PythonRunner.h"

#include <QDir>
#include <QtTest>

namespace {

struct Grid {
    int nQ;
    int nPhi;
    double qMin;
    double qMax;
};

// The window on `input` with `geometry`, its grid and dataset from a settings file; the results file written.
QString monitorRun(const QTemporaryDir& dir, const QString& name, const QString& input, const QString& dataset,
    const QString& geometry, const Grid& g, const QStringList& extra = {}, QByteArray* said = nullptr)
{
    const QString ini = dir.filePath(name + ".ini");
    QFile f(ini);
    if (!f.open(QIODevice::WriteOnly)) {
        return {};
    }
    f.write(QStringLiteral("[run]\nsource=1\npath=%1\ndataset=%2\ngeometry=%3\n[grid]\nnQ=%4\nnPhi=%5\nqMin=%6\n"
                           "qMax=%7\n")
                .arg(input, dataset, geometry)
                .arg(g.nQ)
                .arg(g.nPhi)
                .arg(g.qMin)
                .arg(g.qMax)
                .toUtf8());
    f.close();
    const QString results = dir.filePath(name + "-results");
    const auto r = fxs::test::runMonitor(
        QStringList { "--settings", ini, "--results", results, "--quit-when-done", "--open", input } + extra, 300000);
    if (!r.ok()) {
        qWarning() << "fxs-monitor failed:" << r.exitCode << r.err;
        return {};
    }
    if (said != nullptr) {
        *said = r.err;
    }
    const auto files = QDir(results).entryList({ "*.h5" });
    return files.size() == 1 ? results + "/" + files.first() : QString();
}

QStringList correlateArgs(const QString& input, const QString& dataset, const QString& geometry, const Grid& g,
    const QString& out)
{
    return { "correlate", input, "--dataset", dataset, "--geometry", geometry, "--n-q", QString::number(g.nQ),
        "--n-phi", QString::number(g.nPhi), "--q-min", QString::number(g.qMin), "--q-max", QString::number(g.qMax),
        "--threads", "2", "--out", out };
}

// ||C2(a) − C2(b)|| / ||C2(b)|| by h5py; negative when it cannot be read.
double c2Difference(const QString& a, const QString& b)
{
    const auto r = fxs::test::runPython(fxs::test::kC2Difference, { a, b });
    if (!r.ok()) {
        qWarning() << r.err;
        return -1.0;
    }
    const auto parts = QString::fromUtf8(r.out).split(' ');
    return parts.size() == 2 && parts[1].trimmed().toInt() > 0 ? parts[0].toDouble() : -1.0;
}

QString writeText(const QTemporaryDir& dir, const QString& name, const QByteArray& text)
{
    QFile f(dir.filePath(name));
    f.open(QIODevice::WriteOnly);
    f.write(text);
    return f.fileName();
}

} // namespace

class tst_MonitorPerFrameInputs : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void cameraLengthPerFrameIsFollowed()
    {
        const QString cxi = m_dir.filePath("lcls.cxi");
        const auto w = fxs::test::runPython(fxs::test::kLclsWriter, { cxi, "100,140,120,100,140,120" });
        QVERIFY2(w.ok(), w.err.constData());
        const QString geom = writeText(m_dir, "lcls.geom", fxs::test::kLclsGeometry);
        const Grid g { 20, 32, 0.02, 0.12 };
        const QString dataset = "/entry_1/data_1/data";
        const QString cli = m_dir.filePath("lcls-cli.h5");
        auto r = fxs::test::runFxs(correlateArgs(cxi, dataset, geom, g, cli));
        QVERIFY2(r.ok(), r.err.constData());
        // The first frame's camera length for every frame: what a reader of the first value alone computes.
        const QString first = m_dir.filePath("lcls-first.h5");
        r = fxs::test::runFxs(correlateArgs(cxi, dataset, geom, g, first) << "--clen" << "0.1");
        QVERIFY2(r.ok(), r.err.constData());

        const QString mon = monitorRun(m_dir, "lcls", cxi, dataset, geom, g);
        QVERIFY(!mon.isEmpty());
        const double same = c2Difference(mon, cli), firstOnly = c2Difference(cli, first);
        qInfo() << "monitor vs fxs correlate" << same << "| first frame's clen vs per frame" << firstOnly;
        QVERIFY2(same >= 0.0 && same <= 1e-6, qPrintable(QString::number(same)));
        QVERIFY2(firstOnly > 0.05, qPrintable(QString::number(firstOnly)));
        QVERIFY2(c2Difference(mon, first) > 0.05, "the monitor used the first frame's camera length alone");
        // The results file says the values changed per frame, over which range, from where.
        const QString v = fxs::test::h5pyOnResults(mon,
            "v = c['geometry_values']\n"
            "print(v['per_frame'], v['clen_range_m'][0], v['clen_range_m'][1], v['distinct_geometries'], "
            "v['clen_source'], sep='|')\n");
        QCOMPARE(v.trimmed(), QString("True|0.1|0.14|3|data file"));
    }

    void anUnreadableGeometryMaskIsSaid()
    {
        // The geometry names a mask dataset the data file lacks: the run goes on unmasked, as fxs correlate does, and
        // the window says so in its message bar and in the run's end message, in the CLI's words but naming the
        // window's Pixel mask field.
        const QString cxi = m_dir.filePath("nomask.cxi");
        const auto w = fxs::test::runPython(fxs::test::kLclsWriter, { cxi, "100,100,100" });
        QVERIFY2(w.ok(), w.err.constData());
        const QString geom = writeText(m_dir, "nomask.geom",
            QByteArray(fxs::test::kLclsGeometry) + "mask = /entry_1/data_1/mask\n");
        const Grid g { 8, 16, 0.02, 0.12 };
        const QString dataset = "/entry_1/data_1/data";
        const auto cli = fxs::test::runFxs(correlateArgs(cxi, dataset, geom, g, m_dir.filePath("nomask-cli.h5")));
        QVERIFY2(cli.ok(), cli.err.constData());
        const QByteArray warned = "warning: the geometry's mask " + cxi.toUtf8() + ":/entry_1/data_1/mask cannot be read";
        QVERIFY2(cli.err.contains(warned), cli.err.constData());
        QByteArray said;
        const QString shots = m_dir.filePath("nomask-shots");
        const QString mon = monitorRun(m_dir, "nomask", cxi, dataset, geom, g, { "--screenshots", shots }, &said);
        QVERIFY(!mon.isEmpty());
        QVERIFY2(said.contains(warned) && said.contains("give one in the Pixel mask field"), said.constData());
    }

    void euXfelMaskPerFrameIsApplied()
    {
        if (!fxs::test::pythonHas("extra_data")) {
            QSKIP("python3-extra-data is not installed (packaging/install-deps installs it)");
        }
        const auto w = fxs::test::runPython(
            fxs::test::kEuXfelWriter, { m_dir.path(), QString::number(fxs::test::kEuXfelFrames) }, 180000);
        QVERIFY2(w.ok(), w.err.constData());
        const QString cxi = m_dir.filePath("spb.cxi");
        const QString geom = writeText(m_dir, "agipd.geom", fxs::test::agipdLikeGeometry());
        QByteArray unmaskedText = fxs::test::agipdLikeGeometry();
        unmaskedText.replace("mask = /entry_1/instrument_1/detector_1/mask\n", "");
        const QString unmasked = writeText(m_dir, "agipd-nomask.geom", unmaskedText);
        const Grid g { 12, 32, 0.05, 0.8 };
        const QString dataset = "/entry_1/instrument_1/detector_1/data";
        const QString max = QString::number(fxs::test::kEuXfelFrames);
        const QString cli = m_dir.filePath("spb-cli.h5");
        auto r = fxs::test::runFxs(correlateArgs(cxi, dataset, geom, g, cli) << "--max-shots" << max);
        QVERIFY2(r.ok(), r.err.constData());
        const QString noMask = m_dir.filePath("spb-nomask.h5");
        r = fxs::test::runFxs(correlateArgs(cxi, dataset, unmasked, g, noMask) << "--max-shots" << max);
        QVERIFY2(r.ok(), r.err.constData());

        const QString mon
            = monitorRun(m_dir, "spb", cxi, dataset, geom, g, { "--last", QString::number(fxs::test::kEuXfelFrames - 1) });
        QVERIFY(!mon.isEmpty());
        const double same = c2Difference(mon, cli), masks = c2Difference(noMask, cli);
        qInfo() << "monitor vs fxs correlate" << same << "| without the mask per frame" << masks;
        QVERIFY2(same >= 0.0 && same <= 1e-6, qPrintable(QString::number(same)));
        QVERIFY2(masks > 1e-3, qPrintable(QString::number(masks)));
    }

    void dectrisMasterFileOpens()
    {
        if (!fxs::test::pythonHas("bitshuffle.h5")) {
            QSKIP("the bitshuffle Python module is not installed (packaging/install-deps installs it)");
        }
        const QString dir = m_dir.filePath("dectris");
        QVERIFY(QDir().mkpath(dir));
        const auto w = fxs::test::runPython(fxs::test::kDectrisWriter, { dir });
        QVERIFY2(w.ok(), w.err.constData());
        // The master's pixel_mask is a static mask (another part of the monitor applies those); left out here.
        QByteArray text = fxs::test::kDectrisGeometry;
        text.replace("mask = /entry/instrument/detector/detectorSpecific/pixel_mask\n", "");
        const QString geom = writeText(m_dir, "eiger.geom", text);
        const QString master = dir + "/run_master.h5";
        const Grid g { 8, 16, 0.02, 0.15 };
        const QString dataset = "/entry_1/data_1/data"; // the default: a master file is read through its links
        const QString cli = m_dir.filePath("eiger-cli.h5");
        const auto r = fxs::test::runFxs(correlateArgs(master, dataset, geom, g, cli));
        QVERIFY2(r.ok(), r.err.constData());
        const QString mon = monitorRun(m_dir, "eiger", master, dataset, geom, g);
        QVERIFY(!mon.isEmpty());
        const double same = c2Difference(mon, cli);
        qInfo() << "monitor vs fxs correlate" << same;
        QVERIFY2(same >= 0.0 && same <= 1e-6, qPrintable(QString::number(same)));
        // Both data files' frames went in (3 + 3), in link order.
        const QString shots = fxs::test::h5pyOnResults(mon, "print(len(f['ledger/shot_index'][()]))\n");
        QCOMPARE(shots.trimmed(), QString("6"));

        // The second data file gone: the first one's frames are read and the run's end says which file was missing.
        QVERIFY(QFile::remove(dir + "/run_data_000002.h5"));
        QByteArray said;
        const QString partial = monitorRun(m_dir, "eiger-partial", master, dataset, geom, g, {}, &said);
        QVERIFY(!partial.isEmpty());
        QVERIFY2(said.contains("data_000002") && said.contains("missing"), said.constData());
        QCOMPARE(fxs::test::h5pyOnResults(partial, "print(len(f['ledger/shot_index'][()]))\n").trimmed(), QString("3"));
    }
};

QTEST_GUILESS_MAIN(tst_MonitorPerFrameInputs)
#include "tst_MonitorPerFrameInputs.moc"
