// The CrystFEL geometry files facilities ship (../shared/data/geometry): every one loads, with the values it
// leaves to the data file read from an LCLS-style HDF5 file written by h5py or given as overrides, and the q of
// every pixel matches an independent evaluator (crystfel_geom_q.py, numpy) to 1e-6 relative.

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <fstream>
#include <fxs/sources/GeomDataReader.h>
#include <fxs/geometry/GeomParser.h>

using namespace fxs;

namespace {

QString sharedGeometryDir()
{
    return QDir(qEnvironmentVariable("FXS_SOURCE_DIR") + "/../shared/data/geometry").absolutePath();
}

struct Case {
    QString name; // also the .geom file name
    double clenM = NAN; // user override (metres)
    double energyEv = NAN; // user override (eV)
    bool lclsData = false; // resolve HDF5 paths from the h5py-written LCLS file
    int frame = 0;
    ValueSource clenSource;
    ValueSource energySource;
};

// What the README implies: OM's LCLS files and the pnCCD-era files name no photon energy (and OM's no camera
// length either); the CSPAD and Pilatus files name HDF5 paths, read here from an LCLS-style data file.
const Case kCases[] = {
    { "simple.geom", NAN, 9000, false, 0, ValueSource::Geometry, ValueSource::User },
    { "Eiger16M-binning2-nativefiles.geom", NAN, NAN, false, 0, ValueSource::Geometry, ValueSource::Geometry },
    { "cspad-cxiformat.geom", NAN, NAN, true, 0, ValueSource::DataFile, ValueSource::DataFile },
    { "cspad-cxiformat.geom#1", NAN, NAN, true, 1, ValueSource::DataFile, ValueSource::DataFile },
    { "cspad-single.geom", NAN, NAN, true, 1, ValueSource::DataFile, ValueSource::DataFile },
    { "jf-swissfel-16M.geom", NAN, NAN, false, 0, ValueSource::Geometry, ValueSource::Geometry },
    { "lcls-dec.geom", NAN, 8000, false, 0, ValueSource::Geometry, ValueSource::User },
    { "lcls-june-r0013-r0128.geom", NAN, 8000, false, 0, ValueSource::Geometry, ValueSource::User },
    { "lcls-xpp-estimate.geom", NAN, 9500, false, 0, ValueSource::Geometry, ValueSource::User },
    { "lcls_cxi_jungfrau4M.geom", -0.48, 9500, false, 0, ValueSource::User, ValueSource::User },
    { "lcls_mfx_epix10k2M.geom", 0.35, 12000, false, 0, ValueSource::User, ValueSource::User },
    { "lcls_other_rayonix.geom", NAN, 9500, false, 0, ValueSource::Geometry, ValueSource::User },
    { "local_pilatus_pilatus.geom", 0.2, 12000, false, 0, ValueSource::User, ValueSource::User },
    { "pilatus.geom", NAN, NAN, true, 0, ValueSource::DataFile, ValueSource::Geometry },
    // An override wins over a number in the file and over the data file.
    { "pilatus.geom#user", 0.31, 9000, true, 0, ValueSource::User, ValueSource::User },
};

QString fileOf(const Case& c) { return c.name.section('#', 0, 0); }

} // namespace

