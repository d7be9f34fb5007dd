// SPDX-License-Identifier: GPL-3.0-or-later
#include "io/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "model/error.h"

namespace ws {

namespace {

class MappedFile : public ByteSource {
  public:
    MappedFile(const std::uint8_t* base, std::uint64_t size) : base_(base), size_(size) {}
    ~MappedFile() override {
        if (base_ && size_) munmap(const_cast<std::uint8_t*>(base_), size_);
    }
    std::uint64_t size() const override { return size_; }
    void read(std::uint64_t offset, void* dst, std::size_t n) const override {
        if (offset > size_ || n > size_ - offset)
            throw FormatError("read of " + std::to_string(n) + " bytes at offset " +
                              std::to_string(offset) + " is beyond the end of the file (" +
                              std::to_string(size_) + " bytes)");
        if (n) std::memcpy(dst, base_ + offset, n);
    }
    const std::uint8_t* data() const override { return base_; }

  private:
    const std::uint8_t* base_;
    std::uint64_t size_;
};

}  // namespace

ByteSourcePtr mapFile(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw FormatError(std::string("cannot open: ") + std::strerror(errno));
    struct stat st {};
    if (fstat(fd, &st) != 0) {
        int err = errno;
        ::close(fd);
        throw FormatError(std::string("cannot stat: ") + std::strerror(err));
    }
    if (S_ISDIR(st.st_mode)) {
        ::close(fd);
        throw FormatError("is a directory, not a model file");
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        throw FormatError("is not a regular file");
    }
    std::uint64_t size = std::uint64_t(st.st_size);
    if (size == 0) {
        ::close(fd);
        return std::make_shared<MappedFile>(nullptr, 0);
    }
    void* base = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    int err = errno;
    ::close(fd);
    if (base == MAP_FAILED) throw FormatError(std::string("cannot map: ") + std::strerror(err));
    return std::make_shared<MappedFile>(static_cast<const std::uint8_t*>(base), size);
}

}  // namespace ws
