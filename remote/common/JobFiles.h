#pragma once

#include <filesystem>
#include <string>

namespace fxs::remote {

/// The files of one job directory, shared by fxs-server (which writes the config and reads the rest) and
/// fxs-worker (which writes heartbeats, snapshots, checkpoints and the result). Every file that another process
/// reads is replaced atomically (written aside, then renamed), so a reader never sees half a file.
struct JobFiles {
    std::filesystem::path dir;

    /// The worker's configuration (JSON, written by the server).
    std::filesystem::path workerConfig() const { return dir / "worker.json"; }
    /// Sums of the units done so far, with their ids and the config hash (FXS1 sums file).
    std::filesystem::path checkpoint() const { return dir / "checkpoint.fxs1"; }
    /// The latest normalised C2 snapshot (FXS1 snapshot file).
    std::filesystem::path snapshot() const { return dir / "snapshot.fxs1"; }
    /// The final sums (FXS1 sums file), present only when the job succeeded.
    std::filesystem::path result() const { return dir / "result.fxs1"; }
    /// The HDF5 results file (C2, sums, ledger, invariants, density), written by rank 0 at the end.
    std::filesystem::path resultsH5() const { return dir / "results.h5"; }
    /// The reconstructed density (MRC2014), reconstruction jobs only.
    std::filesystem::path densityMrc() const { return dir / "density.mrc"; }
    /// A one-line error written by rank 0 before it aborts (bad config, unreadable checkpoint, ...).
    std::filesystem::path error() const { return dir / "error.txt"; }
    /// What rank 0 wants the user to know that stops nothing (the geometry's mask could not be read; a stream job's
    /// frames left uncorrelated), one line; the server shows it as the job's status message. Removed at each launch.
    std::filesystem::path notice() const { return dir / "notice.txt"; }
    /// Rank 0's timing of the last attempt (JSON: total_s, reduce_checkpoint_s, rounds), for benchmarks.
    std::filesystem::path timing() const { return dir / "timing.json"; }
    /// A stream job's ledger beside the checkpoint: every shot's series and frame number, and the stream counts of
    /// the attempts so far (JSON, written by rank 0 before each checkpoint).
    std::filesystem::path streamLedger() const { return dir / "stream-ledger.json"; }
    /// The launcher's stdout and stderr.
    std::filesystem::path log() const { return dir / "launcher.log"; }
    /// Folder of per-rank heartbeat files.
    std::filesystem::path ranksDir() const { return dir / "ranks"; }
    /// Heartbeat file of one rank.
    std::filesystem::path heartbeat(int rank) const { return ranksDir() / ("rank-" + std::to_string(rank) + ".json"); }
};

} // namespace fxs::remote
