#include <fxs/simulation/SimulatorSource.h>

#include <fxs/geometry/DetectorGeometry.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>

namespace fxs {

struct SimulatorSource::Impl {
    std::shared_ptr<const Simulator> sim;
    SimulatorPixels pixels;
    SimulatorSourceOptions options;
    std::int64_t position = 0; ///< frames yielded since the start (or the last seek)
    std::chrono::steady_clock::time_point nextDue {}; ///< when the next paced frame may go out
    std::mutex mutex;
    std::condition_variable wake;
    bool cancelled = false;

    // Waits until the next paced frame is due; false when cancelled meanwhile. A consumer that fell behind
    // (a stalled writer) resumes at the rate from now on instead of receiving a burst of overdue frames.
    bool waitForSlot()
    {
        std::unique_lock lock(mutex);
        if (options.rateHz > 0.0) {
            wake.wait_until(lock, nextDue, [&] { return cancelled; });
            const auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                std::chrono::duration<double>(1.0 / options.rateHz));
            nextDue = std::max(nextDue, std::chrono::steady_clock::now()) + interval;
        }
        return !cancelled;
    }
};

SimulatorSource::SimulatorSource(std::unique_ptr<Impl> impl)
    : m(std::move(impl))
{
}
SimulatorSource::~SimulatorSource() = default;

Result<std::unique_ptr<SimulatorSource>> SimulatorSource::create(
    std::shared_ptr<const Simulator> simulator, SimulatorPixels pixels, const SimulatorSourceOptions& options)
{
    if (!simulator) {
        return Error { "simulator source: no simulator" };
    }
    if (pixels.size() == 0 || pixels.size() != static_cast<std::size_t>(pixels.nSlow) * pixels.nFast
        || pixels.qInvA.size() != pixels.size()) {
        return Error { "simulator source: the pixel set is empty or inconsistent with its "
            + std::to_string(pixels.nSlow) + " × " + std::to_string(pixels.nFast) + " shape" };
    }
    if (options.frames < -1 || !(options.rateHz >= 0.0) || options.rateHz > 1e6 || options.firstShot < 0) {
        return Error {
            "simulator source: frames must be ≥ 0 (or −1: endless), the rate 0 … 10⁶ Hz, the first shot ≥ 0"
        };
    }
    auto impl = std::make_unique<Impl>();
    impl->sim = std::move(simulator);
    impl->pixels = std::move(pixels);
    impl->options = options;
    return std::unique_ptr<SimulatorSource>(new SimulatorSource(std::move(impl)));
}

Result<std::unique_ptr<SimulatorSource>> SimulatorSource::create(std::shared_ptr<const Simulator> simulator,
    const DetectorGeometry& geometry, const SimulatorSourceOptions& options, const PixelFactors& factors)
{
    auto px = SimulatorPixels::detector(geometry, factors);
    if (!px) {
        return px.error();
    }
    SimulatorSourceOptions o = options;
    if (o.photonEnergyEv <= 0.0) {
        o.photonEnergyEv = geometry.photonEnergyEv();
    }
    return create(std::move(simulator), std::move(*px), o);
}

Result<std::optional<Frame>> SimulatorSource::next()
{
    if (m->options.frames >= 0 && m->position >= m->options.frames) {
        return std::optional<Frame> {};
    }
    if (!m->waitForSlot()) {
        return std::optional<Frame> {};
    }
    Frame f = m->sim->detectorFrame(m->pixels, m->options.firstShot + m->position);
    f.meta.photonEnergyEv = m->options.photonEnergyEv;
    ++m->position;
    return std::optional<Frame> { std::move(f) };
}

SlabShape SimulatorSource::shape() const { return { m->pixels.nSlow, m->pixels.nFast, m->sim->config().outputType }; }

std::optional<std::int64_t> SimulatorSource::totalFrames() const
{
    if (m->options.frames < 0) {
        return std::nullopt;
    }
    return m->options.frames;
}

std::string SimulatorSource::description() const
{
    const auto& c = m->sim->config();
    std::string d = "simulator: model " + m->sim->model().name() + ", " + std::to_string(m->pixels.nSlow) + " × "
        + std::to_string(m->pixels.nFast) + " " + pixelTypeName(c.outputType) + ", "
        + (m->options.frames < 0 ? std::string("endless") : std::to_string(m->options.frames) + " frames") + ", seed "
        + std::to_string(c.seed);
    if (m->options.rateHz > 0.0) { // "20 Hz", "0.5 Hz": as people write rates, not "20.000000 Hz"
        char rate[32];
        std::snprintf(rate, sizeof rate, "%.4g", m->options.rateHz);
        d += ", " + std::string(rate) + " Hz";
    }
    return d;
}

bool SimulatorSource::isLive() const { return m->options.rateHz > 0.0 || m->options.frames < 0; }

Status SimulatorSource::seek(std::int64_t shotIndex)
{
    const std::int64_t pos = shotIndex - m->options.firstShot;
    if (pos < 0 || (m->options.frames >= 0 && pos > m->options.frames)) {
        return Error { "simulator source: shot " + std::to_string(shotIndex) + " is outside the stream (shots "
            + std::to_string(m->options.firstShot) + " … "
            + (m->options.frames < 0 ? std::string("∞") : std::to_string(m->options.firstShot + m->options.frames - 1))
            + ")" };
    }
    m->position = pos;
    return Status::success();
}

void SimulatorSource::cancel()
{
    {
        std::lock_guard lock(m->mutex);
        m->cancelled = true;
    }
    m->wake.notify_all();
}

const Simulator& SimulatorSource::simulator() const { return *m->sim; }

} // namespace fxs
