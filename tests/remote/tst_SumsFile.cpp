// The sums files of remote jobs (checkpoints, results; the one sums format, SumsFile) and the snapshot files: a round
// trip keeps every value bit for bit, numpy reads the documented layout, the two earlier formats (fxs-worker's FXS1SUMS
// and fxs correlate's version-1 checkpoints, written by the code of 7479236 and kept in tests/data/sums) are still
// read, and a damaged file is refused with a message naming it instead of crashing.
#include "SnapshotFile.h"
#include <fxs/results/SumsFile.h>

#include <PythonRunner.h>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>
#include <random>

using fxs::remote::SnapshotFile;
using fxs::SumsFile;

namespace {

SumsFile randomSums(int nQ, int nPhi, int nMax, unsigned seed)
{
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> n;
    SumsFile f;
    f.sums = fxs::C2Sums::zeros(nQ, nPhi, nMax, true, true);
    for (auto& v : f.sums.squares) {
        v = n(rng);
    }
    for (int h = 0; h < 2; ++h) {
        for (auto& v : f.sums.signal[h]) {
            v = { n(rng), n(rng) };
        }
        for (auto& v : f.sums.mask[h]) {
            v = { n(rng), n(rng) };
        }
        f.sums.shots[h] = 100 + h;
    }
    for (auto& v : f.sums.weightedIntensity) {
        v = n(rng);
    }
    for (auto& v : f.sums.weightSum) {
        v = n(rng);
    }
    f.computationHash = 0xfedcba9876543210ULL;
    f.unitsDone = { 0, 3, 7 };
    f.rejected = { { 4, "sum below 10" }, { 9, "hand veto" } };
    return f;
}

} // namespace

class TestSumsFile : public QObject {
    Q_OBJECT

private slots:
    void roundTripIsExact_data()
    {
        QTest::addColumn<int>("nQ");
        QTest::addColumn<int>("nPhi");
        QTest::addColumn<int>("nMax");
        QTest::newRow("8 x 16, all frequencies") << 8 << 16 << 8;
        QTest::newRow("5 x 12, n_max 3") << 5 << 12 << 3;
    }
    void roundTripIsExact()
    {
        QFETCH(int, nQ);
        QFETCH(int, nPhi);
        QFETCH(int, nMax);
        QTemporaryDir dir;
        const auto path = dir.filePath("s.fxs1").toStdString();
        const SumsFile a = randomSums(nQ, nPhi, nMax, 7);
        QVERIFY(a.write(path).ok());
        auto b = SumsFile::read(path);
        QVERIFY2(b.ok(), b ? "" : b.error().message.c_str());
        QVERIFY(b->sums.compatible(a.sums));
        for (int h = 0; h < 2; ++h) {
            QVERIFY(b->sums.signal[h] == a.sums.signal[h]);
            QVERIFY(b->sums.mask[h] == a.sums.mask[h]);
            QCOMPARE(b->sums.shots[h], a.sums.shots[h]);
        }
        QVERIFY(b->sums.weightedIntensity == a.sums.weightedIntensity);
        QVERIFY(b->sums.weightSum == a.sums.weightSum);
        QVERIFY(b->sums.hasVariance() && b->sums.squares == a.sums.squares);
        QCOMPARE(b->computationHash, a.computationHash);
        QVERIFY(b->unitsDone == a.unitsDone);
        QCOMPARE(b->rejected.size(), a.rejected.size());
        QCOMPARE(b->rejected[1].reason, a.rejected[1].reason);
        QCOMPARE(b->format, std::string("FXSCKPT 3"));
        auto h = SumsFile::readHeader(path);
        QVERIFY(h.ok() && h->sums.signal[0].empty() && h->sums.totalShots() == 201 && h->unitsDone == a.unitsDone);
    }

