// fxs-bench gui: responsiveness of the detector view at full engine speed. A 2.2 Mpx detector (1484 × 1484)
// is prepared off the GUI thread (assembly + percentile levels, as EngineController does) as fast as it goes,
// handed over latest-wins, and shown by a 40 ms coalescing timer, under two loads: a C2Pipeline correlating
// synthetic polar frames flat out, and the monitor's whole path flat out (a CXI file of 2.2 Mpx uint16 frames read
// ahead, validated, remapped and summarised by a ShotPipeline, correlated by a C2Pipeline, every frame offered to
// the display latest-wins, with the monitor's thread counts). Meanwhile a thread posts timestamped events to the GUI
// thread every 5 ms: their delivery delay is the event latency a scientist's click would see. Reference, same
// process: the same display with the engine idle.
#include "BenchRegistry.h"
#include "PhotonFrames.h"

#include <DiffractionView.h>
#include <ImageAssembly.h>
#include <ImageLevels.h>
#include <ImageRenderer.h>
#include <QApplication>
#include <QTimer>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <fxs/pipeline/C2Pipeline.h>
#include <fxs/pipeline/ShotPipeline.h>
#include <fxs/polar/PolarRemapper.h>
#include <iostream>
#include <mutex>
#include <qcustomplot.h>
#include <random>
#include <sstream>
#include <thread>
#include <time.h>
#include <functional>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace {

using Clock = std::chrono::steady_clock;

struct Phase {
    double eventP99Ms = 0.0;
    double eventMaxMs = 0.0;
    double displayedPerS = 0.0;
    double preparedPerS = 0.0;
    double c2ShotsPerS = 0.0;
    double guiCpuMsPerFrame = 0.0; ///< GUI-thread CPU time per displayed frame (stable under load)
    double prepCpuMsPerFrame = 0.0; ///< preparer CPU time per prepared frame (assembly, levels, colouring)
    double pipelineFramesPerS = 0.0; ///< frames through the monitor's path (read, remap, statistics, C2)
};

/// What runs beside the display.
enum class Load {
    Idle, ///< nothing
    C2, ///< one C2Pipeline worker correlating synthetic 100 × 128 polar frames
    Pipeline, ///< the monitor's path from a file (MonitorPath)
};

/// The monitor's run, as EngineController drives it: a CXI stack (replayed) read ahead by a ShotPipeline with half
/// the cores as workers (validation, statistics, remap), its shots taken in order on one thread and pushed into a
/// C2Pipeline with all cores but one, each detector frame offered to the display latest-wins.
struct MonitorPath {
    std::string file;
    std::optional<fxs::PolarRemapper> remapper;
    std::vector<std::uint8_t> valid;
    fxs::PolarGrid grid;
    int engineNice = 0; ///< > 0: the engine's threads run at this nice value (the display's stay at 0)
};

// Linux threads inherit the nice value of the thread that starts them: `make` runs on a thread that lowered its own
// priority by `nice` (> 0), so every thread it starts (the pipelines' workers) runs below the display's.
void startLowered(int nice, const std::function<void()>& make)
{
    if (nice <= 0) {
        make();
        return;
    }
    std::thread t([&] {
        setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), nice);
        make();
    });
    t.join();
}

double threadCpuMs()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

// Rings falling off from the centre with a stripe pattern and Poisson noise: float32 for the display-only loads,
// uint16 (what a detector writes) for the file the monitor's path reads.
std::vector<fxs::Frame> makeFrames(int side, int count, fxs::PixelType type = fxs::PixelType::Float32)
{
    std::vector<fxs::Frame> frames;
    std::mt19937 rng(7);
    std::poisson_distribution<int> noise(2.0);
    for (int k = 0; k < count; ++k) {
        fxs::Frame f = fxs::Frame::zeros(side, side, type);
        for (int s = 0; s < side; ++s) {
            for (int c = 0; c < side; ++c) {
                const double r = std::hypot(s - side / 2.0, c - side / 2.0);
                const float v
                    = float(1e4 / (1.0 + r * r * 1e-3) * (1.0 + 0.5 * std::sin(0.05 * c + k))) + float(noise(rng));
                const std::size_t i = std::size_t(s) * side + c;
                if (type == fxs::PixelType::UInt16) {
                    f.as<std::uint16_t>()[i] = static_cast<std::uint16_t>(std::min(v, 65535.0f));
                } else {
                    f.as<float>()[i] = v;
                }
            }
        }
        f.shotIndex = k;
        frames.push_back(std::move(f));
    }
    return frames;
}

