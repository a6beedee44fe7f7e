#include <fxs/sources/LiveFileSource.h>

#include "ChunkGuard.h"
#include <fxs/hdf5/Hdf5Util.h>
#include <fxs/sources/StackCheck.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <thread>

namespace fxs {

namespace {

constexpr const char* kStatePath = "/fxs_live/state"; // written by CxiWriter
constexpr int kReadAttempts = 5; // a SWMR read can fail transiently while the writer moves metadata

} // namespace

struct LiveFileSource::Impl {
    std::string path;
    LiveSourceOptions options;
    StackInfo info;
    h5::Handle file;
    h5::Handle data;
    h5::Handle state; ///< invalid for files from other writers
    std::int64_t available = 0;
    bool closed = false;
    std::int64_t cursor = 0;
    std::atomic<bool> cancelled { false };
    std::optional<Error> failure;
    std::unique_ptr<detail::ChunkGuard> guard; ///< checks each frame's chunks before HDF5 reads them
    std::chrono::steady_clock::time_point lastGrowth = std::chrono::steady_clock::now();

    std::string at() const { return path + ":" + options.datasetPath; }

    Status openFile()
    {
        h5::quiet();
        file = h5::file(H5Fopen(path.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, H5P_DEFAULT));
        if (!file) {
            return Error { path + " cannot be opened as a live (SWMR) file (" + h5::lastError()
                + "); the writer must use SWMR mode" };
        }
        data = h5::dataset(H5Dopen2(file.get(), options.datasetPath.c_str(), H5P_DEFAULT));
        if (!data) {
            return Error { at() + " cannot be opened (" + h5::lastError() + ")" };
        }
        auto checked = detail::checkDataset(data.get(), path, options.datasetPath, options.probe.limits);
        if (!checked) {
            return checked.error();
        }
        info = *checked;
        guard = std::make_unique<detail::ChunkGuard>(file.get(), data.get(), info, options.probe.limits);
        if (h5::linkExists(file.get(), kStatePath)) {
            state = h5::dataset(H5Dopen2(file.get(), kStatePath, H5P_DEFAULT));
        }
        return refresh();
    }

    // Called only from the reading thread; HDF5 (built thread-safe) serialises against other files' users.
    Status refresh()
    {
        if (H5Drefresh(data.get()) < 0) {
            return Error { at() + ": cannot refresh the live dataset (" + h5::lastError() + ")" };
        }
        const std::vector<hsize_t> d = h5::dims(data.get());
        if (d.size() != info.dims.size() || !std::equal(d.begin() + 1, d.end(), info.dims.begin() + 1)) {
            return Error { at() + ": the frame shape changed while the file was being written" };
        }
        const auto extent = static_cast<std::int64_t>(std::min<hsize_t>(d[0], options.probe.limits.maxFrames));
        std::int64_t committed = extent;
        if (state) {
            std::array<std::int64_t, 2> s { 0, 0 };
            if (H5Drefresh(state.get()) >= 0
                && H5Dread(state.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, s.data()) >= 0) {
                committed = std::clamp<std::int64_t>(s[0], 0, extent);
                closed = s[1] != 0;
            }
        }
        info.dims[0] = extent;
        info.frames = extent;
        if (committed > available) {
            lastGrowth = std::chrono::steady_clock::now();
        }
        available = std::max(available, committed);
        return {};
    }

