#pragma once

// smorg's own random numbers, for every layer: SplitMix64 seeds xoshiro256** (Blackman & Vigna).
// The standard engines are specified bit for bit but the std::*_distribution algorithms are not, so
// the draws are turned into doubles, bounded integers, normals and shuffles here, and the same seed
// gives the same answer with any standard library. Streams are keyed by (seed, work item), never by
// thread, so an answer is the same at any thread count.

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

namespace smorg::graph {

__extension__ using Uint128 = unsigned __int128;

class SplitMix64 {
public:
    explicit SplitMix64(std::uint64_t state) : state_(state) {}
    std::uint64_t next() noexcept {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }

private:
    std::uint64_t state_;
};

class Rng {
public:
    // The random stream of work item `item` (a sample, a source node, a round, a person) under `seed`.
    static Rng stream(std::uint64_t seed, std::uint64_t item) noexcept {
        SplitMix64 mix(seed ^ (item * 0xD1B54A32D192ED03ull + 0x8CB92BA72F3D8DD7ull));
        mix.next();
        return Rng(mix);
    }
    explicit Rng(std::uint64_t seed) noexcept : Rng(SplitMix64(seed)) {}

    std::uint64_t next() noexcept {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    // Uniform in [0, 1), 53 random bits.
    double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    // Uniform in [0, bound), bound > 0, without modulo bias (Lemire's multiply-shift method).
    std::uint64_t below(std::uint64_t bound) noexcept {
        Uint128 product = static_cast<Uint128>(next()) * bound;
        auto low = static_cast<std::uint64_t>(product);
        if (low < bound) {
            const std::uint64_t threshold = (0 - bound) % bound;
            while (low < threshold) {
                product = static_cast<Uint128>(next()) * bound;
                low = static_cast<std::uint64_t>(product);
            }
        }
        return static_cast<std::uint64_t>(product >> 64);
    }
    bool bernoulli(double p) noexcept { return uniform() < p; }
    // Standard normal (Box-Muller, one of the pair).
    double normal() noexcept {
        const double u1 = uniform();
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1 > 0 ? u1 : 0x1.0p-53)) * std::cos(6.283185307179586 * u2);
    }

private:
    explicit Rng(SplitMix64 mix) noexcept {
        for (auto& word : s_) word = mix.next();
    }
    static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
    std::uint64_t s_[4];
};

// Shuffles all of `v` uniformly (Fisher-Yates, from the back).
template <class T>
void shuffle(std::vector<T>& v, Rng& rng) noexcept {
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}

// Makes the first min(k, size) items of `v` a uniform sample without replacement, in random order
// (a partial Fisher-Yates, from the front); the rest keep what is left.
template <class T>
void shuffle_prefix(std::vector<T>& v, std::size_t k, Rng& rng) noexcept {
    for (std::size_t i = 0; i < v.size() && i < k; ++i) std::swap(v[i], v[i + rng.below(v.size() - i)]);
}

}  // namespace smorg::graph