constexpr double kPixelM = 75e-6, kDistanceM = 0.2, kWavelengthA = 1.0;

// The file and remap table of the monitor's path: `count` uint16 frames written to `dir`, the grid spanning every
// pixel (so the remap covers the whole 2.2 Mpx) with the monitor's default size.
fxs::Result<MonitorPath> prepareMonitorPath(int side, int count, const std::string& dir, int nQ, int nPhi)
{
    fxs::SinglePanelSpec spec { side, side, kPixelM, side / 2.0, side / 2.0, kDistanceM, kWavelengthA };
    auto geometry = fxs::DetectorGeometry::singlePanel(spec);
    if (!geometry) {
        return geometry.error();
    }
    MonitorPath m;
    m.file = dir + "/gui-bench-stack.cxi";
    if (auto st = fxs::bench::writeStack(m.file, makeFrames(side, count, fxs::PixelType::UInt16), count, false); !st) {
        return fxs::Error { st.message() };
    }
    const auto q = geometry->qInvAngstrom();
    m.grid = { nQ, nPhi, 0.05, *std::max_element(q.begin(), q.end()) * 1.0001 };
    auto remapper = fxs::PolarRemapper::create(*geometry, m.grid);
    if (!remapper) {
        return remapper.error();
    }
    m.remapper = *remapper;
    m.valid = geometry->validMask();
    return m;
}

