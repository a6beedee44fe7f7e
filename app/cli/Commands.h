#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <vector>

namespace fxs::cli {

/// Subcommands register a callback here; main() runs the one the user picked.
class CommandRegistry {
public:
    /// Adds a subcommand whose action runs when it is selected; the action returns the exit code.
    void add(CLI::App* sub, std::function<int()> action) { m_commands.push_back({ sub, std::move(action) }); }
    /// Runs the selected subcommand's action.
    int runSelected() const
    {
        for (const auto& c : m_commands) {
            if (c.sub->parsed()) {
                return c.action();
            }
        }
        return 2;
    }

private:
    struct Entry {
        CLI::App* sub;
        std::function<int()> action;
    };
    std::vector<Entry> m_commands;
};

/// Registers every subcommand (one register function per command file).
void registerAll(CLI::App& app, CommandRegistry& registry);

void registerDemo(CLI::App& app, CommandRegistry& registry);
void registerSimulate(CLI::App& app, CommandRegistry& registry);
void registerCorrelate(CLI::App& app, CommandRegistry& registry);
void registerInvariants(CLI::App& app, CommandRegistry& registry);
void registerReconstruct(CLI::App& app, CommandRegistry& registry);
void registerInspect(CLI::App& app, CommandRegistry& registry);
void registerReport(CLI::App& app, CommandRegistry& registry);
void registerBench(CLI::App& app, CommandRegistry& registry);
void registerRemote(CLI::App& app, CommandRegistry& registry);

} // namespace fxs::cli
