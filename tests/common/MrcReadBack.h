#pragma once

// Test support: reads an MRC2014 mode-2 map without the engine (an oracle outside MrcWriter): header words 0–2
// (nx, ny, nz), 3 (mode), 10 (cell edge x in Å), 23 (extended header bytes); compares it with a model's truth.

#include "DensityAlignment.h"

#include <QByteArray>
#include <QFile>
#include <QString>
#include <QtGlobal>
#include <cstdint>
#include <cstring>
#include <fxs/simulation/ParticleModel.h>
#include <string>
#include <vector>

namespace fxs::test {

/// The values of a cubic n³ map (x fastest) and its voxel size in Å; empty when the file is not such a map.
inline std::vector<float> readMrc(const QString& path, int& n, double* voxelA = nullptr)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    const QByteArray b = f.readAll();
    if (b.size() < 1024) {
        return {};
    }
    std::int32_t h[256];
    std::memcpy(h, b.constData(), 1024);
    n = h[0];
    if (n <= 0 || h[1] != n || h[2] != n || h[3] != 2 || b.size() != 1024 + h[23] + qint64(n) * n * n * 4) {
        return {};
    }
    if (voxelA) {
        float cellA = 0.0f;
        std::memcpy(&cellA, b.constData() + 40, 4);
        *voxelA = double(cellA) / n;
    }
    std::vector<float> v(std::size_t(n) * n * n);
    std::memcpy(v.data(), b.constData() + 1024 + h[23], v.size() * 4);
    return v;
}

/// Correlation, after alignment, of a reconstructed density with a built-in model's truth on the same grid.
inline double correlationWithModel(const std::string& model, const std::vector<float>& density, int n, double voxelA)
{
    auto particle = fxs::ParticleModel::builtin(model);
    return particle ? alignDensities(particle->density(n, voxelA).values, density, n).correlation : 0.0;
}

/// How a reconstruction saved as an MRC map compares with a model's truth and with a control model's.
struct DensityVerdict {
    int n = 0; ///< grid side, 0 when the file is no cubic mode-2 map
    double truth = 0.0; ///< correlation with the true model after alignment
    double control = 0.0; ///< correlation with the control model after alignment
};

inline DensityVerdict judgeMrc(const QString& path, const std::string& truthModel, const std::string& controlModel)
{
    DensityVerdict v;
    double voxelA = 0.0;
    const auto density = readMrc(path, v.n, &voxelA);
    if (density.empty()) {
        v.n = 0;
        return v;
    }
    v.truth = correlationWithModel(truthModel, density, v.n, voxelA);
    v.control = correlationWithModel(controlModel, density, v.n, voxelA);
    qInfo("CC with the %s truth %.3f, with %s (control) %.3f", truthModel.c_str(), v.truth, controlModel.c_str(),
        v.control);
    return v;
}

} // namespace fxs::test