Phase runPhase(QApplication& app, fxs::widgets::DiffractionView& view,
    const std::shared_ptr<const fxs::widgets::ImageAssembly>& assembly, const std::vector<fxs::Frame>& frames,
    Load load, const MonitorPath* path, double seconds)
{
    std::atomic<bool> stop { false };
    // The monitor's path hands its newest detector frame over here (EngineController's m_raw); the other loads show
    // the prepared frames in turn.
    std::mutex rawMutex;
    std::condition_variable rawReady;
    std::shared_ptr<const fxs::Frame> raw;
    std::atomic<long> pipelineFrames { 0 };
    std::unique_ptr<fxs::ShotPipeline> shots;
    const int nice = load == Load::Pipeline ? path->engineNice : 0;
    if (load == Load::Pipeline) {
        auto file = fxs::bench::openStack(path->file, true);
        if (!file) {
            std::cerr << "gui: " << file.error().message << "\n";
            return {};
        }
        fxs::ShotPipelineConfig sc;
        sc.threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / 2);
        sc.keepFrames = true; // the detector view shows them
        startLowered(nice, [&] {
            shots = std::make_unique<fxs::ShotPipeline>(
                std::make_unique<fxs::bench::ReplayedSource>(std::move(*file), std::int64_t(1) << 40),
                *path->remapper, path->valid, sc);
        });
    }
    const auto nextFrame = [&](std::size_t k) -> std::shared_ptr<const fxs::Frame> {
        if (load != Load::Pipeline) {
            return std::shared_ptr<const fxs::Frame>(&frames[k % frames.size()], [](const fxs::Frame*) {});
        }
        std::unique_lock lock(rawMutex);
        rawReady.wait_for(lock, std::chrono::milliseconds(50), [&] { return raw || stop; });
        return std::exchange(raw, nullptr);
    };
    std::mutex slotMutex;
    std::shared_ptr<const fxs::widgets::AssembledImage> slot;
    std::optional<fxs::widgets::Levels> slotLevels;
    std::atomic<long> prepared { 0 };
    std::atomic<double> prepCpuMs { 0.0 };
    const fxs::widgets::RenderRequest request = view.renderRequest();
    std::condition_variable taken;
    std::thread preparer([&] {
        for (std::size_t k = 0; !stop; ++k) {
            {
                // As EngineController: prepare only once the GUI took the previous image.
                std::unique_lock lock(slotMutex);
                taken.wait_for(lock, std::chrono::milliseconds(50), [&] { return !slot || stop; });
                if (slot) {
                    continue;
                }
            }
            const auto frame = nextFrame(k);
            if (!frame) {
                continue;
            }
            auto assembled = assembly->assemble(*frame);
            const auto levels = fxs::widgets::ImageRenderer::levelsFor(assembled.values, request);
            assembled.renderedWith = { request.map, request.scale, levels };
            assembled.rendered = fxs::widgets::ImageRenderer::render(
                assembled.values, assembled.width, assembled.height, assembled.renderedWith);
            auto img = std::make_shared<const fxs::widgets::AssembledImage>(std::move(assembled));
            prepCpuMs = threadCpuMs();
            const std::lock_guard lock(slotMutex);
            slot = std::move(img);
            slotLevels = levels;
            ++prepared;
        }
    });
    fxs::C2PipelineConfig pc;
    pc.accumulator.nQ = load == Load::Pipeline ? path->grid.nQ : 100;
    pc.accumulator.nPhi = load == Load::Pipeline ? path->grid.nPhi : 128;
    // EngineController: all cores but one correlate.
    pc.threads = load == Load::Pipeline ? std::max(1, static_cast<int>(std::thread::hardware_concurrency()) - 1) : 1;
    std::unique_ptr<fxs::C2Pipeline> c2;
    startLowered(nice, [&] { c2 = std::make_unique<fxs::C2Pipeline>(pc); });
    fxs::C2Pipeline& pipeline = *c2;
    std::thread engine([&] {
        if (nice > 0) {
            setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), nice);
        }
        if (load == Load::Pipeline) { // EngineController::readerLoop: shots in order → C2, frames → display
            const fxs::Status ran = shots->run([&](fxs::PipelineShot& shot) {
                ++pipelineFrames;
                if (shot.outcome == fxs::ShotOutcome::Ready && !pipeline.push(std::move(shot.polar))) {
                    return false;
                }
                {
                    const std::lock_guard lock(rawMutex);
                    raw = shot.frame;
                }
                rawReady.notify_all();
                return !stop;
            });
            if (!ran && !stop) {
                std::cerr << "gui: the monitor's path stopped: " << ran.message() << "\n";
            }
            return;
        }
        fxs::PolarFrame p = fxs::PolarFrame::zeros(100, 128);
        std::mt19937 rng(3);
        std::normal_distribution<float> g(10.0f, 3.0f);
        for (auto& v : p.intensity) {
            v = g(rng);
        }
        while (load == Load::C2 && !stop) {
            pipeline.push(p);
            ++p.shotIndex;
        }
    });
    std::mutex latencyMutex;
    std::vector<double> latenciesMs;
    QObject receiver;
    std::thread poster([&] {
        while (!stop) {
            const auto sent = Clock::now();
            QMetaObject::invokeMethod(&receiver, [&, sent] {
                const double ms = std::chrono::duration<double, std::milli>(Clock::now() - sent).count();
                const std::lock_guard lock(latencyMutex);
                latenciesMs.push_back(ms);
            });
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    });
    long displayed = 0;
    auto conn = QObject::connect(view.plot(), &QCustomPlot::afterReplot, [&] { ++displayed; });
    QTimer tick;
    tick.setInterval(40);
    QObject::connect(&tick, &QTimer::timeout, [&] {
        std::shared_ptr<const fxs::widgets::AssembledImage> img;
        std::optional<fxs::widgets::Levels> levels;
        {
            const std::lock_guard lock(slotMutex);
            img = std::move(slot);
            levels = slotLevels;
            slot.reset();
        }
        taken.notify_all();
        if (img) {
            view.setImage(img, levels);
        }
    });
    tick.start();
    const auto t0 = Clock::now();
    const long prepared0 = prepared;
    const long pipelineFrames0 = pipelineFrames;
    const auto shots0 = pipeline.progress().shotsDone;
    const double gui0 = threadCpuMs();
    const double prep0 = prepCpuMs;
    QTimer::singleShot(int(seconds * 1000), &app, &QCoreApplication::quit);
    app.exec();
    const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
    Phase ph;
    ph.displayedPerS = displayed / dt;
    ph.preparedPerS = (prepared - prepared0) / dt;
    ph.c2ShotsPerS = double(pipeline.progress().shotsDone - shots0) / dt;
    ph.pipelineFramesPerS = double(pipelineFrames - pipelineFrames0) / dt;
    ph.guiCpuMsPerFrame = displayed ? (threadCpuMs() - gui0) / double(displayed) : 0.0;
    ph.prepCpuMsPerFrame = prepared > prepared0 ? (prepCpuMs - prep0) / double(prepared - prepared0) : 0.0;
    tick.stop();
    QObject::disconnect(conn);
    stop = true;
    if (shots) {
        shots->cancel();
    }
    pipeline.cancel();
    rawReady.notify_all();
    for (std::thread* t : { &preparer, &engine, &poster }) {
        t->join();
    }
    QCoreApplication::processEvents();
    std::sort(latenciesMs.begin(), latenciesMs.end());
    if (!latenciesMs.empty()) {
        ph.eventP99Ms = latenciesMs[std::min(latenciesMs.size() - 1, std::size_t(0.99 * latenciesMs.size()))];
        ph.eventMaxMs = latenciesMs.back();
    }
    return ph;
}

