#pragma once

// The container of fxs's FXS1 binary files (fxs-worker's snapshots "FXS1SNAP", and the earlier sums "FXS1SUMS"):
// 8 magic bytes, a uint32 header length, a JSON object header, then raw little-endian arrays.

#include <fxs/core/Result.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fxs::fxs1 {

/// Writes magic + length + header; false on a write error.
bool writeHeader(std::FILE* f, const char (&magic)[8], const std::string& header);

/// Reads magic + JSON header from `in`, leaving it at the first array. `what` names the kind in messages
/// ("snapshot", "sums"); errors name `path` and what was wrong (magic, truncation, not JSON).
Result<nlohmann::json> readHeader(
    std::ifstream& in, const char (&magic)[8], const std::string& what, const std::filesystem::path& path);

/// Writes a raw array; false on a write error.
template <class T> bool writeArray(std::FILE* f, const std::vector<T>& v)
{
    return std::fwrite(v.data(), sizeof(T), v.size(), f) == v.size();
}

/// Reads v.size() raw values into `v`; false when the file ends first.
template <class T> bool readArray(std::ifstream& in, std::vector<T>& v)
{
    return static_cast<bool>(in.read(reinterpret_cast<char*>(v.data()), std::streamsize(v.size() * sizeof(T))));
}

} // namespace fxs::fxs1
