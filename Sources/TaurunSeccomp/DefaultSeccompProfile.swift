// taurun's default seccomp profile, for `taurun spec` and Tau apps: an allow-list written from the kernel's syscall
// table, not derived from Docker's or Podman's JSON. Anything not listed fails with EPERM.
//
// What ordinary programs need is allowed: files and directories, memory, processes and threads (clone without
// namespace flags), signals, time reading, sockets, SysV/POSIX IPC, polling, credentials within the capability
// bounding set, and the 32-bit and legacy spellings of the same calls (used only if a profile adds a compat
// architecture; see `architectures`). Names this libseccomp does not know are skipped by the compiler.
//
// What is not listed, and why (these are the "blocked" groups; the default action refuses them):
// - unshare, setns, and clone with any CLONE_NEW* flag: creating or entering namespaces is how a process builds a
//   new view of the system, and user namespaces hand an unprivileged process capabilities over kernel code that has
//   a long history of privilege escalations. clone3 gets ENOSYS because its flags live in memory a filter cannot read;
//   libc then falls back to clone, whose flags are checked.
// - mount, umount, umount2, pivot_root and the new mount API (fsopen, fsconfig, fsmount, fspick, open_tree,
//   move_mount, mount_setattr): rearranging mounts can uncover what masked/read-only paths hide.
// - kexec_load, kexec_file_load, reboot: replacing or stopping the host kernel.
// - init_module, finit_module, delete_module (and the removed create_module, get_kernel_syms, query_module): loading
//   code into the host kernel.
// - bpf, perf_event_open: kernel programs and performance counters, a large attack surface and an information leak
//   about other processes.
// - keyctl, add_key, request_key: the kernel keyring is not namespaced, so keys would be shared with the host.
// - ptrace, process_vm_readv, process_vm_writev, kcmp, pidfd_getfd, process_madvise: reading or steering other
//   processes; ptrace can also be used to get around seccomp filters on older kernels.
// - open_by_handle_at, name_to_handle_at: open files by handle, bypassing the path lookup that keeps a container
//   inside its root (the "shocker" escape).
// - userfaultfd: lets a process stall kernel page faults at will, a standard tool for exploiting kernel races.
// - io_uring_setup, io_uring_enter, io_uring_register: operations submitted through the ring are not seen by
//   seccomp, and io_uring has been a frequent source of kernel exploits.
// - swapon, swapoff, acct, quotactl, quotactl_fd, lookup_dcookie, nfsservctl, vhangup: host administration.
// - settimeofday, clock_settime, clock_adjtime, adjtimex, stime: the clock is not namespaced; setting it changes the
//   host's time.
// - iopl, ioperm, modify_ldt, vm86, vm86old: raw hardware port access and x86 segment tricks behind several CVEs.
// - syslog: reads the kernel log, which leaks kernel addresses.
// - uselib, ustat, sysfs, _sysctl: obsolete interfaces nobody needs any more.
// - fanotify_init, move_pages, migrate_pages: watching or moving memory of the whole system or of other processes.

import TaurunOCI

public enum DefaultSeccompProfile {
    /// The profile as an OCI `linux.seccomp` section.
    public static func profile() -> LinuxSeccomp {
        var rules: [LinuxSyscall] = [LinuxSyscall(names: allowed, action: .allow)]
        rules.append(cloneWithoutNamespaces)
        rules.append(LinuxSyscall(names: ["clone3"], action: .errno, errnoRet: SeccompKernelABI.enosys))
        rules.append(contentsOf: personalityValues)
        return LinuxSeccomp(
            defaultAction: .errno, defaultErrnoRet: SeccompKernelABI.eperm, architectures: architectures, syscalls: rules)
    }

    /// Bits of clone's flags that create namespaces: CLONE_NEWNS 0x00020000, CLONE_NEWCGROUP 0x02000000,
    /// CLONE_NEWUTS 0x04000000, CLONE_NEWIPC 0x08000000, CLONE_NEWUSER 0x10000000, CLONE_NEWPID 0x20000000,
    /// CLONE_NEWNET 0x40000000. (CLONE_NEWTIME 0x80 is only meaningful to clone3/unshare; in clone's flags those bits
    /// are the exit signal.)
    public static let namespaceCloneFlags: UInt64 = 0x7E02_0000