int runGui(const fxs::bench::BenchArgs& args)
{
    double seconds = 10.0;
    int side = 1484; // 2.2 Mpx, the target detector size
    int nQ = 100, nPhi = 128; // the monitor's default grid (RunConfig)
    std::string screenshot; // --screenshot PNG: the view as the monitor's path left it
    int engineNice = 0; // --engine-nice N: the monitor's path below the display's priority
    for (std::size_t i = 0; i + 1 < args.args.size(); ++i) {
        if (args.args[i] == "--seconds") {
            seconds = std::stod(args.args[i + 1]);
        } else if (args.args[i] == "--side") {
            side = std::stoi(args.args[i + 1]);
        } else if (args.args[i] == "--engine-nice") {
            engineNice = std::stoi(args.args[i + 1]);
        } else if (args.args[i] == "--screenshot") {
            screenshot = args.args[i + 1];
        } else if (args.args[i] == "--grid" && std::sscanf(args.args[i + 1].c_str(), "%dx%d", &nQ, &nPhi) != 2) {
            std::cerr << "gui: --grid wants NQxNPHI (e.g. 300x256), got '" << args.args[i + 1] << "'\n";
            return 1;
        }
    }
    // The monitor's path reads a stack of 16 frames (replayed) from a folder of its own, removed at the end.
    std::error_code ec;
    const auto dir = std::filesystem::temp_directory_path(ec) / ("fxs-bench-gui-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        std::cerr << "gui: cannot create " << dir << ": " << ec.message() << "\n";
        return 1;
    }
    const auto cleanup = std::shared_ptr<void>(nullptr, [&](void*) { std::filesystem::remove_all(dir, ec); });
    auto path = prepareMonitorPath(side, 16, dir.string(), nQ, nPhi);
    if (!path) {
        std::cerr << "gui: " << path.error().message << "\n";
        return 1;
    }
    path->engineNice = engineNice;
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY")) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    int argc = 1;
    char name[] = "fxs-bench";
    char* argv[] = { name, nullptr };
    QApplication app(argc, argv);
    auto assembly = std::make_shared<const fxs::widgets::ImageAssembly>(
        fxs::widgets::PixelLayout::flat(side, side, 75e-6, 0.2, side / 2.0, side / 2.0, 1.0));
    const auto frames = makeFrames(side, 4);
    fxs::widgets::DiffractionView view;
    view.resize(1000, 900);
    view.setAssembly(assembly);
    view.show();
    const Phase ref = runPhase(app, view, assembly, frames, Load::Idle, nullptr, std::max(2.0, seconds / 3.0));
    const Phase run = runPhase(app, view, assembly, frames, Load::C2, nullptr, seconds);
    const Phase full = runPhase(app, view, assembly, frames, Load::Pipeline, &*path, seconds);
    if (!screenshot.empty() && !view.grab().save(QString::fromStdString(screenshot))) {
        std::cerr << "gui: cannot write the screenshot " << screenshot << "\n";
        return 1;
    }
    std::cerr << "gui: " << side * side / 1e6 << " Mpx, event latency p99 " << run.eventP99Ms << " ms (max "
              << run.eventMaxMs << "), displayed " << run.displayedPerS << " frames/s, prepared " << run.preparedPerS
              << "/s, CPU per frame: GUI " << run.guiCpuMsPerFrame << " ms, preparer " << run.prepCpuMsPerFrame
              << " ms, C2 " << run.c2ShotsPerS << " shots/s; engine idle: p99 " << ref.eventP99Ms << " ms, displayed "
              << ref.displayedPerS << "/s\n"
              << "gui under the monitor's path (file -> remap " << path->grid.nQ << " x " << path->grid.nPhi
              << " -> C2, " << fxs::PolarRemapper::kernelName() << " remap): event latency p99 " << full.eventP99Ms
              << " ms (max " << full.eventMaxMs << "), displayed " << full.displayedPerS << " frames/s, path "
              << full.pipelineFramesPerS << " frames/s, C2 " << full.c2ShotsPerS << " shots/s, CPU per frame: GUI "
              << full.guiCpuMsPerFrame << " ms, preparer " << full.prepCpuMsPerFrame << " ms\n";
    if (args.json) {
        // One phase's keys, the monitor's path prefixed "pipeline_".
        const auto keys = [](const std::string& prefix, const Phase& p) {
            std::ostringstream o;
            o << ",\"" << prefix << "event_latency_p99_ms\":" << p.eventP99Ms << ",\"" << prefix
              << "event_latency_max_ms\":" << p.eventMaxMs << ",\"" << prefix << "displayed_frames_per_s\":"
              << p.displayedPerS << ",\"" << prefix << "prepared_frames_per_s\":" << p.preparedPerS << ",\"" << prefix
              << "gui_cpu_ms_per_displayed_frame\":" << p.guiCpuMsPerFrame << ",\"" << prefix
              << "preparer_cpu_ms_per_frame\":" << p.prepCpuMsPerFrame << ",\"" << prefix
              << "c2_shots_per_s\":" << p.c2ShotsPerS;
            return o.str();
        };
        std::cout << "{\"benchmark\":\"gui\",\"megapixels\":" << side * side / 1e6 << keys("", run)
                  << ",\"reference_engine_idle_event_latency_p99_ms\":" << ref.eventP99Ms
                  << ",\"reference_engine_idle_displayed_frames_per_s\":" << ref.displayedPerS
                  << ",\"displayed_ratio_vs_idle_engine\":"
                  << (ref.displayedPerS > 0 ? run.displayedPerS / ref.displayedPerS : 0.0)
                  << ",\"pipeline_grid\":\"" << path->grid.nQ << "x" << path->grid.nPhi << "\""
                  << ",\"pipeline_remap_kernel\":\"" << fxs::PolarRemapper::kernelName() << "\""
                  << ",\"pipeline_engine_nice\":" << engineNice
                  << ",\"pipeline_path_frames_per_s\":" << full.pipelineFramesPerS << keys("pipeline_", full) << "}"
                  << std::endl;
    }
    return 0;
}

const fxs::bench::Registrar reg { "gui",
    "detector view responsiveness: event latency p99 and displayed frames/s of a 2.2 Mpx image while C2 runs, and "
    "while the monitor's path (file -> remap -> C2) runs flat out",
    &runGui };

} // namespace
