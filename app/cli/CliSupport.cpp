#include "CliSupport.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <fxs/simulation/ParticleModel.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>

namespace fxs::cli {

namespace {
// Only a lock-free flag is touched in the handler (async-signal-safe); the work loops poll it.
std::atomic<bool> g_interrupted { false };

extern "C" void onSignal(int) { g_interrupted.store(true); }

bool commandLineHas(const std::vector<std::string>& args, const std::string& flag)
{
    for (const auto& a : args) {
        if (a == flag || a.rfind(flag + "=", 0) == 0) {
            return true;
        }
    }
    return false;
}

std::string scalarText(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

Status appendKey(const CLI::App& sub, const std::string& file, const std::string& key, const nlohmann::json& v,
    std::vector<std::string>& out)
{
    const CLI::Option* opt = sub.get_option_no_throw("--" + key);
    if (opt == nullptr) {
        return Error { file + ": unknown option '" + key + "' for 'fxs " + sub.get_name() + "' (see fxs "
            + sub.get_name() + " --help)" };
    }
    if (v.is_object()) {
        return Error { file + ": option '" + key + "' must be a number, string, boolean or list, not an object" };
    }
    if (opt->get_expected_max() == 0) { // a flag
        if (!v.is_boolean()) {
            return Error { file + ": option '" + key + "' is a flag: expected true or false" };
        }
        if (v.get<bool>()) {
            out.push_back("--" + key);
        }
        return {};
    }
    out.push_back("--" + key);
    if (v.is_array()) {
        for (const auto& e : v) {
            out.push_back(scalarText(e));
        }
    } else {
        out.push_back(scalarText(v));
    }
    return {};
}

std::string configPath(const std::vector<std::string>& args)
{
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--config" && i + 1 < args.size()) {
            return args[i + 1];
        }
        if (args[i].rfind("--config=", 0) == 0) {
            return args[i].substr(9);
        }
    }
    return {};
}
} // namespace

int fail(const std::string& command, int code, const std::string& message)
{
    std::cerr << "fxs " << command << ": error: " << message << std::endl;
    return code;
}

void installInterruptHandler()
{
    struct sigaction sa { };
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

bool interrupted() { return g_interrupted.load(std::memory_order_relaxed); }

Result<std::vector<std::string>> expandConfig(CLI::App& app, const std::vector<std::string>& args)
{
    const std::string path = configPath(args);
    if (path.empty()) {
        return args;
    }
    const CLI::App* sub = nullptr;
    for (const auto& a : args) {
        for (const CLI::App* s : app.get_subcommands({})) {
            if (sub == nullptr && s->get_name() == a) {
                sub = s;
            }
        }
    }
    if (sub == nullptr) {
        return Error { "--config needs a command first, e.g. fxs correlate --config run.json" };
    }
    std::ifstream in(path);
    if (!in) {
        return Error { path + ": cannot open the config file" };
    }
    nlohmann::json doc = nlohmann::json::parse(in, nullptr, false, true);
    if (doc.is_discarded() || !doc.is_object()) {
        return Error { path + ": not a JSON object of options (e.g. {\"threads\": 2, \"shots\": 1000})" };
    }
    std::vector<std::string> out = args;
    for (const auto& [key, value] : doc.items()) {
        if (key == "config" || commandLineHas(args, "--" + key)) {
            continue;
        }
        if (auto st = appendKey(*sub, path, key, value, out); !st) {
            return Error { st.message() };
        }
    }
    return out;
}

std::string effectiveConfig(const CLI::App& sub)
{
    nlohmann::json doc = nlohmann::json::object();
    for (const CLI::Option* opt : sub.get_options()) {
        const std::string name = opt->get_single_name();
        if (name.empty() || name == "help" || name == "config") {
            continue;
        }
        if (opt->get_expected_max() == 0) {
            doc[name] = opt->count() > 0;
            continue;
        }
        std::vector<std::string> values = opt->count() > 0 ? opt->results() : std::vector<std::string> {};
        if (values.empty() && !opt->get_default_str().empty()) {
            values.push_back(opt->get_default_str());
        }
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& v : values) {
            nlohmann::json parsed = nlohmann::json::parse(v, nullptr, false);
            arr.push_back(
                parsed.is_discarded() || parsed.is_object() || parsed.is_array() ? nlohmann::json(v) : parsed);
        }
        doc[name] = arr.size() == 1 && opt->get_expected_max() <= 1 ? arr[0] : arr;
    }
    return doc.dump(2);
}

std::string formatSeconds(double s)
{
    char buf[64];
    if (s < 60.0) {
        std::snprintf(buf, sizeof buf, "%.1f s", s);
    } else if (s < 3600.0) {
        std::snprintf(buf, sizeof buf, "%d m %02d s", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
    } else {
        std::snprintf(buf, sizeof buf, "%d h %02d m", static_cast<int>(s) / 3600, static_cast<int>(s) / 60 % 60);
    }
    return buf;
}

Progress::Progress(std::string label, std::int64_t total, std::string unit)
    : m_label(std::move(label))
    , m_unit(std::move(unit))
    , m_total(total)
    , m_tty(isatty(STDERR_FILENO) != 0)
    , m_start(std::chrono::steady_clock::now())
    , m_last(m_start)
{
}

void Progress::update(std::int64_t done, const std::string& extra)
{
    const auto now = std::chrono::steady_clock::now();
    // A terminal gets ~10 redraws per second; logs get one line every 2 s so that they stay readable.
    const auto period = m_tty ? std::chrono::milliseconds(100) : std::chrono::milliseconds(2000);
    if (now - m_last < period) {
        return;
    }
    m_last = now;
    print(done, extra, false);
}

void Progress::finish(std::int64_t done, const std::string& extra) { print(done, extra, true); }

void Progress::print(std::int64_t done, const std::string& extra, bool final)
{
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    const double rate
        = elapsed > 0.0 ? static_cast<double>(std::max<std::int64_t>(0, done - m_skipped)) / elapsed : 0.0;
    std::ostringstream line;
    line << m_label << ": " << done;
    if (m_total > 0) {
        line << " / " << m_total;
    }
    char rateText[32];
    std::snprintf(rateText, sizeof rateText, "%.1f", rate);
    line << " " << m_unit << ", " << rateText << " /s, " << formatSeconds(elapsed);
    if (m_total > 0 && rate > 0.0 && !final) {
        line << ", ETA " << formatSeconds(static_cast<double>(m_total - done) / rate);
    }
    if (!extra.empty()) {
        line << ", " << extra;
    }
    if (m_tty) {
        std::string bar;
        if (m_total > 0) {
            const int width = 30;
            const int filled = static_cast<int>(width * std::min<double>(1.0, static_cast<double>(done) / m_total));
            bar = "[" + std::string(filled, '#') + std::string(width - filled, '.') + "] ";
        }
        std::cerr << "\r\033[K" << bar << line.str() << (final ? "\n" : "") << std::flush;
    } else {
        std::cerr << line.str() << std::endl;
    }
}

void addModelOption(CLI::App* sub, std::string& model)
{
    std::string names;
    for (const auto& n : ParticleModel::builtinNames()) {
        names += (names.empty() ? "" : ", ") + n;
    }
    sub->add_option("--model", model,
           "Built-in model (" + names
               + "), a PDB/mmCIF structure (.pdb, .cif: atoms with IT92 form factors, no hydrogens or waters) or a "
                 "JSON model file")
        ->capture_default_str();
}

} // namespace fxs::cli
