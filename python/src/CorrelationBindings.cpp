// fxs.C2Accumulator (C2Accumulators on threads, one C2Sink), fxs.Sums and fxs.Snapshot.
#include "CorrelationBindings.h"

#include <cmath>
#include <fxs/correlation/C2Accumulator.h>
#include <fxs/results/SumsFile.h>
#include <optional>
#include <pybind11/complex.h>
#include <pybind11/stl.h>
#include <thread>

extern "C" void openblas_set_num_threads(int);
extern "C" int openblas_get_num_threads(void);

namespace fxs::python {

namespace {

using Complex = std::complex<double>;

/// fxs.C2Accumulator: one C2Accumulator per thread folding into one C2Sink (as C2Pipeline's workers do), fed
/// straight from the numpy stack: each thread copies its frames into one reused PolarFrame, so that no frame is
/// allocated (fresh pages for every frame made page faults the bottleneck on a VM) and there is no queue.
struct Accumulator {
    C2Config config;
    int threads = 1;
    std::unique_ptr<C2Sink> sink;
    std::vector<std::unique_ptr<C2Accumulator>> workers;
    std::int64_t nextShot = 0;
    std::int64_t shots = 0;

    Accumulator(const C2Config& c, int t)
        : config(c)
        , threads(t > 0 ? t : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())))
    {
        reset();
    }
    void reset()
    {
        workers.clear();
        sink = std::make_unique<C2Sink>();
        sink->sums
            = C2Sums::zeros(config.nQ, config.nPhi, config.effectiveNMax(), config.subtractRingMean, config.variance);
        for (int t = 0; t < threads; ++t) {
            workers.push_back(std::make_unique<C2Accumulator>(config, *sink));
        }
        shots = nextShot = 0;
    }
    /// Makes the totals hold every shot added (one pass over them for every worker's partial sums).
    void drain()
    {
        py::gil_scoped_release release;
        std::vector<C2Accumulator*> all;
        for (auto& w : workers) {
            all.push_back(w.get());
        }
        C2Accumulator::flushTogether(all);
    }
    /// The totals, after drain(); nothing adds while Python holds the object.
    const C2Sums& sums()
    {
        drain();
        return sink->sums;
    }
};

C2Precision precisionOf(const std::string& p)
{
    if (p != "single" && p != "double") {
        throw py::value_error("precision: expected 'single' or 'double', got '" + p + "'");
    }
    return p == "single" ? C2Precision::Single : C2Precision::Double;
}

/// The shot indices of n frames: consecutive from `start`, or one per frame from an array.
std::vector<std::int64_t> shotIndices(std::int64_t n, const py::object& given, std::int64_t next)
{
    std::vector<std::int64_t> idx(static_cast<std::size_t>(n));
    if (given.is_none() || py::isinstance<py::int_>(given)) {
        const std::int64_t start = given.is_none() ? next : given.cast<std::int64_t>();
        for (std::int64_t i = 0; i < n; ++i) {
            idx[i] = start + i;
        }
        return idx;
    }
    auto a = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(given);
    if (!a || a.ndim() != 1 || a.shape(0) != n) {
        throw py::value_error("shot_index: expected an int or one index per frame (" + std::to_string(n) + ")");
    }
    std::copy(a.data(), a.data() + n, idx.begin());
    return idx;
}

/// Frame i of a (n, nQ, nPhi) stack into `f` (its storage reused when it has the size; the engine's frames own
/// their values, so each frame is copied once).
void fillPolarFrame(PolarFrame& f, const float* intensity, const float* weight, int nQ, int nPhi, std::int64_t shot)
{
    const std::size_t bins = static_cast<std::size_t>(nQ) * nPhi;
    f.shotIndex = shot;
    f.nQ = nQ;
    f.nPhi = nPhi;
    f.intensity.assign(intensity, intensity + bins);
    if (weight) {
        f.weight.assign(weight, weight + bins);
    } else {
        f.weight.assign(bins, 1.0f);
    }
}

