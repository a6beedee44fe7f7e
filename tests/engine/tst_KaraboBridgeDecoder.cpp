// KaraboBridgeDecoder on messages serialised by Debian's python3-karabo-bridge (karabo_bridge.serializer, protocol
// 2.2): file and online layouts, one or many modules, per-pulse frames against numpy's own transposes of the same
// arrays, train ids and pulse ids; malformed replies refused with a message.
#include "PythonRunner.h"

#include <QTemporaryDir>
#include <QtTest>
#include <fxs/sources/KaraboBridgeDecoder.h>

namespace {

// Each case: <name>.parts (uint32 count, then per part uint64 length + bytes) and, for good cases, <name>.expect
// (float64 frames (pulses, nSlow, nFast) built with numpy transposes).
const char* kWriter = R"(
import struct, sys, numpy as np
from karabo_bridge.serializer import serialize
out = sys.argv[1]
SRC = 'SPB_DET_AGIPD1M-1/CAL/APPEND_CORRECTED'
def write(name, parts, expect=None):
    with open('%s/%s.parts' % (out, name), 'wb') as f:
        f.write(struct.pack('<I', len(parts)))
        for p in parts:
            b = bytes(p)
            f.write(struct.pack('<Q', len(b)) + b)
    if expect is not None:
        np.ascontiguousarray(expect, dtype='<f8').tofile('%s/%s.expect' % (out, name))
def train(arr, pulses, extra=None, src=SRC, tid=555):
    data = {src: {'image.data': arr, 'image.pulseId': np.arange(100, 100 + pulses, dtype=np.uint64), 'scalar': 3}}
    if extra:
        data.update(extra)
    meta = {s: {'source': s, 'timestamp': 1.5e9, 'timestamp.tid': tid} for s in data}
    return serialize(data, meta)
a = np.arange(3 * 2 * 8 * 4).reshape(3, 2, 8, 4).astype('<u2')                  # (pulses, modules, ss, fs)
write('file4d', train(a, 3), a.reshape(3, 16, 4))
b = (np.arange(2 * 4 * 8 * 3) * 0.5).reshape(2, 4, 8, 3).astype('<f4')          # (modules, fs, ss, pulses)
write('online4d', train(b, 3), b.transpose(3, 0, 2, 1).reshape(3, 16, 4))
c = (np.arange(4 * 8 * 3) - 50).reshape(4, 8, 3).astype('<i4')                  # (fs, ss, pulses)
write('online3d', train(c, 3), c.transpose(2, 1, 0))
d = np.arange(8 * 4).reshape(8, 4).astype('>f8')                                 # one frame, big-endian
write('single2d', train(d, 1), d[None])
other = {'OTHER/DEV': {'image.mask': np.zeros((1, 8, 4), '<u2')}}  # sorts first, has no image.data
write('twosources', train(a, 3, other), a.reshape(3, 16, 4))
write('protocol10', serialize({SRC: {'image.data': a}}, {SRC: {}}, protocol_version='1.0'))
parts = train(a, 3)
write('oddparts', parts[:-1])
write('badheader', [b'\xc1\xc1\xc1'] + parts[1:])
truncated = list(parts); truncated[3] = bytes(truncated[3])[:-2]
write('shortarray', truncated)
write('complex', train(np.zeros((2, 8, 4), np.complex64), 2))
write('nodata', serialize({SRC: {'other': np.zeros(3)}}, {SRC: {'timestamp.tid': 9}}))
write('fiveaxes', train(np.zeros((1, 1, 2, 8, 4), '<u2'), 1))
)";

struct Parts {
    QList<QByteArray> owned;
    std::vector<std::span<const std::byte>> views;
};

Parts readParts(const QString& path)
{
    QFile f(path);
    Parts p;
    if (!f.open(QIODevice::ReadOnly)) {
        return p;
    }
    const QByteArray all = f.readAll();
    quint32 n = 0;
    std::memcpy(&n, all.constData(), 4);
    qsizetype at = 4;
    for (quint32 i = 0; i < n; ++i) {
        quint64 len = 0;
        std::memcpy(&len, all.constData() + at, 8);
        p.owned.append(all.mid(at + 8, qsizetype(len)));
        at += 8 + qsizetype(len);
    }
    for (const auto& b : p.owned) {
        p.views.emplace_back(reinterpret_cast<const std::byte*>(b.constData()), std::size_t(b.size()));
    }
    return p;
}

} // namespace

class tst_KaraboBridgeDecoder : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    fxs::Result<fxs::KaraboTrain> decode(const QString& name, fxs::KaraboBridgeDecoder::Options o = {})
    {
        const Parts p = readParts(m_dir.filePath(name + ".parts"));
        return fxs::KaraboBridgeDecoder(o).decode(p.views);
    }

