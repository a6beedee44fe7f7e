#include "PythonRunner.h"

#include <QTemporaryDir>
#include <QtTest>
#include <fxs/sources/CxiFileSource.h>

using fxs::PixelType;

namespace {

// h5py writes every variant: an independent writer. Pixel (i, s, f) of the folded slab holds
// sign · (i·100 + s·10 + f) + offset, computed again below in C++ as the oracle.
const char* kWriter = R"(
import sys, h5py, numpy as np
out = sys.argv[1]
N, M, SS, FS = 5, 2, 3, 4
for dt in ['uint16', 'int16', 'int32', 'uint32', 'float32', 'float64']:
    for rank in [3, 4]:
        for comp in ['none', 'lz4', 'bitshuffle']:
            fid = {'none': None, 'lz4': 32004, 'bitshuffle': 32008}[comp]
            if fid and not h5py.h5z.filter_avail(fid):
                continue
            i, s, f = np.meshgrid(np.arange(N), np.arange(M * SS), np.arange(FS), indexing='ij')
            sign = -1 if dt in ('int16', 'int32') else 1
            off = 0.25 if dt.startswith('float') else 0
            v = (sign * (i * 100 + s * 10 + f) + off).astype(dt)
            if rank == 4:
                v = v.reshape(N, M, SS, FS)
            kw = {}
            if fid == 32004:
                kw = dict(compression=32004)
            elif fid == 32008:
                kw = dict(compression=32008, compression_opts=(0, 2))
            with h5py.File('%s/%s_%d_%s.cxi' % (out, dt, rank, comp), 'w') as h:
                h.create_dataset('/entry_1/data_1/data', data=v, chunks=(2,) + v.shape[1:], **kw)
                h.create_dataset('/entry_1/data_1/u64', data=np.zeros((2, 3, 4), 'uint64'))
                h.create_dataset('/entry_1/data_1/flat', data=np.zeros((3, 4), 'float32'))
)";

double expected(PixelType t, std::int64_t i, int s, int f)
{
    const double base = static_cast<double>(i * 100 + s * 10 + f);
    switch (t) {
    case PixelType::Int16:
    case PixelType::Int32:
        return -base;
    case PixelType::Float32:
    case PixelType::Float64:
        return base + 0.25;
    default:
        return base;
    }
}

} // namespace

