"""fxs.remote.Session against a real fxs-server on 127.0.0.1 (real mpirun and fxs-worker, as tests/remote), with
the job's C2 checked against the direct φ-sum of the synthetic source's frames recomputed in numpy."""
import math
import os
import pathlib
import shutil
import signal
import subprocess
import time

import h5py
import numpy as np
import pytest

import fxs
from oracles import brute_c2, normalised

TOKEN = "python-test-token-0123456789abcdef"
MASK64 = (1 << 64) - 1


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    bin_dir = pathlib.Path(os.environ.get("FXS_BIN_DIR", ""))
    if not (bin_dir / "fxs-server").exists() or not (bin_dir / "fxs-worker").exists() or not shutil.which("mpirun"):
        pytest.skip(f"fxs-server, fxs-worker (FXS_BIN_DIR={bin_dir}) or mpirun is missing")
    d = tmp_path_factory.mktemp("server")
    token = d / "token"
    token.write_text(TOKEN + "\n")
    token.chmod(0o600)
    launcher = "mpirun --oversubscribe" + (" --allow-run-as-root" if os.geteuid() == 0 else "")
    port_file = d / "port"
    proc = subprocess.Popen(
        [str(bin_dir / "fxs-server"), "--listen", "127.0.0.1:0", "--port-file", str(port_file), "--state-dir",
         str(d / "state"), "--token-file", str(token), "--launcher", launcher + " -n {ranks} {worker} {job}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    for _ in range(200):
        if port_file.exists() and port_file.read_text().strip() or proc.poll() is not None:
            break
        time.sleep(0.05)
    if proc.poll() is not None or not port_file.exists():
        proc.kill()
        pytest.fail("fxs-server did not start: " + proc.stdout.read().decode(errors="replace"))
    yield {"address": "127.0.0.1:" + port_file.read_text().strip(), "token_file": str(token), "dir": d}
    proc.send_signal(signal.SIGTERM)
    try:
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def synthetic_frame(n_q, n_phi, seed, masked, shot):
    """remote/common/SyntheticPolarSource.cpp's frame(shot), rewritten with Python integers (splitmix64)."""
    state = (seed * 0x2545F4914F6CDD1D + shot) & MASK64

    def uniform():
        nonlocal state
        state = (state + 0x9E3779B97F4A7C15) & MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return ((z ^ (z >> 31)) >> 11) * 2.0 ** -53

    intensity = np.zeros((n_q, n_phi), np.float32)
    weight = np.ones((n_q, n_phi), np.float32)
    rotation = 2 * math.pi * uniform()
    for q in range(n_q):
        a2, a4, a6 = 1 + uniform(), 0.5 * uniform(), 0.25 * uniform()
        for p in range(n_phi):
            phi = 2 * math.pi * (p + 0.5) / n_phi + rotation
            v = 10 + q % 7 + a2 * math.cos(2 * phi) + a4 * math.cos(4 * phi + q) + a6 * math.cos(6 * phi) \
                + 0.3 * (uniform() - 0.5)
            u = uniform()
            intensity[q, p] = v
            if u < masked:
                weight[q, p], intensity[q, p] = 0.0, np.nan
            elif u < masked + 0.05:
                weight[q, p] = 0.5
    return intensity, weight


SPEC = {
    "name": "python test",
    "synthetic": {"shots": 40, "seed": 42, "masked_fraction": 0.1},
    "grid": {"n_q": 6, "n_phi": 16, "q_min_inv_angstrom": 0.1, "q_max_inv_angstrom": 1.0},
    "ranks": 1, "threads_per_rank": 1, "shots_per_unit": 8, "units_per_reduce": 2,
    "double_precision": True, "ring_mean_subtracted": True,
}


def test_submit_watch_fetch_against_the_direct_phi_sum(server, tmp_path):
    s = fxs.remote.Session(server["address"], token_file=server["token_file"])
    s.health()
    assert s.whoami()["token_name"] == "default"
    first = s.submit(SPEC)
    assert first["job_id"] and first["name"] == "python test"
    updates, snapshots = [], []
    final = s.watch(first["job_id"], on_status=updates.append, on_snapshot=snapshots.append)
    assert final["state"] == "JOB_STATE_SUCCEEDED", final["message"]
    assert final["shots_done"] == 40 and isinstance(final["shots_done"], int)
    assert updates and all(u["job_id"] == first["job_id"] for u in updates)
    assert any(j["job_id"] == first["job_id"] for j in s.list())
    frames = [synthetic_frame(6, 16, 42, 0.1, i) for i in range(40)]
    intensity = np.stack([f[0] for f in frames])
    weight = np.stack([f[1] for f in frames])
    (n0, d0), (n1, d1) = brute_c2(intensity, weight, np.arange(40))
    sums_path = s.fetch(first["job_id"], str(tmp_path / "result.fxs1"))
    snap = fxs.open_results(sums_path).snapshot()
    ok = snap.flags == 0
    np.testing.assert_allclose(snap.c2[ok], normalised(n0 + n1, d0 + d1, 0)[ok], rtol=1e-9)
    if snapshots:
        last = snapshots[-1]
        assert last["c2"].shape == (6, 6, 16) and last["shots"] <= 40
    h5 = s.fetch(first["job_id"], str(tmp_path / "results.h5"), kind="results_h5")
    with h5py.File(h5, "r") as f:
        np.testing.assert_allclose(fxs.open_results(h5).snapshot().c2, f["/c2/c2"][()], rtol=1e-12, atol=1e-12)


def test_errors_carry_the_server_message(server, tmp_path):
    bad = fxs.remote.Session(server["address"], token="wrong-token-0123456789")
    with pytest.raises(fxs.FxsError, match="^UNAUTHENTICATED"):
        bad.list()
    s = fxs.remote.Session(server["address"], token_file=server["token_file"])
    with pytest.raises(ValueError, match="JobSpec"):
        s.submit({"no_such_field": 1})
    with pytest.raises(fxs.FxsError, match="NOT_FOUND|not found|unknown"):
        s.cancel("no-such-job")
    loose = tmp_path / "token"
    loose.write_text(TOKEN)
    loose.chmod(0o644)
    with pytest.raises(fxs.FxsError, match="chmod"):
        fxs.remote.Session(server["address"], token_file=str(loose))
    with pytest.raises(ValueError, match="kind"):
        s.fetch("x", str(tmp_path / "x"), kind="everything")
