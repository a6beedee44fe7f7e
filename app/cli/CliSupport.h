#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <fxs/core/Result.h>
#include <string>
#include <vector>

namespace fxs::cli {

/// Documented exit codes (docs/CLI.md).
enum ExitCode : int {
    kExitOk = 0, ///< success
    kExitProcessing = 1, ///< a processing error (the input was fine, the work failed)
    kExitBadInput = 2, ///< bad arguments, a missing or malformed input file or dataset
    kExitInterrupted = 130, ///< stopped by Ctrl-C (SIGINT) or SIGTERM; a checkpoint is left where the command has one
};

/// Prints "fxs <command>: error: <message>" on stderr and returns `code`.
int fail(const std::string& command, int code, const std::string& message);

/// Installs the SIGINT/SIGTERM handlers that only raise a flag (the work loop stops cleanly on it).
void installInterruptHandler();
/// True once SIGINT or SIGTERM arrived.
bool interrupted();

/// Merges `--config FILE.json` into argv: every key of the JSON object becomes `--key value` unless the command
/// line sets that option itself (the command line wins). Unknown keys and malformed JSON give an Error naming
/// the file and key. `app` is the parser (with its subcommands) used to check the keys.
Result<std::vector<std::string>> expandConfig(CLI::App& app, const std::vector<std::string>& args);

/// The effective options of a parsed subcommand as a JSON object text (defaults included), for results files.
std::string effectiveConfig(const CLI::App& sub);

/// Progress on stderr: a bar with rate and ETA when stderr is a terminal, plain lines every few seconds otherwise.
class Progress {
public:
    /// `label` e.g. "correlate"; `total` < 0 when unknown; `unit` names what is counted.
    Progress(std::string label, std::int64_t total, std::string unit = "shots");
    /// Reports `done` items (prints only when due); `extra` is appended (e.g. "12 vetoed").
    void update(std::int64_t done, const std::string& extra = {});
    /// Prints the final line.
    void finish(std::int64_t done, const std::string& extra = {});
    /// Items counted in `done` that took no work (skipped on resume): left out of the rate and the ETA.
    void setSkipped(std::int64_t skipped) { m_skipped = skipped; }

private:
    void print(std::int64_t done, const std::string& extra, bool final);

    std::string m_label;
    std::string m_unit;
    std::int64_t m_total;
    bool m_tty;
    std::chrono::steady_clock::time_point m_start;
    std::chrono::steady_clock::time_point m_last;
    std::int64_t m_skipped = 0;
};

/// Seconds as "1 m 05 s" / "12.3 s".
std::string formatSeconds(double s);

/// `--model`: a built-in particle model (the list comes from ParticleModel::builtinNames) or a JSON model file.
void addModelOption(CLI::App* sub, std::string& model);

} // namespace fxs::cli
