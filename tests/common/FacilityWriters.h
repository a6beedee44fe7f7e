#pragma once

// Data files as facilities write them, made by independent writers (h5py, EXtra-data, bitshuffle) through
// /usr/bin/python3, and CrystFEL geometries for them: shared by the CLI, monitor and remote worker tests.

#include <QByteArray>
#include <functional>
#include <utility>

namespace fxs::test {

constexpr int kEuXfelFrames = 6; // frames filled with data (the generator's run holds 4096, all zeros)

// A run as EXtra-data's tests make it (64 trains × 64 pulses, 16 modules), the first kFrames frames of every
// module filled with a pattern and a per-frame mask, then EXtra-data's virtual CXI file of it.
inline const char* kEuXfelWriter = R"(
import os, sys, h5py, numpy as np
import extra_data.tests.make_examples as make
from extra_data import RunDirectory
from extra_data.components import AGIPD1M
out, frames = sys.argv[1], int(sys.argv[2])
run = os.path.join(out, 'run')
os.makedirs(run, exist_ok=True)
make.make_spb_run(run, raw=False)
rng = np.random.default_rng(7)
for m in range(16):
    with h5py.File(os.path.join(run, 'CORR-R0238-AGIPD%02d-S00000.h5' % m), 'r+') as f:
        g = f['INSTRUMENT/SPB_DET_AGIPD1M-1/DET/%dCH0:xtdf/image' % m]
        g['data'][:frames] = rng.gamma(2.0, 20.0, (frames, 512, 128)).astype(np.float32)
        mask = np.zeros((frames, 512, 128), np.uint32)
        mask[1, :40, :] = 1 << (m % 5)          # frame 1: a band of each module flagged (bits as AGIPD's)
        mask[3, :, 100:] = 0x80                  # frame 3: the last columns
        if m == 5:
            mask[4] = 1                          # frame 4: one whole module masked
        g['mask'][:frames] = mask
AGIPD1M(RunDirectory(run)).write_virtual_cxi(os.path.join(out, 'spb.cxi'))
)";

// A DECTRIS-style run: master file + two data files of 3 frames each (uint32, bitshuffle-LZ4 chunks).
inline const char* kDectrisWriter = R"(
import os, sys, h5py, numpy as np, bitshuffle.h5 as bh
out = sys.argv[1]
rng = np.random.default_rng(3)
for k in (1, 2):
    data = rng.poisson(30 * k, (3, 64, 80)).astype(np.uint32)
    data[:, 30:33, :] = 0xFFFFFFFF
    with h5py.File(os.path.join(out, 'run_data_%06d.h5' % k), 'w') as f:
        f.create_dataset('entry/data/data', data=data, chunks=(1, 64, 80),
                         compression=bh.H5FILTER, compression_opts=(0, bh.H5_COMPRESS_LZ4))
with h5py.File(os.path.join(out, 'run_master.h5'), 'w') as f:
    for k in (1, 2):
        f['entry/data/data_%06d' % k] = h5py.ExternalLink('run_data_%06d.h5' % k, '/entry/data/data')
    mask = np.zeros((64, 80), np.uint32)
    mask[30:33, :] = 1
    mask[5, 7] = 8
    f['entry/instrument/detector/detectorSpecific/pixel_mask'] = mask
)";

// An EIGER-like panel for kDectrisWriter's frames, its mask the master's pixel_mask.
inline const char* kDectrisGeometry = "clen = 0.1\nphoton_energy = 12000\nres = 13333.3\ndim0 = %\ndim1 = ss\ndim2 = fs\n"
                               "data = /entry/data/data\nmask = /entry/instrument/detector/detectorSpecific/pixel_mask\n"
                               "panel0/min_fs = 0\npanel0/max_fs = 79\npanel0/min_ss = 0\npanel0/max_ss = 63\n"
                               "panel0/corner_x = -40\npanel0/corner_y = -32\n";

