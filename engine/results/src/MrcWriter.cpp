#include <fxs/results/MrcWriter.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>

namespace fxs {

namespace {

// MRC2014 header: 256 four-byte words (1024 bytes), see https://www.ccpem.ac.uk/mrc_format/mrc2014.php.
struct Header {
    std::array<unsigned char, 1024> bytes {};
    void i32(int word, std::int32_t v) { std::memcpy(bytes.data() + 4 * word, &v, 4); }
    void f32(int word, float v) { std::memcpy(bytes.data() + 4 * word, &v, 4); }
    void text(int offset, const std::string& s, std::size_t max)
    {
        std::memcpy(bytes.data() + offset, s.data(), std::min(s.size(), max));
    }
};

Header headerOf(const MrcMap& m)
{
    Header h;
    h.i32(0, m.nx); // NX, NY, NZ: columns, rows, sections
    h.i32(1, m.ny);
    h.i32(2, m.nz);
    h.i32(3, 2); // MODE 2: 32-bit float
    h.i32(7, m.nx); // MX, MY, MZ: sampling = grid size, so that the voxel size is CELLA / M
    h.i32(8, m.ny);
    h.i32(9, m.nz);
    h.f32(10, static_cast<float>(m.nx * m.voxelSizeAngstrom)); // CELLA in Å
    h.f32(11, static_cast<float>(m.ny * m.voxelSizeAngstrom));
    h.f32(12, static_cast<float>(m.nz * m.voxelSizeAngstrom));
    h.f32(13, 90.0f); // CELLB: orthogonal axes
    h.f32(14, 90.0f);
    h.f32(15, 90.0f);
    h.i32(16, 1); // MAPC, MAPR, MAPS: x, y, z
    h.i32(17, 2);
    h.i32(18, 3);
    double lo = m.values.empty() ? 0.0 : m.values[0], hi = lo, sum = 0.0;
    for (float v : m.values) {
        lo = std::min<double>(lo, v);
        hi = std::max<double>(hi, v);
        sum += v;
    }
    const double mean = m.values.empty() ? 0.0 : sum / double(m.values.size());
    double var = 0.0;
    for (float v : m.values) {
        var += (v - mean) * (v - mean);
    }
    h.f32(19, static_cast<float>(lo)); // DMIN, DMAX, DMEAN
    h.f32(20, static_cast<float>(hi));
    h.f32(21, static_cast<float>(mean));
    h.i32(22, 1); // ISPG 1: a single volume (P1)
    h.text(26 * 4, "MRCO", 4); // EXTTYP (no extended header, NSYMBT = 0)
    h.i32(27, 20140); // NVERSION (word 28)
    h.f32(49, static_cast<float>(m.originAngstrom[0])); // ORIGIN
    h.f32(50, static_cast<float>(m.originAngstrom[1]));
    h.f32(51, static_cast<float>(m.originAngstrom[2]));
    h.text(52 * 4, "MAP ", 4);
    h.bytes[53 * 4] = 0x44; // MACHST: little-endian
    h.bytes[53 * 4 + 1] = 0x44;
    h.f32(54, static_cast<float>(m.values.empty() ? 0.0 : std::sqrt(var / double(m.values.size())))); // RMS
    h.i32(55, m.label.empty() ? 0 : 1); // NLABL
    h.text(56 * 4, m.label, 80);
    return h;
}

} // namespace

Status MrcWriter::write(const std::string& path, const MrcMap& map)
{
    const auto voxels = static_cast<std::size_t>(std::max(map.nx, 0)) * static_cast<std::size_t>(std::max(map.ny, 0))
        * static_cast<std::size_t>(std::max(map.nz, 0));
    if (map.nx < 1 || map.ny < 1 || map.nz < 1 || voxels != map.values.size()) {
        return Error { "cannot write MRC map " + path + ": " + std::to_string(map.values.size()) + " values for a "
            + std::to_string(map.nx) + " × " + std::to_string(map.ny) + " × " + std::to_string(map.nz) + " grid" };
    }
    if (!(map.voxelSizeAngstrom > 0.0)) {
        return Error { "cannot write MRC map " + path + ": the voxel size must be positive" };
    }
    static_assert(std::endian::native == std::endian::little, "MRC files are written little-endian");
    const Header h = headerOf(map);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(h.bytes.data()), static_cast<std::streamsize>(h.bytes.size()));
    out.write(reinterpret_cast<const char*>(map.values.data()), static_cast<std::streamsize>(voxels * sizeof(float)));
    out.close();
    if (!out) {
        return Error { "cannot write MRC map " + path + " (disk full or no permission?)" };
    }
    return {};
}

Result<MrcMap> MrcWriter::read(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    Header h;
    if (!in.read(reinterpret_cast<char*>(h.bytes.data()), static_cast<std::streamsize>(h.bytes.size()))) {
        return Error { "MRC map " + path + ": cannot read its 1024-byte header" };
    }
    const auto i32 = [&h](int word) {
        std::int32_t v = 0;
        std::memcpy(&v, h.bytes.data() + 4 * word, 4);
        return v;
    };
    const auto f32 = [&h](int word) {
        float v = 0;
        std::memcpy(&v, h.bytes.data() + 4 * word, 4);
        return static_cast<double>(v);
    };
    MrcMap m;
    m.nx = i32(0);
    m.ny = i32(1);
    m.nz = i32(2);
    constexpr std::int32_t kMaxSide = 4096;
    if (std::memcmp(h.bytes.data() + 52 * 4, "MAP ", 4) != 0 || m.nx < 1 || m.ny < 1 || m.nz < 1 || m.nx > kMaxSide
        || m.ny > kMaxSide || m.nz > kMaxSide) {
        return Error { "MRC map " + path + ": not an MRC2014 map (no \"MAP \" stamp or an impossible grid)" };
    }
    if (i32(3) != 2 || h.bytes[53 * 4] != 0x44) {
        return Error { "MRC map " + path + ": mode " + std::to_string(i32(3))
            + " or big-endian data; only little-endian float32 (mode 2) maps are read" };
    }
    m.voxelSizeAngstrom = i32(7) > 0 ? f32(10) / i32(7) : 1.0;
    m.originAngstrom = { f32(49), f32(50), f32(51) };
    if (i32(55) > 0) {
        const char* label = reinterpret_cast<const char*>(h.bytes.data() + 56 * 4);
        m.label.assign(label, strnlen(label, 80));
    }
    in.seekg(1024 + std::max(i32(23), 0));
    m.values.resize(std::size_t(m.nx) * std::size_t(m.ny) * std::size_t(m.nz));
    if (!in.read(reinterpret_cast<char*>(m.values.data()), static_cast<std::streamsize>(m.values.size() * 4))) {
        return Error { "MRC map " + path + ": truncated (fewer than " + std::to_string(m.values.size())
            + " float32 values after the header)" };
    }
    return m;
}

MrcMap MrcWriter::mapOf(const MtipResult& r, const std::string& label)
{
    MrcMap m;
    m.nx = m.ny = m.nz = r.gridSize;
    m.values = r.density;
    m.voxelSizeAngstrom = r.voxelSizeA;
    const double origin = -(r.gridSize / 2) * r.voxelSizeA;
    m.originAngstrom = { origin, origin, origin };
    m.label = label;
    return m;
}

} // namespace fxs
