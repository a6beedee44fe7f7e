#include <fxs/gpu/GpuBinding.h>

#include <sstream>

namespace fxs {

Result<int> GpuBinding::deviceFor(int localRank, int visibleDevices, const std::vector<int>& configured)
{
    if (localRank < 0) {
        return Error { "GPU binding: negative local rank " + std::to_string(localRank) };
    }
    if (!configured.empty()) {
        for (int d : configured) {
            if (d < 0 || d >= visibleDevices) {
                return Error { "GPU binding: configured device " + std::to_string(d) + " is not visible ("
                    + std::to_string(visibleDevices) + " device(s) on this node)" };
            }
        }
        return configured[static_cast<std::size_t>(localRank) % configured.size()];
    }
    if (visibleDevices <= 0) {
        return Error { "GPU binding: no GPU visible on this node" };
    }
    return localRank % visibleDevices;
}

int GpuBinding::localRankFromEnvironment(int fallback)
{
    for (const char* name : { "OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "SLURM_LOCALID" }) {
        if (const char* v = std::getenv(name)) {
            char* end = nullptr;
            const long r = std::strtol(v, &end, 10);
            if (end != v && *end == '\0' && r >= 0) {
                return static_cast<int>(r);
            }
        }
    }
    return fallback;
}

Result<std::vector<int>> GpuBinding::parseList(const std::string& text)
{
    std::vector<int> out;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        char* end = nullptr;
        const long v = std::strtol(item.c_str(), &end, 10);
        if (item.empty() || *end != '\0' || v < 0 || v > 1024) {
            return Error { "GPU list '" + text + "': '" + item + "' is not a device ordinal" };
        }
        out.push_back(static_cast<int>(v));
    }
    return out;
}

} // namespace fxs
