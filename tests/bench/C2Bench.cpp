// fxs-bench c2: the C2 engine against an in-process reference (one batched FFTW r2c over all shots + one
// cblas_cherk per frequency, OpenBLAS threads, no masks, no pipeline) and the seed paper's numpy kernels; and the
// engine with and without the variance's squares (variance_cost_ratio: how many times slower they make it).
#include "BenchRegistry.h"

#include <algorithm>
#include <cblas.h>
#include <chrono>
#include <complex>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fftw3.h>
#include <fxs/pipeline/C2Pipeline.h>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <thread>

extern "C" void openblas_set_num_threads(int);

namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

int cores() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

// Threads of the engine and of the reference's FFTW and OpenBLAS (--threads; default every core).
int g_threads = 0;
int threads() { return g_threads > 0 ? g_threads : cores(); }
// OpenBLAS threads per engine worker (--blas-threads; 0: the engine's plan, one; -1: cores ÷ workers, the plan
// before 2026-12-03, kept to show what it cost).
int g_blasThreads = 0;

// CPU seconds, page faults and context switches of this process so far (every thread's).
struct Usage {
    double cpu = 0;
    long minorFaults = 0, voluntarySwitches = 0, involuntarySwitches = 0;
};

Usage usage()
{
    rusage u {};
    ::getrusage(RUSAGE_SELF, &u);
    return { static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec)
            + 1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec),
        u.ru_minflt, u.ru_nvcsw, u.ru_nivcsw };
}

// One engine run: its rate and where the workers' time went (push of the first frame to the flushed totals).
struct EngineRun {
    double rate = 0; ///< shots/s
    double wall = 0, flush = 0; ///< seconds: the whole timed run, and of it the final flush
    Usage used; ///< over the timed run
    fxs::C2Timings timings; ///< summed over workers
};

std::vector<fxs::PolarFrame> makeFrames(int nQ, int nPhi, int shots, int maskMode, unsigned seed)
{
    // maskMode 0: no mask; 1: one static detector mask (gaps, beamstop, bad pixels); 2: a new mask every shot.
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    std::vector<fxs::PolarFrame> frames;
    frames.reserve(shots);
    fxs::PolarFrame first;
    for (int j = 0; j < shots; ++j) {
        fxs::PolarFrame f = fxs::PolarFrame::zeros(nQ, nPhi, j);
        for (auto& v : f.intensity) {
            v = u(rng);
        }
        if (maskMode == 1 && j > 0) {
            f.weight = first.weight;
        } else if (maskMode != 0) {
            for (int q = 0; q < nQ; ++q) {
                for (int p = 0; p < nPhi; ++p) {
                    const bool gap = (p % 64) < 4 || q < 8; // panel gaps and the beamstop shadow
                    f.weight[f.at(q, p)] = gap || u(rng) < 0.02f ? 0.0f : (u(rng) < 0.05f ? u(rng) : 1.0f);
                }
            }
        }
        if (j == 0) {
            first = f;
        }
        frames.push_back(std::move(f));
    }
    return frames;
}

