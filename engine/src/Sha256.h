#pragma once

// Private: incremental SHA-256 through OpenSSL's libcrypto (already a dependency of Debian's HDF5).

#include <array>
#include <cstddef>
#include <memory>
#include <string>

namespace fxs::detail {

/// Incremental SHA-256.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    /// Adds bytes to the digest.
    void update(const void* data, std::size_t size);
    /// The digest of everything added so far (the object cannot be updated afterwards).
    std::array<unsigned char, 32> finish();
    /// Lower-case hex of a digest.
    static std::string hex(const std::array<unsigned char, 32>& digest);

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

} // namespace fxs::detail
