// SPDX-License-Identifier: GPL-3.0-or-later
#include "containers/hdf5/hdf5_isolation.h"

#include <cstdint>
#include <cstdlib>
#include <string>

#if defined(__unix__) || defined(__APPLE__)
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#define WS_HAVE_FORK 1
#endif
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "containers/hdf5/hdf5_library.h"
#include "model/error.h"

namespace ws::h5 {

namespace {
// Exit codes the child uses on purpose; anything else (a signal, a sanitizer's report exit)
// counts as a crash.
constexpr int kProbeSucceeded = 0;
constexpr int kProbeThrew = 97;
}  // namespace

void rehearseIsolated(const std::function<void()>& probe, int timeoutSeconds) {
#ifdef WS_HAVE_FORK
    const char* off = std::getenv("WS_HDF5_NO_ISOLATION");
    if (off && *off == '1') return;
    if (const char* limit = std::getenv("WS_HDF5_WALK_TIMEOUT")) {
        const int seconds = std::atoi(limit);
        if (seconds > 0) timeoutSeconds = seconds;
    }
    pid_t child;
    {
        Lock lock;  // no other thread is inside libhdf5 while we fork
        child = fork();
        if (child == 0) {
#ifdef __linux__
            prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a parent that died waiting
#endif
            alarm(unsigned(timeoutSeconds) + 5);  // a backstop should the parent stop polling
            resetLockAfterFork();
            int code = kProbeSucceeded;
            try {
                probe();
            } catch (...) {
                code = kProbeThrew;
            }
            _exit(code);
        }
    }
    if (child < 0) return;  // cannot fork: fall back to the unprotected walk

    // The deadline is wall-clock time: counting sleep steps would stretch it on a loaded machine
    // until the child's own alarm fired first and a timeout looked like a crash.
    auto nowNs = [] {
        timespec t{};
        clock_gettime(CLOCK_MONOTONIC, &t);
        return std::int64_t(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
    };
    const std::int64_t deadline = nowNs() + std::int64_t(timeoutSeconds) * 1'000'000'000;
    auto timedOut = [&] {
        return FormatError("libhdf5 did not finish reading the file's structure within " +
                           std::to_string(timeoutSeconds) +
                           " s; the HDF5 metadata is damaged (probably a loop)");
    };
    int status = 0;
    for (;;) {
        pid_t done = waitpid(child, &status, WNOHANG);
        if (done == child) break;
        if (done < 0) return;  // someone else reaped it (SIGCHLD ignored): nothing to learn
        if (nowNs() >= deadline) {
            kill(child, SIGKILL);
            waitpid(child, &status, 0);
            throw timedOut();
        }
        timespec pause{0, 2'000'000};  // poll every 2 ms; typical walks take a few ms
        nanosleep(&pause, nullptr);
    }
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) throw timedOut();  // the backstop
    if (WIFEXITED(status) &&
        (WEXITSTATUS(status) == kProbeSucceeded || WEXITSTATUS(status) == kProbeThrew))
        return;
    const std::string how = WIFSIGNALED(status)
                                ? "signal " + std::to_string(WTERMSIG(status))
                                : "exit status " + std::to_string(WEXITSTATUS(status));
    throw FormatError("libhdf5 crashed (" + how +
                      ") while reading the file's structure; the HDF5 metadata is damaged");
#else
    (void)probe;
    (void)timeoutSeconds;
#endif
}

}  // namespace ws::h5
