#include <fxs/core/Version.h>

#include <QtTest>

#include <regex>
#include <string>

class tst_Version : public QObject {
    Q_OBJECT
private slots:
    void startsWithProjectVersion()
    {
        const std::string v(fxs::versionString());
        // The project version from CMake, optionally followed by "+g<describe>".
        QVERIFY2(std::regex_match(v, std::regex(R"(\d+\.\d+\.\d+(\+g.+)?)")), v.c_str());
    }
};

QTEST_GUILESS_MAIN(tst_Version)
#include "tst_Version.moc"
