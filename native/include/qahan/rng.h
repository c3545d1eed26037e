// qahan/rng.h - the per-read random stream: xoshiro256** seeded through splitmix64 from
// (seed, modelIndex, readIndex), so every read's stream is fixed by those three numbers alone and the
// thread count never changes the samples.
#pragma once
#include <cstdint>

namespace qahan {

inline uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

class Rng {
 public:
  Rng(uint64_t seed, uint64_t a, uint64_t b) {
    uint64_t x = seed;
    uint64_t k = splitmix64(x) ^ (a * 0xD1B54A32D192ED03ull);
    x = k;
    k = splitmix64(x) ^ (b * 0x8CB92BA72F3D8DD7ull);
    x = k;
    for (auto& w : s_) w = splitmix64(x);
    if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;
  }
  inline uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, 1) with 53 random bits.
  inline double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Uniform integer in [0, m), 0 < m < 2^32 (multiply-shift on the top 32 bits).
  inline uint32_t below(uint32_t m) { return static_cast<uint32_t>(((next() >> 32) * m) >> 32); }

 private:
  static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace qahan
