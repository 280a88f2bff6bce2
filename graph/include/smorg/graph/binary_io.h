#pragma once

// The compact binary files smorg keeps beside a database (the snapshot cache): raw arrays behind
// 64-bit counts, with a 64-bit digest of every byte so that a damaged file is detected instead of
// trusted. Readers bound every count before allocating, so a hostile file cannot ask for more
// memory than it holds.

#include <cstdint>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace smorg::graph {

// A file that is not what it claims: truncated, damaged, or of another format.
class CorruptData : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A streaming 64-bit digest (the XXH64 construction): the same value whatever pieces the bytes
// arrive in. Not cryptographic: it detects damage, not forgery.
class Digest {
public:
    void update(const void* data, std::size_t size) noexcept;
    std::uint64_t value() const noexcept;
    // The digest of one buffer.
    static std::uint64_t of(const void* data, std::size_t size) noexcept;

private:
    void stripe(const unsigned char* p) noexcept;
    std::uint64_t lanes_[4] = {0x60EA27EEADC0B5D6ull, 0xC2B2AE3D27D4EB4Full, 0, 0x61C8864E7A143579ull};
    unsigned char buffer_[32];
    std::size_t buffered_ = 0;
    std::uint64_t total_ = 0;
};

class BinaryWriter {
public:
    explicit BinaryWriter(std::ostream& out) : out_(out) {}
    void bytes(const void* data, std::size_t size);
    template <class T>
    void scalar(T value) {
        static_assert(std::is_trivially_copyable_v<T>);
        bytes(&value, sizeof value);
    }
    template <class T>
    void array(const std::vector<T>& v) {
        static_assert(std::is_trivially_copyable_v<T>);
        scalar<std::uint64_t>(v.size());
        bytes(v.data(), v.size() * sizeof(T));
    }
    void string(const std::string& s);
    void strings(const std::vector<std::string>& v);
    // Writes the digest of everything written so far (not itself digested); throws on an I/O error.
    void finish();

private:
    std::ostream& out_;
    Digest digest_;
};

class BinaryReader {
public:
    // `size`: the bytes the stream holds, the bound of every count read from it.
    BinaryReader(std::istream& in, std::uint64_t size) : in_(in), left_(size) {}
    void bytes(void* data, std::size_t size);
    template <class T>
    T scalar() {
        static_assert(std::is_trivially_copyable_v<T>);
        T value{};
        bytes(&value, sizeof value);
        return value;
    }
    // A count of elements of `element_size` bytes that the rest of the stream could hold.
    std::uint64_t count(std::size_t element_size);
    template <class T>
    void array(std::vector<T>& v) {
        static_assert(std::is_trivially_copyable_v<T>);
        v.resize(count(sizeof(T)));
        bytes(v.data(), v.size() * sizeof(T));
    }
    std::string string();
    std::vector<std::string> strings();
    // Reads the digest written by BinaryWriter::finish and checks it against what was read.
    void verify();
    std::uint64_t left() const noexcept { return left_; }

private:
    std::istream& in_;
    std::uint64_t left_;
    Digest digest_;
};

}  // namespace smorg::graph
