// Pixel mask files (fxs/sources/MaskFile.h) against independent readers and writers: h5py/numpy for HDF5, and a
// few-line Python evaluator of CrystFEL's fs/ss bad-region boxes for the text form.
#include "PythonRunner.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>
#include <fxs/geometry/GeomParser.h>
#include <fxs/sources/MaskFile.h>

#include <cmath>
#include <random>

using namespace fxs;

namespace {

// The pixels CrystFEL marks bad for a file of bad_*/min_fs, max_fs, min_ss, max_ss, panel lines, each box taken
// within its panel's slab rectangle (panels from the geometry file): written as raw uint8 (1 = bad) to argv[4].
const char* kBadRegionEvaluator = R"(
import sys, re, numpy as np
geom, regions, shape, out = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
ns, nf = map(int, shape.split('x'))
def keys(path):
    d = {}
    for line in open(path):
        line = line.split(';')[0]
        m = re.match(r'\s*([^/=\s]+)/(\w+)\s*=\s*(\S+)', line)
        if m:
            d.setdefault(m.group(1), {})[m.group(2)] = m.group(3)
    return d
panels = {k: v for k, v in keys(geom).items() if not k.startswith('bad') and 'min_fs' in v}
bad = np.zeros((ns, nf), np.uint8)
for name, b in keys(regions).items():
    p = panels[b['panel']]
    fs0 = max(int(b['min_fs']), int(float(p['min_fs']))); fs1 = min(int(b['max_fs']), int(float(p['max_fs'])))
    ss0 = max(int(b['min_ss']), int(float(p['min_ss']))); ss1 = min(int(b['max_ss']), int(float(p['max_ss'])))
    bad[ss0:ss1 + 1, fs0:fs1 + 1] = 1
bad.tofile(out)
)";

DetectorGeometry flatPanel(int nSlow, int nFast)
{
    SinglePanelSpec s;
    s.nSlow = nSlow;
    s.nFast = nFast;
    s.beamCentreFastPx = nFast / 2.0;
    s.beamCentreSlowPx = nSlow / 2.0;
    s.photonEnergyEv = 9000;
    return *DetectorGeometry::singlePanel(s);
}

// A filled random polygon (a star-shaped outline of 9 vertices) and a scatter of single bad pixels: what a user
// draws and what a hot-pixel finder adds. Pixels outside every panel are 0 as well (the geometry's gaps).
PixelMask polygonMask(const DetectorGeometry& g, unsigned seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    PixelMask m { g.nSlow(), g.nFast(), g.validMask() };
    const double cx = g.nFast() * (0.3 + 0.4 * u(rng)), cy = g.nSlow() * (0.3 + 0.4 * u(rng));
    const double r0 = 0.35 * std::min(g.nSlow(), g.nFast());
    std::vector<std::pair<double, double>> v;
    for (int k = 0; k < 9; ++k) {
        const double a = 2 * M_PI * k / 9, r = r0 * (0.4 + 0.6 * u(rng));
        v.emplace_back(cx + r * std::cos(a), cy + r * std::sin(a));
    }
    for (int ss = 0; ss < g.nSlow(); ++ss) {
        for (int fs = 0; fs < g.nFast(); ++fs) {
            bool inside = false; // even-odd rule at the pixel centre
            for (std::size_t i = 0, j = v.size() - 1; i < v.size(); j = i++) {
                const double x = fs + 0.5, y = ss + 0.5;
                if ((v[i].second > y) != (v[j].second > y)
                    && x < (v[j].first - v[i].first) * (y - v[i].second) / (v[j].second - v[i].second) + v[i].first) {
                    inside = !inside;
                }
            }
            if (inside) {
                m.usable[static_cast<std::size_t>(ss) * g.nFast() + fs] = 0;
            }
        }
    }
    for (int k = 0; k < 200; ++k) {
        m.usable[static_cast<std::size_t>(u(rng) * (m.usable.size() - 1))] = 0;
    }
    return m;
}

QByteArray bytesOfBad(const PixelMask& m)
{
    QByteArray b(static_cast<int>(m.usable.size()), 0);
    for (std::size_t i = 0; i < m.usable.size(); ++i) {
        b[static_cast<int>(i)] = m.usable[i] ? 0 : 1;
    }
    return b;
}

} // namespace

