"""fxs.write_results / fxs.open_results / fxs.Sums.save against h5py reading the same files."""
import h5py
import numpy as np
import pytest

import fxs
from oracles import brute_c2, delta_i, normalised, random_frames

N_Q, N_PHI = 5, 12


@pytest.fixture(scope="module")
def run():
    intensity, weight = random_frames(np.random.default_rng(11), 9, N_Q, N_PHI)
    acc = fxs.C2Accumulator(N_Q, N_PHI, precision="double")
    acc.add(intensity, weight)
    return intensity, weight, acc.sums()


def test_results_file_round_trip_through_h5py(run, tmp_path):
    intensity, weight, sums = run
    grid = fxs.PolarGrid(N_Q, N_PHI, 0.1, 0.6)
    q = np.linspace(0.1, 0.6, N_Q)
    b = np.random.default_rng(1).normal(size=(3, N_Q, N_Q))
    inv = fxs.Invariants(q, b, wavelength=1.3)
    density = np.arange(4 ** 3, dtype=np.float64).reshape(4, 4, 4)
    path = str(tmp_path / "run.h5")
    fxs.write_results(path, sums, grid, wavelength=1.3, invariants=inv, density=density, density_voxel=2.5,
                      configuration='{"shots": 9}', geometry="clen = 0.1\n")
    (n0, d0), (n1, d1) = brute_c2(intensity, weight, np.arange(9))
    with h5py.File(path, "r") as f:
        flags = f["/c2/flags"][()]
        ok = flags == 0
        # The values h5py reads are the direct φ-sum's.
        np.testing.assert_allclose(f["/c2/c2"][()][ok], normalised(n0 + n1, d0 + d1, 0)[ok], rtol=1e-9)
        np.testing.assert_allclose(f["/sums/weight_sum"][()], weight.sum(0), rtol=1e-6)
        assert f["/sums"].attrs["shots_even"] == 5 and f["/sums"].attrs["shots_odd"] == 4
        np.testing.assert_allclose(f["/analysis/invariants/B_l"][()], b)
        np.testing.assert_allclose(f["/analysis/polar_grid"][()], [N_Q, N_PHI, 0.1, 0.6, 1.3])
        c2_h5, fourier_h5, mask_h5 = f["/c2/c2"][()], f["/c2/fourier"][()], f["/c2/mask_correlation"][()]
        se = f["/sums/signal_even"][()]
    r = fxs.open_results(path)
    assert r.format == "hdf5" and r.grid == grid and r.wavelength == pytest.approx(1.3)
    assert r.configuration == '{"shots": 9}' and r.geometry == "clen = 0.1\n"
    snap = r.snapshot()
    np.testing.assert_array_equal(snap.c2, c2_h5)
    np.testing.assert_array_equal(snap.mask_c2, mask_h5)
    np.testing.assert_allclose(snap.fourier, fourier_h5)  # h5py reads the compound {r, i} as complex
    np.testing.assert_array_equal(r.sums.signal[0], se)
    np.testing.assert_allclose(r.invariants.b, b)
    np.testing.assert_allclose(r.invariants.q, q)
    np.testing.assert_array_equal(r.density, density.astype(np.float32))
    assert r.density_voxel == 2.5


def test_sums_file_round_trip(run, tmp_path):
    _, _, sums = run
    path = str(tmp_path / "run.fxs1")
    sums.save(path)
    with open(path, "rb") as f:
        assert f.read(8) == b"FXSCKPT\0"
    r = fxs.open_results(path)
    assert r.format.startswith("FXSCKPT") and r.grid is None
    assert r.sums.shots_half == (5, 4)
    np.testing.assert_array_equal(r.sums.mask[1], sums.mask[1])
    np.testing.assert_array_equal(r.snapshot().c2, sums.snapshot().c2)


def test_bad_files_raise_naming_what_is_wrong(run, tmp_path):
    plain = tmp_path / "plain.h5"
    with h5py.File(plain, "w") as f:
        f["x"] = np.zeros(3)
    with pytest.raises(fxs.FxsError, match="/sums is missing"):
        fxs.open_results(str(plain))
    with pytest.raises(fxs.FxsError, match="missing.h5"):
        fxs.open_results(str(tmp_path / "missing.h5"))
    damaged = tmp_path / "damaged.fxs1"
    run[2].save(str(damaged))
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    with pytest.raises(fxs.FxsError, match="damaged.fxs1"):
        fxs.open_results(str(damaged))