// `variance`: also the squares behind the standard errors (C2Config::variance, on by default).
EngineRun engineRun(std::vector<fxs::PolarFrame> frames, int nQ, int nPhi, bool variance = true) // frames: copied
{
    fxs::C2PipelineConfig pc;
    pc.accumulator.nQ = nQ;
    pc.accumulator.nPhi = nPhi;
    pc.accumulator.variance = variance;
    pc.threads = threads();
    pc.blasThreads = g_blasThreads >= 0 ? g_blasThreads : std::max(1, cores() / threads());
    const std::int64_t n = static_cast<std::int64_t>(frames.size());
    // Set-up (allocating and first touching the totals) happens once per run: timed apart, like the reference's.
    const auto tBuild = Clock::now();
    fxs::C2Pipeline p(pc);
    const double tSetup = seconds(tBuild);
    const Usage u0 = usage();
    const auto t0 = Clock::now();
    for (auto& f : frames) {
        p.push(std::move(f));
    }
    p.close();
    p.wait();
    const double tRun = seconds(t0) + tSetup;
    p.flush(); // the totals now hold every shot, as the reference's output does
    const double t = seconds(t0);
    const Usage u1 = usage();
    EngineRun run;
    run.rate = static_cast<double>(n) / t;
    run.wall = t;
    run.flush = t - (tRun - tSetup);
    run.used = { u1.cpu - u0.cpu, u1.minorFaults - u0.minorFaults, u1.voluntarySwitches - u0.voluntarySwitches,
        u1.involuntarySwitches - u0.involuntarySwitches };
    run.timings = p.timings();
    if (std::getenv("FXS_BENCH_VERBOSE")) {
        std::cerr << "  engine: set-up " << tSetup << " s, accumulate " << tRun - tSetup << " s, flush "
                  << t - (tRun - tSetup) << " s\n";
        // What the monitor pays per live refresh (C2Pipeline::snapshot: flush + normalise, all options).
        const auto tSnap = Clock::now();
        const fxs::C2Snapshot snap = p.snapshot({});
        std::cerr << "  engine: snapshot " << seconds(tSnap) << " s (" << snap.nQ << " x " << snap.nQ << " x "
                  << snap.nPhi << ")\n";
    }
    if (p.progress().shotsDone != n) {
        std::cerr << "c2 bench: engine accumulated " << p.progress().shotsDone << " of " << n << " shots\n";
    }
    return run;
}

double runEngine(std::vector<fxs::PolarFrame> frames, int nQ, int nPhi, bool variance = true)
{
    return engineRun(std::move(frames), nQ, nPhi, variance).rate;
}

// The bare kernel: one r2c over every shot's rows (output laid out [n][shot][q]) on all cores (FFTW threads)
// and one cherk per frequency (OpenBLAS threads). `slabPad`: extra elements between frequency slabs; 0 is the
// natural layout, and the padded variant (the engine's odd-cache-line stride) is reported beside it.
double runReference(const std::vector<fxs::PolarFrame>& frames, int nQ, int nPhi, bool padded)
{
    const int shots = static_cast<int>(frames.size());
    const int nF = nPhi / 2 + 1;
    const std::size_t rows = static_cast<std::size_t>(shots) * nQ;
    std::size_t slab = rows;
    if (padded) {
        slab = (rows + 7) / 8 * 8;
        slab += (slab / 8) % 2 == 0 ? 8 : 0; // an odd number of 64-byte lines
    }
    float* in = fftwf_alloc_real(rows * nPhi);
    auto* out = reinterpret_cast<std::complex<float>*>(fftwf_alloc_complex(slab * nF));
    std::vector<std::complex<float>> c2(static_cast<std::size_t>(nF) * nQ * nQ);
    openblas_set_num_threads(threads());
    static const bool threadsReady = fftwf_init_threads() != 0;
    fftwf_plan_with_nthreads(threadsReady ? threads() : 1);
    int n = nPhi;
    fftwf_plan plan = fftwf_plan_many_dft_r2c(1, &n, static_cast<int>(rows), in, nullptr, 1, nPhi,
        reinterpret_cast<fftwf_complex*>(out), nullptr, static_cast<int>(slab), 1, FFTW_ESTIMATE);
    fftwf_plan_with_nthreads(1); // the engine's plans are single-threaded: its workers are the threads
    for (int j = 0; j < shots; ++j) {
        std::copy(frames[j].intensity.begin(), frames[j].intensity.end(), in + static_cast<std::size_t>(j) * nQ * nPhi);
    }
    std::fill_n(out, slab * nF, std::complex<float>()); // first touch outside the timing, as for `in`
    const auto t0 = Clock::now();
    fftwf_execute(plan);
    const double tFft = seconds(t0);
    for (int k = 0; k < nF; ++k) {
        cblas_cherk(CblasColMajor, CblasUpper, CblasNoTrans, nQ, shots, 1.0f, out + k * slab, nQ, 0.0f,
            c2.data() + static_cast<std::size_t>(k) * nQ * nQ, nQ);
    }
    const double t = seconds(t0);
    if (std::getenv("FXS_BENCH_VERBOSE")) {
        std::cerr << "  reference" << (padded ? " (padded)" : "") << ": fft " << tFft << " s, cherk " << t - tFft
                  << " s\n";
    }
    fftwf_destroy_plan(plan);
    fftwf_free(in);
    fftwf_free(out);
    return shots / t;
}

