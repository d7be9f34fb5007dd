// SPDX-License-Identifier: GPL-3.0-or-later
#include "io/atomic_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "io/crash_point.h"
#include "model/error.h"

namespace ws {

namespace {

const char* const kTempInfix = ".tmp-";
constexpr std::size_t kTempRandom = 6;  // mkstemp's XXXXXX

struct PathParts {
    std::string dir;     // "." when the path has no folder
    std::string prefix;  // the folder with its slash, or ""
    std::string leaf;
};

PathParts splitPath(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    if (slash == std::string::npos) return {".", "", path};
    return {slash == 0 ? "/" : path.substr(0, slash), path.substr(0, slash + 1),
            path.substr(slash + 1)};
}

}  // namespace

std::vector<std::string> leftoverTemporaryFiles(const std::string& path) {
    const PathParts parts = splitPath(path);
    const std::string start = "." + parts.leaf + kTempInfix;
    std::vector<std::string> out;
    DIR* dir = ::opendir(parts.dir.c_str());
    if (!dir) return out;
    while (const dirent* d = ::readdir(dir)) {
        const std::string name = d->d_name;
        if (name.size() == start.size() + kTempRandom && name.compare(0, start.size(), start) == 0)
            out.push_back(parts.prefix + name);
    }
    ::closedir(dir);
    return out;
}

AtomicFile::AtomicFile(const std::string& path) : path_(path) {
    const PathParts parts = splitPath(path);
    dir_ = parts.dir;
    struct stat st {};
    const bool exists = ::stat(path.c_str(), &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) fail("is a directory", EISDIR);
    // A hidden name beside the destination: same folder, so rename() never crosses devices.
    std::string pattern = parts.prefix + "." + parts.leaf + kTempInfix + "XXXXXX";
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    fd_ = ::mkstemp(name.data());
    if (fd_ < 0) fail("cannot create a temporary file in " + dir_, errno);
    temp_ = name.data();
    // mkstemp creates 0600; keep the mode of the file we replace, else what umask allows.
    mode_t mode = 0;
    if (exists) {
        mode = st.st_mode & 07777;
    } else {
        const mode_t mask = ::umask(0);
        ::umask(mask);
        mode = 0666 & ~mask;
    }
    ::fchmod(fd_, mode);
}

AtomicFile::~AtomicFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!temp_.empty()) ::unlink(temp_.c_str());
}

void AtomicFile::fail(const std::string& what, int err) {
    // Clean up before throwing so that no half-written file outlives the error.
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    if (!temp_.empty()) ::unlink(temp_.c_str());
    temp_.clear();
    throw IoError(what + ": " + std::strerror(err), path_);
}

void AtomicFile::write(const void* data, std::size_t n) {
    if (fd_ < 0) throw InternalError("write after the file was closed", path_);
    crashPoint("save-writing");
    const char* p = static_cast<const char*>(data);
    while (n) {
        const ssize_t w = ::write(fd_, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) fail("cannot write", w < 0 ? errno : ENOSPC);
        p += w;
        n -= std::size_t(w);
        position_ += std::uint64_t(w);
    }
}

void AtomicFile::writeAt(std::uint64_t offset, const void* data, std::size_t n) {
    if (fd_ < 0) throw InternalError("write after the file was closed", path_);
    if (offset > position_ || n > position_ - offset)
        throw InternalError("rewrite past the written bytes", path_);
    const char* p = static_cast<const char*>(data);
    while (n) {
        const ssize_t w = ::pwrite(fd_, p, n, off_t(offset));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) fail("cannot write", w < 0 ? errno : ENOSPC);
        p += w;
        n -= std::size_t(w);
        offset += std::uint64_t(w);
    }
}

void AtomicFile::commit() {
    if (fd_ < 0) throw InternalError("commit after the file was closed", path_);
    if (::fsync(fd_) != 0) fail("cannot flush to disk", errno);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail("cannot close", errno);
    crashPoint("save-before-rename");
    if (::rename(temp_.c_str(), path_.c_str()) != 0)
        fail("cannot rename the temporary file over the destination", errno);
    temp_.clear();
    crashPoint("save-after-rename");
    // The rename itself is durable only once the folder is synced.
    const int dirFd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirFd >= 0) {
        ::fsync(dirFd);
        ::close(dirFd);
    }
}

}  // namespace ws