/// A read-only scan for what C2Accumulator::validate refuses (a weight outside [0, 1], a non-finite weighted
/// intensity), without copying the frame: the engine's own check then runs only on a frame that fails it.
bool plainlyValid(const float* intensity, const float* weight, std::size_t bins)
{
    // Branch-free so that it vectorises: x − x is 0 exactly when x is finite.
    int bad = 0;
    for (std::size_t i = 0; i < bins; ++i) {
        const float w = weight ? weight[i] : 1.0f;
        const float x = intensity[i];
        bad |= static_cast<int>(!(w >= 0.0f) | !(w <= 1.0f)) | static_cast<int>((w != 0.0f) & !(x - x == 0.0f));
    }
    return bad == 0;
}

void add(Accumulator& acc, const FloatArray& polar, const std::optional<FloatArray>& weights, const py::object& shot)
{
    const C2Config& c = acc.config;
    const auto shape = shapeOf(polar);
    const bool one = polar.ndim() == 2;
    if ((!one && polar.ndim() != 3) || shape[shape.size() - 2] != c.nQ || shape.back() != c.nPhi) {
        throw py::value_error("polar: expected shape (" + std::to_string(c.nQ) + ", " + std::to_string(c.nPhi)
            + ") or (n, " + std::to_string(c.nQ) + ", " + std::to_string(c.nPhi) + "), got " + shapeText(shape));
    }
    if (weights && shapeOf(*weights) != shape) {
        throw py::value_error(
            "weights: expected the shape of polar " + shapeText(shape) + ", got " + shapeText(shapeOf(*weights)));
    }
    const std::int64_t n = one ? 1 : shape[0];
    const auto idx = shotIndices(n, shot, acc.nextShot);
    const std::size_t bins = static_cast<std::size_t>(c.nQ) * c.nPhi;
    const float* in = polar.data();
    const float* w = weights ? weights->data() : nullptr;
    py::gil_scoped_release release;
    // Every frame is checked before any is queued, so that a refused stack adds nothing.
    for (std::int64_t i = 0; i < n; ++i) {
        if (plainlyValid(in + i * bins, w ? w + i * bins : nullptr, bins)) {
            continue;
        }
        PolarFrame f;
        fillPolarFrame(f, in + i * bins, w ? w + i * bins : nullptr, c.nQ, c.nPhi, idx[i]);
        if (Status s = C2Accumulator::validate(f, c.nQ, c.nPhi); !s) {
            throw EngineError("frame " + std::to_string(i) + " (shot " + std::to_string(idx[i]) + "): " + s.message());
        }
    }
    // Each thread takes every threads-th frame (both halves on every thread). Several workers run one BLAS thread
    // each, as C2Pipeline does: Debian's pthread OpenBLAS has one thread pool and one level-3 lock per process, so
    // workers that each asked for cores / t BLAS threads queued on it. A single worker keeps every core through
    // BLAS. The caller's setting is put back afterwards: numpy in the same process may share this OpenBLAS.
    const int t = static_cast<int>(std::min<std::int64_t>(acc.threads, n));
    const int callerBlasThreads = openblas_get_num_threads();
    openblas_set_num_threads(t > 1 ? 1 : std::max(1, static_cast<int>(std::thread::hardware_concurrency())));
    struct RestoreBlasThreads {
        int n;
        ~RestoreBlasThreads() { openblas_set_num_threads(n); }
    } restore { callerBlasThreads };
    std::vector<Status> status(static_cast<std::size_t>(t));
    const auto work = [&](int k) {
        PolarFrame f;
        for (std::int64_t i = k; i < n && status[k]; i += t) {
            fillPolarFrame(f, in + i * bins, w ? w + i * bins : nullptr, c.nQ, c.nPhi, idx[i]);
            status[k] = acc.workers[k]->add(f);
        }
    };
    std::vector<std::thread> pool;
    for (int k = 1; k < t; ++k) {
        pool.emplace_back(work, k);
    }
    work(0);
    for (auto& th : pool) {
        th.join();
    }
    for (const Status& s : status) {
        check(s);
    }
    acc.shots += n;
    acc.nextShot = idx.back() + 1;
}

