#pragma once

#include "ImageLevels.h"

#include <QWidget>

class QCustomPlot;
class QCPBars;
class QCPItemStraightLine;
class QCheckBox;
class QLineEdit;
class QPushButton;

namespace fxs::widgets {

/// Histogram of an image with its display levels drawn on it, typed min / max, lock and auto buttons.
class LevelsPanel : public QWidget {
    Q_OBJECT
public:
    explicit LevelsPanel(QWidget* parent = nullptr);

    /// Shows a histogram (counts on a log axis, so sparse bright pixels stay visible).
    void setHistogram(const Histogram& histogram);
    /// Shows levels in the fields and as lines on the histogram.
    void setLevels(const Levels& levels);
    /// Reflects the lock state without emitting.
    void setLocked(bool locked);
    /// The histogram plot (tests, export).
    QCustomPlot* plot() const { return m_plot; }

signals:
    /// The user typed levels (they are locked from then on).
    void levelsEdited(fxs::widgets::Levels levels);
    /// The user toggled the lock.
    void lockToggled(bool locked);
    /// The user asked for percentile levels again.
    void autoRequested();

private:
    void commitTyped();

    QCustomPlot* m_plot = nullptr;
    QCPBars* m_bars = nullptr;
    QCPItemStraightLine* m_lowLine = nullptr;
    QCPItemStraightLine* m_highLine = nullptr;
    QLineEdit* m_low = nullptr;
    QLineEdit* m_high = nullptr;
    QCheckBox* m_lock = nullptr;
    QPushButton* m_auto = nullptr;
};

} // namespace fxs::widgets
