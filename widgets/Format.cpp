#include "Format.h"

#include <QLocale>
#include <cmath>

namespace fxs::widgets {

QString Format::count(std::int64_t n)
{
    // A fixed English locale: the separator must not change with the control-room machine's settings.
    static const QLocale en(QLocale::English, QLocale::UnitedStates);
    return en.toString(static_cast<qlonglong>(n));
}

QString Format::rateHz(double hz)
{
    if (!std::isfinite(hz)) {
        return QStringLiteral("– Hz");
    }
    if (hz >= 1000.0) {
        return QString::number(hz / 1000.0, 'f', 1) + QStringLiteral(" kHz");
    }
    return QString::number(hz, 'f', hz < 10.0 ? 1 : 0) + QStringLiteral(" Hz");
}

QString Format::durationMs(double ms)
{
    if (!std::isfinite(ms)) {
        return QStringLiteral("– ms");
    }
    if (ms >= 1000.0) {
        return QString::number(ms / 1000.0, 'f', 1) + QStringLiteral(" s");
    }
    return QString::number(ms, 'f', ms < 10.0 ? 1 : 0) + QStringLiteral(" ms");
}

QString Format::bytes(double b)
{
    if (b >= 1e9) {
        return QString::number(b / 1e9, 'f', 1) + QStringLiteral(" GB");
    }
    if (b >= 1e6) {
        return QString::number(b / 1e6, 'f', 0) + QStringLiteral(" MB");
    }
    return QString::number(b / 1e3, 'f', 0) + QStringLiteral(" kB");
}

QString Format::percent(double fraction) { return QString::number(100.0 * fraction, 'f', 1) + QStringLiteral(" %"); }

QString Format::value(double v)
{
    if (!std::isfinite(v)) {
        return QStringLiteral("–");
    }
    const double a = std::abs(v);
    if (a != 0.0 && (a < 1e-3 || a >= 1e5)) {
        return QString::number(v, 'e', 3);
    }
    return QString::number(v, 'g', 4);
}

} // namespace fxs::widgets
