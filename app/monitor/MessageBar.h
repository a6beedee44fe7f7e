#pragma once

#include <QWidget>

class QLabel;

namespace fxs::monitor {

/// The one place errors appear: a band across the top of the window that never blocks the live views.
class MessageBar : public QWidget {
    Q_OBJECT
public:
    /// How serious a message is (its colour).
    enum class Level { Info, Warning, Error };

    explicit MessageBar(QWidget* parent = nullptr);
    /// Shows a message (replacing the previous one).
    void showMessage(const QString& text, Level level = Level::Error);
    /// The text shown (empty when hidden).
    QString text() const;

private:
    QLabel* m_label = nullptr;
};

} // namespace fxs::monitor
