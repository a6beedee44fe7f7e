#include "PythonRunner.h"

#include <QTemporaryDir>
#include <QtTest>
#include <fxs/results/MrcWriter.h>

namespace {

// mrcfile (the CCP-EM reference implementation) validates the file and checks every voxel against the formula.
const char* kReader = R"(
import sys, io, contextlib, numpy as np, mrcfile
path = sys.argv[1]
log = io.StringIO()
with contextlib.redirect_stdout(log):
    valid = mrcfile.validate(path)
with mrcfile.open(path, permissive=False) as m:
    d = m.data
    z, y, x = np.meshgrid(np.arange(4), np.arange(5), np.arange(6), indexing='ij')
    print(valid, d.shape, d.dtype, bool(np.array_equal(d, (x + 10 * y + 100 * z).astype('float32'))),
          float(m.voxel_size.x), float(m.voxel_size.z), float(m.header.origin.y),
          m.header.label[0].decode().strip(), abs(float(m.header.dmean) - float(d.mean())) < 1e-3,
          '' if valid else log.getvalue().strip())
)";

// mrcfile writes a 6 × 5 × 4 map of x + 10 y + 100 z with 2.5 Å voxels, an origin and a label, so that the reader
// is checked on a file its own writer did not make.
const char* kWriter = R"(
import sys, numpy as np, mrcfile
z, y, x = np.meshgrid(np.arange(4), np.arange(5), np.arange(6), indexing='ij')
with mrcfile.new(sys.argv[1], overwrite=True) as m:
    m.set_data((x + 10 * y + 100 * z).astype('float32'))
    m.voxel_size = 2.5
    m.header.origin = (1.0, -2.0, 3.0)
    m.header.label[0] = b'written by mrcfile'
    m.header.nlabl = 1
)";

} // namespace

class tst_MrcWriter : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void mrcfileReadsTheMap()
    {
        if (!fxs::test::pythonHas("mrcfile")) {
            QSKIP("python3-mrcfile is not installed");
        }
        fxs::MrcMap map;
        map.nx = 6;
        map.ny = 5;
        map.nz = 4; // unequal sides: a swapped axis would show
        for (int z = 0; z < map.nz; ++z) {
            for (int y = 0; y < map.ny; ++y) {
                for (int x = 0; x < map.nx; ++x) {
                    map.values.push_back(static_cast<float>(x + 10 * y + 100 * z));
                }
            }
        }
        map.voxelSizeAngstrom = 1.5;
        map.originAngstrom = { 0.0, -3.0, 0.0 };
        map.label = "fxs test map";
        const QString path = m_dir.path() + "/map.mrc";
        const fxs::Status s = fxs::MrcWriter::write(path.toStdString(), map);
        QVERIFY2(s.ok(), s.message().c_str());
        QCOMPARE(QFileInfo(path).size(), 1024 + 6 * 5 * 4 * 4);
        const auto py = fxs::test::runPython(kReader, { path });
        QVERIFY2(py.ok(), py.err.constData());
        QCOMPARE(py.out.trimmed(), QByteArray("True (4, 5, 6) float32 True 1.5 1.5 -3.0 fxs test map True"));
    }

    // What the monitor shows of a fetched map: the values where the formula puts them, the grid and the voxel size.
    void readsTheMapBack()
    {
        fxs::MrcMap map;
        map.nx = 6;
        map.ny = 5;
        map.nz = 4;
        for (int i = 0; i < 6 * 5 * 4; ++i) {
            map.values.push_back(static_cast<float>(i % 6 + 10 * (i / 6 % 5) + 100 * (i / 30)));
        }
        map.voxelSizeAngstrom = 2.5;
        map.label = "read back";
        const std::string path = (m_dir.path() + "/back.mrc").toStdString();
        QVERIFY(fxs::MrcWriter::write(path, map).ok());
        const auto back = fxs::MrcWriter::read(path);
        QVERIFY2(back.ok(), back ? "" : back.error().message.c_str());
        QCOMPARE(back->nx, 6);
        QCOMPARE(back->ny, 5);
        QCOMPARE(back->nz, 4);
        QCOMPARE(back->voxelSizeAngstrom, 2.5);
        QCOMPARE(back->label, std::string("read back"));
        QCOMPARE(back->values.size(), std::size_t(120));
        QCOMPARE(back->values[5 + 6 * (3 + 5 * 2)], 5.0f + 30.0f + 200.0f); // x 5, y 3, z 2
        QFile::resize(QString::fromStdString(path), 1024 + 100);
        const auto cut = fxs::MrcWriter::read(path);
        QVERIFY(!cut.ok());
        QVERIFY2(QString::fromStdString(cut.error().message).contains("truncated"), cut.error().message.c_str());
        QVERIFY(!fxs::MrcWriter::read((m_dir.path() + "/none.mrc").toStdString()).ok());
    }

    void readsAMapWrittenByMrcfile()
    {
        if (!fxs::test::pythonHas("mrcfile")) {
            QSKIP("python3-mrcfile is not installed");
        }
        const QString path = m_dir.path() + "/elsewhere.mrc";
        const auto py = fxs::test::runPython(kWriter, { path });
        QVERIFY2(py.ok(), py.err.constData());
        const auto map = fxs::MrcWriter::read(path.toStdString());
        QVERIFY2(map.ok(), map ? "" : map.error().message.c_str());
        QCOMPARE(map->nx, 6);
        QCOMPARE(map->ny, 5);
        QCOMPARE(map->nz, 4);
        QCOMPARE(map->voxelSizeAngstrom, 2.5);
        QCOMPARE(map->originAngstrom[0], 1.0);
        QCOMPARE(map->originAngstrom[1], -2.0);
        QCOMPARE(map->originAngstrom[2], 3.0);
        QCOMPARE(map->label, std::string("written by mrcfile"));
        QCOMPARE(map->values.size(), std::size_t(120));
        for (int z = 0; z < 4; ++z) {
            for (int y = 0; y < 5; ++y) {
                for (int x = 0; x < 6; ++x) {
                    QCOMPARE(map->values[std::size_t(x + 6 * (y + 5 * z))], float(x + 10 * y + 100 * z));
                }
            }
        }
    }

    void refusesInconsistentMaps()
    {
        fxs::MrcMap map;
        map.nx = map.ny = map.nz = 2;
        map.values.assign(7, 1.0f);
        const fxs::Status s = fxs::MrcWriter::write((m_dir.path() + "/bad.mrc").toStdString(), map);
        QVERIFY(!s.ok());
        QVERIFY2(QString::fromStdString(s.message()).contains("7 values for a 2 × 2 × 2 grid"), s.message().c_str());
    }
};

QTEST_GUILESS_MAIN(tst_MrcWriter)
#include "tst_MrcWriter.moc"