    /// clone is allowed only when none of the namespace bits is set: (flags & mask) == 0.
    /// The flags are the first argument on x86, x86_64, arm and aarch64.
    static let cloneWithoutNamespaces = LinuxSyscall(
        names: ["clone"], action: .allow,
        args: [LinuxSeccompArg(index: 0, value: namespaceCloneFlags, valueTwo: 0, op: .maskedEqual)])

    /// personality(2) only for the values programs use: PER_LINUX, PER_LINUX32, UNAME26 (old build scripts), their
    /// combination, and 0xffffffff which only queries. Other personalities turn off address-space randomisation or
    /// change how the kernel reads addresses.
    static let personalityValues: [LinuxSyscall] = [0x0, 0x8, 0x20000, 0x20008, 0xffff_ffff].map { value in
        LinuxSyscall(names: ["personality"], action: .allow, args: [LinuxSeccompArg(index: 0, value: value, op: .equalTo)])
    }

    /// The native architecture only. A 32-bit (x86, arm) or x32 syscall then fails the filter's architecture check
    /// and kills the process: the compat syscall layers have had their own escalation bugs, containers rarely ship
    /// 32-bit binaries, and each extra ABI makes the filter about three times larger (396 -> 1223 instructions on
    /// x86_64) and slower to compile (about 2 ms -> 13 ms, release build). A profile that needs them can add
    /// SCMP_ARCH_X86/SCMP_ARCH_X32/SCMP_ARCH_ARM; the 32-bit spellings (socketcall, mmap2, fcntl64, ...) are already
    /// in the allow-list for that case.
    static var architectures: [Arch] {
        #if arch(x86_64)
        return [.x86_64]
        #elseif arch(arm64)
        return [.aarch64]
        #else
        return []
        #endif
    }

    static let allowed: [String] = files + directoriesAndMetadata + memory + processes + signals + time + sockets
        + ipc + polling + credentials + system

    /// Reading and writing open files and pipes.
    static let files = [
        "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2", "pwritev2",
        "open", "openat", "openat2", "creat", "close", "close_range", "lseek", "_llseek", "dup", "dup2", "dup3",
        "pipe", "pipe2", "fcntl", "fcntl64", "flock", "ioctl", "fsync", "fdatasync", "sync", "syncfs",
        "sync_file_range", "sync_file_range2", "arm_sync_file_range", "truncate", "ftruncate", "truncate64",
        "ftruncate64", "fallocate", "fadvise64", "fadvise64_64", "arm_fadvise64_64", "readahead", "sendfile",
        "sendfile64", "splice", "tee", "vmsplice", "copy_file_range", "memfd_create", "cachestat",
        "io_setup", "io_destroy", "io_submit", "io_cancel", "io_getevents", "io_pgetevents", "io_pgetevents_time64",
    ]

    /// Paths, directories, links, permissions and extended attributes.
    static let directoriesAndMetadata = [
        "stat", "fstat", "lstat", "newfstatat", "statx", "stat64", "fstat64", "lstat64", "fstatat64", "oldstat",
        "oldfstat", "oldlstat", "statfs", "fstatfs", "statfs64", "fstatfs64", "access", "faccessat", "faccessat2",
        "getdents", "getdents64", "readdir", "getcwd", "chdir", "fchdir", "chroot", "mkdir", "mkdirat", "rmdir",
        "rename", "renameat", "renameat2", "link", "linkat", "unlink", "unlinkat", "symlink", "symlinkat",
        "readlink", "readlinkat", "mknod", "mknodat", "chmod", "fchmod", "fchmodat", "fchmodat2", "chown",
        "fchown", "lchown", "fchownat", "chown32", "fchown32", "lchown32", "umask", "utime", "utimes",
        "utimensat", "utimensat_time64", "futimesat", "inotify_init", "inotify_init1", "inotify_add_watch",
        "inotify_rm_watch", "setxattr", "lsetxattr", "fsetxattr", "getxattr", "lgetxattr", "fgetxattr",
        "listxattr", "llistxattr", "flistxattr", "removexattr", "lremovexattr", "fremovexattr", "setxattrat",
        "getxattrat", "listxattrat", "removexattrat",
    ]

    /// The process's own address space.
    static let memory = [
        "brk", "mmap", "mmap2", "munmap", "mremap", "mprotect", "madvise", "mincore", "msync", "mlock", "mlock2",
        "munlock", "mlockall", "munlockall", "remap_file_pages", "membarrier", "pkey_alloc", "pkey_free",
        "pkey_mprotect", "get_mempolicy", "set_mempolicy", "mbind", "map_shadow_stack", "mseal",
    ]

