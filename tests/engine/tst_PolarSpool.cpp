// The polar spool: frames written are read back bit for bit by shot index, the file never grows past its bound
// (checked on disk with stat), the bound is clamped to the free space (QStorageInfo is the oracle) and says so,
// a truncated or damaged file gives an error naming the file and the shot, and the folder goes at the end.
#include <C2BruteForce.h>
#include <QStorageInfo>
#include <QtTest>
#include <fxs/polar/PolarSpool.h>

using namespace fxs;

namespace {
constexpr int kQ = 6;
constexpr int kPhi = 20;
constexpr std::uint64_t kRecord = 16 + 2 * 4 * kQ * kPhi; // shot, checksum, I and w as float32

bool sameFrame(const PolarFrame& a, const PolarFrame& b)
{
    return a.shotIndex == b.shotIndex && a.nQ == b.nQ && a.nPhi == b.nPhi
        && std::memcmp(a.intensity.data(), b.intensity.data(), a.intensity.size() * 4) == 0
        && std::memcmp(a.weight.data(), b.weight.data(), a.weight.size() * 4) == 0;
}

PolarSpoolOptions in(const QTemporaryDir& dir, std::uint64_t maxBytes, bool keep = false)
{
    PolarSpoolOptions o;
    o.parentDir = dir.path().toStdString();
    o.maxBytes = maxBytes;
    o.freeMarginBytes = 0;
    o.keep = keep;
    return o;
}
} // namespace

class tst_PolarSpool : public QObject {
    Q_OBJECT
private slots:
    void writeAndReplayByShot()
    {
        QTemporaryDir dir;
        const auto frames = test::randomFrames(kQ, kPhi, 20, 3);
        auto spool = PolarSpool::create(kQ, kPhi, in(dir, 1 << 30));
        QVERIFY2(spool.ok(), spool.ok() ? "" : spool.error().message.c_str());
        for (const auto& f : frames) {
            QVERIFY((*spool)->append(f).ok());
        }
        QCOMPARE(QFileInfo(QString::fromStdString((*spool)->path())).size(), qint64(64 + 20 * kRecord));
        for (int s : { 13, 0, 19, 7, 7, 1 }) {
            auto back = (*spool)->read(s);
            QVERIFY(back.ok());
            QVERIFY2(sameFrame(*back, frames[std::size_t(s)]), qPrintable(QString("shot %1 differs").arg(s)));
        }
        QVERIFY(!(*spool)->read(20).ok());
    }

    void boundIsHonouredOnDisk()
    {
        QTemporaryDir dir;
        const std::uint64_t bound = 64 + 7 * kRecord + kRecord / 2; // room for 7 records, not 8
        const auto frames = test::randomFrames(kQ, kPhi, 30, 4);
        auto spool = PolarSpool::create(kQ, kPhi, in(dir, bound));
        QVERIFY(spool.ok());
        QCOMPARE((*spool)->capacityShots(), std::int64_t(7));
        const QString path = QString::fromStdString((*spool)->path());
        for (const auto& f : frames) {
            QVERIFY((*spool)->append(f).ok());
            QVERIFY(QFileInfo(path).size() <= qint64(bound));
        }
        QCOMPARE((*spool)->shotsHeld(), std::int64_t(7));
        for (int s = 0; s < 30; ++s) { // the newest 7 are held, the rest were overwritten
            auto back = (*spool)->read(s);
            QCOMPARE(back.ok(), s >= 23);
            if (back.ok()) {
                QVERIFY(sameFrame(*back, frames[std::size_t(s)]));
            } else {
                QVERIFY(back.error().message.find("no longer holds shot " + std::to_string(s)) != std::string::npos);
            }
        }
    }