// A CrystFEL geometry of modules laid out the way European XFEL's files are: `header` (values, data, mask, dim0/2/3),
// then per module m its dim1 index, its maxSs + 1 × maxFs + 1 pixels and its corner (corner(m): x, y in pixels).
inline QByteArray modularGeometry(
    QByteArray g, int modules, int maxSs, int maxFs, const std::function<std::pair<int, int>(int)>& corner)
{
    for (int m = 0; m < modules; ++m) {
        const QByteArray p = "p" + QByteArray::number(m) + "/";
        const auto [x, y] = corner(m);
        g += p + "dim1 = " + QByteArray::number(m) + "\n" + p + "min_fs = 0\n" + p + "max_fs = "
            + QByteArray::number(maxFs) + "\n" + p + "min_ss = 0\n" + p + "max_ss = " + QByteArray::number(maxSs)
            + "\n" + p + "fs = +1.0x\n" + p + "ss = +1.0y\n" + p + "corner_x = " + QByteArray::number(x) + "\n" + p
            + "corner_y = " + QByteArray::number(y) + "\n";
    }
    return g;
}

// 16 modules of 512 × 128 pixels (200 µm), two rows of eight around the beam, as an AGIPD-like CrystFEL file
// laid out the way European XFEL's are: dim1 is the module, the mask is the data file's per-frame `mask`.
inline QByteArray agipdLikeGeometry()
{
    return modularGeometry("clen = 0.3\nphoton_energy = 9300\nres = 5000\n"
                           "data = /entry_1/instrument_1/detector_1/data\n"
                           "mask = /entry_1/instrument_1/detector_1/mask\nmask_good = 0x0\nmask_bad = 0xffffffff\n"
                           "dim0 = %\ndim2 = ss\ndim3 = fs\n",
        16, 511, 127, [](int m) { return std::pair { -512 + (m % 8) * 128, m < 8 ? 4 : -516 }; });
}

// LCLS-like run: `frames` 64 × 64 frames of rings with an anisotropic part, drawn with each frame's camera length,
// and the per-event camera length (mm, /LCLS/detector_1/EncoderValue) and photon energy (eV,
// /LCLS/photon_energy_eV) beside them. Arguments: path, comma-separated camera lengths in mm (one per frame).
inline const char* kLclsWriter = R"(
import h5py, sys, numpy as np
path, clens = sys.argv[1], [float(v) for v in sys.argv[2].split(',')]
lam = 12398.419843320026 / 9000.0
c = (np.arange(64) + 0.5 - 32) / 1e4
x, y = c[None, :], c[:, None]
r, phi = np.hypot(x, y), np.arctan2(y, x)
rng = np.random.default_rng(11)
frames = []
for j, clen_mm in enumerate(clens):
    q = 4 * np.pi * np.sin(0.5 * np.arctan2(r, clen_mm * 1e-3)) / lam
    ring = np.exp(-0.5 * ((q - 0.07) / 0.006) ** 2) * (1 + 0.8 * np.cos(3 * phi + j))
    frames.append(5 + 800 * ring + rng.poisson(2.0, r.shape))
with h5py.File(path, 'w') as f:
    f['/entry_1/data_1/data'] = np.array(frames, dtype=np.float32)
    f['/LCLS/detector_1/EncoderValue'] = np.array(clens)
    f['/LCLS/photon_energy_eV'] = np.full(len(clens), 9000.0)
)";

