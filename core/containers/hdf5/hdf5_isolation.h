// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// libhdf5 1.10 is not hardened against damaged files: a corrupted global-heap entry behind a
// variable-length string makes H5HG_read copy from a wild pointer (SIGSEGV), and some damaged
// B-trees make it loop forever. Neither can be caught in-process, and the damage cannot be
// pre-validated through the public API (the heap references are never exposed). So the
// metadata walk is first rehearsed in a forked child: if the child crashes or hangs, the file
// is rejected with a FormatError before the real walk runs in this process.
#include <functional>

namespace ws::h5 {

// Runs `probe` in a forked child process (Unix; elsewhere it does nothing). Returns when the
// child finished, whether the probe succeeded or threw (the caller then repeats the work and
// gets the real error). Throws FormatError when the child died from a signal or did not finish
// within `timeoutSeconds`. The HDF5 lock is held across fork() so the child never inherits a
// library lock held by another thread. Set WS_HDF5_NO_ISOLATION=1 to skip (debugging);
// WS_HDF5_WALK_TIMEOUT=<seconds> overrides the timeout (tests use a short one).
void rehearseIsolated(const std::function<void()>& probe, int timeoutSeconds);

}  // namespace ws::h5
