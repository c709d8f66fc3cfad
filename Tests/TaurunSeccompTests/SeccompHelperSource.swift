// The C source of the test helper `seccomp-exec`, kept as a string because a Swift test target cannot hold C
// files (and Package.swift is not ours to change). SeccompHelper compiles it with cc against CLinux's clinux.c, so
// the helper loads filters with exactly the call the runtime's container child uses.

enum SeccompHelperSource {
    static let text = #"""
// Test helper for TaurunSeccompTests, compiled by the tests with cc (it is not part of the package build).
// Usage: seccomp-exec FLAGS BPF-FILE PROGRAM [ARGS...]
//        seccomp-exec FLAGS BPF-FILE --probe NAME
// Loads the classic-BPF program in BPF-FILE with the same CLinux call the runtime's child uses
// (tr_seccomp_set_mode_filter), then either execs PROGRAM or makes one raw syscall and prints "rc=R errno=E".
// A separate process is needed because a filter can never be removed from the process that loads it.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clinux.h"

static long probe(const char *name) {
    if (strcmp(name, "unshare-uts") == 0) return syscall(SYS_unshare, CLONE_NEWUTS);
    if (strcmp(name, "setns") == 0) return syscall(SYS_setns, -1, 0);
    // Probes are harmless when the filter does not block them: the bind source does not exist (ENOENT) and PEEKUSER
    // of a process that is not traced fails with ESRCH.
    if (strcmp(name, "mount-bind") == 0) return syscall(SYS_mount, "/nonexistent-taurun-probe", "/tmp", NULL, MS_BIND, NULL);
    if (strcmp(name, "keyctl") == 0) return syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0);
    if (strcmp(name, "bpf") == 0) {
        union bpf_attr attr;
        memset(&attr, 0, sizeof(attr));
        return syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
    }
    if (strcmp(name, "ptrace") == 0) return syscall(SYS_ptrace, 3 /* PTRACE_PEEKUSER */, getpid(), 0, 0);
    if (strcmp(name, "clone3") == 0) return syscall(SYS_clone3, NULL, 0);
    if (strcmp(name, "personality-query") == 0) return syscall(SYS_personality, 0xffffffffUL);
    if (strcmp(name, "personality-no-randomize") == 0) return syscall(SYS_personality, 0x0040000UL);
    if (strcmp(name, "clone-plain") == 0 || strcmp(name, "clone-newuts") == 0) {
        unsigned long flags = SIGCHLD | (strcmp(name, "clone-newuts") == 0 ? CLONE_NEWUTS : 0);
        long pid = syscall(SYS_clone, flags, 0, 0, 0, 0);
        if (pid == 0) _exit(0);
        if (pid > 0) {
            int status;
            waitpid((pid_t)pid, &status, 0);
            return 0;
        }
        return pid;
    }
    if (strcmp(name, "kill-0") == 0) return syscall(SYS_kill, getpid(), 0);
    if (strcmp(name, "getppid") == 0) return syscall(SYS_getppid);
    if (strncmp(name, "raw-", 4) == 0) return syscall(atol(name + 4), 0, 0, 0, 0, 0);
#if defined(__x86_64__)
    if (strcmp(name, "i386-getpid") == 0) {
        // The 32-bit syscall entry: getpid is 20 in the i386 table; the filter sees AUDIT_ARCH_I386.
        long ret;
        __asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
        if (ret < 0) { errno = (int)-ret; return -1; }
        return ret;
    }
#endif
    fprintf(stderr, "unknown probe %s\n", name);
    exit(2);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s FLAGS BPF-FILE PROGRAM [ARGS...] | --probe NAME\n", argv[0]);
        return 2;
    }
    unsigned int flags = (unsigned int)strtoul(argv[1], NULL, 0);
    static unsigned char program[65536];
    int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
    if (fd < 0) { perror("open"); return 2; }
    ssize_t size = read(fd, program, sizeof(program));
    close(fd);
    if (size <= 0 || size % 8 != 0) { fprintf(stderr, "bad program size %zd\n", size); return 2; }
    int rc = tr_seccomp_set_mode_filter(flags, program, (unsigned short)(size / 8));
    if (rc < 0) { fprintf(stderr, "seccomp load: %s\n", strerror(errno)); return 3; }
    if (strcmp(argv[3], "--probe") == 0 && argc >= 5) {
        errno = 0;
        long result = probe(argv[4]);
        printf("rc=%ld errno=%d\n", result, result < 0 ? errno : 0);
        return 0;
    }
    execv(argv[3], argv + 3);
    fprintf(stderr, "execv %s: %s\n", argv[3], strerror(errno));
    return 127;
}
"""#
}
