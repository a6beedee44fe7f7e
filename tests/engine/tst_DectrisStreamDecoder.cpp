// DectrisStreamDecoder on the recorded EIGER2 R 500K messages (../shared/data/stream2, checked against cbor2 +
// python3-bitshuffle) and on messages python3-cbor2 writes from the Stream V2 definitions: every typed-array pixel
// type, both compressions, the start message's fields, and malformed messages refused with a message.
#include "PythonRunner.h"

#include <QTemporaryDir>
#include <QtTest>
#include <fxs/sources/BitshuffleLz4.h>
#include <fxs/sources/DectrisStreamDecoder.h>

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

QString recorded() { return qEnvironmentVariable("FXS_SOURCE_DIR") + "/../shared/data/stream2/r500k_bm_bslz4_16bit"; }

// Per recorded image and channel: [image_id, sum, sum of pixel · (index mod 7)] from cbor2 + bitshuffle.
const char* kRecordedOracle = R"(
import bitshuffle, cbor2, glob, json, struct, sys, numpy as np
out = {}
for f in sorted(glob.glob(sys.argv[1] + '/*.cbor')):
    m = cbor2.loads(open(f, 'rb').read())
    if m['type'] != 'image':
        continue
    for ch, arr in m['data'].items():
        (h, w), typed = arr.value
        alg, size, packed = typed.value.value
        n, block = struct.unpack('>QI', packed[:12])
        img = bitshuffle.decompress_lz4(np.frombuffer(packed[12:], np.uint8), (h * w,), np.dtype('<u2'), block // size)
        img = img.astype(np.float64)
        out.setdefault(ch, []).append([m['image_id'], h, w, img.sum(), (img * (np.arange(h * w) % 7)).sum()])
print(json.dumps(out))
)";

// Messages written from the published definitions; the expected pixels are in the test.
const char* kWriter = R"(
import cbor2, struct, sys, numpy as np, lz4.block
out = sys.argv[1]
def img(tag, payload, shape=(2, 3)):
    return cbor2.CBORTag(40, [list(shape), cbor2.CBORTag(tag, payload)])
def msg(name, data, **extra):
    m = {'type': 'image', 'series_id': 7, 'series_unique_id': 'x', 'image_id': 3, 'data': data}
    m.update(extra)
    open('%s/%s.cbor' % (out, name), 'wb').write(cbor2.dumps(m))
v = np.array([0, 1, 2, 65535, 4, 5])
msg('u8', {'c': img(64, v.astype('u1').tobytes())})
msg('u16be', {'c': img(65, v.astype('>u2').tobytes())})
msg('u32le', {'c': img(70, np.array([0, 1, 2, 2**32 - 1, 2**31, 5], '<u4').tobytes())})
msg('i16le', {'c': img(77, (-v).astype('<i2').tobytes())})
msg('f32be', {'c': img(81, (v * 0.5).astype('>f4').tobytes())})
msg('f64le', {'c': img(86, (v * 0.25).astype('<f8').tobytes())})
raw = v.astype('<u2').tobytes()
lz = lz4.block.compress(raw, store_size=False)
msg('lz4', {'c': img(69, cbor2.CBORTag(56500, ['lz4', 0, struct.pack('>QI', len(raw), 8192) + struct.pack('>I', len(lz)) + lz]))})
msg('twochannels', {'a': img(69, raw), 'b': img(69, (v + 1).astype('<u2').tobytes())})
open(out + '/start.cbor', 'wb').write(cbor2.dumps(cbor2.CBORTag(55799, {'type': 'start', 'series_id': 7,
    'series_unique_id': 'x', 'channels': ['threshold_1', 'threshold_2'], 'image_size_x': 1030, 'image_size_y': 514,
    'incident_energy': 12400.0, 'incident_wavelength': 0.99987, 'beam_center_x': 515.5, 'beam_center_y': 257,
    'pixel_size_x': 7.5e-05, 'pixel_size_y': 7.5e-05, 'detector_translation': [0.0, 0.0, 0.123],
    'number_of_images': 100, 'arm_date': cbor2.CBORTag(0, '2026-12-02T06:00:00Z'), 'goniometer': {}})))