double runSeedNumpy(int shots, int nQ, int nPhi)
{
    const std::string script = fxs::bench::dataFile("seed_numpy.py");
    if (script.empty()) {
        std::cerr << "c2: seed_numpy.py is neither beside fxs-bench (../share/fxs-monitor/bench) nor in the sources: "
                     "the seed's numpy figure is left out\n";
        return 0.0;
    }
    const std::string cmd = "/usr/bin/python3 " + script + " --shots " + std::to_string(shots) + " --nq "
        + std::to_string(nQ) + " --nphi " + std::to_string(nPhi) + " 2>/dev/null";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
    if (!pipe) {
        return 0.0;
    }
    char buf[1024];
    std::string text;
    while (fgets(buf, sizeof buf, pipe.get())) {
        text += buf;
    }
    const auto pos = text.find("\"best_shots_per_s\": ");
    return pos == std::string::npos ? 0.0 : std::stod(text.substr(pos + 20));
}

struct Figures {
    double engine = 0, masked = 0, randomMasks = 0, reference = 0, referencePadded = 0;
    double engineNoVariance = 0; ///< the engine without the squares (C2Config::variance off)
};

// Best of `repeats` runs of each, alternating, so that a hiccup of the shared machine hits neither side alone.
Figures measure(int shots, int nQ, int nPhi, int repeats)
{
    Figures f;
    const auto plain = makeFrames(nQ, nPhi, shots, 0, 1);
    const auto masked = makeFrames(nQ, nPhi, shots, 1, 2);
    const auto random = makeFrames(nQ, nPhi, shots, 2, 3);
    for (int r = 0; r < repeats; ++r) {
        f.reference = std::max(f.reference, runReference(plain, nQ, nPhi, false));
        f.referencePadded = std::max(f.referencePadded, runReference(plain, nQ, nPhi, true));
        f.engine = std::max(f.engine, runEngine(plain, nQ, nPhi));
        f.engineNoVariance = std::max(f.engineNoVariance, runEngine(plain, nQ, nPhi, false));
        f.masked = std::max(f.masked, runEngine(masked, nQ, nPhi));
    }
    f.randomMasks = runEngine(random, nQ, nPhi);
    return f;
}

// What `t` threads move through memory (GB/s, best of three): each updates its own 64 MiB double arrays
// a[i] += s · b[i] (two reads, one write per element: the access pattern of the rank-k updates into the sums and of
// the folds into the totals), far larger than the caches.
double memoryBandwidth(int t)
{
    constexpr std::size_t n = (std::size_t { 64 } << 20) / sizeof(double);
    std::vector<std::vector<double>> a(static_cast<std::size_t>(t)), b(a.size());
    double best = 0.0;
    for (int rep = 0; rep < 4; ++rep) {
        std::vector<std::thread> workers;
        const auto t0 = Clock::now();
        for (int k = 0; k < t; ++k) {
            workers.emplace_back([&, k] {
                auto& x = a[static_cast<std::size_t>(k)];
                auto& y = b[static_cast<std::size_t>(k)];
                if (x.empty()) { // first touch by the thread that uses it (its NUMA node)
                    x.assign(n, 1.0);
                    y.assign(n, 0.5);
                }
                for (int pass = 0; pass < 4; ++pass) {
                    for (std::size_t i = 0; i < n; ++i) {
                        x[i] += 1e-9 * y[i];
                    }
                }
            });
        }
        for (auto& w : workers) {
            w.join();
        }
        const double s = seconds(t0);
        if (rep > 0) { // the first repetition allocates and touches the pages
            best = std::max(best, 4.0 * 3.0 * sizeof(double) * n * t / s / 1e9);
        }
    }
    return best;
}

