// The FXS1 sums and snapshot files (checkpoints, results): a round trip keeps every value bit for bit, numpy
// reads the documented layout, and a damaged file is refused with a message naming it instead of crashing.
#include "SumsFile.h"

#include <PythonRunner.h>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>
#include <random>

using fxs::remote::SnapshotFile;
using fxs::remote::SumsFile;

namespace {

SumsFile randomSums(int nQ, int nPhi, int nMax, unsigned seed)
{
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> n;
    SumsFile f;
    f.sums = fxs::C2Sums::zeros(nQ, nPhi, nMax, true);
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
        QCOMPARE(b->computationHash, a.computationHash);
        QVERIFY(b->unitsDone == a.unitsDone);
        auto h = SumsFile::readHeader(path);
        QVERIFY(h.ok() && h->sums.signal[0].empty() && h->sums.totalShots() == 201);
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
assert b[:8] == b'FXS1SUMS'
n = struct.unpack('<I', b[8:12])[0]
h = json.loads(b[12:12 + n])
nq, nf, nm = h['n_q'], h['n_max'] + 1, h['n_phi'] // 2 + 1
a = np.frombuffer(b[12 + n:], dtype='<f8')
sig = 2 * nf * nq * nq * 2
mask1 = a[sig + nm * nq * nq * 2: sig + 2 * nm * nq * nq * 2].view('<c16').reshape(nm, nq, nq)
print(repr(mask1[2, 4, 1].real), repr(mask1[2, 4, 1].imag), h['shots'][1])
)";
        const auto r = fxs::test::runPython(script, { path });
        QVERIFY2(r.ok(), r.err.constData());
        const auto parts = r.out.trimmed().split(' ');
        QCOMPARE(parts.size(), 3);
        const auto expected = a.sums.mask[1][a.sums.at(2, 4, 1)];
        QCOMPARE(parts[0].toDouble(), expected.real());
        QCOMPARE(parts[1].toDouble(), expected.imag());
        QCOMPARE(parts[2].toLongLong(), a.sums.shots[1]);
    }

    void damagedFilesAreRefused_data()
    {
        QTest::addColumn<int>("damage");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing") << 0 << "cannot open";
        QTest::newRow("wrong magic") << 1 << "not an FXS1";
        QTest::newRow("truncated arrays") << 2 << "size does not match";
        QTest::newRow("garbage header") << 3 << "header";
        QTest::newRow("huge header length") << 4 << "header";
        QTest::newRow("extra bytes") << 5 << "size does not match";
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
            bytes[13] = '#';
            break;
        case 4:
            bytes[11] = char(0x7f);
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