def numpy_standard_errors(intensity, weight, mask_c2, flags, n_max):
    """The squares Σ_j |A_j(q,n)|² |A_j(q',n)|² from numpy's FFT of δI, and the standard errors of C_n and c2 by the
    estimator C2Snapshot documents (V_n = N/(N−1) (Σ|P|² − |ΣP|²/N); c2: √(U(Δ) / (M̄ M(Δ))) / n_phi)."""
    n_phi = intensity.shape[-1]
    a = np.fft.rfft(delta_i(intensity, weight), axis=-1)[..., : n_max + 1]  # (shots, q, n)
    p = np.conj(a)[:, :, None, :] * a[:, None, :, :]  # P_jn(q, q')
    squares = (np.abs(p) ** 2).sum(0)
    shots = intensity.shape[0]
    v = np.maximum(0, (squares - np.abs(p.sum(0)) ** 2 / shots) * shots / (shots - 1))
    mult = np.array([1.0 if n in (0, n_phi // 2) else 2.0 for n in range(n_max + 1)])
    delta = 2 * np.pi * np.arange(n_phi) / n_phi
    u = np.broadcast_to((v * mult).sum(-1)[..., None], mask_c2.shape).copy()
    inner = [n for n in range(1, n_max + 1) if 2 * n != n_phi]
    for q in range(u.shape[0]):
        u[q, q] += 2 * sum(v[q, q, n] * np.cos(2 * n * delta) for n in inner)
    valid = flags != 1
    mean_m = mask_c2.mean(-1, keepdims=True)
    se = np.where(valid, np.sqrt(np.maximum(u, 0) / (mean_m * np.where(valid, mask_c2, 1))) / n_phi, 0.0)
    inv_m = np.where(valid, 1 / np.where(valid, mask_c2, 1), 0).mean(-1)
    fourier_se = np.sqrt(v) * inv_m[..., None] / n_phi
    return np.moveaxis(squares, -1, 0), se, np.moveaxis(fourier_se, -1, 0)


def test_schema_2_stores_standard_errors_that_numpy_recomputes(run, tmp_path):
    intensity, weight, sums = run
    path = str(tmp_path / "run2.h5")
    fxs.write_results(path, sums, fxs.PolarGrid(N_Q, N_PHI, 0.1, 0.6))
    with h5py.File(path, "r") as f:
        assert f.attrs["schema_version"] == 2
        flags, mask_c2 = f["/c2/flags"][()], f["/c2/mask_correlation"][()]
        squares, se, fse = numpy_standard_errors(intensity, weight, mask_c2, flags, N_PHI // 2)
        lower = np.tril(np.ones((N_Q, N_Q), bool))[None]  # the sums keep the lower triangle q ≥ q'
        np.testing.assert_allclose(f["/sums/squares"][()][np.broadcast_to(lower, squares.shape)],
                                   squares[np.broadcast_to(lower, squares.shape)], rtol=1e-9,
                                   atol=1e-12 * squares.max())  # n = 0: rounding residue of A_0 = 0
        np.testing.assert_allclose(f["/c2/c2_std_error"][()], se, rtol=1e-7, atol=1e-12)
        np.testing.assert_allclose(f["/c2/fourier_std_error"][()], fse, rtol=1e-7, atol=1e-12)
    r = fxs.open_results(path)
    np.testing.assert_allclose(r.snapshot().c2_std_error, se, rtol=1e-7, atol=1e-12)


def test_schema_1_file_is_read_without_standard_errors(run, tmp_path):
    """A results file in the layout of schema 1, written here by h5py: read as before, no squares, no error bars."""
    _, _, sums = run
    path = str(tmp_path / "v1.h5")
    with h5py.File(path, "w") as f:
        f.attrs["schema_version"] = 1
        f.attrs["format"] = "fxs-results"
        g = f.create_group("sums")
        for key, value in (("n_q", N_Q), ("n_phi", N_PHI), ("n_max", sums.n_max), ("shots_even", 5),
                           ("shots_odd", 4), ("ring_mean_subtracted", 1)):
            g.attrs[key] = np.int64(value)
        for h, name in enumerate(("even", "odd")):
            g["signal_" + name] = np.asarray(sums.signal[h])
            g["mask_" + name] = np.asarray(sums.mask[h])
        g["weighted_intensity"] = np.asarray(sums.weighted_intensity)
        g["weight_sum"] = np.asarray(sums.weight_sum)
        f["/analysis/polar_grid"] = np.array([N_Q, N_PHI, 0.1, 0.6, 1.3])
    r = fxs.open_results(path)
    assert r.sums.shots_half == (5, 4) and r.sums.squares.size == 0
    snap = r.snapshot()
    assert snap.c2_std_error.size == 0 and snap.fourier_std_error.size == 0
    np.testing.assert_array_equal(snap.c2, sums.snapshot().c2)
