#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <string>

namespace fxs {

/// Incremental SHA-256 (OpenSSL libcrypto): input identities, checkpoint footers, transfer checksums.
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
    /// The lower-case hex digest of everything added so far (the object cannot be updated afterwards).
    std::string hexDigest() { return hex(finish()); }
    /// Lower-case hex of a digest.
    static std::string hex(const std::array<unsigned char, 32>& digest);

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

} // namespace fxs
