#include "MessageBar.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

namespace fxs::monitor {

MessageBar::MessageBar(QWidget* parent)
    : QWidget(parent)
{
    setAutoFillBackground(true);
    m_label = new QLabel(this);
    m_label->setWordWrap(true);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A long message (a path without spaces) wraps or is cut at the window's edge, never widens the window; the
    // tooltip holds all of it.
    m_label->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_label->setMinimumWidth(0);
    auto* close = new QToolButton(this);
    close->setText(QStringLiteral("✕"));
    close->setAutoRaise(true);
    connect(close, &QToolButton::clicked, this, &QWidget::hide);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 4, 4);
    layout->addWidget(m_label, 1);
    layout->addWidget(close);
    hide();
}

void MessageBar::showMessage(const QString& text, Level level)
{
    static const char* colours[] = { "#dcebfa", "#fff1c9", "#f9d3d0" };
    setStyleSheet(QStringLiteral("background:%1;").arg(colours[int(level)]));
    m_label->setText(QStringLiteral("%1  %2").arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")), text));
    m_label->setToolTip(text);
    show();
}

QString MessageBar::text() const { return isHidden() ? QString() : m_label->text(); }

} // namespace fxs::monitor
