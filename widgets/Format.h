#pragma once

#include <QString>
#include <cstdint>

namespace fxs::widgets {

/// Number formatting that scientists expect: units everywhere, thousands separators on counts.
class Format {
public:
    /// "12,345".
    static QString count(std::int64_t n);
    /// "118 Hz", "1.5 kHz", "0.4 Hz".
    static QString rateHz(double hz);
    /// "35 ms", "1.2 s".
    static QString durationMs(double ms);
    /// "1.2 GB", "350 MB".
    static QString bytes(double bytes);
    /// "87.5 %".
    static QString percent(double fraction);
    /// A value with 4 significant digits, scientific outside 1e-3 … 1e5.
    static QString value(double v);
};

} // namespace fxs::widgets
