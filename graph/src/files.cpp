#include "smorg/graph/files.h"

#include <cerrno>
#include <cstring>
#include <istream>
#include <ostream>
#include <random>
#include <vector>

#include "smorg/graph/text.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace smorg::graph {

namespace {

std::string reason(int error) { return std::strerror(error); }

// A buffered stream over a file descriptor it owns.
class FdBuffer : public std::streambuf {
public:
    explicit FdBuffer(int fd) : fd_(fd), buffer_(1 << 16) {
        setg(buffer_.data(), buffer_.data(), buffer_.data());
        setp(buffer_.data(), buffer_.data() + buffer_.size());
    }
    ~FdBuffer() override {
        if (fd_ >= 0) ::close(fd_);
    }
    FdBuffer(const FdBuffer&) = delete;
    FdBuffer& operator=(const FdBuffer&) = delete;
    int fd() const noexcept { return fd_; }
    bool failed() const noexcept { return failed_; }
    int close_fd() {
        const int rc = fd_ >= 0 ? ::close(fd_) : 0;
        fd_ = -1;
        return rc;
    }

protected:
    int_type underflow() override {
        if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
        ssize_t got;
        do {
            got = ::read(fd_, buffer_.data(), buffer_.size());
        } while (got < 0 && errno == EINTR);
        if (got <= 0) {
            failed_ = failed_ || got < 0;
            return traits_type::eof();
        }
        setg(buffer_.data(), buffer_.data(), buffer_.data() + got);
        return traits_type::to_int_type(*gptr());
    }
    std::streamsize xsgetn(char* s, std::streamsize count) override {
        std::streamsize done = 0;
        while (done < count) {
            if (gptr() < egptr()) {
                // What is buffered first.
                const auto take = std::min<std::streamsize>(count - done, egptr() - gptr());
                std::memcpy(s + done, gptr(), static_cast<std::size_t>(take));
                gbump(static_cast<int>(take));
                done += take;
            } else if (count - done >= static_cast<std::streamsize>(buffer_.size())) {
                // Large requests straight into the caller's memory.
                ssize_t got;
                do {
                    got = ::read(fd_, s + done, static_cast<std::size_t>(count - done));
                } while (got < 0 && errno == EINTR);
                if (got <= 0) {
                    failed_ = failed_ || got < 0;
                    break;
                }
                done += got;
            } else if (traits_type::eq_int_type(underflow(), traits_type::eof())) {
                break;
            }
        }
        return done;
    }
    int_type overflow(int_type c) override {
        if (!flush_buffer()) return traits_type::eof();
        if (!traits_type::eq_int_type(c, traits_type::eof())) {
            *pptr() = traits_type::to_char_type(c);
            pbump(1);
        }
        return traits_type::not_eof(c);
    }
    std::streamsize xsputn(const char* s, std::streamsize count) override {
        if (count < static_cast<std::streamsize>(buffer_.size()) / 2) return std::streambuf::xsputn(s, count);
        if (!flush_buffer() || !write_all(s, static_cast<std::size_t>(count))) return 0;
        return count;
    }
    int sync() override { return flush_buffer() ? 0 : -1; }

private:
    bool write_all(const char* p, std::size_t size) {
        while (size > 0) {
            const ssize_t put = ::write(fd_, p, size);
            if (put < 0 && errno == EINTR) continue;
            if (put <= 0) {
                failed_ = true;
                return false;
            }
            p += put;
            size -= static_cast<std::size_t>(put);
        }
        return true;
    }
    bool flush_buffer() {
        const auto pending = static_cast<std::size_t>(pptr() - pbase());
        if (pending > 0 && !write_all(pbase(), pending)) return false;
        setp(buffer_.data(), buffer_.data() + buffer_.size());
        return true;
    }

    int fd_;
    std::vector<char> buffer_;
    bool failed_ = false;
};

}  // namespace

FileError::FileError(const std::string& path, const std::string& why)
    : std::runtime_error("'" + printable(path) + "': " + printable(why)), path_(printable(path)), reason_(printable(why)) {}

struct InputFile::Impl {
    FdBuffer buffer;
    std::istream stream{&buffer};
    explicit Impl(int fd) : buffer(fd) {}
};

InputFile::InputFile(const std::filesystem::path& path) : path_(path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) throw FileError(path.string(), "cannot open: " + reason(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int error = errno;
        ::close(fd);
        throw FileError(path.string(), "cannot read: " + reason(error));
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        throw FileError(path.string(), S_ISDIR(st.st_mode) ? "is a directory, not a file"
                                                           : "is not a regular file (a pipe, device or socket is not read)");
    }
    // Back to blocking reads for a regular file.
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    size_ = static_cast<std::uint64_t>(st.st_size);
    impl_ = std::make_unique<Impl>(fd);
}

InputFile::~InputFile() = default;

std::istream& InputFile::stream() { return impl_->stream; }

struct AtomicFile::Impl {
    FdBuffer buffer;
    std::ostream stream{&buffer};
    std::filesystem::path temp;
    bool committed = false;
    Impl(int fd, std::filesystem::path t) : buffer(fd), temp(std::move(t)) {}
};

AtomicFile::AtomicFile(const std::filesystem::path& path, unsigned mode) : path_(path) {
    std::random_device random;
    for (int attempt = 0;; ++attempt) {
        char suffix[32];
        std::snprintf(suffix, sizeof suffix, ".tmp-%08x", static_cast<unsigned>(random()));
        std::filesystem::path temp = path;
        temp += suffix;
        const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd >= 0) {
            impl_ = std::make_unique<Impl>(fd, std::move(temp));
            return;
        }
        if (errno != EEXIST || attempt > 16) throw FileError(path.string(), "cannot write: " + reason(errno));
    }
}

AtomicFile::~AtomicFile() {
    if (impl_ && !impl_->committed) {
        impl_->buffer.close_fd();
        ::unlink(impl_->temp.c_str());
    }
}

std::ostream& AtomicFile::stream() { return impl_->stream; }

void AtomicFile::commit() {
    impl_->stream.flush();
    const bool written = impl_->stream.good() && !impl_->buffer.failed();
    const int error = errno;
    if (impl_->buffer.close_fd() != 0 || !written) {
        throw FileError(path_.string(), "writing failed: " + reason(written ? errno : error));
    }
    if (::rename(impl_->temp.c_str(), path_.c_str()) != 0) {
        throw FileError(path_.string(), "cannot replace the file: " + reason(errno));
    }
    impl_->committed = true;
}

bool same_file(const std::filesystem::path& a, const std::filesystem::path& b) noexcept {
    struct stat sa {
    }, sb{};
    if (::stat(a.c_str(), &sa) != 0 || ::stat(b.c_str(), &sb) != 0) return false;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

}  // namespace smorg::graph
