#include <fxs/results/Fxs1Container.h>

#include <cstdint>
#include <cstring>

namespace fxs::fxs1 {

bool writeHeader(std::FILE* f, const char (&magic)[8], const std::string& header)
{
    const auto len = static_cast<std::uint32_t>(header.size());
    return std::fwrite(magic, 1, 8, f) == 8 && std::fwrite(&len, 4, 1, f) == 1
        && std::fwrite(header.data(), 1, header.size(), f) == header.size();
}

Result<nlohmann::json> readHeader(
    std::ifstream& in, const char (&magic)[8], const std::string& what, const std::filesystem::path& path)
{
    char m[8] = {};
    std::uint32_t len = 0;
    if (!in.read(m, 8) || std::memcmp(m, magic, 8) != 0) {
        return Error { path.string() + " is not an FXS1 " + what + " file (wrong magic bytes)" };
    }
    if (!in.read(reinterpret_cast<char*>(&len), 4) || len > (1u << 30)) {
        return Error { path.string() + ": truncated or corrupt header" };
    }
    std::string header(len, '\0');
    if (!in.read(header.data(), len)) {
        return Error { path.string() + ": truncated header" };
    }
    auto j = nlohmann::json::parse(header, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return Error { path.string() + ": the header is not a JSON object" };
    }
    return j;
}

} // namespace fxs::fxs1
