#include "TokenTable.h"

#include <fxs/results/AtomicFile.h>
#include "TokenFile.h"

#include <charconv>
#include <set>
#include <sstream>

namespace fxs::remote {

namespace {

bool sameSecret(const std::string& a, const std::string& b)
{
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (std::size_t i = 0; i < a.size(); ++i) {
        diff |= static_cast<unsigned char>(a[i] ^ b[i % std::max<std::size_t>(1, b.size())]);
    }
    return diff == 0;
}

std::vector<std::string> words(const std::string& line)
{
    std::istringstream in(line.substr(0, line.find('#')));
    std::vector<std::string> out;
    for (std::string w; in >> w;) {
        out.push_back(w);
    }
    return out;
}

bool validName(const std::string& n)
{
    return !n.empty() && n.size() <= 64
        && n.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == std::string::npos;
}

// "jobs=N" or "ranks=N" into the entry; an Error text otherwise.
std::string applyLimit(const std::string& word, TokenEntry& e)
{
    const auto eq = word.find('=');
    const std::string key = word.substr(0, eq);
    int value = -1;
    if (eq != std::string::npos) {
        const char* b = word.data() + eq + 1;
        const char* end = word.data() + word.size();
        const auto r = std::from_chars(b, end, value);
        if (r.ec != std::errc {} || r.ptr != end) {
            value = -1;
        }
    }
    if ((key != "jobs" && key != "ranks") || value < 0) {
        return "'" + word + "' is not a limit (jobs=N or ranks=N, N ≥ 0; 0: no limit)";
    }
    (key == "jobs" ? e.maxJobs : e.maxRanks) = value;
    return {};
}

} // namespace

Result<TokenTable> TokenTable::read(const std::filesystem::path& path)
{
    if (auto st = checkOwnerOnly(path); !st) {
        return Error { st.message() };
    }
    auto text = readText(path);
    if (!text) {
        return text.error();
    }
    return parse(*text, path.string());
}

Result<TokenTable> TokenTable::parse(const std::string& text, const std::string& path)
{
    TokenTable t;
    std::istringstream in(text);
    std::set<std::string> names, tokens;
    int lineNo = 0;
    std::vector<std::vector<std::string>> lines;
    for (std::string line; std::getline(in, line);) {
        ++lineNo;
        auto w = words(line);
        if (w.empty()) {
            continue;
        }
        const std::string where = path + " line " + std::to_string(lineNo) + ": ";
        TokenEntry e;
        if (w.size() == 1 && t.m_entries.empty() && lines.empty()) {
            e = TokenEntry { "default", Role::Admin, w[0], 0, 0 }; // the one-token file of earlier servers
        } else if (w.size() < 3) {
            return Error { where + "expected `name role token [jobs=N] [ranks=N]`" };
        } else {
            auto role = parseRole(w[1]);
            if (!role) {
                return Error { where + "unknown role '" + w[1] + "' (watch, operate or admin)" };
            }
            e = TokenEntry { w[0], *role, w[2], 0, 0 };
            for (std::size_t i = 3; i < w.size(); ++i) {
                if (auto msg = applyLimit(w[i], e); !msg.empty()) {
                    return Error { where + msg };
                }
            }
        }
        if (!validName(e.name)) {
            return Error { where + "the name '" + e.name + "' must be 1-64 of A-Z a-z 0-9 . _ -" };
        }
        if (e.token.size() < 16) {
            return Error { where + "the token of '" + e.name
                + "' is shorter than 16 characters; use a long random token" };
        }
        if (!names.insert(e.name).second) {
            return Error { where + "the name '" + e.name + "' is used twice" };
        }
        if (!tokens.insert(e.token).second) {
            return Error { where + "the token of '" + e.name + "' is also another entry's token" };
        }
        lines.push_back(w);
        t.m_entries.push_back(std::move(e));
    }
    if (t.m_entries.size() > 1 && lines.front().size() == 1) {
        return Error { path + ": a single-token line must be the file's only entry (or give it `name role token`)" };
    }
    if (t.m_entries.empty()) {
        return Error { path + " has no token" };
    }
    return t;
}

const TokenEntry* TokenTable::find(const std::string& token) const
{
    const TokenEntry* found = nullptr;
    for (const auto& e : m_entries) {
        if (sameSecret(token, e.token)) {
            found = &e;
        }
    }
    return found;
}

} // namespace fxs::remote
