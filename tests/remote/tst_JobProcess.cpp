// How fxs-server starts a job's launcher: the command template's placeholders, and the environment a plain mpirun
// gets (PMIx's munge security plugin left out unless the server's own environment names one). The expected words
// and variables are written out by hand.
#include "JobProcess.h"

#include <QtTest>

#include <algorithm>
#include <cstdlib>

using fxs::remote::launcherArgv;
using fxs::remote::launcherEnvironment;

namespace {
int countOf(const std::vector<std::string>& env, const std::string& prefix)
{
    return int(std::count_if(env.begin(), env.end(), [&](const std::string& e) { return e.rfind(prefix, 0) == 0; }));
}
} // namespace

class TestJobProcess : public QObject {
    Q_OBJECT

private slots:
    void placeholdersAreReplaced()
    {
        const auto argv = launcherArgv("mpirun  --oversubscribe -n {ranks} {worker} {job}", 3, "/opt/fxs/fxs-worker",
            "/srv/jobs/j1");
        const std::vector<std::string> expected { "mpirun", "--oversubscribe", "-n", "3", "/opt/fxs/fxs-worker",
            "/srv/jobs/j1" };
        QVERIFY(argv == expected);
    }

    void aPlainMpirunSkipsMunge()
    {
        ::unsetenv("PMIX_MCA_psec");
        ::setenv("FXS_TEST_MARKER", "kept", 1);
        for (const char* program : { "mpirun", "/usr/bin/mpiexec", "orterun" }) {
            const auto env = launcherEnvironment(program);
            QCOMPARE(countOf(env, "PMIX_MCA_psec="), 1);
            QVERIFY(std::find(env.begin(), env.end(), "PMIX_MCA_psec=native") != env.end());
            QVERIFY(std::find(env.begin(), env.end(), "FXS_TEST_MARKER=kept") != env.end());
        }
    }

    void otherLaunchersAndGivenSettingsAreLeftAlone()
    {
        ::unsetenv("PMIX_MCA_psec");
        ::unsetenv("GLIBC_TUNABLES");
        for (const char* program : { "salloc", "srun", "/usr/bin/sbatch", "mpirun-wrapper" }) {
            const auto env = launcherEnvironment(program);
            QCOMPARE(countOf(env, "PMIX_MCA_psec="), 0);
            // every launcher's ranks get 2 MB pages for their sums
            QVERIFY(std::find(env.begin(), env.end(), "GLIBC_TUNABLES=glibc.malloc.hugetlb=1") != env.end());
        }
        ::setenv("PMIX_MCA_psec", "munge", 1);
        ::setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=1", 1);
        const auto env = launcherEnvironment("mpirun");
        QCOMPARE(countOf(env, "PMIX_MCA_psec="), 1);
        QVERIFY(std::find(env.begin(), env.end(), "PMIX_MCA_psec=munge") != env.end());
        QCOMPARE(countOf(env, "GLIBC_TUNABLES="), 1);
        QVERIFY(std::find(env.begin(), env.end(), "GLIBC_TUNABLES=glibc.malloc.arena_max=1") != env.end());
        ::unsetenv("PMIX_MCA_psec");
        ::unsetenv("GLIBC_TUNABLES");
    }
};

QTEST_GUILESS_MAIN(TestJobProcess)
#include "tst_JobProcess.moc"