class tst_CxiFileSource : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    std::string file(const QString& name) const { return (m_dir.path() + "/" + name).toStdString(); }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const auto r = fxs::test::runPython(kWriter, { m_dir.path() });
        QVERIFY2(r.ok(), r.err.constData());
    }

    void readsEveryTypeRankAndFilter_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<int>("pixelType");
        QTest::addColumn<int>("rank");
        QTest::addColumn<QString>("compression");
        QTest::addColumn<int>("blockBytes");
        const std::pair<const char*, PixelType> types[]
            = { { "uint16", PixelType::UInt16 }, { "int16", PixelType::Int16 }, { "int32", PixelType::Int32 },
                  { "uint32", PixelType::UInt32 }, { "float32", PixelType::Float32 }, { "float64", PixelType::Float64 } };
        for (const auto& [name, t] : types) {
            for (int rank : { 3, 4 }) {
                for (const char* comp : { "none", "lz4", "bitshuffle" }) {
                    // One-frame blocks and whole-file blocks: reads that cross HDF5 chunks either way.
                    for (int block : { 1, 1 << 20 }) {
                        QTest::addRow("%s rank%d %s block%d", name, rank, comp, block)
                            << name << static_cast<int>(t) << rank << comp << block;
                    }
                }
            }
        }
    }

    void readsEveryTypeRankAndFilter()
    {
        QFETCH(QString, type);
        QFETCH(int, pixelType);
        QFETCH(int, rank);
        QFETCH(QString, compression);
        QFETCH(int, blockBytes);
        const QString name = QStringLiteral("%1_%2_%3.cxi").arg(type).arg(rank).arg(compression);
        if (!QFile::exists(m_dir.path() + "/" + name)) {
            QSKIP("this HDF5 filter is not installed here (bitshuffle is not in Debian's hdf5-filter-plugin)");
        }
        fxs::CxiSourceOptions o;
        o.readBlockBytes = static_cast<std::size_t>(blockBytes);
        auto src = fxs::CxiFileSource::open(file(name), o);
        QVERIFY2(src.ok(), src ? "" : src.error().message.c_str());
        const auto t = static_cast<PixelType>(pixelType);
        QCOMPARE((*src)->shape(), (fxs::SlabShape { 6, 4, t }));
        QCOMPARE((*src)->totalFrames().value_or(-1), 5);
        QCOMPARE(static_cast<int>((*src)->info().dims.size()), rank);
        std::int64_t count = 0;
        for (;;) {
            auto f = (*src)->next();
            QVERIFY2(f.ok(), f ? "" : f.error().message.c_str());
            if (!*f) {
                break;
            }
            const fxs::Frame& frame = **f;
            QCOMPARE(frame.shotIndex, count);
            QCOMPARE(frame.type, t);
            for (int s = 0; s < 6; ++s) {
                for (int c = 0; c < 4; ++c) {
                    QCOMPARE(frame.value(static_cast<std::size_t>(s) * 4 + c), expected(t, count, s, c));
                }
            }
            ++count;
        }
        QCOMPARE(count, 5);
        QVERIFY((*src)->next().ok() && !*(*src)->next());
    }

    // CXI keeps the photon energy in joules, per frame or once; frames carry it in eV (1 eV = 1.602176634e-19 J).
    void carriesThePhotonEnergy_data()
    {
        QTest::addColumn<QString>("energyJoules"); // a Python expression
        QTest::addColumn<QList<double>>("expectedEv");
        QTest::newRow("per frame") << "[9000e0 * 1.602176634e-19 + i * 1.602176634e-17 for i in range(5)]"
                                   << QList<double> { 9000, 9100, 9200, 9300, 9400 };
        QTest::newRow("one value") << "8000 * 1.602176634e-19" << QList<double> { 8000, 8000, 8000, 8000, 8000 };
    }

    void carriesThePhotonEnergy()
    {
        QFETCH(QString, energyJoules);
        QFETCH(QList<double>, expectedEv);
        const QString path = m_dir.path() + "/energy_" + QTest::currentDataTag() + ".cxi";
        const auto py = fxs::test::runPython(QStringLiteral(R"(
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], 'w') as f:
    f.create_dataset('/entry_1/data_1/data', data=np.zeros((5, 2, 3), 'float32'))
    f['/entry_1/instrument_1/source_1/energy'] = %1
)")
                                                 .arg(energyJoules),
            { path });
        QVERIFY2(py.ok(), py.err.constData());
        auto src = fxs::CxiFileSource::open(path.toStdString());
        QVERIFY2(src.ok(), src ? "" : src.error().message.c_str());
        for (double want : expectedEv) {
            auto f = (*src)->next();
            QVERIFY(f.ok() && f->has_value());
            QVERIFY2(std::abs((*f)->meta.photonEnergyEv - want) < 1e-6,
                qPrintable(QString::number((*f)->meta.photonEnergyEv)));
        }
    }

    void seeksToAShot()
    {
        auto src = fxs::CxiFileSource::open(file("int32_3_none.cxi"));
        QVERIFY(src.ok());
        QVERIFY((*src)->seek(3).ok());
        auto f = (*src)->next();
        QVERIFY(f.ok() && f->has_value());
        QCOMPARE((*f)->shotIndex, 3);
        QCOMPARE((*f)->value(5), expected(PixelType::Int32, 3, 1, 1));
        QVERIFY(!(*src)->seek(6).ok());
    }

    void refusesWithAClearMessage_data()
    {
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<QString>("dataset");
        QTest::addColumn<int>("expectSlow");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("missing file") << "nope.cxi"
                                      << "/entry_1/data_1/data" << 0 << "No such file";
        QTest::newRow("missing dataset") << "uint16_3_none.cxi"
                                         << "/entry_1/data_2/data" << 0 << "no dataset";
        QTest::newRow("uint64") << "uint16_3_none.cxi"
                                << "/entry_1/data_1/u64" << 0 << "unsigned 64-bit";
        QTest::newRow("2-D") << "uint16_3_none.cxi"
                             << "/entry_1/data_1/flat" << 0 << "2 dimensions";
        QTest::newRow("geometry") << "uint16_4_none.cxi"
                                  << "/entry_1/data_1/data" << 8 << "geometry expects 8";
    }

    void refusesWithAClearMessage()
    {
        QFETCH(QString, fileName);
        QFETCH(QString, dataset);
        QFETCH(int, expectSlow);
        QFETCH(QString, mentions);
        fxs::CxiSourceOptions o;
        o.datasetPath = dataset.toStdString();
        o.probe.limits.expectedSlow = expectSlow;
        auto src = fxs::CxiFileSource::open(file(fileName), o);
        QVERIFY(!src.ok());
        const QString msg = QString::fromStdString(src.error().message);
        QVERIFY2(msg.contains(fileName) && msg.contains(mentions), qPrintable(msg));
    }

    // A damaged LZ4 chunk in a frame that validation did not decode (large stacks are only sampled) must give
    // an error when its turn comes, before the HDF5 plugin's unchecked decoder sees it.
    void damagedLz4ChunkBeyondTheSampleIsAnError_data()
    {
        QTest::addColumn<QString>("chunk"); // Python bytes expression for frame 2's stored chunk
        QTest::addColumn<QString>("mentions");
        // A valid header (48 raw bytes, one block) and a block of garbage that is not LZ4.
        QTest::newRow("bad block") << "struct.pack('>QII', 48, 48, 20) + bytes(range(200, 220))"
                                   << "frame 2: an LZ4 block does not decode";
        // A header announcing 256 MiB: the plugin would allocate it and decode past the data.
        QTest::newRow("bad header") << "struct.pack('>QII', 1 << 28, 1 << 28, 20) + bytes(20)"
                                    << "frame 2: an LZ4 chunk announces 268435456 bytes instead of 48";
    }

    void damagedLz4ChunkBeyondTheSampleIsAnError()
    {
        QFETCH(QString, chunk);
        QFETCH(QString, mentions);
        const char* damage = R"(
import sys, struct, h5py, numpy as np
with h5py.File(sys.argv[1], 'w') as f:
    d = f.create_dataset('/entry_1/data_1/data', data=np.ones((5, 6, 4), 'uint16'), chunks=(1, 6, 4),
                         compression=32004)
    d.id.write_direct_chunk((2, 0, 0), eval(sys.argv[2]))
)";
        const QString path
            = m_dir.path() + "/damaged_lz4_" + QString(QTest::currentDataTag()).replace(' ', '_') + ".cxi";
        const auto py = fxs::test::runPython(damage, { path, chunk });
        QVERIFY2(py.ok(), py.err.constData());
        fxs::CxiSourceOptions o;
        o.probe.limits.fullReadBytes = 0; // the probe decodes only the first and the last frame
        o.probe.limits.sampleFrames = 2;
        o.readBlockBytes = 1;
        auto src = fxs::CxiFileSource::open(path.toStdString(), o);
        QVERIFY2(src.ok(), src ? "" : src.error().message.c_str());
        QVERIFY((*src)->next().ok());
        QVERIFY((*src)->next().ok());
        auto third = (*src)->next();
        QVERIFY(!third.ok());
        QVERIFY2(QString::fromStdString(third.error().message).contains(mentions), third.error().message.c_str());
        QVERIFY(!(*src)->next().ok()); // the error is sticky
    }

    void capsSizesBeforeAllocating()
    {
        fxs::CxiSourceOptions o;
        o.probe.limits.maxSlabPixels = 23; // the frames have 24 pixels
        auto src = fxs::CxiFileSource::open(file("float32_3_none.cxi"), o);
        QVERIFY(!src.ok());
        QVERIFY2(QString::fromStdString(src.error().message).contains("exceeds the limit of 23"),
            src.error().message.c_str());
    }
};

QTEST_GUILESS_MAIN(tst_CxiFileSource)
#include "tst_CxiFileSource.moc"
