#include "smorg/graph/binary_io.h"

#include <cstring>
#include <istream>
#include <ostream>

namespace smorg::graph {

namespace {

constexpr std::uint64_t kP1 = 11400714785074694791ull;
constexpr std::uint64_t kP2 = 14029467366897019727ull;
constexpr std::uint64_t kP3 = 1609587929392839161ull;
constexpr std::uint64_t kP4 = 9650029242287828579ull;
constexpr std::uint64_t kP5 = 2870177450012600261ull;

std::uint64_t rotl(std::uint64_t x, int r) noexcept { return (x << r) | (x >> (64 - r)); }
std::uint64_t read64(const unsigned char* p) noexcept {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}
std::uint32_t read32(const unsigned char* p) noexcept {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}
std::uint64_t round(std::uint64_t acc, std::uint64_t input) noexcept { return rotl(acc + input * kP2, 31) * kP1; }
std::uint64_t merge(std::uint64_t acc, std::uint64_t lane) noexcept { return (acc ^ round(0, lane)) * kP1 + kP4; }

}  // namespace

void Digest::stripe(const unsigned char* p) noexcept {
    for (int i = 0; i < 4; ++i) lanes_[i] = round(lanes_[i], read64(p + 8 * i));
}

void Digest::update(const void* data, std::size_t size) noexcept {
    if (size == 0) return;
    const auto* p = static_cast<const unsigned char*>(data);
    total_ += size;
    if (buffered_ > 0) {
        const std::size_t take = std::min(size, 32 - buffered_);
        std::memcpy(buffer_ + buffered_, p, take);
        buffered_ += take;
        p += take;
        size -= take;
        if (buffered_ < 32) return;
        stripe(buffer_);
        buffered_ = 0;
    }
    for (; size >= 32; p += 32, size -= 32) stripe(p);
    std::memcpy(buffer_, p, size);
    buffered_ = size;
}

std::uint64_t Digest::value() const noexcept {
    std::uint64_t h;
    if (total_ >= 32) {
        h = rotl(lanes_[0], 1) + rotl(lanes_[1], 7) + rotl(lanes_[2], 12) + rotl(lanes_[3], 18);
        for (auto lane : lanes_) h = merge(h, lane);
    } else {
        h = kP5;
    }
    h += total_;
    const unsigned char* p = buffer_;
    std::size_t left = buffered_;
    for (; left >= 8; p += 8, left -= 8) h = rotl(h ^ round(0, read64(p)), 27) * kP1 + kP4;
    if (left >= 4) {
        h = rotl(h ^ (static_cast<std::uint64_t>(read32(p)) * kP1), 23) * kP2 + kP3;
        p += 4;
        left -= 4;
    }
    for (; left > 0; ++p, --left) h = rotl(h ^ (*p * kP5), 11) * kP1;
    h ^= h >> 33;
    h *= kP2;
    h ^= h >> 29;
    h *= kP3;
    h ^= h >> 32;
    return h;
}

std::uint64_t Digest::of(const void* data, std::size_t size) noexcept {
    Digest d;
    d.update(data, size);
    return d.value();
}

void BinaryWriter::bytes(const void* data, std::size_t size) {
    digest_.update(data, size);
    out_.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
}

void BinaryWriter::string(const std::string& s) {
    scalar<std::uint64_t>(s.size());
    bytes(s.data(), s.size());
}

void BinaryWriter::strings(const std::vector<std::string>& v) {
    scalar<std::uint64_t>(v.size());
    for (const auto& s : v) string(s);
}

void BinaryWriter::finish() {
    const std::uint64_t value = digest_.value();
    out_.write(reinterpret_cast<const char*>(&value), sizeof value);
    out_.flush();
    if (!out_) throw std::runtime_error("could not write the file");
}

void BinaryReader::bytes(void* data, std::size_t size) {
    if (size > left_) throw CorruptData("the file is truncated");
    in_.read(static_cast<char*>(data), static_cast<std::streamsize>(size));
    if (static_cast<std::size_t>(in_.gcount()) != size) throw CorruptData("the file is truncated");
    left_ -= size;
    digest_.update(data, size);
}

std::uint64_t BinaryReader::count(std::size_t element_size) {
    const auto n = scalar<std::uint64_t>();
    if (element_size > 0 && n > left_ / element_size)
        throw CorruptData("the file is truncated or damaged: a count exceeds what is left of it");
    return n;
}

std::string BinaryReader::string() {
    std::string s(count(1), '\0');
    bytes(s.data(), s.size());
    return s;
}

std::vector<std::string> BinaryReader::strings() {
    // Each string takes at least its 8-byte length.
    std::vector<std::string> v(count(8));
    for (auto& s : v) s = string();
    return v;
}

void BinaryReader::verify() {
    const std::uint64_t expected = digest_.value();
    std::uint64_t stored = 0;
    if (left_ < sizeof stored) throw CorruptData("the file is truncated");
    in_.read(reinterpret_cast<char*>(&stored), sizeof stored);
    if (in_.gcount() != sizeof stored) throw CorruptData("the file is truncated");
    left_ -= sizeof stored;
    if (stored != expected) throw CorruptData("the file is damaged: its checksum does not match");
}

}  // namespace smorg::graph
