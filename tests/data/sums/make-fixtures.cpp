// Wrote checkpoint-v1.fxsckpt and worker-fxs1.sums with the code of main at 7479236, before the one sums format:
//   g++ -std=c++20 -I engine/include -I engine/src -I remote/common make-fixtures.cpp engine/src/{Checkpoint,Sha256,C2Sums}.cpp \
//       remote/common/{SumsFile,AtomicFile}.cpp -lcrypto -lfftw3 -lfftw3f && ./a.out tests/data/sums
// Not built by CMake: kept to say how the fixtures were made. tst_SumsFile checks every value against fill() below.
#include "fxs/Checkpoint.h"
#include "SumsFile.h"
#include <cstdio>
namespace fxs { std::string_view versionString() { return "0.1.0-7479236"; } }
using namespace fxs;
C2Sums fill() {
    C2Sums s = C2Sums::zeros(3, 8, 2, true);
    for (int h = 0; h < 2; ++h) {
        for (std::size_t i = 0; i < s.signal[h].size(); ++i) s.signal[h][i] = { i + 0.25 * h, -0.5 * double(i) };
        for (std::size_t i = 0; i < s.mask[h].size(); ++i) s.mask[h][i] = { 0.125 * double(i), h + 1.0 };
    }
    for (std::size_t i = 0; i < s.weightSum.size(); ++i) { s.weightedIntensity[i] = 1.5 * double(i); s.weightSum[i] = double(i % 3); }
    s.shots[0] = 5; s.shots[1] = 4;
    return s;
}
int main(int, char** argv) {
    std::vector<std::int64_t> done { 0, 1, 2, 3, 4, 5, 6, 7, 8 };
    auto st = Checkpoint::save(std::string(argv[1]) + "/checkpoint-v1.fxsckpt", fill(), done, "{\"fixture\":1}");
    fxs::remote::SumsFile f { fill(), 0x0123456789abcdefULL, { 0, 2 }, { { 3, "sum below 10" } } };
    auto st2 = f.write(std::string(argv[1]) + "/worker-fxs1.sums");
    std::printf("%d %d\n", st.ok(), st2.ok());
}