/// kLclsWriter's frames written live (h5py, SWMR): the first frame and its EncoderValue are in the file when it
/// prints "ready"; after a pause (argument 3, seconds) each further frame is appended 0.2 s apart, its EncoderValue
/// flushed first, then the frame. Arguments: path, clens in mm, pause.
inline const char* kLclsLiveWriter = R"(
import h5py, sys, time, numpy as np
path, clens, pause = sys.argv[1], [float(v) for v in sys.argv[2].split(',')], float(sys.argv[3])
lam = 12398.419843320026 / 9000.0
c = (np.arange(64) + 0.5 - 32) / 1e4
x, y = c[None, :], c[:, None]
r, phi = np.hypot(x, y), np.arctan2(y, x)
rng = np.random.default_rng(11)
f = h5py.File(path, 'w', libver='latest')
d = f.create_dataset('/entry_1/data_1/data', (0, 64, 64), maxshape=(None, 64, 64), chunks=(1, 64, 64), dtype='f4')
e = f.create_dataset('/LCLS/detector_1/EncoderValue', (0,), maxshape=(None,), chunks=(64,), dtype='f8')
f['/LCLS/photon_energy_eV'] = 9000.0
def append(j, clen_mm):
    q = 4 * np.pi * np.sin(0.5 * np.arctan2(r, clen_mm * 1e-3)) / lam
    ring = np.exp(-0.5 * ((q - 0.07) / 0.006) ** 2) * (1 + 0.8 * np.cos(3 * phi + j))
    e.resize((j + 1,)); e[j] = clen_mm; e.flush()
    d.resize((j + 1, 64, 64)); d[j] = 5 + 800 * ring + rng.poisson(2.0, r.shape); d.flush()
append(0, clens[0])
f.swmr_mode = True
print('ready', flush=True)
time.sleep(pause)
for j, clen_mm in enumerate(clens[1:], 1):
    append(j, clen_mm)
    time.sleep(0.2)
f.close()
)";

/// A 64 × 64 panel of 100 µm pixels whose camera length and photon energy are the LCLS per-event values.
inline const char* kLclsGeometry = "res = 10000\nclen = /LCLS/detector_1/EncoderValue\nphoton_energy = /LCLS/photon_energy_eV\n"
                                   "p/min_fs = 0\np/max_fs = 63\np/min_ss = 0\np/max_ss = 63\np/corner_x = -32\n"
                                   "p/corner_y = -32\n";

// A European-XFEL-like CXI file written by h5py, small enough for an MPI job on two cores: (6, 4, 64, 32) float32
// frames of 4 modules and a uint32 `mask` of the same shape whose bad pixels differ per frame. Argument: path.
inline const char* kXfelLikeWriter = R"(
import h5py, sys, numpy as np
rng = np.random.default_rng(17)
data = rng.gamma(2.0, 20.0, (6, 4, 64, 32)).astype(np.float32)
mask = np.zeros(data.shape, np.uint32)
mask[1, :, :20, :] = 4
mask[3, :, :, 24:] = 0x80
mask[4, 2] = 1
with h5py.File(sys.argv[1], 'w') as f:
    f['/entry_1/instrument_1/detector_1/data'] = data
    f['/entry_1/instrument_1/detector_1/mask'] = mask
)";

/// 4 modules of 64 × 32 pixels (200 µm) around the beam for kXfelLikeWriter's file, its mask the per-frame `mask`.
inline QByteArray xfelLikeGeometry()
{
    return modularGeometry("clen = 0.1\nphoton_energy = 9300\nres = 5000\n"
                           "data = /entry_1/instrument_1/detector_1/data\n"
                           "mask = /entry_1/instrument_1/detector_1/mask\nmask_good = 0x0\nmask_bad = 0xffffffff\n"
                           "dim0 = %\ndim2 = ss\ndim3 = fs\n",
        4, 63, 31, [](int m) { return std::pair { -34 + (m % 2) * 36, m < 2 ? 2 : -66 }; });
}

/// Relative difference ||a − b|| / ||b|| of the C2 (/c2/c2, finite bins of both) of two results files, by h5py.
inline const char* kC2Difference = R"(
import h5py, sys, numpy as np
a, b = (h5py.File(p, 'r')['c2/c2'][()] for p in sys.argv[1:3])
ok = np.isfinite(a) & np.isfinite(b)
print(float(np.linalg.norm((a - b)[ok]) / np.linalg.norm(b[ok])), int(ok.sum()))
)";

} // namespace fxs::test
