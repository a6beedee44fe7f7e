"""fxs.Geometry against the CrystFEL formula (tests/engine/crystfel_geom_q.py) on real .geom files, and
fxs.PolarRemapper against a numpy histogram of pixel centres."""
import numpy as np
import pytest

import fxs


@pytest.mark.parametrize("name,clen,energy", [
    ("lcls_cxi_jungfrau4M.geom", 0.0873, 9500.0),  # the file leaves both to the data file: given here
    ("lcls_mfx_epix10k2M.geom", 0.3, 8000.0),  # per-panel coffset
    ("simple.geom", None, 8000.0),
])
def test_q_and_phi_follow_crystfel(geometry_dir, crystfel_oracle, name, clen, energy):
    path = geometry_dir / name
    g = fxs.Geometry.from_geom(str(path), clen=clen, photon_energy=energy)
    (x, y, z), lam = crystfel_oracle.reference_lab({"geom": str(path), "clen": clen, "energy": energy})
    assert g.shape == x.shape
    assert g.wavelength == pytest.approx(lam, rel=1e-9)
    q_ref = 4 * np.pi * np.sin(np.arctan2(np.hypot(x, y), z) / 2) / lam
    inside = ~np.isnan(q_ref)
    np.testing.assert_array_equal(np.isnan(g.q), ~inside)
    np.testing.assert_allclose(g.q[inside], q_ref[inside], rtol=2e-6)
    phi_ref = np.mod(np.arctan2(y, x), 2 * np.pi)[inside]
    d = np.abs(g.phi[inside] - phi_ref)
    assert np.minimum(d, 2 * np.pi - d).max() < 1e-5
    if clen is not None:
        assert g.clen == pytest.approx(clen) and g.clen_source == "user"


def test_missing_values_and_bad_files_raise_with_the_engine_message(geometry_dir, tmp_path):
    with pytest.raises(fxs.FxsError, match="clen"):
        fxs.Geometry.from_geom(str(geometry_dir / "lcls_cxi_jungfrau4M.geom"), photon_energy=9500.0)
    with pytest.raises(fxs.FxsError, match="no-such.geom"):
        fxs.Geometry.from_geom(str(tmp_path / "no-such.geom"))
    bad = tmp_path / "bad.geom"
    bad.write_text("clen = 0.1\nphoton_energy = 9000\np0/min_fs = 0\np0/max_fs = zero\n")
    with pytest.raises(fxs.FxsError, match="bad.geom:4"):
        fxs.Geometry.from_geom(str(bad))


def single_panel_q_phi(n_slow, n_fast, pixel, distance, energy):
    """Closed form of a flat panel normal to the beam, centred: pixel (0, 0) in the −x, −y corner."""
    fs, ss = np.meshgrid(np.arange(n_fast) + 0.5 - n_fast / 2, np.arange(n_slow) + 0.5 - n_slow / 2)
    x, y = fs * pixel, ss * pixel
    lam = 12398.419843320026 / energy
    q = 4 * np.pi * np.sin(np.arctan2(np.hypot(x, y), distance) / 2) / lam
    return q, np.mod(np.arctan2(y, x), 2 * np.pi)


def test_nearest_remap_is_the_mean_of_the_pixels_in_each_bin():
    n_slow, n_fast, pixel, distance, energy = 120, 100, 200e-6, 0.05, 9000.0
    g = fxs.Geometry.single_panel(n_slow, n_fast, pixel_size=pixel, distance=distance, photon_energy=energy)
    q, phi = single_panel_q_phi(n_slow, n_fast, pixel, distance, energy)
    np.testing.assert_allclose(g.q, q, rtol=1e-5)
    grid = fxs.PolarGrid(n_q=20, n_phi=32, q_min=0.2, q_max=float(q.max()) * 0.95)
    remap = fxs.PolarRemapper(g, grid, mode="nearest", solid_angle=False, polarisation=False)
    rng = np.random.default_rng(3)
    frame = rng.uniform(0, 100, (n_slow, n_fast)).astype(np.float32)
    iq = np.floor((q - grid.q_min) / ((grid.q_max - grid.q_min) / grid.n_q)).astype(int)
    ip = np.floor(phi / (2 * np.pi / grid.n_phi)).astype(int)
    inside = (iq >= 0) & (iq < grid.n_q)
    bins = iq[inside] * grid.n_phi + ip[inside]
    count = np.bincount(bins, minlength=grid.n_q * grid.n_phi)
    total = np.bincount(bins, weights=frame[inside].astype(np.float64), minlength=count.size)
    expected = np.where(count > 0, total / np.maximum(count, 1), 0).reshape(grid.n_q, grid.n_phi)
    intensity, weight = remap.remap(frame)
    assert intensity.shape == (grid.n_q, grid.n_phi) and intensity.dtype == np.float32
    filled = count.reshape(grid.n_q, grid.n_phi) > 0
    np.testing.assert_array_equal(weight > 0, filled)
    # A pixel centre on a bin edge may fall either side in float32: nearly every bin agrees exactly.
    close = np.isclose(intensity, expected, rtol=1e-5)
    assert close[filled].mean() > 0.97
    # Integer frames are read as they are; a stack gives a stack.
    stack = remap(np.stack([frame.astype(np.uint16), frame.astype(np.uint16)]))
    assert stack.shape == (2, grid.n_q, grid.n_phi)
    np.testing.assert_allclose(stack[0], remap(frame.astype(np.uint16)))
    with pytest.raises(fxs.FxsError):
        remap(np.zeros((n_slow, n_fast + 1), np.float32))
