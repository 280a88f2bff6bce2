#pragma once

// Opening and replacing files the way a service must: read only regular files (never a FIFO, a
// device or a directory, which would block or never end), and write a file by creating a fresh
// temporary beside it (never following a planted symlink) and renaming it into place, so a reader
// never sees half a file and a failed write leaves the old one.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <streambuf>
#include <string>

namespace smorg::graph {

// A file could not be opened, read or written; the message names the path and the reason.
class FileError : public std::runtime_error {
public:
    FileError(const std::string& path, const std::string& reason);
    const std::string& path() const noexcept { return path_; }
    // Why, without the path: "cannot open: No such file or directory".
    const std::string& reason() const noexcept { return reason_; }

private:
    std::string path_;
    std::string reason_;
};

// An open regular file for reading (through `stream()`); throws FileError when `path` is missing,
// unreadable or not a regular file (FIFOs are opened without blocking and refused).
class InputFile {
public:
    explicit InputFile(const std::filesystem::path& path);
    ~InputFile();
    InputFile(const InputFile&) = delete;
    InputFile& operator=(const InputFile&) = delete;

    std::uint64_t size() const noexcept { return size_; }
    std::istream& stream();
    const std::filesystem::path& path() const noexcept { return path_; }

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::filesystem::path path_;
    std::uint64_t size_ = 0;
};

// A file being written: a new temporary beside `path` (created exclusively, so a symlink planted at
// its name is never followed), renamed over `path` by commit(); removed when not committed.
class AtomicFile {
public:
    // `mode`: the permission bits of the new file.
    explicit AtomicFile(const std::filesystem::path& path, unsigned mode = 0644);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    std::ostream& stream();
    // Flushes and renames the temporary into place; throws FileError on any write error.
    void commit();
    const std::filesystem::path& path() const noexcept { return path_; }

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::filesystem::path path_;
};

// True when both paths exist and name the same file (same device and inode).
bool same_file(const std::filesystem::path& a, const std::filesystem::path& b) noexcept;

}  // namespace smorg::graph
