#include "TokenFile.h"

#include <fxs/results/AtomicFile.h>

#include <cstdio>
#include <sys/stat.h>

namespace fxs::remote {

Status checkOwnerOnly(const std::filesystem::path& path)
{
    struct stat st { };
    if (::stat(path.c_str(), &st) != 0) {
        return Error { "cannot read the token file " + path.string() + " (does it exist?)" };
    }
    if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        return Error { "the token file " + path.string() + " has mode " + mode
            + ": group or others may access it; run `chmod 600 " + path.string() + "`" };
    }
    return {};
}

Result<std::string> readTokenFile(const std::filesystem::path& path)
{
    if (auto st = checkOwnerOnly(path); !st) {
        return Error { st.message() };
    }
    auto text = readText(path);
    if (!text) {
        return text.error();
    }
    std::string t = text->substr(0, text->find('\n'));
    const auto b = t.find_first_not_of(" \t\r");
    const auto e = t.find_last_not_of(" \t\r");
    t = b == std::string::npos ? std::string() : t.substr(b, e - b + 1);
    if (t.size() < 16) {
        return Error { "the token in " + path.string() + " is shorter than 16 characters; use a long random token" };
    }
    return t;
}

} // namespace fxs::remote