    void numpyReadsTheDocumentedLayout()
    {
        if (!fxs::test::pythonHas("numpy")) {
            QSKIP("python3-numpy is not installed");
        }
        QTemporaryDir dir;
        const QString path = dir.filePath("s.fxs1");
        const SumsFile a = randomSums(6, 10, 5, 11);
        QVERIFY(a.write(path.toStdString()).ok());
        // Reads the header and the odd half's mask at (n=2, q=4, q'=1) from the bytes, as the header documents.
        const QString script = R"(
import json, struct, sys, numpy as np
b = open(sys.argv[1], 'rb').read()
magic, version, _, n = struct.unpack('<8sIIQ', b[:24])
h_ok = lambda b, n: json.loads(b[24:24 + n])['nSquares'] == (json.loads(b[24:24 + n])['nMax'] + 1) * 36
assert magic == b'FXSCKPT\0' and version == 3 and h_ok(b, n)
h = json.loads(b[24:24 + n])
nq, nf, nm = h['nQ'], h['nMax'] + 1, h['nPhi'] // 2 + 1
a = np.frombuffer(b[24 + n:-32], dtype='<f8')
sig = 2 * nf * nq * nq * 2
mask1 = a[sig + nm * nq * nq * 2: sig + 2 * nm * nq * nq * 2].view('<c16').reshape(nm, nq, nq)
sq = a[sig + 2 * nm * nq * nq * 2: sig + 2 * nm * nq * nq * 2 + nf * nq * nq].reshape(nf, nq, nq)
print(repr(mask1[2, 4, 1].real), repr(mask1[2, 4, 1].imag), h['shotsOdd'], repr(sq[3, 5, 2]))
)";
        const auto r = fxs::test::runPython(script, { path });
        QVERIFY2(r.ok(), r.err.constData());
        const auto parts = r.out.trimmed().split(' ');
        QCOMPARE(parts.size(), 4);
        const auto expected = a.sums.mask[1][a.sums.at(2, 4, 1)];
        QCOMPARE(parts[0].toDouble(), expected.real());
        QCOMPARE(parts[1].toDouble(), expected.imag());
        QCOMPARE(parts[2].toLongLong(), a.sums.shots[1]);
        QCOMPARE(parts[3].toDouble(), a.sums.squares[a.sums.at(3, 5, 2)]);
    }

    // A version-2 file (before the squares), written here by Python from the documented layout: read without an
    // error, every value as written, and no squares (so no standard errors rather than zeros).
    void version2IsReadWithoutSquares()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("v2.fxsckpt");
        const QString script = R"(
