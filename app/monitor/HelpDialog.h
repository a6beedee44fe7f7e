#pragma once

#include <QDialog>

namespace fxs::monitor {

/// The short in-app help page (F1): what each panel shows, the keyboard, how to veto and decide.
class HelpDialog : public QDialog {
    Q_OBJECT
public:
    explicit HelpDialog(QWidget* parent = nullptr);
    /// The help text (HTML).
    static QString html();
};

} // namespace fxs::monitor
