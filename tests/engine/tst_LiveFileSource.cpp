#include "PythonRunner.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>
#include <fxs/results/CxiWriter.h>
#include <fxs/sources/LiveFileSource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace {

// An independent SWMR writer (h5py): frame i holds i·1000 + pixel index, uint16, 6 × 4; it follows the common
// order resize → write → flush, without the fxs /fxs_live/state convention.
const char* kH5pyWriter = R"(
import sys, time, h5py, numpy as np
path, n = sys.argv[1], int(sys.argv[2])
f = h5py.File(path, 'w', libver='latest')
d = f.create_dataset('/entry_1/data_1/data', shape=(0, 6, 4), maxshape=(None, 6, 4), chunks=(1, 6, 4), dtype='uint16')
f.swmr_mode = True
print('ready', flush=True)
for i in range(n):
    d.resize((i + 1, 6, 4))
    d[i] = (i * 1000 + np.arange(24)).reshape(6, 4)
    d.flush()
    time.sleep(0.02)
f.close()
)";

constexpr int kSlow = 6, kFast = 4;

fxs::Frame makeFrame(std::int64_t i)
{
    fxs::Frame f = fxs::Frame::zeros(kSlow, kFast, fxs::PixelType::Float32);
    for (std::size_t k = 0; k < f.size(); ++k) {
        f.as<float>()[k] = static_cast<float>(i * 1000 + static_cast<std::int64_t>(k));
    }
    f.shotIndex = i;
    return f;
}

// Forks a child that writes `n` frames with CxiWriter in SWMR mode, `gapMs` apart, and closes (or not) the
// file; it signals through the pipe once the file is ready for readers.
pid_t forkWriter(const std::string& path, int n, int gapMs, int holdMs, bool lz4 = false)
{
    int fds[2];
    if (::pipe(fds) != 0) {
        return -1;
    }
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(fds[0]);
        fxs::CxiWriterOptions o;
        o.swmr = true;
        o.lz4 = lz4;
        auto w = fxs::CxiWriter::create(path, { kSlow, kFast, fxs::PixelType::Float32 }, o);
        const char ready = w ? 'y' : 'n';
        (void)::write(fds[1], &ready, 1);
        for (int i = 0; w && i < n; ++i) {
            (*w)->append(makeFrame(i));
            ::usleep(static_cast<useconds_t>(gapMs) * 1000);
        }
        ::usleep(static_cast<useconds_t>(holdMs) * 1000);
        if (w) {
            (*w)->close();
        }
        ::_exit(w ? 0 : 1);
    }
    ::close(fds[1]);
    char ready = 0;
    if (::read(fds[0], &ready, 1) != 1 || ready != 'y') {
        ::close(fds[0]);
        return -1;
    }
    ::close(fds[0]);
    return pid;
}

struct Seen {
    std::vector<fxs::Frame> frames;
    std::int64_t minAvailable = 1 << 30; ///< the smallest count of available frames seen at a read
    QString error;
};

Seen drain(fxs::LiveFileSource& src)
{
    Seen s;
    for (;;) {
        auto f = src.next();
        if (!f) {
            s.error = QString::fromStdString(f.error().message);
            return s;
        }
        if (!*f) {
            return s;
        }
        s.minAvailable = std::min(s.minAvailable, src.framesAvailable());
        s.frames.push_back(std::move(**f));
    }
}

} // namespace

