// DiffractionView: percentile levels, histogram, assembly, lock, and the pixel readout against closed forms.
#include <DiffractionView.h>
#include <ImageAssembly.h>
#include <ImageLevels.h>
#include <ImageRenderer.h>
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <numbers>
#include <qcustomplot.h>
#include <random>

using namespace fxs::widgets;

namespace {

// numpy.percentile's default (linear interpolation between closest ranks) on a fully sorted copy.
double sortedPercentile(std::vector<float> v, double p)
{
    std::sort(v.begin(), v.end());
    const double pos = p / 100.0 * double(v.size() - 1);
    const auto lo = std::size_t(std::floor(pos));
    const auto hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (pos - double(lo)) * (double(v[hi]) - double(v[lo]));
}

std::shared_ptr<AssembledImage> imageOf(const ImageAssembly& a, const std::vector<float>& slab, std::int64_t shot)
{
    fxs::Frame f = fxs::Frame::zeros(a.layout().nSlow, a.layout().nFast, fxs::PixelType::Float32);
    f.shotIndex = shot;
    std::copy(slab.begin(), slab.end(), f.as<float>().begin());
    return std::make_shared<AssembledImage>(a.assemble(f));
}

} // namespace

class TestDiffractionView : public QObject {
    Q_OBJECT
private slots:
    void percentileMatchesSortedArray_data()
    {
        QTest::addColumn<int>("n");
        QTest::addColumn<double>("p");
        QTest::addColumn<int>("nanEvery");
        QTest::newRow("1 % of 1000") << 1000 << 1.0 << 0;
        QTest::newRow("99.5 % of 1000") << 1000 << 99.5 << 0;
        QTest::newRow("median of 7") << 7 << 50.0 << 0;
        QTest::newRow("99.5 % with NaN gaps") << 5000 << 99.5 << 3;
        QTest::newRow("0 %") << 100 << 0.0 << 0;
        QTest::newRow("100 %") << 100 << 100.0 << 5;
    }
    void percentileMatchesSortedArray()
    {
        QFETCH(int, n);
        QFETCH(double, p);
        QFETCH(int, nanEvery);
        std::mt19937 rng(42);
        std::exponential_distribution<float> dist(0.01f);
        std::vector<float> values(n);
        std::vector<float> finite;
        for (int i = 0; i < n; ++i) {
            values[i] = (nanEvery && i % nanEvery == 0) ? std::nanf("") : dist(rng);
            if (std::isfinite(values[i])) {
                finite.push_back(values[i]);
            }
        }
        const double expected = sortedPercentile(finite, p);
        QVERIFY(std::abs(ImageLevels::percentile(values, p) - expected) <= 1e-6 * std::max(1.0, expected));
    }