void bindAccumulator(py::module_& m)
{
    py::class_<Accumulator>(m, "C2Accumulator",
        "Streams polar frames into the two-point angular correlation C2 (FXS_SPEC §2): per shot the ring means "
        "and δI = w (I − ring mean), then per batch an FFT over φ and one Hermitian rank-k update per angular "
        "frequency, on `threads` threads (0: all cores) for a stack. Shots go to the even or odd half by the parity "
        "of their index.")
        .def(py::init([](int nQ, int nPhi, int nMax, const std::string& precision, bool subtractRingMean, int threads,
                          int batchShots, bool variance) {
            if (nQ <= 0 || nPhi < 4) {
                throw py::value_error("C2Accumulator: need n_q > 0 and n_phi ≥ 4 (got " + std::to_string(nQ) + ", "
                    + std::to_string(nPhi) + ")");
            }
            C2Config c;
            c.nQ = nQ;
            c.nPhi = nPhi;
            c.nMax = nMax;
            c.precision = precisionOf(precision);
            c.subtractRingMean = subtractRingMean;
            c.batchShots = std::max(1, batchShots);
            c.variance = variance;
            py::gil_scoped_release release;
            return std::make_unique<Accumulator>(c, threads);
        }),
            py::arg("n_q"), py::arg("n_phi"), py::arg("n_max") = -1, py::arg("precision") = "single",
            py::arg("subtract_ring_mean") = true, py::arg("threads") = 0, py::arg("batch_shots") = 256,
            py::arg("variance") = true)
        .def("add", &add, py::arg("polar"), py::arg("weights") = py::none(), py::arg("shot_index") = py::none(),
            "Adds one polar frame (n_q, n_phi) or a stack (n, n_q, n_phi); weights in [0, 1] of the same shape "
            "(default 1; 0 = masked, where the intensity may be NaN). shot_index: the first shot's index (default: "
            "after the last one added) or one index per frame. A frame with a weight outside [0, 1] or a non-finite "
            "weighted intensity raises FxsError and nothing of the call is added.")
        .def("flush", &Accumulator::drain, "Waits until every frame added is in the totals.")
        .def(
            "snapshot",
            [](Accumulator& a, bool sh, bool is, bool f, int t, double thr) {
                return snapshotOf(a.sums(), snapshotOptions(sh, is, f, t, thr));
            },
            FXS_SNAPSHOT_ARGS, "The normalised C2 of every shot added so far (a value, not a live view).")
        .def(
            "sums", [](Accumulator& a) { return std::make_shared<C2Sums>(a.sums()); },
            "A copy of the additive totals (double precision).")
        .def(
            "merge",
            [](Accumulator& a, Accumulator& other) {
                if (&a == &other) {
                    throw py::value_error("merge: an accumulator cannot be merged into itself");
                }
                const C2Sums& s = other.sums();
                a.drain();
                check(a.sink->sums.merge(s));
                a.shots += other.shots;
            },
            py::arg("other"), "Adds the sums of another accumulator (disjoint shots); FxsError when shapes differ.")
        .def(
            "merge",
            [](Accumulator& a, const C2Sums& s) {
                a.drain();
                check(a.sink->sums.merge(s));
                a.shots += s.totalShots();
            },
            py::arg("sums"), "Adds sums (another process's, or a file's); FxsError when shapes differ.")
        .def(
            "reset",
            [](Accumulator& a) {
                py::gil_scoped_release release;
                a.reset();
            },
            "Drops every shot, keeping the settings.")
        .def_property_readonly(
            "shots", [](const Accumulator& a) { return a.shots; }, "Shots added so far.")
        .def_property_readonly("n_q", [](const Accumulator& a) { return a.config.nQ; })
        .def_property_readonly("n_phi", [](const Accumulator& a) { return a.config.nPhi; })
        .def_property_readonly(
            "n_max", [](const Accumulator& a) { return a.config.effectiveNMax(); }, "Highest angular frequency kept.")
        .def_readonly("threads", &Accumulator::threads, "Threads that add() uses.");
}

/// A getter of a snapshot array over (q, q', Δ), as a view.
template <class T> auto c2View(std::vector<T> C2Snapshot::*field)
{
    return [field](py::object self) {
        const auto& s = self.cast<const C2Snapshot&>();
        return viewArray(s.*field, { s.nQ, s.nQ, s.nPhi }, self);
    };
}