class tst_LiveFileSource : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void followsAForeignSwmrWriter()
    {
        const QString path = m_dir.path() + "/h5py.cxi";
        constexpr int n = 25;
        QProcess writer;
        writer.start(fxs::test::debianPython(), { "-c", kH5pyWriter, path, QString::number(n) });
        QVERIFY(writer.waitForReadyRead(20000));
        QCOMPARE(writer.readLine().trimmed(), QByteArray("ready"));
        fxs::LiveSourceOptions o;
        o.pollIntervalMs = 10;
        o.idleTimeoutS = 1.5; // h5py leaves no "closed" mark: the stream ends after 1.5 s without frames
        auto src = fxs::LiveFileSource::open(path.toStdString(), o);
        QVERIFY2(src.ok(), src ? "" : src.error().message.c_str());
        QVERIFY((*src)->isLive());
        const Seen seen = drain(**src);
        QVERIFY(writer.waitForFinished(20000));
        QCOMPARE(writer.exitCode(), 0);
        QVERIFY2(seen.error.isEmpty(), qPrintable(seen.error));
        QCOMPARE(static_cast<int>(seen.frames.size()), n);
        QVERIFY2(seen.minAvailable < n, "the frames should appear while the writer is still writing");
        for (int i = 0; i < n; ++i) {
            QCOMPARE(seen.frames[i].shotIndex, i);
            QCOMPARE(seen.frames[i].type, fxs::PixelType::UInt16);
            for (int k : { 0, 7, 23 }) {
                QCOMPARE(seen.frames[i].value(k), double(i * 1000 + k));
            }
        }
    }

    void followsACxiWriterUntilItCloses_data()
    {
        QTest::addColumn<bool>("lz4");
        QTest::newRow("plain") << false;
        QTest::newRow("LZ4") << true; // chunks checked with the safe LZ4 decoder while the file grows
    }

    void followsACxiWriterUntilItCloses()
    {
        QFETCH(bool, lz4);
        const std::string path = (m_dir.path() + (lz4 ? "/cxiwriter_lz4.cxi" : "/cxiwriter.cxi")).toStdString();
        constexpr int n = 40;
        const pid_t child = forkWriter(path, n, 5, 0, lz4);
        QVERIFY(child > 0);
        fxs::LiveSourceOptions o;
        o.pollIntervalMs = 5;
        auto src = fxs::LiveFileSource::open(path, o); // through fxs-probe, as a SWMR reader
        QVERIFY2(src.ok(), src ? "" : src.error().message.c_str());
        QElapsedTimer t;
        t.start();
        const Seen seen = drain(**src);
        int status = 0;
        QCOMPARE(::waitpid(child, &status, 0), child);
        QVERIFY(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        QVERIFY2(seen.error.isEmpty(), qPrintable(seen.error));
        QVERIFY((*src)->writerClosed());
        QCOMPARE((*src)->totalFrames().value_or(-1), n);
        QCOMPARE(static_cast<int>(seen.frames.size()), n);
        QVERIFY(seen.minAvailable < n);
        for (int i = 0; i < n; ++i) {
            QCOMPARE(seen.frames[i].shotIndex, i);
            for (int k : { 0, 11, 23 }) {
                QCOMPARE(seen.frames[i].value(k), double(i * 1000 + k));
            }
        }
        QVERIFY2(t.elapsed() < 10000, "the writer's close mark should end the stream, not a timeout");
    }

    void cancelStopsAWaitingReader()
    {
        const std::string path = (m_dir.path() + "/idle.cxi").toStdString();
        const pid_t child = forkWriter(path, 1, 0, 2500); // one frame, then holds the file open
        QVERIFY(child > 0);
        fxs::LiveSourceOptions o;
        o.validate = false;
        o.pollIntervalMs = 50;
        auto src = fxs::LiveFileSource::open(path, o);
        QVERIFY2(src.ok(), src ? "" : src.error().message.c_str());
        auto first = (*src)->next();
        QVERIFY(first.ok() && first->has_value());
        std::thread stopper([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            (*src)->cancel();
        });
        QElapsedTimer t;
        t.start();
        auto second = (*src)->next();
        stopper.join();
        QVERIFY(second.ok() && !second->has_value());
        QVERIFY2(t.elapsed() < 1500, "cancel() should end the wait promptly");
        int status = 0;
        ::waitpid(child, &status, 0);
    }

    void refusesAMissingFile()
    {
        const QString path = m_dir.path() + "/missing.cxi";
        auto src = fxs::LiveFileSource::open(path.toStdString());
        QVERIFY(!src.ok());
        QVERIFY2(QString::fromStdString(src.error().message).contains(path), src.error().message.c_str());
    }
};

QTEST_GUILESS_MAIN(tst_LiveFileSource)
#include "tst_LiveFileSource.moc"