    void logLevelsIgnoreNonPositive()
    {
        std::vector<float> v = { 0, 0, 0, -5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
        const Levels l = ImageLevels::percentileLevels(v, 0.0, 100.0, true);
        QCOMPARE(l.low, 1.0);
        QCOMPARE(l.high, 10.0);
    }

    void histogramCountsBins()
    {
        std::vector<float> v = { 0.5f, 1.5f, 1.6f, 2.5f, 9.99f, 10.0f, 11.0f, std::nanf("") };
        const Histogram h = ImageLevels::histogram(v, 0.0, 10.0, 10, false);
        QCOMPARE(h.counts.size(), std::size_t(10));
        QCOMPARE(h.counts[0], 1.0); // 0.5
        QCOMPARE(h.counts[1], 2.0); // 1.5, 1.6
        QCOMPARE(h.counts[2], 1.0); // 2.5
        QCOMPARE(h.counts[9], 2.0); // 9.99 and the upper edge 10.0; 11 is outside
        QCOMPARE(std::accumulate(h.counts.begin(), h.counts.end(), 0.0), 6.0);
    }

    void readoutMatchesClosedForm_data()
    {
        QTest::addColumn<int>("slow");
        QTest::addColumn<int>("fast");
        QTest::newRow("corner") << 0 << 0;
        QTest::newRow("near centre") << 20 << 33;
        QTest::newRow("right edge") << 17 << 63;
        QTest::newRow("top") << 47 << 5;
    }
    void readoutMatchesClosedForm()
    {
        QFETCH(int, slow);
        QFETCH(int, fast);
        const double pix = 100e-6;
        const double dist = 0.08;
        const double lambda = 1.3;
        const double cs = 23.5;
        const double cf = 31.5;
        auto assembly = std::make_shared<ImageAssembly>(PixelLayout::flat(48, 64, pix, dist, cs, cf, lambda));
        std::vector<float> slab(48 * 64);
        for (std::size_t i = 0; i < slab.size(); ++i) {
            slab[i] = float(i) * 0.25f;
        }
        DiffractionView view;
        view.setAssembly(assembly);
        view.setImage(imageOf(*assembly, slab, 7));
        const double x = (fast - cf) * pix;
        const double y = (slow - cs) * pix;
        const PixelReadout r = view.readoutAt(x * 1e3, y * 1e3);
        QVERIFY(r.valid);
        const double twoTheta = std::atan(std::hypot(x, y) / dist);
        const double q = 4.0 * std::numbers::pi * std::sin(twoTheta / 2.0) / lambda;
        QVERIFY(std::abs(r.qInvA - q) < 1e-6 * q);
        QVERIFY(std::abs(r.resolutionA - 2.0 * std::numbers::pi / q) < 1e-5 * (2.0 * std::numbers::pi / q));
        const double phi = std::atan2(y, x) * 180.0 / std::numbers::pi; // the window's φ is 0 … 360°
        QVERIFY2(std::abs(r.phiDeg - (phi < 0.0 ? phi + 360.0 : phi)) < 1e-4, qPrintable(QString::number(r.phiDeg)));
        QVERIFY(r.phiDeg >= 0.0 && r.phiDeg < 360.0);
        QCOMPARE(r.value, double(slab[std::size_t(slow) * 64 + fast]));
        QCOMPARE(r.panel, QStringLiteral("detector"));
        QVERIFY(!view.readoutAt(1e3, 1e3).valid); // a metre away: outside
        QVERIFY(DiffractionView::readoutText(r).contains(QStringLiteral("Å⁻¹")));
    }

    void assemblyLeavesGapsBetweenPanels()
    {
        // Two 4 × 4 panels side by side in the slab, placed 2 pixels apart in the lab.
        PixelLayout l = PixelLayout::flat(4, 8, 1e-4, 0.1, 1.5, 3.5, 1.0);
        for (int s = 0; s < 4; ++s) {
            for (int f = 4; f < 8; ++f) {
                l.xM[std::size_t(s) * 8 + f] += float(2e-4);
                l.panel[std::size_t(s) * 8 + f] = 1;
            }
        }
        l.panelNames = { QStringLiteral("left"), QStringLiteral("right") };
        ImageAssembly a(l);
        QCOMPARE(a.width(), 10);
        QCOMPARE(a.height(), 4);
        std::vector<float> slab(32);
        std::iota(slab.begin(), slab.end(), 1.0f);
        const auto img = imageOf(a, slab, 0);
        QCOMPARE(img->values[0], 1.0f); // slab (0, 0)
        QVERIFY(std::isnan(img->values[4])); // the two gap columns
        QVERIFY(std::isnan(img->values[5]));
        QCOMPARE(img->values[6], 5.0f); // slab (0, 4), first pixel of the right panel
        QCOMPARE(img->values[3 * 10 + 9], 32.0f);
        DiffractionView view;
        view.setAssembly(std::make_shared<ImageAssembly>(l));
        view.setImage(img);
        const double xRight = (4 - 3.5) * 1e-4 + 2e-4;
        QCOMPARE(view.readoutAt(xRight * 1e3, (0 - 1.5) * 1e-4 * 1e3).panel, QStringLiteral("right"));
    }

    void rendererColoursByLevels_data()
    {
        QTest::addColumn<int>("scale");
        QTest::newRow("linear") << int(IntensityScale::Linear);
        QTest::newRow("log") << int(IntensityScale::Log);
        QTest::newRow("sqrt") << int(IntensityScale::Sqrt);
    }
    void rendererColoursByLevels()
    {
        QFETCH(int, scale);
        const RenderSettings rs { ColorMap::Viridis, IntensityScale(scale), { 2.0, 2000.0 } };
        // 3 rows × 4 columns; row 0 is the lowest y, so it must land on the image's last line.
        std::vector<float> v = { 1, 2, 20, 200, 2000, 5000, std::nanf(""), 0.5f, 7, 70, 700, 1500 };
        const QImage img = ImageRenderer::render(v, 4, 3, rs);
        QCPColorGradient g = ColorMaps::gradient(ColorMap::Viridis);
        const auto f = [&](double x) {
            return rs.scale == IntensityScale::Log ? std::log(x) : rs.scale == IntensityScale::Sqrt ? std::sqrt(x) : x;
        };
        for (int r = 0; r < 3; ++r) {
            for (int c = 0; c < 4; ++c) {
                const double x = v[std::size_t(r) * 4 + c];
                const QRgb got = img.pixel(c, 2 - r);
                if (std::isnan(x)) {
                    QCOMPARE(qAlpha(got), 0);
                    continue;
                }
                // Closed form: t = (f(x) − f(lo)) / (f(hi) − f(lo)) clamped, through the gradient at 256 levels.
                const double t = std::clamp((f(x) - f(2.0)) / (f(2000.0) - f(2.0)), 0.0, 1.0);
                int best = 999;
                for (const double dt : { -1.0 / 255, 0.0, 1.0 / 255 }) { // one colour step of slack (fast log)
                    double tt = std::clamp(t + dt, 0.0, 1.0);
                    QRgb want = 0;
                    g.colorize(&tt, QCPRange(0, 1), &want, 1);
                    best = std::min(best,
                        std::abs(qRed(want) - qRed(got)) + std::abs(qGreen(want) - qGreen(got))
                            + std::abs(qBlue(want) - qBlue(got)));
                }
                QVERIFY2(best <= 3, qPrintable(QStringLiteral("value %1").arg(x)));
            }
        }
    }

    void squarePixelsAtAnyWidgetShape_data()
    {
        QTest::addColumn<QSize>("first");
        QTest::addColumn<QSize>("second");
        QTest::newRow("wide, then tall") << QSize(900, 420) << QSize(420, 800);
        QTest::newRow("tall, then wide") << QSize(380, 760) << QSize(1000, 360);
    }

    void squarePixelsAtAnyWidgetShape()
    {
        QFETCH(QSize, first);
        QFETCH(QSize, second);
        // A square 200 × 200 detector of 100 µm pixels at 0.1 m, λ = 1 Å, beam in the middle.
        auto assembly = std::make_shared<ImageAssembly>(PixelLayout::flat(200, 200, 100e-6, 0.1, 99.5, 99.5, 1.0));
        DiffractionView view;
        view.resize(first);
        view.show();
        view.setAssembly(assembly);
        const double q = 0.4;
        // Closed form: 2θ = 2 asin(qλ / 4π), radius on a flat detector = L tan 2θ.
        const double rMm = 0.1 * std::tan(2.0 * std::asin(q * 1.0 / (4.0 * std::numbers::pi))) * 1e3;
        for (const QSize size : { first, second }) {
            view.resize(size);
            QCoreApplication::processEvents();
            view.plot()->replot();
            view.plot()->replot(); // tick labels may change the margins once
            const QCPAxis* x = view.plot()->xAxis;
            const QCPAxis* y = view.plot()->yAxis;
            const double dx = std::abs(x->coordToPixel(rMm) - x->coordToPixel(-rMm));
            const double dy = std::abs(y->coordToPixel(rMm) - y->coordToPixel(-rMm));
            QVERIFY2(std::abs(dx - dy) <= 0.01 * dx,
                qPrintable(QStringLiteral("%1 × %2: ring %3 px wide, %4 px tall").arg(size.width()).arg(size.height()).arg(dx).arg(dy)));
            // And the whole detector (±10 mm) is in view.
            QVERIFY2(x->range().contains(-10.0) && x->range().contains(10.0) && y->range().contains(-10.0)
                    && y->range().contains(10.0),
                qPrintable(QStringLiteral("x %1 … %2, y %3 … %4")
                        .arg(x->range().lower).arg(x->range().upper).arg(y->range().lower).arg(y->range().upper)));
        }
    }

    void lockedLevelsSurviveNewFrames()
    {
        auto assembly = std::make_shared<ImageAssembly>(PixelLayout::flat(20, 20, 1e-4, 0.1, 10, 10, 1.0));
        std::vector<float> a(400);
        std::vector<float> b(400);
        for (int i = 0; i < 400; ++i) {
            a[i] = float(i + 1);
            b[i] = float(10 * (i + 1));
        }
        DiffractionView view;
        view.setAssembly(assembly);
        view.setScale(IntensityScale::Linear);
        view.setImage(imageOf(*assembly, a, 0));
        QVERIFY(std::abs(view.levels().high - sortedPercentile(a, 99.5)) < 1e-4);
        QVERIFY(std::abs(view.levels().low - sortedPercentile(a, 1.0)) < 1e-4);
        view.setLevels({ 5.0, 50.0 });
        QVERIFY(view.levelsLocked());
        view.setImage(imageOf(*assembly, b, 1));
        QCOMPARE(view.levels(), (Levels { 5.0, 50.0 }));
        view.setLevelsLocked(false);
        view.setImage(imageOf(*assembly, b, 2));
        QVERIFY(std::abs(view.levels().high - sortedPercentile(b, 99.5)) < 1e-3);
    }
};

QTEST_MAIN(TestDiffractionView)
#include "tst_DiffractionView.moc"
