#pragma once

#ifndef Q_MOC_RUN
#include <fxs/reconstruction/MtipReconstructor.h>
#endif

#include <QWidget>
#include <vector>

class QComboBox;
class QCustomPlot;
class QCPColorMap;
class QLabel;
class QPushButton;
class QSpinBox;

namespace fxs::widgets {

/// Reconstruction: start M-TIP on the current invariants, follow its per-iteration errors, look at orthogonal
/// slices or projections of the current density while it runs, cancel, save the map as MRC.
/// The view only asks (signals); whoever runs M-TIP feeds progress back by value.
class ReconstructionView : public QWidget {
    Q_OBJECT
public:
    /// How the density is shown.
    enum class DensityMode { Slices, Projections };

    explicit ReconstructionView(QWidget* parent = nullptr);

    /// The settings the user chose (grid size, starts, cycles; the rest default).
    MtipConfig config() const;
    /// Clears curves and images (a new reconstruction starts).
    void reset();
    /// Adds one iteration's errors; shows the density when the progress carries one.
    void addProgress(const MtipProgress& progress);
    /// Shows a density (n³, x fastest).
    void setDensity(int n, const std::vector<float>& density);
    /// The reconstruction ended (finished or cancelled); enables saving.
    void setFinished(const MtipResult& result);
    /// Shows a density made elsewhere (a remote job's), with a line on where it came from; Save stays off (it is
    /// already a file).
    void showDensityFrom(int n, const std::vector<float>& density, const QString& status);
    /// The reconstruction failed; says why.
    void setFailed(const QString& message);
    /// Whether a reconstruction is running (buttons follow).
    void setRunning(bool running);
    /// Slices or projections.
    void setDensityMode(DensityMode mode);
    /// Whether there are invariants to reconstruct from (Start is enabled only then).
    void setInvariantsAvailable(bool available, const QString& why = {});

    /// The n × n image through (mode Slices) or along (Projections) an axis (0 = x, 1 = y, 2 = z); row-major,
    /// the remaining axes in order (for axis 2: y rows, x columns).
    static std::vector<double> densityImage(int n, const std::vector<float>& density, int axis, DensityMode mode);
    /// The error plot (export, tests).
    QCustomPlot* errorPlot() const { return m_errors; }
    /// The density plot of an axis (tests, screenshots).
    QCustomPlot* densityPlot(int axis) const { return m_density[axis]; }
    /// The value the density plot of an axis shows at (column, row).
    double densityValue(int axis, int column, int row) const;
    /// The status line.
    QString status() const;

signals:
    /// Start pressed with these settings.
    void startRequested(const fxs::MtipConfig& config);
    /// Cancel pressed.
    void cancelRequested();
    /// Save pressed and a file chosen.
    void saveRequested(const QString& path);

private:
    void buildUi();
    void showDensity();
    void fitErrorRange();

    QSpinBox* m_grid = nullptr;
    QSpinBox* m_starts = nullptr;
    QSpinBox* m_cycles = nullptr;
    QComboBox* m_mode = nullptr;
    QPushButton* m_start = nullptr;
    QPushButton* m_cancel = nullptr;
    QPushButton* m_save = nullptr;
    QLabel* m_status = nullptr;
    QCustomPlot* m_errors = nullptr;
    QCustomPlot* m_density[3] = {};
    QCPColorMap* m_maps[3] = {};
    int m_n = 0;
    std::vector<float> m_values;
    int m_iterationsPerStart = 0;
};

} // namespace fxs::widgets
