#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace fxs::remote {

/// Incremental SHA-256 (OpenSSL), for the whole-file checksum of FetchResult.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    /// Adds bytes.
    void update(const void* data, std::size_t size);
    /// The lowercase hex digest of everything added; the object is then spent.
    std::string hexDigest();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace fxs::remote