private slots:
    void initTestCase()
    {
        if (!fxs::test::pythonHas("karabo_bridge")) {
            QSKIP("python3-karabo-bridge is missing");
        }
        const auto r = fxs::test::runPython(kWriter, { m_dir.path() });
        QVERIFY2(r.ok(), r.err.constData());
    }

    void framesPerPulse_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("pulses");
        QTest::addColumn<int>("nSlow");
        QTest::addColumn<int>("nFast");
        QTest::newRow("file (pulses, modules, ss, fs) uint16") << "file4d" << int(fxs::PixelType::UInt16) << 3 << 16 << 4;
        QTest::newRow("online (modules, fs, ss, pulses) float32") << "online4d" << int(fxs::PixelType::Float32) << 3 << 16 << 4;
        QTest::newRow("online (fs, ss, pulses) int32") << "online3d" << int(fxs::PixelType::Int32) << 3 << 8 << 4;
        QTest::newRow("one frame, big-endian float64") << "single2d" << int(fxs::PixelType::Float64) << 1 << 8 << 4;
        QTest::newRow("two sources: the one with image.data") << "twosources" << int(fxs::PixelType::UInt16) << 3 << 16 << 4;
    }

    void framesPerPulse()
    {
        QFETCH(QString, name);
        QFETCH(int, type);
        QFETCH(int, pulses);
        QFETCH(int, nSlow);
        QFETCH(int, nFast);
        auto t = decode(name);
        QVERIFY2(t.ok(), t.ok() ? "" : t.error().message.c_str());
        QCOMPARE(t->trainId, qint64(555));
        QCOMPARE(t->timestampS, 1.5e9);
        QCOMPARE(t->source, std::string("SPB_DET_AGIPD1M-1/CAL/APPEND_CORRECTED"));
        QCOMPARE(int(t->frames.size()), pulses);
        QFile e(m_dir.filePath(name + ".expect"));
        QVERIFY(e.open(QIODevice::ReadOnly));
        const QByteArray expect = e.readAll();
        const auto* want = reinterpret_cast<const double*>(expect.constData());
        QCOMPARE(expect.size(), qsizetype(pulses * nSlow * nFast * 8));
        for (int p = 0; p < pulses; ++p) {
            const fxs::Frame& f = t->frames[std::size_t(p)];
            QCOMPARE(int(f.type), type);
            QCOMPARE(f.nSlow, nSlow);
            QCOMPARE(f.nFast, nFast);
            QCOMPARE(f.meta.seriesId, qint64(555));
            QCOMPARE(f.meta.frameNumber, qint64(p));
            QCOMPARE(f.meta.pulseId, qint64(100 + p));
            for (std::size_t i = 0; i < f.size(); ++i) {
                QCOMPARE(f.value(i), want[std::size_t(p) * f.size() + i]);
            }
        }
    }

    void layoutForced()
    {
        fxs::KaraboBridgeDecoder::Options o;
        o.layout = fxs::KaraboBridgeDecoder::Layout::File; // the online array read as (pulses=2, modules=4, 8, 3)
        auto t = decode("online4d", o);
        QVERIFY(t.ok());
        QCOMPARE(int(t->frames.size()), 2);
        QCOMPARE(t->frames[0].nSlow, 32);
        QCOMPARE(t->frames[0].nFast, 3);
        QVERIFY(!fxs::KaraboBridgeDecoder::parseLayout("diagonal").ok());
    }

    void sourceChosenByName()
    {
        fxs::KaraboBridgeDecoder::Options o;
        o.source = "OTHER/DEV";
        o.dataPath = "image.mask";
        auto t = decode("twosources", o);
        QVERIFY(t.ok());
        QCOMPARE(t->source, std::string("OTHER/DEV"));
        QCOMPARE(int(t->frames.size()), 1);
        o.source = "NO/SUCH";
        o.dataPath = "image.data";
        auto missing = decode("twosources", o);
        QVERIFY(!missing.ok());
        QVERIFY2(missing.error().message.find("no array 'image.data' in source NO/SUCH") != std::string::npos,
            missing.error().message.c_str());
    }

    void malformed_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("expect");
        QTest::newRow("protocol 1.0") << "protocol10" << "protocol 1.0";
        QTest::newRow("odd number of parts") << "oddparts" << "pairs of parts";
        QTest::newRow("header not msgpack") << "badheader" << "not valid msgpack";
        QTest::newRow("array part too short") << "shortarray" << "train 555, SPB_DET_AGIPD1M-1/CAL/APPEND_CORRECTED image.data: the array part holds";
        QTest::newRow("complex pixels") << "complex" << "unknown pixel type 'complex64'";
        QTest::newRow("no detector array") << "nodata" << "no array 'image.data'";
        QTest::newRow("five axes") << "fiveaxes" << "an array of 5 axes";
    }

    void malformed()
    {
        QFETCH(QString, name);
        QFETCH(QString, expect);
        auto t = decode(name);
        QVERIFY(!t.ok());
        QVERIFY2(QString::fromStdString(t.error().message).contains(expect), t.error().message.c_str());
    }
};

QTEST_GUILESS_MAIN(tst_KaraboBridgeDecoder)
#include "tst_KaraboBridgeDecoder.moc"
