// fxs-worker JOB_DIR: the MPI program of a remote job (engine + MPI only: no gRPC, no Qt).
// Launched by fxs-server as `mpirun -n N fxs-worker JOB_DIR`; see WorkerRun.h for what every rank does.
#include <fxs/results/AtomicFile.h>
#include "JobFiles.h"
#include "ShotProvider.h"
#include "WorkerRun.h"
#include <fxs/core/Version.h>

#include <cstdio>
#include <cstring>
#include <malloc.h>
#include <mpi.h>
#include <string>

int main(int argc, char** argv)
{
    // Answered before MPI starts, so that they work outside mpirun too (man pages, packaging checks).
    if (argc == 2 && (!std::strcmp(argv[1], "--version") || !std::strcmp(argv[1], "--help"))) {
        if (!std::strcmp(argv[1], "--version")) {
            std::printf("fxs-worker %s\n", std::string(fxs::versionString()).c_str());
        } else {
            std::printf("fxs-worker JOB_DIR: the MPI program of a remote FXS job, started by fxs-server as\n"
                        "  mpirun -n N fxs-worker JOB_DIR\n"
                        "Every rank reads JOB_DIR/worker.json, correlates its share of the shots (C2 engine, CPU or\n"
                        "one GPU per rank), and rank 0 writes checkpoints, snapshots and the result into JOB_DIR.\n");
        }
        return 0;
    }
    // Large blocks freed (the snapshots' arrays, each round) are kept for the next ones instead of going back to the
    // kernel: glibc maps blocks above 32 MB afresh each time, and every 4 KB page of them then costs a page fault
    // again (about 16 µs each on a 2-core VM: 0.4 s of system time per 100 MB, where copying them takes 30 ms).
    // fxs-server's launchers and fxs-bench mpi set GLIBC_TUNABLES=glibc.malloc.hugetlb=1: glibc then asks for 2 MB
    // pages, 512 times fewer faults; glibc reads it only at start-up, so the worker cannot set it itself.
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    int provided = 0;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (argc != 2) {
        if (rank == 0) {
            std::fprintf(stderr, "usage: fxs-worker JOB_DIR   (the job directory holds worker.json)\n");
        }
        MPI_Finalize();
        return 2;
    }
    const fxs::remote::JobFiles files { argv[1] };
    fxs::remote::setNoticeFile(files.notice().string());
    const fxs::Status st = fxs::remote::runWorker(files, MPI_COMM_WORLD);
    if (!st) {
        std::fprintf(stderr, "fxs-worker rank %d: %s\n", rank, st.message().c_str());
        // Any rank may be the one that failed (a bad frame in its units): each leaves its reason (last wins).
        (void)fxs::writeTextAtomically(
            files.error(), "rank " + std::to_string(rank) + ": " + st.message() + "\n");
        // The other ranks may be inside a collective: only an abort ends them all.
        MPI_Abort(MPI_COMM_WORLD, 3);
        return 3;
    }
    MPI_Finalize();
    return 0;
}