// --threads 1,2,4,...: the engine alone (best of three runs of `shots`) at each thread count (N workers, one BLAS
// thread each unless --blas-threads says otherwise: N cores' worth of work), how much faster the most threads are
// than two, and where the best run's time went: the workers' phases (C2Timings) as shares of threads × wall
// seconds, the process's CPU seconds over the same (busy share), page faults and context switches. The reference
// runs at the same counts (FFTW and OpenBLAS on N threads); memory_bandwidth_gb_s is N threads' a += s·b on arrays
// far larger than the caches, the machine's memory ceiling for that many cores.
//
// Each run of N shots copies the N frames (the engine takes them) and the reference first touches 2 × N frames of
// buffers, so a point costs far more than its timed part: at 16,000 shots of 300 × 256 (9.8 GB of frames) three
// repeats of both sides at 1, 2 and 4 threads outlast a 540-s device call. `reps` sets the repeats, and every
// repeat prints a line as it ends, so that a run cut short still shows where it was.
int threadScaling(const std::vector<int>& counts, int shots, int nQ, int nPhi, bool json, int reps)
{
    const auto frames = makeFrames(nQ, nPhi, shots, 0, 1);
    std::ostringstream engine, reference, busy, bandwidth, phases;
    std::map<int, double> rates;
    for (int t : counts) {
        g_threads = t;
        EngineRun best;
        double r = 0;
        for (int rep = 0; rep < reps; ++rep) {
            EngineRun run = engineRun(frames, nQ, nPhi);
            if (run.rate > best.rate) {
                best = run;
            }
            const double ref = runReference(frames, nQ, nPhi, false);
            r = std::max(r, ref);
            std::cerr << "c2: " << t << " threads, repeat " << rep + 1 << " of " << reps << ": engine " << run.rate
                      << " shots/s, reference " << ref << std::endl;
        }
        const double slots = best.wall * t; // thread-seconds the workers had
        const double share = best.used.cpu / slots, gbs = memoryBandwidth(t);
        const fxs::C2Timings& w = best.timings;
        rates[t] = best.rate;
        std::cerr << "c2: " << t << " threads: engine " << best.rate << " shots/s in " << best.wall << " s (flush "
                  << best.flush << " s; cores busy " << best.used.cpu / best.wall << "; of the workers' time: prepare "
                  << w.prepare / slots << ", fft " << w.fft / slots << ", herk " << w.herk / slots << ", masks "
                  << w.masks / slots << ", fold " << w.fold / slots << " (lock waits " << w.lockWait / slots
                  << "), waiting for frames " << w.queueWait / slots << "; " << best.used.minorFaults
                  << " page faults, " << best.used.voluntarySwitches << " + " << best.used.involuntarySwitches
                  << " context switches), reference " << r << ", memory " << gbs << " GB/s\n";
        engine << (engine.tellp() > 0 ? "," : "") << "\"" << t << "\":" << best.rate;
        reference << (reference.tellp() > 0 ? "," : "") << "\"" << t << "\":" << r;
        busy << (busy.tellp() > 0 ? "," : "") << "\"" << t << "\":" << share;
        bandwidth << (bandwidth.tellp() > 0 ? "," : "") << "\"" << t << "\":" << gbs;
        phases << (phases.tellp() > 0 ? "," : "") << "\"" << t << "\":{\"wall_s\":" << best.wall
               << ",\"flush_s\":" << best.flush << ",\"prepare\":" << w.prepare / slots << ",\"fft\":" << w.fft / slots
               << ",\"herk\":" << w.herk / slots << ",\"masks\":" << w.masks / slots << ",\"fold\":" << w.fold / slots
               << ",\"lock_wait\":" << w.lockWait / slots << ",\"queue_wait\":" << w.queueWait / slots
               << ",\"folds\":" << w.folds << ",\"page_faults\":" << best.used.minorFaults
               << ",\"voluntary_switches\":" << best.used.voluntarySwitches
               << ",\"involuntary_switches\":" << best.used.involuntarySwitches << "}";
    }
    const int most = rates.rbegin()->first;
    const double vsTwo = rates.count(2) ? rates[most] / rates[2] : 0.0;
    std::ostringstream js;
    js << "{\"benchmark\":\"c2\",\"n_q\":" << nQ << ",\"n_phi\":" << nPhi << ",\"shots\":" << shots
       << ",\"reps\":" << reps << ",\"cores\":" << cores() << ",\"blas_threads_per_worker\":"
       << (g_blasThreads > 0           ? std::to_string(g_blasThreads)
                  : g_blasThreads == 0 ? "1"
                                       : "\"cores/threads\"")
       << ",\"thread_scaling\":{" << engine.str() << "},\"reference_thread_scaling\":{" << reference.str()
       << "},\"engine_busy_share\":{" << busy.str() << "},\"engine_phase_shares\":{" << phases.str()
       << "},\"memory_bandwidth_gb_s\":{" << bandwidth.str() << "},\"speedup_most_vs_2_threads\":" << vsTwo << "}";
    std::cout << (json ? js.str() : "speedup " + std::to_string(most) + " vs 2 threads: " + std::to_string(vsTwo))
              << std::endl;
    return 0;
}

