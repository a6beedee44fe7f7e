// Shapes drawn on the detector view become slab pixels through the lab layout: a pixel is masked when its own centre
// lies inside the shape. Two panels whose slab rows are neighbours but whose lab positions are 20 mm apart: a
// rectangle on panel A masks exactly A's pixels inside it (closed-form list), never B's slab neighbours; a triangle
// masks the pixels a barycentric point-in-triangle test picks; a threshold on the shown frame masks the pixels above
// the value; undo and clear restore.
#include <ImageAssembly.h>
#include <MaskShapes.h>
#include <QtTest>

using namespace fxs::widgets;

namespace {
// Slab 8 × 4, 1 mm pixels: rows 0–3 panel A at y = 10 … 13 mm, rows 4–7 panel B at y = −13 … −10 mm; x = 0 … 3 mm.
std::shared_ptr<const ImageAssembly> twoPanels()
{
    PixelLayout l;
    l.nSlow = 8;
    l.nFast = 4;
    l.pixelSizeM = 1e-3;
    l.panelNames = { "A", "B" };
    for (int s = 0; s < 8; ++s) {
        for (int f = 0; f < 4; ++f) {
            l.xM.push_back(float(f) * 1e-3f);
            l.yM.push_back(s < 4 ? float(10 + s) * 1e-3f : float(-13 + (s - 4)) * 1e-3f);
            l.zM.push_back(0.1f);
            l.panel.push_back(s < 4 ? 0 : 1);
        }
    }
    return std::make_shared<const ImageAssembly>(l);
}

QPolygonF rect(double x0, double y0, double x1, double y1)
{
    return QPolygonF { { x0, y0 }, { x1, y0 }, { x1, y1 }, { x0, y1 }, { x0, y0 } };
}
} // namespace

class tst_MaskShapes : public QObject {
    Q_OBJECT
private slots:
    void rectangleStaysOnItsPanel()
    {
        MaskShapes m;
        m.setAssembly(twoPanels());
        // Covers A's rows 2–3 (y 12, 13 mm) and columns 1–2, and reaches 0.4 mm past A's last row.
        QCOMPARE(m.addOutline(MaskShapes::Kind::Rectangle, rect(0.5, 11.5, 2.5, 13.4)), std::size_t(4));
        const auto masked = m.masked();
        QCOMPARE(int(masked.size()), 32);
        for (int s = 0; s < 8; ++s) {
            for (int f = 0; f < 4; ++f) {
                const bool expected = (s == 2 || s == 3) && (f == 1 || f == 2);
                QCOMPARE(bool(masked[std::size_t(s * 4 + f)]), expected);
            }
        }
        QCOMPARE(m.maskedCount(), std::size_t(4));
        QCOMPARE(m.addOutline(MaskShapes::Kind::Rectangle, rect(10, 10, 11, 11)), std::size_t(0)); // no pixel
        QCOMPARE(m.shapes().size(), std::size_t(1));
    }

    void polygonMatchesPointInTriangle()
    {
        MaskShapes m;
        m.setAssembly(twoPanels());
        const QPointF a(-0.6, -13.7), b(3.4, -13.2), c(0.2, -9.3); // on panel B
        QVERIFY(m.addOutline(MaskShapes::Kind::Polygon, QPolygonF { a, b, c, a }) > 0);
        const auto masked = m.masked();
        const auto cross = [](QPointF o, QPointF p, QPointF q) {
            return (p.x() - o.x()) * (q.y() - o.y()) - (p.y() - o.y()) * (q.x() - o.x());
        };
        int n = 0;
        for (int s = 0; s < 8; ++s) {
            for (int f = 0; f < 4; ++f) {
                const QPointF p(f, s < 4 ? 10 + s : -13 + (s - 4));
                const double d1 = cross(a, b, p), d2 = cross(b, c, p), d3 = cross(c, a, p);
                const bool inside = (d1 > 0 && d2 > 0 && d3 > 0) || (d1 < 0 && d2 < 0 && d3 < 0);
                QCOMPARE(bool(masked[std::size_t(s * 4 + f)]), inside);
                n += inside;
            }
        }
        QVERIFY(n >= 3);
        QVERIFY(m.undo());
        QVERIFY(m.masked().empty());
        QVERIFY(!m.undo());
    }

    void thresholdOnTheShownFrame()
    {
        const auto assembly = twoPanels();
        MaskShapes m;
        m.setAssembly(assembly);
        fxs::Frame frame;
        frame.nSlow = 8;
        frame.nFast = 4;
        frame.type = fxs::PixelType::Float32;
        std::vector<float> v(32);
        for (int i = 0; i < 32; ++i) {
            v[std::size_t(i)] = float((i * 7) % 32); // a permutation of 0 … 31
        }
        frame.pixels.resize(32 * sizeof(float));
        std::memcpy(frame.pixels.data(), v.data(), frame.pixels.size());
        const AssembledImage image = assembly->assemble(frame);
        QCOMPARE(m.addThreshold(image, 24.5, true), std::size_t(7)); // 25 … 31
        const auto masked = m.masked();
        for (int i = 0; i < 32; ++i) {
            QCOMPARE(bool(masked[std::size_t(i)]), v[std::size_t(i)] > 24.5f);
        }
        QCOMPARE(m.addThreshold(image, 0.5, false), std::size_t(1)); // the 0
        QCOMPARE(m.maskedCount(), std::size_t(8));
        m.clear();
        QVERIFY(m.masked().empty());
    }
};

QTEST_MAIN(tst_MaskShapes)
#include "tst_MaskShapes.moc"
