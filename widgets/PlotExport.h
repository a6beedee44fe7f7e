#pragma once

#include <QString>
#include <functional>

class QCustomPlot;

namespace fxs::widgets {

/// The right-click menu every plot has: export PNG / PDF / CSV, reset zoom, toggle log.
/// Exporting is the one place a widget writes a file, and only on the user's explicit request.
class PlotExport {
public:
    /// Returns the plot's data as CSV text (header line first).
    using CsvFn = std::function<QString()>;

    /// Installs the context menu; empty callbacks leave their entries out.
    static void install(
        QCustomPlot* plot, CsvFn csv, std::function<void()> resetZoom = {}, std::function<void()> toggleLog = {});
    /// Writes the plot to `path` by suffix (.png, .pdf, .csv); false with a message on failure.
    static bool exportTo(QCustomPlot* plot, const QString& path, const CsvFn& csv, QString* error = nullptr);
    /// CSV of every graph of a plot: one block per graph, columns key,value.
    static QString graphsCsv(QCustomPlot* plot);
    /// Asks the user for a file name and exports (the Ctrl+E action).
    static void exportInteractive(QCustomPlot* plot, const CsvFn& csv);
};

} // namespace fxs::widgets
