// BitshuffleLz4 against independent codecs: the HDF5 bitshuffle filter (h5py writes a chunk through filter
// 32008 and the raw chunk bytes are decoded here), python3-bitshuffle's encoder and decoder, and the HDF5 LZ4
// filter (32004). Damaged and truncated inputs are refused with a message, never read past.
#include "PythonRunner.h"

#include <QTemporaryDir>
#include <QtTest>
#include <fxs/sources/BitshuffleLz4.h>

namespace {

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray {};
}

std::span<const std::byte> bytes(const QByteArray& a)
{
    return { reinterpret_cast<const std::byte*>(a.constData()), static_cast<std::size_t>(a.size()) };
}

// For each case: <name>.raw (the elements), <name>.h5chunk (the filter's chunk bytes from h5py), <name>.py
// (python3-bitshuffle's compress_lz4 with the filter's 12-byte header), <name>.lz4 (HDF5 LZ4 filter chunk).
const char* kWriter = R"(
import sys, struct, h5py, numpy as np, bitshuffle
out = sys.argv[1]
rng = np.random.default_rng(7)
cases = {'u2_odd': rng.integers(0, 40, 10007).astype('<u2'), 'u2_blocks': rng.integers(0, 4000, 3 * 4096).astype('<u2'),
         'u4': rng.integers(0, 2**31, 5003).astype('<u4'), 'u1': rng.integers(0, 255, 8195).astype('u1'),
         'f4': rng.normal(size=777).astype('<f4'), 'f8': rng.normal(size=100).astype('<f8'), 'u2_tiny': np.arange(5, dtype='<u2')}
for name, a in cases.items():
    a.tofile('%s/%s.raw' % (out, name))
    with h5py.File('%s/%s.h5' % (out, name), 'w') as h:
        d = h.create_dataset('d', data=a, chunks=a.shape, compression=32008, compression_opts=(0, 2))
        d2 = h.create_dataset('l', data=a, chunks=a.shape, compression=32004)
    with h5py.File('%s/%s.h5' % (out, name), 'r') as h:
        open('%s/%s.h5chunk' % (out, name), 'wb').write(h['d'].id.read_direct_chunk((0,))[1])
        open('%s/%s.lz4' % (out, name), 'wb').write(h['l'].id.read_direct_chunk((0,))[1])
    block = 8192 // a.itemsize // 8 * 8
    body = bitshuffle.compress_lz4(a, block).tobytes()
    open('%s/%s.py' % (out, name), 'wb').write(struct.pack('>QI', a.nbytes, block * a.itemsize) + body)
)";

// Decodes <name>.ours (our encoder's output) with python3-bitshuffle and compares with <name>.raw.
const char* kChecker = R"(
import sys, struct, numpy as np, bitshuffle
out, name, dtype = sys.argv[1:4]
a = np.fromfile('%s/%s.raw' % (out, name), dtype=dtype)
b = open('%s/%s.ours' % (out, name), 'rb').read()
n, block = struct.unpack('>QI', b[:12])
d = bitshuffle.decompress_lz4(np.frombuffer(b[12:], np.uint8), a.shape, a.dtype, block // a.itemsize)
print(int(n == a.nbytes and (d.view(np.uint8) == a.view(np.uint8)).all()))
)";

} // namespace

class tst_BitshuffleLz4 : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    QString file(const QString& name) const { return m_dir.filePath(name); }

