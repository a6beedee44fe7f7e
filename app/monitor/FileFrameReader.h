#pragma once

// moc cannot parse the C++20 standard headers these pull in (<numbers>); it does not need them.
#ifndef Q_MOC_RUN
#include "RunConfig.h"

#include <ImageAssembly.h>
#include <JobTracker.h>
#endif

#include <QObject>
#include <memory>
#include <mutex>
#include <optional>

namespace fxs::monitor {

struct RunSetup;

/// Reads any frame of a file run back from its file, on a worker thread (the frame-history slider): the file is
/// opened once per run as the run opened it (SourceFactory: validated, same geometry) and kept open for the next
/// request; requests made while one is being read are merged into the newest.
class FileFrameReader : public QObject {
    Q_OBJECT
public:
    explicit FileFrameReader(QObject* parent = nullptr);
    ~FileFrameReader() override;

    /// The run whose frames are read (a file source; it is opened at once, then opened() says how many frames it
    /// has); any other source turns the reader off.
    void setRun(const RunConfig& config);
    /// True when the current run is a file that frames can be read back from.
    bool active() const { return m_active; }
    /// Reads shot `shotIndex` of the file; frameRead or readFailed follows.
    void request(std::int64_t shotIndex);

signals:
    /// The run's file is open and has `frames` frames.
    void opened(std::int64_t frames);
    /// The frame of shot `shotIndex`, assembled for the detector view.
    void frameRead(std::int64_t shotIndex, std::shared_ptr<const fxs::widgets::AssembledImage> image);
    /// A shot could not be read (which shot and why).
    void readFailed(std::int64_t shotIndex, const QString& message);

private:
    struct Opened; // the file as the worker keeps it open between requests
    void startRead(std::int64_t shotIndex);

    RunConfig m_config;
    bool m_active = false;
    std::shared_ptr<Opened> m_opened;
    std::optional<std::int64_t> m_pending;
    bool m_busy = false;
    widgets::JobTracker m_jobs { this };
};

} // namespace fxs::monitor