void bindSnapshot(py::module_& m)
{
    using S = C2Snapshot;
    py::class_<S, std::shared_ptr<S>>(m, "Snapshot",
        "A normalised C2 at one moment. Arrays over (q, q', Δ) have shape (n_q, n_q, n_phi), Δ = k·2π/n_phi: "
        "c2 = Σ_j Σ_φ δI(q, φ) δI(q', φ + Δ) / Σ_j Σ_φ w(q, φ) w(q', φ + Δ) where the mask correlation is above "
        "mask_threshold (elsewhere 0 and flags = 1). Arrays are read-only views, valid while the snapshot lives.")
        .def_readonly("n_q", &S::nQ)
        .def_readonly("n_phi", &S::nPhi)
        .def_readonly("n_max", &S::nMax, "Highest angular frequency of the Fourier coefficients.")
        .def_readonly("shots", &S::shots)
        .def_property_readonly(
            "shots_half", [](const S& s) { return py::make_tuple(s.shotsHalf[0], s.shotsHalf[1]); },
            "(even, odd) shot counts.")
        .def_readonly("ring_mean_subtracted", &S::ringMeanSubtracted)
        .def_readonly("mask_threshold", &S::maskThreshold, "Mask correlation below which an element is masked.")
        .def_readonly("split_half_cc", &S::splitHalfCC, "Pearson correlation of the even and odd halves' C2.")
        .def_property_readonly("c2", c2View(&S::c2), "Normalised C2, (n_q, n_q, n_phi) float64.")
        .def_property_readonly(
            "mask_c2", c2View(&S::maskCorrelation), "Mask correlation Σ_j Σ_φ w w' (pixel pairs), (n_q, n_q, n_phi).")
        .def_property_readonly(
            "flags", c2View(&S::flags), "Per element: 0 valid, 1 masked, 2 self term (q = q', Δ = 0), uint8.")
        .def_property_readonly(
            "mean_image",
            [](py::object self) {
                const auto& s = self.cast<const S&>();
                return viewArray(s.meanImage, { s.nQ, s.nPhi }, self);
            },
            "Σ w I / Σ w over shots, (n_q, n_phi).")
        .def_property_readonly("inter_c2", c2View(&S::c2Inter),
            "Correlation of the mean image (the inter-shot term), like c2; empty when not computed.")
        .def_property_readonly("difference_c2", c2View(&S::c2Difference), "c2 − inter_c2; empty when not computed.")
        .def_property_readonly(
            "split_half_cc_per_q",
            [](py::object self) {
                const auto& s = self.cast<const S&>();
                return viewArray(s.splitHalfCCPerQ, { static_cast<py::ssize_t>(s.splitHalfCCPerQ.size()) }, self);
            },
            "The split-half correlation restricted to each q.")
        .def_property_readonly(
            "fourier",
            [](py::object self) {
                const auto& s = self.cast<const S&>();
                const py::ssize_t n = s.fourier.empty() ? 0 : s.nMax + 1;
                return viewArray(s.fourier, { n, s.nQ, s.nQ }, self);
            },
            "C_n(q, q') for n = 0 … n_max, (n_max + 1, n_q, n_q) complex128: c2 = Σ_n C_n e^{i n Δ}.")
        .def_property_readonly("c2_std_error", c2View(&S::c2StdError),
            "Standard error of c2, like c2 (0 where masked); empty when the sums keep no squares "
            "(C2Snapshot::c2StdError says which estimator and assumptions).")
        .def_property_readonly(
            "fourier_std_error",
            [](py::object self) {
                const auto& s = self.cast<const S&>();
                const py::ssize_t n = s.fourierStdError.empty() ? 0 : s.nMax + 1;
                return viewArray(s.fourierStdError, { n, s.nQ, s.nQ }, self);
            },
            "Standard error √E|δC_n|² of each C_n, (n_max + 1, n_q, n_q) float64; empty without squares.");
}

