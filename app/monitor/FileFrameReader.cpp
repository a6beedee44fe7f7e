#include "FileFrameReader.h"

#include "SourceFactory.h"

namespace fxs::monitor {

struct FileFrameReader::Opened {
    std::mutex mutex; // one worker at a time, but a new run's reader may still be closing an old one
    std::optional<RunSetup> setup;
};

namespace {
struct ReadResult {
    std::int64_t frames = 0; ///< the file's frames (0: unknown)
    std::int64_t shot = -1; ///< −1: only opened
    std::shared_ptr<const widgets::AssembledImage> image;
    QString error;
};
} // namespace

FileFrameReader::FileFrameReader(QObject* parent)
    : QObject(parent)
{
}

FileFrameReader::~FileFrameReader() = default;

void FileFrameReader::setRun(const RunConfig& config)
{
    m_config = config;
    m_active = config.source == SourceKind::CxiFile;
    m_opened = std::make_shared<Opened>();
    m_pending.reset();
    if (m_active) {
        m_busy = false; // a new run: whatever the last one was reading is dropped (JobTracker)
        startRead(-1); // open it off the GUI thread; opened() follows
    }
}

void FileFrameReader::request(std::int64_t shotIndex)
{
    if (!m_active) {
        return;
    }
    if (m_busy) { // a slider dragged over many shots: only the newest one asked for is read next
        m_pending = shotIndex;
        return;
    }
    startRead(shotIndex);
}

void FileFrameReader::startRead(std::int64_t shotIndex)
{
    m_busy = true;
    auto work = [config = m_config, opened = m_opened, shotIndex](const widgets::JobTracker::Job&) {
        ReadResult r { 0, shotIndex, nullptr, {} };
        const std::lock_guard lock(opened->mutex);
        if (!opened->setup) {
            auto setup = SourceFactory::open(config);
            if (!setup) {
                r.error = QString::fromStdString(setup.error().message);
                return r;
            }
            opened->setup = std::move(*setup);
        }
        RunSetup& s = *opened->setup;
        r.frames = s.source->totalFrames().value_or(0);
        if (shotIndex < 0) {
            return r;
        }
        const Status sought = s.source->seek(shotIndex);
        auto frame = sought.ok() ? s.source->next() : Result<std::optional<Frame>>(Error { sought.message() });
        if (!frame) {
            r.error = QString::fromStdString(frame.error().message);
        } else if (!frame->has_value()) {
            r.error = QObject::tr("the file ends before shot %1").arg(shotIndex);
        } else {
            r.image = std::make_shared<widgets::AssembledImage>(s.assembly->assemble(**frame));
        }
        return r;
    };
    m_jobs.start(std::move(work), [this](ReadResult r) {
        m_busy = false;
        if (r.shot < 0) {
            if (r.error.isEmpty()) {
                emit opened(r.frames);
            }
        } else if (r.image) {
            emit frameRead(r.shot, r.image);
        } else {
            emit readFailed(r.shot, r.error);
        }
        if (m_pending) {
            const std::int64_t next = *m_pending;
            m_pending.reset();
            startRead(next);
        }
    });
}

} // namespace fxs::monitor
