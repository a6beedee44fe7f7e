#pragma once

// Screenshots of widget tests for docs/screenshots: rendered offscreen, saved only when FXS_SCREENSHOT_DIR is set.

#include <QCoreApplication>
#include <QImage>
#include <QSet>
#include <QString>
#include <QWidget>
#include <qcustomplot.h>

namespace fxs::test {

/// Renders `w` (plots replotted first); an error when the picture is blank or cannot be saved, else empty.
inline QString saveWidgetScreenshot(QWidget& w, const QString& name)
{
    w.show();
    QCoreApplication::processEvents();
    for (auto* p : w.findChildren<QCustomPlot*>()) {
        p->replot();
    }
    const QImage img = w.grab().toImage();
    QSet<QRgb> colours;
    for (int y = 0; y < img.height(); y += 4) {
        for (int x = 0; x < img.width(); x += 4) {
            colours.insert(img.pixel(x, y));
        }
    }
    if (colours.size() <= 20) {
        return QStringLiteral("the rendered panel %1 is blank").arg(name);
    }
    const QString dir = qEnvironmentVariable("FXS_SCREENSHOT_DIR");
    if (!dir.isEmpty() && !img.save(dir + QLatin1Char('/') + name)) {
        return QStringLiteral("cannot write %1 in %2").arg(name, dir);
    }
    return {};
}

} // namespace fxs::test