class tst_GeomRealFiles : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    QString m_dir;
    QString m_lcls;

    bool python(const QStringList& args, QByteArray* out)
    {
        QProcess p;
        p.start("/usr/bin/python3", args);
        const bool ok = p.waitForFinished(300000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
        *out = p.readAllStandardOutput();
        if (!ok) {
            qWarning().noquote() << p.readAllStandardError();
        }
        return ok;
    }

private slots:
    void initTestCase()
    {
        m_dir = sharedGeometryDir();
        if (!QDir(m_dir).exists()) {
            QSKIP(qPrintable("no shared geometry files at " + m_dir + " (../shared is absent)"));
        }
        QVERIFY(m_tmp.isValid());
        // An LCLS-style file as psana exports write it: per-event encoder value (mm) and photon energy (eV),
        // and a run-wide detector position (mm).
        m_lcls = m_tmp.filePath("lcls.h5");
        QByteArray out;
        QVERIFY(python({ "-c",
                           "import h5py, sys\n"
                           "with h5py.File(sys.argv[1], 'w') as f:\n"
                           "    f['/LCLS/detector_1/EncoderValue'] = [-500.0, -480.5]\n"
                           "    f['/LCLS/photon_energy_eV'] = [9500.0, 9612.25]\n"
                           "    f['/LCLS/detectorPosition'] = 81.25\n",
                           m_lcls },
            &out));
    }

    void everyFileIsCovered()
    {
        const auto files = QDir(m_dir).entryList({ "*.geom" }, QDir::Files);
        QCOMPARE(files.size(), 13);
        for (const auto& f : files) {
            const bool covered
                = std::any_of(std::begin(kCases), std::end(kCases), [&](const Case& c) { return fileOf(c) == f; });
            QVERIFY2(covered, qPrintable(f + " has no case"));
        }
    }

    void qOfEveryPixelMatchesCrystFELDefinition()
    {
        QJsonArray manifest;
        QMap<QString, std::pair<int, int>> shapes;
        for (const Case& c : kCases) {
            const std::string path = (m_dir + "/" + fileOf(c)).toStdString();
            auto t = GeomParser::parseTemplateFile(path);
            QVERIFY2(t.ok(), t.ok() ? "" : t.error().message.c_str());
            for (const auto& w : t->warnings) {
                qInfo("%s", w.c_str());
            }
            GeomDataValues values;
            if (c.lclsData) {
                auto v = GeomDataReader::read(m_lcls.toStdString(), t->dataPaths());
                QVERIFY2(v.ok(), v.ok() ? "" : v.error().message.c_str());
                values = *v;
            }
            GeomOverrides o;
            o.cameraLengthM = c.clenM;
            o.photonEnergyEv = c.energyEv;
            auto r = t->resolve(o, values, c.frame);
            QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
            QCOMPARE(r->cameraLengthSource, c.clenSource);
            QCOMPARE(r->photonEnergySource, c.energySource);
            const auto q = r->geometry.qInvAngstrom();
            const QString qFile = m_tmp.filePath(QString::number(manifest.size()) + ".q");
            std::ofstream(qFile.toStdString(), std::ios::binary)
                .write(reinterpret_cast<const char*>(q.data()), std::streamsize(q.size() * sizeof(float)));
            QJsonObject m { { "name", c.name }, { "geom", QString::fromStdString(path) }, { "q", qFile },
                { "frame", c.frame } };
            m["clen"] = std::isfinite(c.clenM) ? QJsonValue(c.clenM) : QJsonValue();
            m["energy"] = std::isfinite(c.energyEv) ? QJsonValue(c.energyEv) : QJsonValue();
            m["data"] = c.lclsData ? QJsonValue(m_lcls) : QJsonValue();
            manifest.append(m);
            shapes[c.name] = { r->geometry.nSlow(), r->geometry.nFast() };
        }
        const QString manifestFile = m_tmp.filePath("manifest.json");
        QFile mf(manifestFile);
        QVERIFY(mf.open(QIODevice::WriteOnly));
        mf.write(QJsonDocument(manifest).toJson());
        mf.close();
        QByteArray out;
        QVERIFY(python(
            { qEnvironmentVariable("FXS_SOURCE_DIR") + "/tests/engine/crystfel_geom_q.py", manifestFile }, &out));
        int checked = 0;
        for (const auto& line : out.split('\n')) {
            if (line.trimmed().isEmpty()) {
                continue;
            }
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            const QString name = o["name"].toString();
            qInfo().noquote() << name << "max relative q error" << o["max_rel"].toDouble() << "over"
                              << o["compared"].toInt() << "pixels";
            QCOMPARE(o["n_slow"].toInt(), shapes[name].first);
            QCOMPARE(o["n_fast"].toInt(), shapes[name].second);
            QCOMPARE(o["nan_mismatch"].toInt(), 0);
            QVERIFY(o["compared"].toInt() > 10000);
            QVERIFY2(o["max_rel"].toDouble() <= 1e-6, qPrintable(name));
            ++checked;
        }
        QCOMPARE(checked, int(std::size(kCases)));
    }

    void missingValuesNameTheKeyAndTheOption_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("option");
        QTest::newRow("no photon energy") << "simple.geom"
                                          << "photon_energy"
                                          << "--photon-energy";
        QTest::newRow("clen is a path") << "cspad-cxiformat.geom"
                                        << "clen"
                                        << "--clen";
        QTest::newRow("OM file, no clen") << "lcls_mfx_epix10k2M.geom"
                                          << "clen"
                                          << "--clen";
    }
    void missingValuesNameTheKeyAndTheOption()
    {
        QFETCH(QString, file);
        QFETCH(QString, key);
        QFETCH(QString, option);
        auto t = GeomParser::parseTemplateFile((m_dir + "/" + file).toStdString());
        QVERIFY(t.ok());
        auto r = t->resolve({});
        QVERIFY(!r.ok());
        const QString msg = QString::fromStdString(r.error().message);
        QVERIFY2(msg.contains(file) && msg.contains(key) && msg.contains(option), qPrintable(msg));
        const auto missing = t->missing({});
        QVERIFY(std::find(missing.begin(), missing.end(), key.toStdString()) != missing.end());
    }

    void unitsAndRepeatedKeys()
    {
        // jf-swissfel-16M: "clen = 95.3 mm", "photon_energy = 4570 eV"; rayonix: dim0 given twice (ignored
        // layout words); the CSPAD files' group_* and the OM files' rigid_group* hierarchies are kept.
        auto jf = GeomParser::parseTemplateFile((m_dir + "/jf-swissfel-16M.geom").toStdString());
        QVERIFY(jf.ok());
        auto r = jf->resolve({});
        QVERIFY(r.ok());
        QCOMPARE(r->cameraLengthM, 0.0953);
        QCOMPARE(r->photonEnergyEv, 4570.0);
        auto cspad = GeomParser::parseTemplateFile((m_dir + "/cspad-cxiformat.geom").toStdString());
        QVERIFY(cspad.ok());
        QCOMPARE(cspad->groups.size(), std::size_t(32 + 4 + 1));
        QCOMPARE(cspad->groups.back().first, std::string("group_all"));
        QCOMPARE(cspad->groups.back().second.size(), std::size_t(4));
        QCOMPARE(cspad->mask.dataset, std::string("/entry_1/data_1/mask"));
        QCOMPARE(cspad->mask.badBits, 0xffffu);
        auto dataPaths = cspad->dataPaths();
        std::sort(dataPaths.begin(), dataPaths.end());
        QCOMPARE(dataPaths, (std::vector<std::string> { "/LCLS/detector_1/EncoderValue", "/LCLS/photon_energy_eV" }));
        auto text = GeomParser::parseTemplateText("res = 1e4\nclen = 0.1\nphoton_energy = 9 keV\np/min_fs = 0.0\n"
                                                  "p/max_fs = 9.0\np/min_ss = 0\np/max_ss = 9\np/corner_x = 1\n"
                                                  "p/corner_x = -5\np/sparkle = 1\np/sparkle = 2\n",
            "t.geom");
        QVERIFY2(text.ok(), text.ok() ? "" : text.error().message.c_str());
        QCOMPARE(text->panels[0].cornerXPx, -5.0);
        QCOMPARE(text->panels[0].maxFs, 9);
        QCOMPARE(text->photonEnergy.value, 9000.0);
        QCOMPARE(text->warnings.size(), std::size_t(1)); // the unknown key, named once
        QVERIFY(text->warnings[0].find("p/sparkle") != std::string::npos);
        auto half = GeomParser::parseTemplateText("res = 1e4\np/min_fs = 0.5\n", "h.geom");
        QVERIFY(!half.ok());
        QVERIFY(half.error().message.find("p/min_fs") != std::string::npos);
    }

    void badRegionsMaskPixels()
    {
        // jf-swissfel-16M: a beamstop shadow given in fs/ss of one panel; pilatus.geom: one in lab x/y.
        auto jf = GeomParser::parseTemplateFile((m_dir + "/jf-swissfel-16M.geom").toStdString());
        QVERIFY(jf.ok());
        auto r = jf->resolve({});
        QVERIFY(r.ok());
        const auto valid = r->geometry.validMask();
        const int nf = r->geometry.nFast();
        auto at = [&](int ss, int fs) { return valid[std::size_t(ss) * nf + fs]; };
        QCOMPARE(int(at(7740, 900)), 0); // bad_bs_1 on m15
        QCOMPARE(int(at(7740, 889)), 1); // just outside its min_fs
        QCOMPARE(int(at(7771, 900)), 1); // just outside its max_ss
        auto pil = GeomParser::parseTemplateFile((m_dir + "/pilatus.geom").toStdString());
        QVERIFY(pil.ok());
        GeomOverrides o;
        o.cameraLengthM = 0.1;
        auto rp = pil->resolve(o);
        QVERIFY(rp.ok());
        const auto& p = rp->geometry.panels()[0];
        const auto pv = rp->geometry.validMask();
        int masked = 0, expect = 0;
        for (int ss = 0; ss <= p.maxSs; ++ss) {
            for (int fs = 0; fs <= p.maxFs; ++fs) {
                const double x = p.cornerXPx + fs + 0.5, y = p.cornerYPx + ss + 0.5;
                const bool inStop = x >= -2000 && x <= 100 && y >= -40 && y <= 100;
                const bool inStrip = (fs >= 487 && fs <= 493) || (fs >= 981 && fs <= 987);
                expect += inStop && !inStrip;
                masked += inStop && !inStrip && !pv[std::size_t(ss) * rp->geometry.nFast() + fs];
            }
        }
        QVERIFY(expect > 10000);
        QCOMPARE(masked, expect);
    }
};

QTEST_GUILESS_MAIN(tst_GeomRealFiles)
#include "tst_GeomRealFiles.moc"
