#include "PythonRunner.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>
#include <fxs/results/Checkpoint.h>

namespace {

constexpr int nQ = 4, nPhi = 12, nMax = 3;

// Sums filled from formulas of their flat index, so that a reload can be checked value by value.
fxs::C2Sums sums()
{
    fxs::C2Sums s;
    s.nQ = nQ;
    s.nPhi = nPhi;
    s.nMax = nMax;
    s.shots[0] = 7;
    s.shots[1] = 6;
    for (int h = 0; h < 2; ++h) {
        for (std::size_t i = 0; i < std::size_t(nMax + 1) * nQ * nQ; ++i) {
            s.signal[h].emplace_back(0.5 * double(i) + h, -double(i));
        }
        for (std::size_t i = 0; i < std::size_t(nPhi / 2 + 1) * nQ * nQ; ++i) {
            s.mask[h].emplace_back(double(i * i), 0.25 * h);
        }
    }
    for (std::size_t i = 0; i < std::size_t(nQ) * nPhi; ++i) {
        s.weightedIntensity.push_back(1.0 / (1.0 + double(i)));
        s.weightSum.push_back(double(i % 7));
    }
    return s;
}

const std::vector<std::int64_t> kShots { 0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233 };
const std::string kConfig = R"({"nQ": 4, "nPhi": 12, "veto": "none"})";

QByteArray readAll(const QString& p)
{
    QFile f(p);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void writeAll(const QString& p, const QByteArray& b)
{
    QFile f(p);
    f.open(QIODevice::WriteOnly);
    f.write(b);
}

} // namespace

class tst_Checkpoint : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_path;

private slots:
    void initTestCase()
    {
        m_path = m_dir.path() + "/run.ckpt";
        QVERIFY(fxs::Checkpoint::save(m_path.toStdString(), sums(), kShots, "old").ok());
        // Saving again replaces the checkpoint in one rename and leaves no temporary file behind.
        const fxs::Status s = fxs::Checkpoint::save(m_path.toStdString(), sums(), kShots, kConfig);
        QVERIFY2(s.ok(), s.message().c_str());
        QCOMPARE(QDir(m_dir.path()).entryList(QDir::Files), QStringList { "run.ckpt" });
    }

    void reloadsEveryValue()
    {
        auto d = fxs::Checkpoint::load(m_path.toStdString(), fxs::C2Sums { nQ, nPhi, nMax }, kConfig);
        QVERIFY2(d.ok(), d ? "" : d.error().message.c_str());
        const fxs::C2Sums want = sums();
        QCOMPARE(d->sums.nQ, nQ);
        QCOMPARE(d->sums.shots[0], 7);
        QCOMPARE(d->sums.shots[1], 6);
        for (int h = 0; h < 2; ++h) {
            QVERIFY(d->sums.signal[h] == want.signal[h]);
            QVERIFY(d->sums.mask[h] == want.mask[h]);
        }
        QVERIFY(d->sums.weightedIntensity == want.weightedIntensity);
        QVERIFY(d->sums.weightSum == want.weightSum);
        QCOMPARE(d->shotsDone, kShots);
        QCOMPARE(d->configuration, kConfig);
    }

    // The documented layout, checked by an independent reader: magic, size and the SHA-256 footer.
    void layoutMatchesTheSchema()
    {
        const char* script = R"(
import sys, hashlib, json, struct
b = open(sys.argv[1], 'rb').read()
magic, version, _, hlen = struct.unpack('<8sIIQ', b[:24])
h = json.loads(b[24:24 + hlen])
payload = 2 * 16 * (h['nSignal'] + h['nMask']) + 8 * h['nSquares'] + 2 * 8 * h['nImage'] + 8 * h['nShotsDone']
print(magic == b'FXSCKPT\0', version, len(b) == 24 + hlen + payload + 32, hashlib.sha256(b[:-32]).digest() == b[-32:],
      h['nSignal'], h['nMask'], h['nShotsDone'])
)";
        const auto py = fxs::test::runPython(script, { m_path });
        QVERIFY2(py.ok(), py.err.constData());
        QCOMPARE(py.out.trimmed(), QByteArray("True 3 True True 64 112 13"));
    }

    void refusesDamage_data()
    {
        QTest::addColumn<int>("keep"); // bytes kept (truncation), -1: flip a payload bit instead
        QTest::addColumn<QString>("mentions");
        QTest::newRow("empty") << 0 << "truncated";
        QTest::newRow("magic only") << 8 << "truncated";
        QTest::newRow("inside header") << 60 << "refused";
        QTest::newRow("inside payload") << 2000 << "truncated or damaged";
        QTest::newRow("footer cut") << -2 << "truncated or damaged";
        QTest::newRow("bit flip") << -1 << "checksum";
    }

    void refusesDamage()
    {
        QFETCH(int, keep);
        QFETCH(QString, mentions);
        QByteArray bytes = readAll(m_path);
        if (keep >= 0) {
            bytes.truncate(keep);
        } else if (keep == -2) {
            bytes.chop(1);
        } else {
            bytes[bytes.size() - 100] = static_cast<char>(bytes[bytes.size() - 100] ^ 0x10);
        }
        const QString damaged = m_dir.path() + "/damaged.ckpt";
        writeAll(damaged, bytes);
        auto d = fxs::Checkpoint::load(damaged.toStdString(), fxs::C2Sums { nQ, nPhi, nMax }, kConfig);
        QVERIFY(!d.ok());
        const QString msg = QString::fromStdString(d.error().message);
        QVERIFY2(msg.contains(damaged) && msg.contains(mentions), qPrintable(msg));
    }

    void refusesAnotherRun_data()
    {
        QTest::addColumn<int>("q");
        QTest::addColumn<int>("maxN");
        QTest::addColumn<bool>("ringMean");
        QTest::addColumn<QString>("config");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("nQ") << 5 << nMax << true << QString::fromStdString(kConfig) << "this run computes 5 q";
        QTest::newRow("nMax") << nQ << 2 << true << QString::fromStdString(kConfig) << "n_max 2";
        QTest::newRow("ring mean") << nQ << nMax << false << QString::fromStdString(kConfig) << "refusing";
        QTest::newRow("config") << nQ << nMax << true << R"({"nQ": 4})"
                                << "different configuration";
    }

    void refusesAnotherRun()
    {
        QFETCH(int, q);
        QFETCH(int, maxN);
        QFETCH(bool, ringMean);
        QFETCH(QString, config);
        QFETCH(QString, mentions);
        fxs::C2Sums like { q, nPhi, maxN, ringMean };
        auto d = fxs::Checkpoint::load(m_path.toStdString(), like, config.toStdString());
        QVERIFY(!d.ok());
        QVERIFY2(QString::fromStdString(d.error().message).contains(mentions), d.error().message.c_str());
    }

    void reportsUnwritablePlaces()
    {
        const fxs::Status s = fxs::Checkpoint::save("/nonexistent-dir/run.ckpt", sums(), kShots, kConfig);
        QVERIFY(!s.ok());
        QVERIFY2(QString::fromStdString(s.message()).contains("/nonexistent-dir/run.ckpt"), s.message().c_str());
    }
};

QTEST_GUILESS_MAIN(tst_Checkpoint)
#include "tst_Checkpoint.moc"
