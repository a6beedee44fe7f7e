"""fxs.write_results / fxs.open_results / fxs.Sums.save against h5py reading the same files."""
import h5py
import numpy as np
import pytest

import fxs
from oracles import brute_c2, normalised, random_frames

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
