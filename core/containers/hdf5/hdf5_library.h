// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The one place that touches libhdf5's global state: a lock around every call (the GUI reads
// tensors from worker threads), automatic error printing switched off, the error stack turned
// into text for FormatError messages, and an owning handle type.
#include <hdf5.h>

#include <mutex>
#include <string>

namespace ws::h5 {

// Held around every HDF5 call. Also silences the library's automatic error printing, which
// is per thread in thread-safe builds, so it is done on every acquisition (cheap).
class Lock {
  public:
    Lock();

  private:
    std::unique_lock<std::recursive_mutex> lock_;
};

// For a child process right after fork(): the lock the parent held is owned by a thread that
// does not exist in the child, so it is replaced by a fresh one.
void resetLockAfterFork();

// The most specific messages on the current thread's HDF5 error stack, e.g. "unable to open
// file: file signature not found"; empty when the stack is empty.
std::string errorStackText();

// Throws FormatError("<what>: <HDF5 error stack>").
[[noreturn]] void fail(const std::string& what);

// An owned HDF5 identifier (file, group, dataset, type, space, attribute, property list),
// released with H5Idec_ref.
class Handle {
  public:
    Handle() = default;
    explicit Handle(hid_t id) : id_(id) {}
    ~Handle() { reset(); }
    Handle(Handle&& other) noexcept : id_(other.id_) { other.id_ = -1; }
    Handle& operator=(Handle&& other) noexcept;
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;

    hid_t get() const { return id_; }
    bool valid() const { return id_ >= 0; }
    void reset();

  private:
    hid_t id_ = -1;
};

// Wraps the result of an H5*open/create/get call; throws via fail(what) when it failed.
Handle checked(hid_t id, const std::string& what);

}  // namespace ws::h5