int runC2(const fxs::bench::BenchArgs& args)
{
    int nQ = 300, nPhi = 256, small = 100, large = 2000;
    std::string only; // --only engine|reference: that side alone, N = --shots, five runs (for profilers)
    std::vector<int> threadCounts;
    int reps = 3; // --reps: repeats per thread count of --threads 1,2,...
    for (std::size_t i = 0; i + 1 < args.args.size(); i += 2) {
        const std::string& k = args.args[i];
        if (k == "--only") {
            only = args.args[i + 1];
            continue;
        }
        if (k == "--blas-threads") {
            const std::string& v = args.args[i + 1];
            g_blasThreads = v == "share" ? -1 : std::atoi(v.c_str());
            if (g_blasThreads == 0) {
                std::cerr << "c2: --blas-threads wants a count per worker (e.g. 1) or share (cores / workers)\n";
                return 2;
            }
            continue;
        }
        if (k == "--threads") {
            std::stringstream list(args.args[i + 1]);
            for (std::string item; std::getline(list, item, ',');) {
                const int t = std::atoi(item.c_str());
                if (t < 1) {
                    std::cerr << "c2: --threads wants a thread count or a list, e.g. 8 or 1,2,4,8,16\n";
                    return 2;
                }
                threadCounts.push_back(t);
            }
            continue;
        }
        const int v = std::stoi(args.args[i + 1]);
        if (k == "--nq") {
            nQ = v;
        } else if (k == "--nphi") {
            nPhi = v;
        } else if (k == "--shots") {
            large = v;
        } else if (k == "--reps") {
            reps = std::max(1, v);
        }
    }
    if (threadCounts.size() > 1) {
        return threadScaling(threadCounts, large, nQ, nPhi, args.json, reps);
    }
    if (threadCounts.size() == 1) {
        g_threads = threadCounts.front();
    }
    std::cerr << "c2: " << nQ << " x " << nPhi << ", " << cores() << " cores, " << threads() << " threads\n";
    if (only == "engine" || only == "reference") {
        const auto frames = makeFrames(nQ, nPhi, large, 0, 1);
        const char* off = std::getenv("FXS_BENCH_NO_VARIANCE"); // set and not empty: the engine without the squares
        const bool noVariance = off && *off;
        for (int r = 0; r < 5; ++r) {
            const double rate
                = only == "engine" ? runEngine(frames, nQ, nPhi, !noVariance) : runReference(frames, nQ, nPhi, false);
            std::cerr << "N=" << large << ": " << only << " " << rate << " shots/s\n";
        }
        return 0;
    }
    if (!only.empty()) {
        std::cerr << "c2: --only takes engine or reference, not " << only << "\n";
        return 2;
    }
    const Figures s = measure(small, nQ, nPhi, 3);
    std::cerr << "N=" << small << ": engine " << s.engine << " shots/s, masked " << s.masked << ", random masks "
              << s.randomMasks << ", reference " << s.reference << "\n";
    const Figures l = measure(large, nQ, nPhi, 3);
    std::cerr << "N=" << large << ": engine " << l.engine << " shots/s (without the variance's squares "
              << l.engineNoVariance << ", cost ratio " << l.engineNoVariance / l.engine << "), masked " << l.masked
              << ", random masks " << l.randomMasks << ", reference " << l.reference << " (padded " << l.referencePadded
              << ")\n";
    const double seed = runSeedNumpy(small, nQ, nPhi);
    std::cerr << "seed numpy (N=" << small << ", best of C/F order): " << seed << " shots/s\n";
    std::ostringstream js;
    js << "{\"benchmark\":\"c2\",\"n_q\":" << nQ << ",\"n_phi\":" << nPhi << ",\"shots\":" << large
       << ",\"cores\":" << cores() << ",\"threads\":" << threads() << ",\"engine_shots_per_s\":" << l.engine
       << ",\"engine_masked_shots_per_s\":" << l.masked << ",\"engine_random_masks_shots_per_s\":" << l.randomMasks
       << ",\"reference_shots_per_s\":" << l.reference << ",\"reference_padded_shots_per_s\":" << l.referencePadded
       << ",\"seed_numpy_shots_per_s\":" << seed << ",\"ratio_vs_reference\":" << l.engine / l.reference
       << ",\"ratio_masked_vs_reference\":" << l.masked / l.reference
       << ",\"ratio_vs_reference_padded\":" << l.engine / l.referencePadded
       << ",\"ratio_vs_seed\":" << (seed > 0 ? l.engine / seed : 0.0)
       << ",\"engine_no_variance_shots_per_s\":" << l.engineNoVariance
       << ",\"variance_cost_ratio\":" << l.engineNoVariance / l.engine
       << ",\"n100_variance_cost_ratio\":" << s.engineNoVariance / s.engine
       << ",\"n100\":{\"engine_shots_per_s\":" << s.engine << ",\"engine_masked_shots_per_s\":" << s.masked
       << ",\"reference_shots_per_s\":" << s.reference << "}}";
    if (args.json) {
        std::cout << js.str() << std::endl;
    } else {
        std::cout << "ratio vs reference " << l.engine / l.reference << ", masked " << l.masked / l.reference
                  << ", vs seed numpy " << (seed > 0 ? l.engine / seed : 0.0) << "\n";
    }
    return 0;
}

fxs::bench::Registrar reg { "c2", "C2 engine vs batched FFTW+cherk reference and the seed's numpy kernels", &runC2,
    "  --nq N, --nphi N   grid (default 300 x 256)\n"
    "  --shots N          shots of the large run (default 2000)\n"
    "  --threads N        engine and reference threads (default every core); a list (1,2,4,8,16) measures the\n"
    "                     engine's scaling over those thread counts instead (--reps R: best of R, default 3)\n"
    "  --blas-threads K|share    OpenBLAS threads per engine worker (default 1: --threads N uses N cores);\n"
    "                     share: cores / workers, the plan before 2026-12-03\n"
    "  --only engine|reference   that side alone, five runs (for profilers)\n" };

} // namespace
