#include "PlotExport.h"

#include <QFile>
#include <QFileDialog>
#include <QMenu>
#include <QMessageBox>
#include <QTextStream>
#include <qcustomplot.h>

namespace fxs::widgets {

void PlotExport::install(QCustomPlot* plot, CsvFn csv, std::function<void()> resetZoom, std::function<void()> toggleLog)
{
    plot->setContextMenuPolicy(Qt::CustomContextMenu);
    QObject::connect(plot, &QWidget::customContextMenuRequested, plot,
        [plot, csv = std::move(csv), resetZoom = std::move(resetZoom), toggleLog = std::move(toggleLog)](
            const QPoint& pos) {
            QMenu menu(plot);
            menu.addAction(QObject::tr("Export PNG / PDF / CSV…"), [plot, &csv] { exportInteractive(plot, csv); });
            if (resetZoom) {
                menu.addAction(QObject::tr("Reset zoom"), resetZoom);
            }
            if (toggleLog) {
                menu.addAction(QObject::tr("Toggle log scale"), toggleLog);
            }
            menu.exec(plot->mapToGlobal(pos));
        });
}

bool PlotExport::exportTo(QCustomPlot* plot, const QString& path, const CsvFn& csv, QString* error)
{
    bool ok = false;
    const QString lower = path.toLower();
    if (lower.endsWith(QLatin1String(".png"))) {
        ok = plot->savePng(path, 0, 0, 2.0);
    } else if (lower.endsWith(QLatin1String(".pdf"))) {
        ok = plot->savePdf(path);
    } else if (lower.endsWith(QLatin1String(".csv"))) {
        QFile f(path);
        ok = f.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text);
        if (ok) {
            QTextStream(&f) << (csv ? csv() : graphsCsv(plot));
            ok = f.error() == QFile::NoError;
        }
    } else if (error) {
        *error = QObject::tr("Unknown export format for %1: use .png, .pdf or .csv").arg(path);
        return false;
    }
    if (!ok && error) {
        *error = QObject::tr("Could not write %1").arg(path);
    }
    return ok;
}

QString PlotExport::graphsCsv(QCustomPlot* plot)
{
    QString out;
    QTextStream s(&out);
    for (int g = 0; g < plot->graphCount(); ++g) {
        const QCPGraph* graph = plot->graph(g);
        s << "# " << graph->name() << "\n" << graph->keyAxis()->label() << "," << graph->valueAxis()->label() << "\n";
        for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) {
            s << QString::number(it->key, 'g', 10) << "," << QString::number(it->value, 'g', 10) << "\n";
        }
    }
    return out;
}

void PlotExport::exportInteractive(QCustomPlot* plot, const CsvFn& csv)
{
    const QString path = QFileDialog::getSaveFileName(plot, QObject::tr("Export plot"), QString(),
        QObject::tr("PNG image (*.png);;PDF document (*.pdf);;CSV data (*.csv)"));
    if (path.isEmpty()) {
        return;
    }
    QString error;
    if (!exportTo(plot, path, csv, &error)) {
        QMessageBox::warning(plot, QObject::tr("Export failed"), error);
    }
}

} // namespace fxs::widgets