open(out + '/end.cbor', 'wb').write(cbor2.dumps({'type': 'end', 'series_id': 7, 'series_unique_id': 'x'}))
# Malformed: each is refused.
open(out + '/bad_notcbor.cbor', 'wb').write(b'\xff\xfe\x00')
open(out + '/bad_notmap.cbor', 'wb').write(cbor2.dumps([1, 2, 3]))
open(out + '/bad_type.cbor', 'wb').write(cbor2.dumps({'type': 'flush'}))
open(out + '/bad_trailing.cbor', 'wb').write(cbor2.dumps({'type': 'end', 'series_id': 1}) + b'\x00')
msg('bad_size', {'c': img(69, b'\x00' * 11)})
msg('bad_u64', {'c': img(71, b'\x00' * 48)})
msg('bad_f16', {'c': img(84, b'\x00' * 12)})
msg('bad_3d', {'c': img(69, b'\x00' * 12, (1, 2, 3))})
msg('bad_zstd', {'c': img(69, cbor2.CBORTag(56500, ['zstd', 0, b'\x00' * 20]))})
msg('bad_bslz4', {'c': img(69, cbor2.CBORTag(56500, ['bslz4', 2, struct.pack('>QI', 32, 8192) + b'\x00\x00\x00\x30' + b'\x00' * 5]), (4, 4))})
msg('bad_nodata', {})
msg('bad_channel', {'c': 5})
m = cbor2.dumps({'type': 'image', 'series_id': 7, 'image_id': 3, 'data': {'c': img(69, raw)}})
open(out + '/bad_truncated.cbor', 'wb').write(m[:-4])
open(out + '/bad_hugeclaim.cbor', 'wb').write(b'\xa2dtypeeimagedrest\x9a\x80\x00\x00\x00' + b'\x00' * 64)
)";

} // namespace

class tst_DectrisStreamDecoder : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    fxs::Result<fxs::DectrisMessage> decode(const QString& name, const std::string& channel = {})
    {
        fxs::DectrisStreamDecoder::Options o;
        o.channel = channel;
        return fxs::DectrisStreamDecoder(o).decode(bytes(readAll(m_dir.filePath(name + ".cbor"))));
    }
    fxs::Frame image(const QString& name, const std::string& channel = {})
    {
        auto r = decode(name, channel);
        if (!r.ok() || !std::holds_alternative<fxs::DectrisImage>(*r)) {
            qWarning() << name << (r.ok() ? "not an image" : r.error().message.c_str());
            return {};
        }
        return std::get<fxs::DectrisImage>(*r).frame;
    }
    static QList<double> values(const fxs::Frame& f)
    {
        QList<double> v;
        for (std::size_t i = 0; i < f.size(); ++i) {
            v.append(f.value(i));
        }
        return v;
    }

