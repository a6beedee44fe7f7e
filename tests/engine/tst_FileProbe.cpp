#include "PythonRunner.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>
#include <fxs/sources/CxiFileSource.h>
#include <fxs/sources/FileProbe.h>
#include <random>

namespace {

// Two small valid CXI files written by h5py: a plain chunked one and an LZ4-compressed one.
const char* kSeeds = R"(
import sys, h5py, numpy as np
out = sys.argv[1]
v = (np.arange(4 * 8 * 8) % 1000).reshape(4, 8, 8).astype('uint16')
for name, kw in [('plain', {}), ('lz4', dict(compression=32004))]:
    with h5py.File('%s/%s.cxi' % (out, name), 'w') as f:
        f['cxi_version'] = 150
        f.create_dataset('/entry_1/data_1/data', data=v, chunks=(1, 8, 8), **kw)
)";

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeAll(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

QString script(const QTemporaryDir& dir, const QString& name, const QString& body)
{
    const QString path = dir.path() + "/" + name;
    QFile f(path);
    f.open(QIODevice::WriteOnly);
    f.write(("#!/bin/sh\n" + body + "\n").toUtf8());
    f.close();
    f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    return path;
}

} // namespace

class tst_FileProbe : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const auto r = fxs::test::runPython(kSeeds, { m_dir.path() });
        QVERIFY2(r.ok(), r.err.constData());
    }

    void validFileIsAccepted()
    {
        const std::string path = (m_dir.path() + "/lz4.cxi").toStdString();
        auto v = fxs::FileProbe::validate(path, "/entry_1/data_1/data");
        QVERIFY2(v.ok(), v ? "" : v.error().message.c_str());
        QCOMPARE(v->dims, (std::vector<std::int64_t> { 4, 8, 8 }));
        QCOMPARE(v->framesRead, 4);
        QCOMPARE(v->filters, std::vector<int> { 32004 });
    }

    // Every damaged variant must end in a clear error naming the file, or in data that reads to the end;
    // reaching the end of this function at all shows that the test process survived each one.
    void damagedFilesNeverKillTheCaller_data()
    {
        QTest::addColumn<QString>("seed");
        QTest::addColumn<int>("bitFlips");
        QTest::addColumn<int>("variants");
        QTest::newRow("plain, 1 bit") << "plain" << 1 << 160;
        QTest::newRow("plain, 8 bits") << "plain" << 8 << 100;
        QTest::newRow("lz4, 1 bit") << "lz4" << 1 << 100;
        QTest::newRow("lz4, 8 bits") << "lz4" << 8 << 70;
        QTest::newRow("plain, truncated") << "plain" << 0 << 40;
        QTest::newRow("lz4, truncated") << "lz4" << 0 << 30;
    }

    void damagedFilesNeverKillTheCaller()
    {
        QFETCH(QString, seed);
        QFETCH(int, bitFlips);
        QFETCH(int, variants);
        const QByteArray original = readAll(m_dir.path() + "/" + seed + ".cxi");
        QVERIFY(original.size() > 1000);
        std::mt19937_64 rng(static_cast<std::uint64_t>(qHash(seed) + bitFlips));
        std::uniform_int_distribution<qsizetype> pos(0, original.size() - 1);
        int accepted = 0, refused = 0, crashed = 0;
        for (int v = 0; v < variants; ++v) {
            QByteArray bytes = original;
            if (bitFlips == 0) {
                bytes.truncate(pos(rng)); // truncations anywhere, including inside the superblock
            }
            for (int b = 0; b < bitFlips; ++b) {
                const qsizetype at = pos(rng);
                bytes[at] = static_cast<char>(bytes[at] ^ (1 << (rng() % 8)));
            }
            const QString path = m_dir.path() + QStringLiteral("/variant_%1_%2_%3.cxi").arg(seed).arg(bitFlips).arg(v);
            QVERIFY(writeAll(path, bytes));
            fxs::CxiSourceOptions o;
            o.probe.timeLimitS = 10;
            o.probe.memoryLimitBytes = std::size_t { 1 } << 30;
            auto src = fxs::CxiFileSource::open(path.toStdString(), o);
            if (!src) {
                const QString msg = QString::fromStdString(src.error().message);
                QVERIFY2(msg.contains(path) && msg.size() > path.size() + 10, qPrintable(msg));
                ++refused;
                crashed += msg.contains("crashed") ? 1 : 0;
            } else {
                std::int64_t n = 0;
                for (auto f = (*src)->next(); f.ok() && f->has_value(); f = (*src)->next()) {
                    QCOMPARE(static_cast<std::size_t>((*f)->pixels.size()), (*src)->shape().bytes());
                    ++n;
                }
                // A validated file reads to its end (the probe decoded every frame of these small stacks).
                QCOMPARE(n, (*src)->totalFrames().value_or(-1));
                ++accepted;
            }
            QFile::remove(path);
        }
        qInfo("%s: %d accepted, %d refused with a message (%d of them crashed fxs-probe)", qPrintable(seed), accepted,
            refused, crashed);
        QCOMPARE(accepted + refused, variants);
        if (bitFlips == 0) {
            QCOMPARE(accepted, 0); // a truncated HDF5 file is never whole
        }
    }

    void limitsAndFailures_data()
    {
        QTest::addColumn<QString>("body");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("hangs") << "sleep 30"
                               << "longer than";
        QTest::newRow("crashes") << "kill -SEGV $$"
                                 << "crashed";
        QTest::newRow("babbles") << "echo 'not json'"
                                 << "unreadable verdict";
        QTest::newRow("silent") << "exit 3"
                                << "without a verdict";
        QTest::newRow("memory") << "exec /usr/bin/python3 -c 'b = bytearray(1 << 30)'"
                                << "without a verdict";
    }

    // Stand-in probes show that each way a probe can end is reported, and that the time limit is enforced.
    void limitsAndFailures()
    {
        QFETCH(QString, body);
        QFETCH(QString, mentions);
        fxs::ProbeOptions o;
        o.executable = script(m_dir, QStringLiteral("probe_%1.sh").arg(QTest::currentDataTag()).replace(' ', '_'), body)
                           .toStdString();
        o.timeLimitS = 1.0;
        o.memoryLimitBytes = std::size_t { 256 } << 20;
        QElapsedTimer t;
        t.start();
        auto v = fxs::FileProbe::validate((m_dir.path() + "/plain.cxi").toStdString(), "/entry_1/data_1/data", o);
        QVERIFY(!v.ok());
        QVERIFY2(QString::fromStdString(v.error().message).contains(mentions), v.error().message.c_str());
        QVERIFY2(t.elapsed() < 5000, "the probe must be stopped at its time limit");
    }

    // Inputs the fuzzer found (tests/fuzz/corpus/regression_*, tests/fuzz/known/probe_*): each made HDF5 misbehave;
    // each now ends in a clear error, refused before HDF5 reads (regression_*) or contained in fxs-probe (probe_*).
    void fuzzerFindingsAreRefused_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("chunk exceeds dims") << "regression_chunk_exceeds_dims.cxi"
                                            << "does not fit the dataset";
        QTest::newRow("chunk beyond file") << "regression_chunk_beyond_file.cxi"
                                           << "4294967264 bytes";
        QTest::newRow("chunk stored short") << "regression_chunk_stored_short.cxi"
                                            << "24 bytes instead of 32";
        QTest::newRow("chunk listed twice") << "regression_chunk_listed_twice.cxi"
                                            << "same chunk twice";
        QTest::newRow("LZ4 header") << "regression_lz4_header.cxi" // caught by the dimension check first
                                    << "exceeds its own maximum";
        QTest::newRow("dims over maximum, LZ4 mask") << "regression_dims_exceed_max_lz4_mask.cxi"
                                                     << "exceeds its own maximum";
        QTest::newRow("dims over maximum, skipped filter") << "regression_dims_exceed_max_skipped_filter.cxi"
                                                           << "exceeds its own maximum";
        QTest::newRow("compact with filter") << "regression_compact_with_filter.cxi"
                                             << "filters on unchunked storage";
        // Crashes inside HDF5's own metadata code (no check can precede them): contained by the probe process.
        QTest::newRow("HDF5 local heap") << "probe_contained_local_heap.cxi"
                                         << "crashed";
    }

    void fuzzerFindingsAreRefused()
    {
        QFETCH(QString, file);
        QFETCH(QString, mentions);
        if (qEnvironmentVariableIsEmpty("FXS_SOURCE_DIR")) {
            QSKIP("FXS_SOURCE_DIR is not set (run through ctest)");
        }
        const QString folder = file.startsWith("probe_") ? "/tests/fuzz/known/" : "/tests/fuzz/corpus/";
        const QString path = qEnvironmentVariable("FXS_SOURCE_DIR") + folder + file;
        QVERIFY2(QFile::exists(path), qPrintable(path));
        auto v = fxs::FileProbe::validate(path.toStdString(), "/entry_1/data_1/data");
        QVERIFY(!v.ok());
        QVERIFY2(QString::fromStdString(v.error().message).contains(mentions), v.error().message.c_str());
    }

    void missingProbeIsReported()
    {
        fxs::ProbeOptions o;
        o.executable = "/nonexistent/fxs-probe";
        auto v = fxs::FileProbe::validate((m_dir.path() + "/plain.cxi").toStdString(), "/entry_1/data_1/data", o);
        QVERIFY(!v.ok());
        QVERIFY2(QString::fromStdString(v.error().message).contains("cannot run"), v.error().message.c_str());
    }
};

QTEST_GUILESS_MAIN(tst_FileProbe)
#include "tst_FileProbe.moc"