private slots:
    void initTestCase()
    {
        for (const char* m : { "h5py", "bitshuffle" }) {
            if (!fxs::test::pythonHas(m)) {
                QSKIP(qPrintable(QString("python3 module %1 is missing").arg(m)));
            }
        }
        const auto r = fxs::test::runPython(kWriter, { m_dir.path() });
        QVERIFY2(r.ok(), r.err.constData());
    }

    void decodesOtherCodecs_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("elementSize");
        QTest::addColumn<QString>("dtype");
        QTest::newRow("uint16, not a multiple of 8") << "u2_odd" << 2 << "<u2";
        QTest::newRow("uint16, whole blocks") << "u2_blocks" << 2 << "<u2";
        QTest::newRow("uint32") << "u4" << 4 << "<u4";
        QTest::newRow("uint8") << "u1" << 1 << "u1";
        QTest::newRow("float32") << "f4" << 4 << "<f4";
        QTest::newRow("float64") << "f8" << 8 << "<f8";
        QTest::newRow("5 elements, all raw") << "u2_tiny" << 2 << "<u2";
    }

    // The HDF5 filter's chunk, python3-bitshuffle's buffer and the LZ4 filter's chunk all decode to the elements;
    // our encoding decodes to them in python3-bitshuffle.
    void decodesOtherCodecs()
    {
        QFETCH(QString, name);
        QFETCH(int, elementSize);
        QFETCH(QString, dtype);
        const QByteArray raw = readAll(file(name + ".raw"));
        QVERIFY(!raw.isEmpty());
        for (const char* ext : { ".h5chunk", ".py" }) {
            std::vector<std::byte> out;
            const fxs::Status st = fxs::BitshuffleLz4::decode(bytes(readAll(file(name + ext))), elementSize, 1 << 24, out);
            QVERIFY2(st.ok(), st.message().c_str());
            QCOMPARE(QByteArray(reinterpret_cast<const char*>(out.data()), qsizetype(out.size())), raw);
        }
        std::vector<std::byte> lz4;
        QVERIFY(fxs::BitshuffleLz4::decodeLz4(bytes(readAll(file(name + ".lz4"))), 1 << 24, lz4).ok());
        QCOMPARE(QByteArray(reinterpret_cast<const char*>(lz4.data()), qsizetype(lz4.size())), raw);

        const std::vector<std::byte> ours = fxs::BitshuffleLz4::encode(bytes(raw), elementSize);
        QFile f(file(name + ".ours"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(reinterpret_cast<const char*>(ours.data()), qint64(ours.size()));
        f.close();
        const auto check = fxs::test::runPython(kChecker, { m_dir.path(), name, dtype });
        QVERIFY2(check.ok(), check.err.constData());
        QCOMPARE(check.out.trimmed(), QByteArray("1"));
    }

    void refusesDamage_data()
    {
        QTest::addColumn<int>("cut"); // bytes kept (−1: all)
        QTest::addColumn<int>("flip"); // byte whose bits are inverted (−1: none)
        QTest::addColumn<int>("maxBytes");
        QTest::addColumn<QString>("expect");
        QTest::newRow("header only half") << 7 << -1 << (1 << 24) << "too short";
        QTest::newRow("truncated inside a block") << 5000 << -1 << (1 << 24) << "truncated";
        QTest::newRow("one byte short") << -2 << -1 << (1 << 24) << "";
        QTest::newRow("block size byte damaged") << -1 << 11 << (1 << 24) << "";
        QTest::newRow("size above the limit") << -1 << -1 << 1000 << "more than";
        QTest::newRow("compressed byte damaged") << -1 << 200 << (1 << 24) << "";
    }

    // Every damaged buffer is refused (or, where LZ4 cannot tell, decoded to the announced size); no crash.
    void refusesDamage()
    {
        QFETCH(int, cut);
        QFETCH(int, flip);
        QFETCH(int, maxBytes);
        QFETCH(QString, expect);
        QByteArray b = readAll(file("u2_blocks.h5chunk"));
        if (cut >= 0) {
            b.truncate(cut);
        } else if (cut == -2) {
            b.chop(1);
        }
        if (flip >= 0) {
            b[flip] = static_cast<char>(~b[flip]);
        }
        std::vector<std::byte> out;
        const fxs::Status st = fxs::BitshuffleLz4::decode(bytes(b), 2, std::size_t(maxBytes), out);
        if (!expect.isEmpty()) {
            QVERIFY(!st.ok());
            QVERIFY2(QString::fromStdString(st.message()).contains(expect), st.message().c_str());
        } else if (!st.ok()) {
            QVERIFY2(QString::fromStdString(st.message()).startsWith("bitshuffle-LZ4 data: "), st.message().c_str());
        } else {
            QCOMPARE(out.size(), std::size_t(3 * 4096 * 2));
        }
    }
};

QTEST_GUILESS_MAIN(tst_BitshuffleLz4)
#include "tst_BitshuffleLz4.moc"
