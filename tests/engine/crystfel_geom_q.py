#!/usr/bin/python3
"""Independent oracle for tst_GeomRealFiles: q of every pixel of a CrystFEL .geom file, written from the
CrystFEL geometry definition (crystfel_geometry(5)), compared with the q array FXS Monitor computed.

Usage: crystfel_geom_q.py MANIFEST.json
The manifest lists cases {geom, q (raw float32 file, slab order), n_slow, n_fast, clen (metres or null),
energy (eV or null), data (HDF5 file or null), frame}. For each case this script parses the .geom itself,
takes clen / photon_energy from the override, the file's number (with units) or the data file (h5py; lengths in
mm, energies in eV, as CrystFEL reads them), and prints one JSON line per case:
{"name", "n_slow", "n_fast", "max_rel", "nan_mismatch", "pixels"}.
"""
import json
import re
import sys

import h5py
import numpy as np

HC_EV_A = 12398.419843320026


def read_geom(path):
    """Global keys (final values) and panels; a panel starts from the global keys seen before its first line."""
    glob, panels, order = {}, {}, []
    for raw in open(path):
        line = raw.split(";", 1)[0].strip()
        if "=" not in line:
            continue
        key, value = (s.strip() for s in line.split("=", 1))
        if "/" not in key:
            glob[key] = value
            continue
        owner, sub = key.split("/", 1)
        if owner.startswith("bad"):
            continue
        if owner not in panels:
            panels[owner] = dict(glob)
            order.append(owner)
        panels[owner][sub] = value
    return glob, [(name, panels[name]) for name in order]


def from_data(data, path, frame, scale):
    with h5py.File(data, "r") as f:
        v = np.asarray(f[path][()], dtype=np.float64).reshape(-1)
    return float(v[0] if v.size == 1 else v[frame]) * scale


def length(text, data, frame):
    text = text.strip()
    if text.startswith("/"):
        return from_data(data, text, frame, 1e-3)
    m = re.fullmatch(r"([-+0-9.eE]+)\s*(m|mm)?", text)
    return float(m.group(1)) * (1e-3 if m.group(2) == "mm" else 1.0)


def energy(text, data, frame):
    text = text.strip()
    if text.startswith("/"):
        return from_data(data, text, frame, 1.0)
    m = re.fullmatch(r"([-+0-9.eE]+)\s*(eV|keV)?", text)
    return float(m.group(1)) * (1e3 if m.group(2) == "keV" else 1.0)


def vector(text):
    v = np.zeros(3)
    for sign, coef, axis in re.findall(r"([+-]?)\s*([0-9.eE]*)\s*([xyz])", text):
        c = float(coef) if coef else 1.0
        v["xyz".index(axis)] += -c if sign == "-" else c
    return v


def reference_lab(case):
    """Lab x, y, z (metres) of every pixel centre in slab order (NaN outside the panels) and the wavelength (Å)."""
    glob, panels = read_geom(case["geom"])
    data, frame = case.get("data"), case.get("frame", 0)
    if case.get("energy") is not None:
        e = case["energy"]
    else:
        e = energy(glob["photon_energy"], data, frame)
    lam = HC_EV_A / e
    n_slow = max(int(float(p["max_ss"])) for _, p in panels) + 1
    n_fast = max(int(float(p["max_fs"])) for _, p in panels) + 1
    lab = np.full((3, n_slow, n_fast), np.nan)
    for name, p in panels:
        for k in p:
            if re.fullmatch(r"dim[0-9]+", k) and re.fullmatch(r"[0-9]+", p[k]):
                raise SystemExit(f"{name}: module dimensions are not handled by this oracle")
        min_fs, max_fs = int(float(p["min_fs"])), int(float(p["max_fs"]))
        min_ss, max_ss = int(float(p["min_ss"])), int(float(p["max_ss"]))
        res = float(p["res"])
        fs = vector(p.get("fs", "x"))
        ss = vector(p.get("ss", "y"))
        clen = case["clen"] if case.get("clen") is not None else length(p["clen"], data, frame)
        coffset = length(p["coffset"], data, frame) if "coffset" in p else 0.0
        cf = np.arange(max_fs - min_fs + 1) + 0.5
        cs = np.arange(max_ss - min_ss + 1) + 0.5
        gs, gf = np.meshgrid(cs, cf, indexing="ij")
        x = (float(p["corner_x"]) + gf * fs[0] + gs * ss[0]) / res
        y = (float(p["corner_y"]) + gf * fs[1] + gs * ss[1]) / res
        z = clen + coffset + (gf * fs[2] + gs * ss[2]) / res
        lab[:, min_ss : max_ss + 1, min_fs : max_fs + 1] = x, y, z
    return lab, lam


def reference_q(case):
    (x, y, z), lam = reference_lab(case)
    two_theta = np.arctan2(np.hypot(x, y), z)
    return 4.0 * np.pi * np.sin(two_theta / 2.0) / lam


def main():
    for case in json.load(open(sys.argv[1])):
        ref = reference_q(case)
        got = np.fromfile(case["q"], dtype=np.float32)
        out = {"name": case["name"], "n_slow": ref.shape[0], "n_fast": ref.shape[1], "pixels": int(got.size)}
        if got.size == ref.size:
            got = got.reshape(ref.shape).astype(np.float64)
            nan_ref, nan_got = np.isnan(ref), np.isnan(got)
            ok = ~nan_ref & ~nan_got
            rel = np.abs(got[ok] - ref[ok]) / np.maximum(np.abs(ref[ok]), 1e-12)
            out["nan_mismatch"] = int(np.count_nonzero(nan_ref != nan_got))
            out["max_rel"] = float(rel.max()) if rel.size else 0.0
            out["compared"] = int(np.count_nonzero(ok))
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