private slots:
    void initTestCase()
    {
        for (const char* m : { "cbor2", "bitshuffle", "lz4" }) {
            if (!fxs::test::pythonHas(m)) {
                QSKIP(qPrintable(QString("python3 module %1 is missing").arg(m)));
            }
        }
        const auto r = fxs::test::runPython(kWriter, { m_dir.path() });
        QVERIFY2(r.ok(), r.err.constData());
    }

    // Every image and channel of the recorded series against cbor2 + bitshuffle: shape, sum and a weighted sum;
    // decoded at once, or (deferDecode) left compressed by the decoder and decoded afterwards by fxs::decodePixels
    // as the shot pipeline's workers do.
    void recordedEiger2Series_data()
    {
        QTest::addColumn<bool>("defer");
        QTest::newRow("decoded by the decoder") << false;
        QTest::newRow("decoded later (deferDecode)") << true;
    }
    void recordedEiger2Series()
    {
        QFETCH(bool, defer);
        if (!QFileInfo::exists(recorded() + "/000001.cbor")) {
            QSKIP("../shared/data/stream2 is not present");
        }
        const auto py = fxs::test::runPython(kRecordedOracle, { recorded() });
        QVERIFY2(py.ok(), py.err.constData());
        const QJsonObject oracle = QJsonDocument::fromJson(py.out).object();
        QCOMPARE(oracle.keys(), (QStringList { "difference", "threshold_1", "threshold_2" }));
        for (const QString& channel : oracle.keys()) {
            fxs::DectrisStreamDecoder::Options o;
            o.channel = channel.toStdString();
            o.deferDecode = defer;
            const fxs::DectrisStreamDecoder decoder(o);
            const QJsonArray rows = oracle[channel].toArray();
            QCOMPARE(rows.size(), 10);
            for (int k = 0; k < rows.size(); ++k) {
                const QJsonArray row = rows[k].toArray();
                auto r = decoder.decode(bytes(readAll(recorded() + QString("/%1.cbor").arg(k + 1, 6, 10, QChar('0')))));
                QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
                auto& img = std::get<fxs::DectrisImage>(*r);
                if (defer) { // left compressed: no pixels until decoded
                    QCOMPARE(img.frame.encoding, fxs::PixelEncoding::BitshuffleLz4);
                    QVERIFY(img.frame.pixels.empty());
                    const fxs::Status st = fxs::decodePixels(img.frame);
                    QVERIFY2(st.ok(), st.message().c_str());
                }
                QCOMPARE(img.frame.encoding, fxs::PixelEncoding::Plain);
                QCOMPARE(img.imageId, qint64(row[0].toDouble()));
                QCOMPARE(img.seriesId, qint64(1));
                QCOMPARE(img.frame.meta.frameNumber, img.imageId);
                QCOMPARE(img.frame.nSlow, row[1].toInt());
                QCOMPARE(img.frame.nFast, row[2].toInt());
                QCOMPARE(img.frame.type, fxs::PixelType::UInt16);
                double sum = 0.0, weighted = 0.0;
                for (std::size_t i = 0; i < img.frame.size(); ++i) {
                    sum += img.frame.value(i);
                    weighted += img.frame.value(i) * double(i % 7);
                }
                QCOMPARE(sum, row[3].toDouble());
                QCOMPARE(weighted, row[4].toDouble());
            }
        }
        auto end = fxs::DectrisStreamDecoder().decode(bytes(readAll(recorded() + "/000011.cbor")));
        QVERIFY(end.ok() && std::holds_alternative<fxs::DectrisEnd>(*end));
        QCOMPARE(std::get<fxs::DectrisEnd>(*end).seriesId, qint64(1));
    }

    // deferDecode on the written messages: an LZ4 image is left compressed and decodes to the expected pixels; a
    // damaged bitshuffle block (its header right) is found by decodePixels, which says so; raw and converted
    // elements (big-endian uint16) are decoded by the decoder as before.
    void deferredDecoding()
    {
        fxs::DectrisStreamDecoder::Options o;
        o.deferDecode = true;
        const fxs::DectrisStreamDecoder decoder(o);
        auto lz4 = decoder.decode(bytes(readAll(m_dir.filePath("lz4.cbor"))));
        QVERIFY(lz4.ok());
        fxs::Frame f = std::get<fxs::DectrisImage>(*lz4).frame;
        QCOMPARE(f.encoding, fxs::PixelEncoding::Lz4);
        QVERIFY(fxs::decodePixels(f).ok());
        QCOMPARE(values(f), (QList<double> { 0, 1, 2, 65535, 4, 5 }));
        auto bad = decoder.decode(bytes(readAll(m_dir.filePath("bad_bslz4.cbor"))));
        QVERIFY(bad.ok());
        fxs::Frame b = std::get<fxs::DectrisImage>(*bad).frame;
        const fxs::Status st = fxs::decodePixels(b);
        QVERIFY(!st.ok());
        QVERIFY2(QString::fromStdString(st.message()).contains("truncated"), st.message().c_str());
        auto be = decoder.decode(bytes(readAll(m_dir.filePath("u16be.cbor"))));
        QVERIFY(be.ok());
        QCOMPARE(std::get<fxs::DectrisImage>(*be).frame.encoding, fxs::PixelEncoding::Plain);
        QCOMPARE(values(std::get<fxs::DectrisImage>(*be).frame), (QList<double> { 0, 1, 2, 65535, 4, 5 }));
    }

    void pixelTypes_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("type");
        QTest::addColumn<QList<double>>("expect");
        QTest::newRow("uint8 -> uint16") << "u8" << int(fxs::PixelType::UInt16) << QList<double> { 0, 1, 2, 255, 4, 5 };
        QTest::newRow("uint16 big-endian") << "u16be" << int(fxs::PixelType::UInt16)
                                           << QList<double> { 0, 1, 2, 65535, 4, 5 };
        QTest::newRow("uint32: no-data -> -1") << "u32le" << int(fxs::PixelType::Int32)
                                               << QList<double> { 0, 1, 2, -1, -1, 5 };
        QTest::newRow("int16") << "i16le" << int(fxs::PixelType::Int16) << QList<double> { 0, -1, -2, 1, -4, -5 };
        QTest::newRow("float32 big-endian") << "f32be" << int(fxs::PixelType::Float32)
                                            << QList<double> { 0, 0.5, 1, 32767.5, 2, 2.5 };
        QTest::newRow("float64") << "f64le" << int(fxs::PixelType::Float64)
                                 << QList<double> { 0, 0.25, 0.5, 16383.75, 1, 1.25 };
        QTest::newRow("lz4 (HDF5 framing)") << "lz4" << int(fxs::PixelType::UInt16)
                                            << QList<double> { 0, 1, 2, 65535, 4, 5 };
    }

    // -v of int16 wraps 65535 to 1, as numpy's astype does.
    void pixelTypes()
    {
        QFETCH(QString, name);
        QFETCH(int, type);
        QFETCH(QList<double>, expect);
        const fxs::Frame f = image(name);
        QCOMPARE(int(f.type), type);
        QCOMPARE(f.nSlow, 2);
        QCOMPARE(f.nFast, 3);
        QCOMPARE(values(f), expect);
        QCOMPARE(f.meta.seriesId, qint64(7));
        QCOMPARE(f.meta.frameNumber, qint64(3));
    }

    void channelChoice()
    {
        QCOMPARE(values(image("twochannels")), (QList<double> { 0, 1, 2, 65535, 4, 5 }));
        QCOMPARE(values(image("twochannels", "b")), (QList<double> { 1, 2, 3, 0, 5, 6 }));
        auto r = decode("twochannels", "threshold_9");
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.find("no channel 'threshold_9'") != std::string::npos, r.error().message.c_str());
    }

    void startAndEnd()
    {
        auto r = decode("start");
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        const auto& s = std::get<fxs::DectrisStart>(*r);
        QCOMPARE(s.seriesId, qint64(7));
        QCOMPARE(s.channels, (std::vector<std::string> { "threshold_1", "threshold_2" }));
        QCOMPARE(s.imageSizeX, 1030);
        QCOMPARE(s.imageSizeY, 514);
        QCOMPARE(s.incidentEnergyEv, 12400.0);
        QCOMPARE(s.incidentWavelengthA, 0.99987);
        QCOMPARE(s.beamCenterXPx, 515.5);
        QCOMPARE(s.beamCenterYPx, 257.0);
        QCOMPARE(s.pixelSizeXM, 7.5e-05);
        QCOMPARE(s.detectorDistanceM, 0.123);
        QCOMPARE(s.numberOfImages, qint64(100));
        auto e = decode("end");
        QVERIFY(e.ok() && std::get<fxs::DectrisEnd>(*e).seriesId == 7);
    }

    void malformed_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("expect");
        QTest::newRow("not CBOR") << "bad_notcbor" << "not a CBOR message";
        QTest::newRow("not a map") << "bad_notmap" << "not a map with a text 'type'";
        QTest::newRow("unknown type") << "bad_type" << "unknown message type 'flush'";
        QTest::newRow("stray bytes") << "bad_trailing" << "stray bytes";
        QTest::newRow("wrong size") << "bad_size" << "(series 7, image 3), channel 'c': image data holds 11 bytes";
        QTest::newRow("uint64") << "bad_u64" << "unknown pixel type (typed-array tag 71: uint64)";
        QTest::newRow("float16") << "bad_f16" << "unknown pixel type (typed-array tag 84: float16)";
        QTest::newRow("3-D") << "bad_3d" << "not two-dimensional";
        QTest::newRow("unknown compression") << "bad_zstd" << "unknown compression 'zstd'";
        QTest::newRow("truncated bslz4 block") << "bad_bslz4" << "truncated";
        QTest::newRow("no data") << "bad_nodata" << "no data map";
        QTest::newRow("channel not an array") << "bad_channel" << "not a multi-dimensional array";
        QTest::newRow("truncated message") << "bad_truncated" << "not a CBOR message";
        QTest::newRow("array claiming 2^31 elements") << "bad_hugeclaim" << "claim more elements than its 86 bytes";
    }

    void malformed()
    {
        QFETCH(QString, name);
        QFETCH(QString, expect);
        auto r = decode(name);
        QVERIFY(!r.ok());
        QVERIFY2(QString::fromStdString(r.error().message).contains(expect), r.error().message.c_str());
    }
};

QTEST_GUILESS_MAIN(tst_DectrisStreamDecoder)
#include "tst_DectrisStreamDecoder.moc"