void bindSums(py::module_& m)
{
    using S = C2Sums;
    py::class_<S, std::shared_ptr<S>>(m, "Sums",
        "The additive state of a C2 run (double precision): per half (even/odd shot index) and angular frequency n "
        "the Hermitian matrices S_n(q, q') = Σ_j conj(A_j(q, n)) A_j(q', n) (lower triangle stored) of the signal "
        "and of the weights, and the mean-image sums. Mergeable by addition.")
        .def_readonly("n_q", &S::nQ)
        .def_readonly("n_phi", &S::nPhi)
        .def_readonly("n_max", &S::nMax)
        .def_readonly("ring_mean_subtracted", &S::ringMeanSubtracted)
        .def_property_readonly("shots", &S::totalShots)
        .def_property_readonly("shots_half", [](const S& s) { return py::make_tuple(s.shots[0], s.shots[1]); })
        .def_property_readonly(
            "signal",
            [](py::object self) {
                const auto& s = self.cast<const S&>();
                return py::make_tuple(viewArray(s.signal[0], { s.nFreq(), s.nQ, s.nQ }, self),
                    viewArray(s.signal[1], { s.nFreq(), s.nQ, s.nQ }, self));
            },
            "(even, odd) signal spectra, each (n_max + 1, n_q, n_q) complex128, lower triangle.")
        .def_property_readonly(
            "mask",
            [](py::object self) {
                const auto& s = self.cast<const S&>();
                return py::make_tuple(viewArray(s.mask[0], { s.nFreqMask(), s.nQ, s.nQ }, self),
                    viewArray(s.mask[1], { s.nFreqMask(), s.nQ, s.nQ }, self));
            },
            "(even, odd) weight spectra, each (n_phi/2 + 1, n_q, n_q) complex128, lower triangle.")
        .def_property_readonly(
            "weighted_intensity",
            [](py::object self) {
                const auto& s = self.cast<const S&>();
                return viewArray(s.weightedIntensity, { s.nQ, s.nPhi }, self);
            },
            "Σ_j w I, (n_q, n_phi).")
        .def_property_readonly(
            "weight_sum",
            [](py::object self) {
                const auto& s = self.cast<const S&>();
                return viewArray(s.weightSum, { s.nQ, s.nPhi }, self);
            },
            "Σ_j w, (n_q, n_phi).")
        .def_property_readonly(
            "squares",
            [](py::object self) {
                const auto& s = self.cast<const S&>();
                const py::ssize_t n = s.squares.empty() ? 0 : s.nFreq();
                return viewArray(s.squares, { n, s.nQ, s.nQ }, self);
            },
            "Σ_j |A_j(q, n)|² |A_j(q', n)|² over both halves, (n_max + 1, n_q, n_q) float64, lower triangle: what the "
            "standard errors need; empty when the run kept none.")
        .def(
            "snapshot",
            [](const S& s, bool sh, bool is, bool f, int t, double thr) {
                return snapshotOf(s, snapshotOptions(sh, is, f, t, thr));
            },
            FXS_SNAPSHOT_ARGS, "The normalised C2 of these sums.")
        .def(
            "merge", [](S& s, const S& other) { check(s.merge(other)); }, py::arg("other"),
            "Adds other into these sums; FxsError (nothing changed) when the shapes differ.")
        .def("copy", [](const S& s) { return std::make_shared<S>(s); })
        .def(
            "save",
            [](const S& s, const std::string& path) {
                py::gil_scoped_release release;
                check(SumsFile::write(path, s, SumsFile {}));
            },
            py::arg("path"), "Writes the engine's sums file (read by open_results, fxs and fxs-server).");
}

} // namespace

SnapshotOptions snapshotOptions(bool splitHalf, bool interShot, bool fourier, int threads, double maskThreshold)
{
    SnapshotOptions o;
    o.splitHalf = splitHalf;
    o.interShot = interShot;
    o.fourier = fourier;
    o.threads = threads;
    o.maskRelativeThreshold = maskThreshold;
    return o;
}

std::shared_ptr<C2Snapshot> snapshotOf(const C2Sums& sums, const SnapshotOptions& options)
{
    py::gil_scoped_release release;
    return std::make_shared<C2Snapshot>(C2Snapshot::compute(sums, options));
}

void bindCorrelation(py::module_& m)
{
    bindSums(m);
    bindSnapshot(m);
    bindAccumulator(m);
}

} // namespace fxs::python