class tst_MaskFile : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    QString path(const QString& name) const { return m_dir.filePath(name); }

    // The Python evaluator's bad pixels for `regions` on the panels of `geom` (a file), compared to `mask`.
    void checkRegionsCoverExactly(const QString& geom, const QString& regions, const PixelMask& mask)
    {
        const QString out = path("evaluated.u8");
        const auto r = test::runPython(kBadRegionEvaluator,
            { geom, regions, QString("%1x%2").arg(mask.nSlow).arg(mask.nFast), out }, 300000);
        QVERIFY2(r.ok(), r.err.constData());
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray evaluated = f.readAll();
        const QByteArray expected = bytesOfBad(mask);
        QCOMPARE(evaluated.size(), expected.size());
        qsizetype differ = 0;
        for (qsizetype i = 0; i < expected.size(); ++i) {
            differ += evaluated[i] != expected[i];
        }
        QCOMPARE(differ, qsizetype(0));
    }

    void roundTripBadRegions(const DetectorGeometry& g, const QString& geomFile, const PixelMask& mask)
    {
        const QString regions = path("regions.geom");
        const Status st = writeMaskBadRegions(regions.toStdString(), mask, g);
        QVERIFY2(st.ok(), st.message().c_str());
        checkRegionsCoverExactly(geomFile, regions, mask);
        // Row runs merge into boxes: never more boxes than masked rows per panel plus the isolated pixels' boxes.
        QFile f(regions);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const qsizetype boxes = f.readAll().count("/panel = ");
        qInfo() << "bad regions:" << boxes << "for" << mask.maskedCount() << "masked pixels";
        QVERIFY(boxes < 2 * g.nSlow() * static_cast<qsizetype>(g.panels().size()) + 400);
        auto back = readPixelMask(regions.toStdString(), g);
        QVERIFY2(back.ok(), back ? "" : back.error().message.c_str());
        QVERIFY(back->usable == mask.usable);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(test::pythonHas("h5py"), "Debian's python3-h5py is needed (the oracle)");
    }

    // h5py writes a mask; readPixelMask gives the pixels numpy calls usable (nonzero = bad, or the CrystFEL bits).
    void readsHdf5AsNumpy_data()
    {
        QTest::addColumn<QString>("dtype");
        QTest::addColumn<QString>("dataset");
        QTest::addColumn<uint>("good");
        QTest::addColumn<uint>("bad");
        QTest::newRow("uint8 /data/mask nonzero=bad") << "uint8" << "/data/mask" << 0u << 0u;
        QTest::newRow("int32 /mask nonzero=bad, negatives") << "int32" << "/mask" << 0u << 0u;
        QTest::newRow("uint16 only dataset, mask_bad") << "uint16" << "/entry/instrument/det/pixel_mask" << 0u << 0x4u;
        QTest::newRow("int32 /data/mask, mask_good and mask_bad") << "int32" << "/data/mask" << 0x1u << 0x6u;
        QTest::newRow("float64 whole numbers") << "float64" << "/mask" << 0u << 0u;
    }
    void readsHdf5AsNumpy()
    {
        QFETCH(QString, dtype);
        QFETCH(QString, dataset);
        QFETCH(uint, good);
        QFETCH(uint, bad);
        const auto g = flatPanel(37, 53);
        const QString file = path("m_" + dtype + ".h5");
        const auto r = test::runPython("import sys, h5py, numpy as np\n"
                                       "rng = np.random.default_rng(7)\n"
                                       "v = rng.integers(-2 if sys.argv[3] == 'int32' else 0, 8, (37, 53))\n"
                                       "v = v.astype(sys.argv[3])\n"
                                       "with h5py.File(sys.argv[1], 'w') as f:\n"
                                       "    f[sys.argv[2]] = v\n"
                                       "    f['/other'] = np.zeros((4, 4), np.int32)\n"
                                       "good, bad = int(sys.argv[4]), int(sys.argv[5])\n"
                                       "w = v.astype(np.int64).astype(np.uint32)\n"
                                       "ok = ((w & good) == good) & ((w & bad) == 0) if good or bad else w == 0\n"
                                       "print(''.join('1' if x else '0' for x in ok.ravel()))\n",
            { file, dataset, dtype, QString::number(good), QString::number(bad) });
        QVERIFY2(r.ok(), r.err.constData());
        // The dataset is named for the two default paths and found alone otherwise.
        const bool isDefault = dataset == "/data/mask" || dataset == "/mask";
        auto m = readPixelMask((isDefault ? file : file + ":" + dataset).toStdString(), g, { good, bad });
        QVERIFY2(m.ok(), m ? "" : m.error().message.c_str());
        if (!isDefault) {
            auto alone = readPixelMask(file.toStdString(), g, { good, bad });
            QVERIFY2(alone.ok(), alone ? "" : alone.error().message.c_str());
            QVERIFY(alone->usable == m->usable);
        }
        QByteArray got;
        for (auto u : m->usable) {
            got += u ? '1' : '0';
        }
        QCOMPARE(got, r.out.trimmed());
        QVERIFY(m->maskedCount() > 0);
    }

    // writeMaskHdf5 → h5py reads the same array (uint8, 1 = bad) and the convention attribute.
    void writtenHdf5ReadByH5py()
    {
        const auto g = flatPanel(40, 61);
        const PixelMask mask = polygonMask(g, 3);
        const QString file = path("written.h5");
        QVERIFY(writeMaskHdf5(file.toStdString(), mask, "/entry/mask").ok());
        QVERIFY(!QFile::exists(file + ".tmp-" + QString::number(QCoreApplication::applicationPid())));
        const auto r = test::runPython("import sys, h5py\n"
                                       "d = h5py.File(sys.argv[1], 'r')['/entry/mask']\n"
                                       "print(d.dtype, d.shape, d.attrs['convention'])\n"
                                       "print(''.join(str(x) for x in d[()].ravel()))\n",
            { file });
        QVERIFY2(r.ok(), r.err.constData());
        const auto lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 2);
        QVERIFY2(lines[0].startsWith("uint8 (40, 61) nonzero = bad"), lines[0].constData());
        QByteArray expected = bytesOfBad(mask);
        for (auto& c : expected) {
            c = c ? '1' : '0';
        }
        QCOMPARE(lines[1], expected);
    }

    // A random polygon on a flat panel, and the same on a real 64-panel CSPAD geometry with its gaps.
    void badRegionsCoverTheMaskExactly_flat()
    {
        const auto g = flatPanel(120, 150);
        const QString geomFile = path("flat.geom");
        QFile f(geomFile);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray::fromStdString(GeomParser::toGeomText(g)));
        f.close();
        for (unsigned seed : { 1u, 2u, 3u }) {
            roundTripBadRegions(g, geomFile, polygonMask(g, seed));
        }
    }
    void badRegionsCoverTheMaskExactly_cspad()
    {
        const QString geomFile
            = QDir(qEnvironmentVariable("FXS_SOURCE_DIR") + "/../shared/data/geometry/cspad-cxiformat.geom")
                  .absolutePath();
        if (!QFile::exists(geomFile)) {
            QSKIP(qPrintable("no shared geometry file " + geomFile + " (../shared is absent)"));
        }
        auto t = GeomParser::parseTemplateFile(geomFile.toStdString());
        QVERIFY2(t.ok(), t ? "" : t.error().message.c_str());
        GeomOverrides o;
        o.cameraLengthM = 0.1;
        o.photonEnergyEv = 9000;
        auto r = t->resolve(o);
        QVERIFY2(r.ok(), r ? "" : r.error().message.c_str());
        QVERIFY(r->geometry.panels().size() >= 32);
        roundTripBadRegions(r->geometry, geomFile, polygonMask(r->geometry, 11));
    }

    // A CrystFEL snippet of bad_* lines alone (no panels) is read against the run's geometry.
    void readsCrystfelSnippet()
    {
        const auto g = flatPanel(20, 30);
        const QString file = path("snippet.txt");
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("; beamstop\nbad_stop/min_fs = 3\nbad_stop/max_fs = 7\nbad_stop/min_ss = 10\nbad_stop/max_ss = 11\n");
        f.close();
        auto m = readPixelMask(file.toStdString(), g);
        QVERIFY2(m.ok(), m ? "" : m.error().message.c_str());
        QCOMPARE(m->maskedCount(), std::size_t(5 * 2)); // closed form: the box's area
        QCOMPARE(m->usable[10 * 30 + 3], std::uint8_t(0));
        QCOMPARE(m->usable[10 * 30 + 8], std::uint8_t(1));
    }

    // Hostile inputs: each refused with a message naming the file, the dataset and what was wrong.
    void hostileInputsNamed_data()
    {
        QTest::addColumn<QString>("make"); // Python writing sys.argv[1]
        QTest::addColumn<QString>("suffix"); // appended to the file name in the spec
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("missing dataset") << "import h5py, numpy as np, sys\n"
                                            "h5py.File(sys.argv[1], 'w')['/data/mask'] = np.zeros((20, 30), 'u1')\n"
                                         << ":/nope" << QStringList { "no dataset /nope", "hostile" };
        QTest::newRow("no default dataset") << "import h5py, numpy as np, sys\n"
                                               "h5py.File(sys.argv[1], 'w')['/x'] = np.zeros((5, 5), 'u1')\n"
                                            << "" << QStringList { "no mask dataset", "20 x 30" };
        QTest::newRow("wrong shape") << "import h5py, numpy as np, sys\n"
                                        "h5py.File(sys.argv[1], 'w')['/data/mask'] = np.zeros((10, 20), 'u1')\n"
                                     << "" << QStringList { ":/data/mask", "shape 10 x 20", "20 x 30 (600 pixels)" };
        QTest::newRow("float NaN") << "import h5py, numpy as np, sys\n"
                                      "m = np.zeros((20, 30)); m[4, 5] = np.nan\n"
                                      "h5py.File(sys.argv[1], 'w')['/mask'] = m\n"
                                   << "" << QStringList { ":/mask", "nan", "element 125", "not a whole number" };
        QTest::newRow("string dataset") << "import h5py, sys\nh5py.File(sys.argv[1], 'w')['/mask'] = 'bad'\n"
                                        << "" << QStringList { ":/mask", "not a number array" };
        QTest::newRow("garbage text") << "open(__import__('sys').argv[1], 'w').write('bad_a/min_fs = 1\\nhello\\n')\n"
                                      << "" << QStringList { "hostile", ":2:", "expected 'key = value'" };
        QTest::newRow("text without regions") << "open(__import__('sys').argv[1], 'w').write('; nothing\\n')\n"
                                              << "" << QStringList { "no bad_* regions" };
        QTest::newRow("unknown panel")
            << "open(__import__('sys').argv[1], 'w').write('bad_a/min_fs = 1\\nbad_a/max_fs = 2\\nbad_a/min_ss = 1\\n"
               "bad_a/max_ss = 2\\nbad_a/panel = q9\\n')\n"
            << "" << QStringList { "q9" };
        QTest::newRow("text with a dataset") << "open(__import__('sys').argv[1], 'w').write('bad_a/min_fs = 1\\n')\n"
                                             << ":/data/mask" << QStringList { "not an HDF5 file", "/data/mask" };
        QTest::newRow("missing file") << "" << "" << QStringList { "does not exist" };
    }
    void hostileInputsNamed()
    {
        QFETCH(QString, make);
        QFETCH(QString, suffix);
        QFETCH(QStringList, expected);
        const QString file = path(QString("hostile_%1").arg(QTest::currentDataTag()).replace(' ', '_'));
        if (!make.isEmpty()) {
            const auto r = test::runPython(make, { file });
            QVERIFY2(r.ok(), r.err.constData());
        }
        auto m = readPixelMask((file + suffix).toStdString(), flatPanel(20, 30));
        QVERIFY(!m.ok());
        const QString message = QString::fromStdString(m.error().message);
        qInfo().noquote() << message;
        QVERIFY2(message.contains(QFileInfo(file).fileName()), qPrintable(message));
        for (const auto& e : expected) {
            QVERIFY2(message.contains(e), qPrintable(message + " lacks " + e));
        }
    }

    // A mask of the wrong size is never written, and an existing mask is left as it was.
    void writeRefusesWrongShape()
    {
        const auto g = flatPanel(10, 10);
        const QString file = path("keep.h5");
        PixelMask good { 10, 10, std::vector<std::uint8_t>(100, 1) };
        good.usable[42] = 0;
        QVERIFY(writeMaskHdf5(file.toStdString(), good).ok());
        PixelMask wrong { 10, 10, std::vector<std::uint8_t>(99, 1) };
        QVERIFY(!writeMaskHdf5(file.toStdString(), wrong).ok());
        QVERIFY(!writeMaskBadRegions(path("keep.geom").toStdString(), PixelMask { 9, 10, std::vector<std::uint8_t>(90, 1) }, g).ok());
        auto back = readPixelMask(file.toStdString(), g);
        QVERIFY(back.ok());
        QCOMPARE(back->maskedCount(), std::size_t(1));
        QCOMPARE(back->usable[42], std::uint8_t(0));
    }
};

QTEST_GUILESS_MAIN(tst_MaskFile)
#include "tst_MaskFile.moc"
