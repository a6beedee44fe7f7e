#include <fxs/core/Sha256.h>

#include <openssl/evp.h>

namespace fxs {

struct Sha256::Impl {
    EVP_MD_CTX* ctx = nullptr;
};

Sha256::Sha256()
    : m(std::make_unique<Impl>())
{
    m->ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(m->ctx, EVP_sha256(), nullptr);
}

Sha256::~Sha256() { EVP_MD_CTX_free(m->ctx); }

void Sha256::update(const void* data, std::size_t size) { EVP_DigestUpdate(m->ctx, data, size); }

std::array<unsigned char, 32> Sha256::finish()
{
    std::array<unsigned char, 32> d {};
    unsigned int n = 0;
    EVP_DigestFinal_ex(m->ctx, d.data(), &n);
    return d;
}

std::string Sha256::hex(const std::array<unsigned char, 32>& digest)
{
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (unsigned char c : digest) {
        s.push_back(digits[c >> 4]);
        s.push_back(digits[c & 15]);
    }
    return s;
}

} // namespace fxs