    void truncatedFileGivesAClearError()
    {
        QTemporaryDir dir;
        auto spool = PolarSpool::create(kQ, kPhi, in(dir, 1 << 30));
        QVERIFY(spool.ok());
        for (const auto& f : test::randomFrames(kQ, kPhi, 5, 5)) {
            QVERIFY((*spool)->append(f).ok());
        }
        const QString path = QString::fromStdString((*spool)->path());
        QVERIFY(QFile::resize(path, qint64(64 + 4 * kRecord + kRecord / 2))); // shot 4's record cut in half
        auto cut = (*spool)->read(4);
        QVERIFY(!cut.ok());
        const std::string& m = cut.error().message;
        QVERIFY2(m.find("truncated") != std::string::npos && m.find("shot 4") != std::string::npos
                && m.find(path.toStdString()) != std::string::npos,
            m.c_str());
        QVERIFY((*spool)->read(3).ok()); // the others are intact
    }

    void damagedRecordGivesAClearError()
    {
        QTemporaryDir dir;
        auto spool = PolarSpool::create(kQ, kPhi, in(dir, 1 << 30));
        QVERIFY(spool.ok());
        for (const auto& f : test::randomFrames(kQ, kPhi, 5, 6)) {
            QVERIFY((*spool)->append(f).ok());
        }
        QFile file(QString::fromStdString((*spool)->path()));
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.seek(qint64(64 + 2 * kRecord + 100))); // inside shot 2's intensities
        QVERIFY(file.write("\x7f\x7f\x7f\x7f", 4) == 4);
        file.close();
        auto bad = (*spool)->read(2);
        QVERIFY(!bad.ok());
        QVERIFY2(bad.error().message.find("damaged: shot 2") != std::string::npos, bad.error().message.c_str());
        QVERIFY((*spool)->read(1).ok());
        QVERIFY((*spool)->read(3).ok());
    }

    void boundIsClampedToFreeSpace()
    {
        QTemporaryDir dir;
        const qint64 free = QStorageInfo(dir.path()).bytesAvailable();
        PolarSpoolOptions o = in(dir, 20'000'000'000ULL);
        o.freeMarginBytes = std::uint64_t(std::max<qint64>(0, free - 4'000'000)); // leaves ~4 MB for the spool
        auto spool = PolarSpool::create(kQ, kPhi, o);
        QVERIFY(spool.ok());
        QVERIFY((*spool)->capacityBytes() < 20'000'000'000ULL);
        QVERIFY((*spool)->capacityBytes() <= std::uint64_t(free) - o.freeMarginBytes + 64 * 1024 * 1024);
        const std::string& note = (*spool)->note();
        QVERIFY2(note.find("limited to") != std::string::npos && note.find("instead of 20.0 GB") != std::string::npos,
            note.c_str());
        auto roomy = PolarSpool::create(kQ, kPhi, in(dir, 1'000'000));
        QVERIFY(roomy.ok());
        QVERIFY((*roomy)->note().empty()); // 1 MB fits: no note
    }

    void folderRemovedUnlessKept()
    {
        QTemporaryDir dir;
        std::string removed, kept;
        {
            auto a = PolarSpool::create(kQ, kPhi, in(dir, 1 << 20));
            auto b = PolarSpool::create(kQ, kPhi, in(dir, 1 << 20, true));
            QVERIFY(a.ok() && b.ok());
            removed = (*a)->folder();
            kept = (*b)->folder();
            QVERIFY(removed != kept);
            QVERIFY(QFileInfo::exists(QString::fromStdString(removed)));
        }
        QVERIFY(!QFileInfo::exists(QString::fromStdString(removed)));
        QVERIFY(QFileInfo::exists(QString::fromStdString(kept) + "/polar.spool"));
    }

    void otherShapeIsRefused()
    {
        QTemporaryDir dir;
        auto spool = PolarSpool::create(kQ, kPhi, in(dir, 1 << 20));
        QVERIFY(spool.ok());
        const Status s = (*spool)->append(PolarFrame::zeros(kQ + 1, kPhi, 9));
        QVERIFY(!s.ok());
        QVERIFY2(s.message().find("shot 9 is 7 × 20") != std::string::npos, s.message().c_str());
    }
};

QTEST_GUILESS_MAIN(tst_PolarSpool)
#include "tst_PolarSpool.moc"