    Result<Frame> read(std::int64_t i)
    {
        Frame f = Frame::zeros(info.slab.nSlow, info.slab.nFast, info.slab.type);
        Status s;
        for (int attempt = 0; attempt < kReadAttempts; ++attempt) {
            s = guard->check(i);
            if (s) {
                s = detail::readFrames(data.get(), info, i, 1, f.pixels.data());
            }
            if (s) {
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            refresh();
        }
        if (!s) {
            return Error { s.message() };
        }
        f.shotIndex = i;
        f.meta.origin = path + ":" + options.datasetPath + "[" + std::to_string(i) + "]";
        return f;
    }

    bool idleTooLong() const
    {
        const std::chrono::duration<double> idle = std::chrono::steady_clock::now() - lastGrowth;
        return options.idleTimeoutS > 0.0 && idle.count() >= options.idleTimeoutS;
    }

    void nap() const
    {
        // Sleep in short steps so that cancel() is honoured promptly.
        const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(options.pollIntervalMs);
        while (!cancelled && std::chrono::steady_clock::now() < until) {
            std::this_thread::sleep_for(std::chrono::milliseconds(std::min(options.pollIntervalMs, 20)));
        }
    }
};

LiveFileSource::LiveFileSource(std::unique_ptr<Impl> impl)
    : m(std::move(impl))
{
}

LiveFileSource::~LiveFileSource() = default;

Result<std::unique_ptr<LiveFileSource>> LiveFileSource::open(const std::string& path, const LiveSourceOptions& options)
{
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->options = options;
    impl->options.pollIntervalMs = std::max(1, options.pollIntervalMs);
    if (options.validate) {
        ProbeOptions probe = options.probe;
        probe.swmr = true;
        if (auto verdict = FileProbe::validate(path, options.datasetPath, probe); !verdict) {
            return verdict.error();
        }
    }
    if (Status s = impl->openFile(); !s) {
        return Error { s.message() };
    }
    return std::unique_ptr<LiveFileSource>(new LiveFileSource(std::move(impl)));
}

Result<std::optional<Frame>> LiveFileSource::next()
{
    for (;;) {
        if (m->failure) {
            return *m->failure;
        }
        if (m->cancelled) {
            return std::optional<Frame> {};
        }
        if (m->cursor < m->available) {
            auto f = m->read(m->cursor);
            if (!f) {
                m->failure = f.error();
                continue;
            }
            ++m->cursor;
            return std::optional<Frame> { std::move(*f) };
        }
        if (m->closed || m->idleTooLong()) {
            return std::optional<Frame> {};
        }
        m->nap();
        if (Status s = m->refresh(); !s) {
            m->failure = Error { s.message() };
        }
    }
}

SlabShape LiveFileSource::shape() const { return m->info.slab; }

std::optional<std::int64_t> LiveFileSource::totalFrames() const
{
    return m->closed ? std::optional<std::int64_t> { m->available } : std::nullopt;
}

std::string LiveFileSource::description() const
{
    return "live file " + m->at() + " (" + std::to_string(m->info.slab.nSlow) + " × "
        + std::to_string(m->info.slab.nFast) + " " + pixelTypeName(m->info.slab.type) + ", "
        + std::to_string(m->available) + " frames so far" + (m->closed ? ", writer closed)" : ")");
}

bool LiveFileSource::isLive() const { return !m->closed; }

Status LiveFileSource::seek(std::int64_t shotIndex)
{
    if (shotIndex < 0) {
        return Error { m->at() + ": cannot seek to frame " + std::to_string(shotIndex) };
    }
    // Frames beyond the current extent are waited for by next().
    m->cursor = shotIndex;
    return {};
}

void LiveFileSource::cancel() { m->cancelled = true; }

std::int64_t LiveFileSource::framesAvailable() const { return m->available; }

bool LiveFileSource::writerClosed() const { return m->closed; }

Result<std::optional<Frame>> LiveFileSource::nextWithin(double timeoutS)
{
    const auto until = std::chrono::steady_clock::now()
        + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(std::max(0.0, timeoutS)));
    while (!m->failure && !m->cancelled && m->cursor >= m->available && !m->closed
        && std::chrono::steady_clock::now() < until) {
        m->nap();
        if (Status s = m->refresh(); !s) {
            m->failure = Error { s.message() };
        }
    }
    if (m->failure || m->cursor < m->available) {
        return next(); // the frame (or the failure) at once
    }
    return std::optional<Frame> {};
}

} // namespace fxs