import hashlib, json, struct, sys
nq, nphi, nmax = 3, 8, 2
h = {'nQ': nq, 'nPhi': nphi, 'nMax': nmax, 'ringMeanSubtracted': True, 'shotsEven': 5, 'shotsOdd': 4,
     'nSignal': (nmax + 1) * nq * nq, 'nMask': (nphi // 2 + 1) * nq * nq, 'nImage': nq * nphi, 'nShotsDone': 2,
     'configuration': '{}', 'softwareVersion': 'v2-writer', 'computationHash': 7, 'unitsDone': [1], 'rejected': []}
t = json.dumps(h).encode()
b = b'FXSCKPT\0' + struct.pack('<IIQ', 2, 0, len(t)) + t
for half in range(2):
    b += b''.join(struct.pack('<dd', i + half, -i) for i in range(h['nSignal']))
for half in range(2):
    b += b''.join(struct.pack('<dd', 0.5 * i, half) for i in range(h['nMask']))
b += b''.join(struct.pack('<d', 2.0 * i) for i in range(h['nImage']))
b += b''.join(struct.pack('<d', 1.0) for i in range(h['nImage']))
b += struct.pack('<qq', 3, 8)
open(sys.argv[1], 'wb').write(b + hashlib.sha256(b).digest())
)";
        const auto py = fxs::test::runPython(script, { path });
        QVERIFY2(py.ok(), py.err.constData());
        auto f = SumsFile::read(path.toStdString());
        QVERIFY2(f.ok(), f ? "" : f.error().message.c_str());
        QCOMPARE(f->format, std::string("FXSCKPT 2"));
        QVERIFY(!f->sums.hasVariance());
        QCOMPARE(f->sums.signal[1][5], std::complex<double>(6.0, -5.0));
        QCOMPARE(f->sums.mask[1][7], std::complex<double>(3.5, 1.0));
        QCOMPARE(f->sums.weightedIntensity[4], 8.0);
        QVERIFY(f->shotsDone == (std::vector<std::int64_t> { 3, 8 }));
        QCOMPARE(f->computationHash, std::uint64_t { 7 });
    }

    void damagedFilesAreRefused_data()
    {
        QTest::addColumn<int>("damage");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing") << 0 << "cannot open";
        QTest::newRow("wrong magic") << 1 << "not an fxs sums file";
        QTest::newRow("truncated arrays") << 2 << "truncated or damaged";
        QTest::newRow("garbage header") << 3 << "header";
        QTest::newRow("huge header length") << 4 << "header";
        QTest::newRow("extra bytes") << 5 << "truncated or damaged";
        QTest::newRow("bit flip in the sums") << 6 << "checksum";
    }
    void damagedFilesAreRefused()
    {
        QFETCH(int, damage);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString path = dir.filePath("s.fxs1");
        QVERIFY(randomSums(4, 8, 4, 3).write(path.toStdString()).ok());
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QByteArray bytes = f.readAll();
        switch (damage) {
        case 0:
            f.remove();
            break;
        case 1:
            bytes[0] = 'X';
            break;
        case 2:
            bytes.chop(100);
            break;
        case 3:
            bytes[25] = '#';
            break;
        case 4:
            bytes[23] = char(0x7f);
            break;
        case 6:
            bytes[bytes.size() - 100] = char(bytes[bytes.size() - 100] ^ 0x04);
            break;
        case 5:
            bytes.append("tail");
            break;
        }
        if (damage != 0) {
            f.resize(0);
            f.seek(0);
            f.write(bytes);
            f.close();
        }
        auto r = SumsFile::read(path.toStdString());
        QVERIFY(!r.ok());
        const QString msg = QString::fromStdString(r.error().message);
        QVERIFY2(msg.contains(expected) && msg.contains("s.fxs1"), qPrintable(msg));
    }

    // Files of the two formats before the one sums format, written by the code of 7479236
    // (tests/data/sums/make-fixtures.cpp): every value against the formula they were filled with.
    void earlierFormatsAreRead_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("format");
        QTest::newRow("fxs correlate checkpoint, version 1") << "checkpoint-v1.fxsckpt" << "FXSCKPT 1";
        QTest::newRow("fxs-worker FXS1SUMS") << "worker-fxs1.sums" << "FXS1SUMS";
    }
    void earlierFormatsAreRead()
    {
        QFETCH(QString, file);
        QFETCH(QString, format);
        const QString path = qEnvironmentVariable("FXS_SOURCE_DIR") + "/tests/data/sums/" + file;
        auto f = SumsFile::read(path.toStdString());
        QVERIFY2(f.ok(), f ? "" : f.error().message.c_str());
        QCOMPARE(QString::fromStdString(f->format), format);
        const fxs::C2Sums& s = f->sums;
        QVERIFY(s.nQ == 3 && s.nPhi == 8 && s.nMax == 2 && s.ringMeanSubtracted);
        QVERIFY(s.shots[0] == 5 && s.shots[1] == 4);
        for (int h = 0; h < 2; ++h) {
            QCOMPARE(s.signal[h].size(), std::size_t(3 * 3 * 3));
            for (std::size_t i = 0; i < s.signal[h].size(); ++i) {
                QCOMPARE(s.signal[h][i], std::complex<double>(double(i) + 0.25 * h, -0.5 * double(i)));
            }
            QCOMPARE(s.mask[h].size(), std::size_t(5 * 3 * 3));
            for (std::size_t i = 0; i < s.mask[h].size(); ++i) {
                QCOMPARE(s.mask[h][i], std::complex<double>(0.125 * double(i), h + 1.0));
            }
        }
        for (std::size_t i = 0; i < s.weightSum.size(); ++i) {
            QCOMPARE(s.weightedIntensity[i], 1.5 * double(i));
            QCOMPARE(s.weightSum[i], double(i % 3));
        }
        if (format == "FXS1SUMS") {
            QCOMPARE(f->computationHash, std::uint64_t { 0x0123456789abcdefULL });
            QVERIFY(f->unitsDone == (std::vector<std::int64_t> { 0, 2 }));
            QVERIFY(f->rejected.size() == 1 && f->rejected[0].shot == 3 && f->rejected[0].reason == "sum below 10");
        } else {
            QVERIFY(f->shotsDone == (std::vector<std::int64_t> { 0, 1, 2, 3, 4, 5, 6, 7, 8 }));
            QCOMPARE(f->configuration, std::string(R"({"fixture":1})"));
            QCOMPARE(f->softwareVersion, std::string("0.1.0-7479236"));
        }
    }

    void snapshotRoundTrip()
    {
        QTemporaryDir dir;
        const auto path = dir.filePath("snap").toStdString();
        SnapshotFile s { 3, 4, 17, 0.25, {} };
        for (int i = 0; i < 3 * 3 * 4; ++i) {
            s.c2.push_back(i * 0.5 - 3.0);
        }
        QVERIFY(s.write(path).ok());
        auto r = SnapshotFile::read(path);
        QVERIFY(r.ok());
        QCOMPARE(r->shots, qint64(17));
        QCOMPARE(r->splitHalfCC, 0.25);
        QVERIFY(r->c2 == s.c2);
        QFile::resize(QString::fromStdString(path), 20);
        QVERIFY(!SnapshotFile::read(path).ok());
    }
};

QTEST_GUILESS_MAIN(TestSumsFile)
#include "tst_SumsFile.moc"