    /// Creating, running, waiting for and scheduling processes and threads (clone is allowed separately, filtered).
    static let processes = [
        "fork", "vfork", "execve", "execveat", "exit", "exit_group", "wait4", "waitid", "waitpid", "kill", "tkill",
        "tgkill", "getpid", "getppid", "gettid", "getpgid", "setpgid", "getpgrp", "getsid", "setsid",
        "set_tid_address", "set_robust_list", "get_robust_list", "futex", "futex_time64", "futex_waitv",
        "futex_wake", "futex_wait", "futex_requeue", "rseq", "arch_prctl", "set_thread_area", "get_thread_area",
        "set_tls", "get_tls", "prctl", "sched_yield", "sched_setparam", "sched_getparam", "sched_setscheduler",
        "sched_getscheduler", "sched_get_priority_max", "sched_get_priority_min", "sched_rr_get_interval",
        "sched_rr_get_interval_time64", "sched_setaffinity", "sched_getaffinity", "sched_setattr", "sched_getattr",
        "getpriority", "setpriority", "nice", "ioprio_get", "ioprio_set", "getrlimit", "setrlimit", "ugetrlimit",
        "prlimit64", "getrusage", "times", "pidfd_open", "pidfd_send_signal", "capget", "capset", "seccomp",
        "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self", "restart_syscall", "pause",
        "alarm", "getitimer", "setitimer", "nanosleep", "clock_nanosleep", "clock_nanosleep_time64",
        "cacheflush", "breakpoint",
    ]

    /// Signal handling.
    static let signals = [
        "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending", "rt_sigtimedwait",
        "rt_sigtimedwait_time64", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "rt_sigsuspend", "sigaltstack",
        "sigaction", "sigprocmask", "sigreturn", "sigsuspend", "sigpending", "signal", "signalfd", "signalfd4",
    ]

    /// Reading clocks and arming timers (setting the clock is blocked, see above).
    static let time = [
        "time", "gettimeofday", "clock_gettime", "clock_gettime64", "clock_getres", "clock_getres_time64",
        "timer_create", "timer_settime", "timer_settime64", "timer_gettime", "timer_gettime64", "timer_getoverrun",
        "timer_delete", "timerfd_create", "timerfd_settime", "timerfd_settime64", "timerfd_gettime",
        "timerfd_gettime64",
    ]

    /// Networking within the container's network namespace.
    static let sockets = [
        "socket", "socketpair", "bind", "connect", "listen", "accept", "accept4", "getsockname", "getpeername",
        "sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "recvmmsg_time64", "send", "recv",
        "setsockopt", "getsockopt", "shutdown", "socketcall",
    ]

    /// SysV and POSIX IPC (namespaced by the IPC namespace).
    static let ipc = [
        "shmget", "shmat", "shmdt", "shmctl", "semget", "semop", "semtimedop", "semtimedop_time64", "semctl",
        "msgget", "msgsnd", "msgrcv", "msgctl", "ipc", "mq_open", "mq_unlink", "mq_timedsend",
        "mq_timedsend_time64", "mq_timedreceive", "mq_timedreceive_time64", "mq_notify", "mq_getsetattr",
    ]

    /// Waiting for many file descriptors.
    static let polling = [
        "select", "_newselect", "pselect6", "pselect6_time64", "poll", "ppoll", "ppoll_time64", "epoll_create",
        "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2",
    ]

    /// User and group ids; changing them still needs CAP_SETUID/CAP_SETGID.
    static let credentials = [
        "getuid", "getgid", "geteuid", "getegid", "getuid32", "getgid32", "geteuid32", "getegid32", "setuid",
        "setgid", "setuid32", "setgid32", "setreuid", "setregid", "setreuid32", "setregid32", "setresuid",
        "setresgid", "setresuid32", "setresgid32", "getresuid", "getresgid", "getresuid32", "getresgid32",
        "setfsuid", "setfsgid", "setfsuid32", "setfsgid32", "getgroups", "setgroups", "getgroups32",
        "setgroups32",
    ]

    /// Information about the system, and the (UTS-namespaced) host name.
    static let system = [
        "uname", "olduname", "oldolduname", "sysinfo", "getcpu", "getrandom", "sethostname", "setdomainname",
    ]
}
