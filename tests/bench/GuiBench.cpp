// fxs-bench gui: responsiveness of the detector view at full engine speed. A 2.2 Mpx detector (1484 × 1484)
// is prepared off the GUI thread (assembly + percentile levels, as EngineController does) as fast as it goes,
// handed over latest-wins, and shown by a 40 ms coalescing timer, while a C2Pipeline correlates polar frames
// flat out. Meanwhile a thread posts timestamped events to the GUI thread every 5 ms: their delivery delay is
// the event latency a scientist's click would see. Reference, same process: the same display with the C2
// engine idle.
#include "BenchRegistry.h"

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
#include <fxs/pipeline/C2Pipeline.h>
#include <iostream>
#include <mutex>
#include <qcustomplot.h>
#include <random>
#include <thread>
#include <time.h>

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
};

double threadCpuMs()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

std::vector<fxs::Frame> makeFrames(int side, int count)
{
    std::vector<fxs::Frame> frames;
    std::mt19937 rng(7);
    std::poisson_distribution<int> noise(2.0);
    for (int k = 0; k < count; ++k) {
        fxs::Frame f = fxs::Frame::zeros(side, side, fxs::PixelType::Float32);
        auto px = f.as<float>();
        for (int s = 0; s < side; ++s) {
            for (int c = 0; c < side; ++c) {
                const double r = std::hypot(s - side / 2.0, c - side / 2.0);
                px[std::size_t(s) * side + c]
                    = float(1e4 / (1.0 + r * r * 1e-3) * (1.0 + 0.5 * std::sin(0.05 * c + k))) + float(noise(rng));
            }
        }
        f.shotIndex = k;
        frames.push_back(std::move(f));
    }
    return frames;
}

Phase runPhase(QApplication& app, fxs::widgets::DiffractionView& view,
    const std::shared_ptr<const fxs::widgets::ImageAssembly>& assembly, const std::vector<fxs::Frame>& frames,
    bool engineLoaded, double seconds)
{
    std::atomic<bool> stop { false };
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
            auto assembled = assembly->assemble(frames[k % frames.size()]);
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
    pc.accumulator.nQ = 100;
    pc.accumulator.nPhi = 128;
    pc.threads = 1;
    fxs::C2Pipeline pipeline(pc);
    std::thread engine([&] {
        fxs::PolarFrame p = fxs::PolarFrame::zeros(100, 128);
        std::mt19937 rng(3);
        std::normal_distribution<float> g(10.0f, 3.0f);
        for (auto& v : p.intensity) {
            v = g(rng);
        }
        while (engineLoaded && !stop) {
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
    ph.guiCpuMsPerFrame = displayed ? (threadCpuMs() - gui0) / double(displayed) : 0.0;
    ph.prepCpuMsPerFrame = prepared > prepared0 ? (prepCpuMs - prep0) / double(prepared - prepared0) : 0.0;
    tick.stop();
    QObject::disconnect(conn);
    stop = true;
    pipeline.cancel();
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
    for (std::size_t i = 0; i + 1 < args.args.size(); ++i) {
        if (args.args[i] == "--seconds") {
            seconds = std::stod(args.args[i + 1]);
        } else if (args.args[i] == "--side") {
            side = std::stoi(args.args[i + 1]);
        }
    }
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
    const Phase ref = runPhase(app, view, assembly, frames, false, std::max(2.0, seconds / 3.0));
    const Phase run = runPhase(app, view, assembly, frames, true, seconds);
    std::cerr << "gui: " << side * side / 1e6 << " Mpx, event latency p99 " << run.eventP99Ms << " ms (max "
              << run.eventMaxMs << "), displayed " << run.displayedPerS << " frames/s, prepared " << run.preparedPerS
              << "/s, CPU per frame: GUI " << run.guiCpuMsPerFrame << " ms, preparer " << run.prepCpuMsPerFrame
              << " ms, C2 " << run.c2ShotsPerS << " shots/s; engine idle: p99 " << ref.eventP99Ms << " ms, displayed "
              << ref.displayedPerS << "/s\n";
    if (args.json) {
        std::cout << "{\"benchmark\":\"gui\",\"megapixels\":" << side * side / 1e6
                  << ",\"event_latency_p99_ms\":" << run.eventP99Ms << ",\"event_latency_max_ms\":" << run.eventMaxMs
                  << ",\"displayed_frames_per_s\":" << run.displayedPerS
                  << ",\"prepared_frames_per_s\":" << run.preparedPerS
                  << ",\"gui_cpu_ms_per_displayed_frame\":" << run.guiCpuMsPerFrame
                  << ",\"preparer_cpu_ms_per_frame\":" << run.prepCpuMsPerFrame
                  << ",\"c2_shots_per_s\":" << run.c2ShotsPerS
                  << ",\"reference_engine_idle_event_latency_p99_ms\":" << ref.eventP99Ms
                  << ",\"reference_engine_idle_displayed_frames_per_s\":" << ref.displayedPerS
                  << ",\"displayed_ratio_vs_idle_engine\":"
                  << (ref.displayedPerS > 0 ? run.displayedPerS / ref.displayedPerS : 0.0) << "}" << std::endl;
    }
    return 0;
}

const fxs::bench::Registrar reg { "gui",
    "detector view responsiveness: event latency p99 and displayed frames/s of a 2.2 Mpx image while C2 runs",
    &runGui };

} // namespace
