import TaurunOCI

/// The per-app seccomp filter, emitted as OCI data (TaurunSeccomp, runc and crun compile it; TauSandbox links no
/// libseccomp). A default-deny allowlist modelled on moby's default profile, minus everything an app never needs and
/// that widens the kernel attack surface or escapes the sandbox: namespaces (unshare, setns, clone with CLONE_NEW*),
/// mounts, ptrace and cross-process memory access, keyrings, bpf, perf, io_uring, userfaultfd, module/kexec/reboot,
/// clock setting, open_by_handle_at.
public enum SeccompProfile {
    /// AF_UNIX, the only socket family left when `network` is not granted.
    static let addressFamilyUnix: UInt64 = 1
    /// ENOSYS for clone3: glibc then falls back to clone(2), whose flags this filter can inspect (clone3 passes them
    /// in memory, out of seccomp's reach).
    static let errnoNotImplemented: UInt32 = 38
    /// CLONE_NEWNS|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET|CLONE_NEWTIME
    /// (0x7E020080): clone is allowed only with none of them set.
    static let cloneNamespaceFlags: UInt64 = 0x7E02_0080
    /// prctl(PR_SET_SECCOMP) and seccomp(SECCOMP_SET_MODE_STRICT = 0 | SECCOMP_SET_MODE_FILTER = 1): installing a
    /// filter. seccomp operations from SECCOMP_GET_ACTION_AVAIL (2) up only ask questions.
    static let prSetSeccomp: UInt64 = 22
    static let seccompGetActionAvail: UInt64 = 2

    public static func make(networkGranted: Bool, onViolation: OnViolation) -> LinuxSeccomp {
        // "ask" is "deny" for runc and crun; taurun's monitor turns every denial into a notification it answers.
        let violation: LinuxSeccompAction = onViolation == .terminate ? .killProcess : .errno
        var rules: [LinuxSyscall] = [
            LinuxSyscall(names: allowedSyscalls, action: .allow),
            LinuxSyscall(
                names: ["clone"], action: .allow,
                args: [LinuxSeccompArg(index: 0, value: cloneNamespaceFlags, valueTwo: 0, op: .maskedEqual)]),
            LinuxSyscall(names: ["clone3"], action: .errno, errnoRet: errnoNotImplemented),
            // No filter of the app's own: a filter that answers EPERM outranks the monitor's notification (the
            // kernel takes the strictest action), so the app could refuse itself calls unseen, unaudited and without
            // on_violation. prctl and seccomp stay for everything else (PR_SET_NAME, SECCOMP_GET_ACTION_AVAIL, …).
            LinuxSyscall(names: ["prctl"], action: .allow, args: [LinuxSeccompArg(index: 0, value: prSetSeccomp, op: .notEqual)]),
            LinuxSyscall(names: ["seccomp"], action: .allow, args: [LinuxSeccompArg(index: 0, value: seccompGetActionAvail, op: .greaterEqual)]),
            // personality(2): only the values glibc and emulators use (PER_LINUX, UNAME26, PER_LINUX32, query).
            LinuxSyscall(names: ["personality"], action: .allow, args: [LinuxSeccompArg(index: 0, value: 0x0, op: .equalTo)]),
            LinuxSyscall(names: ["personality"], action: .allow, args: [LinuxSeccompArg(index: 0, value: 0x0008, op: .equalTo)]),
            LinuxSyscall(names: ["personality"], action: .allow, args: [LinuxSeccompArg(index: 0, value: 0x20000, op: .equalTo)]),
            LinuxSyscall(names: ["personality"], action: .allow, args: [LinuxSeccompArg(index: 0, value: 0x20008, op: .equalTo)]),
            LinuxSyscall(names: ["personality"], action: .allow, args: [LinuxSeccompArg(index: 0, value: 0xFFFF_FFFF, op: .equalTo)]),
        ]
        if networkGranted {
            rules.append(LinuxSyscall(names: ["socket", "socketpair"], action: .allow))
        } else {
            rules.append(LinuxSyscall(names: ["socketpair"], action: .allow))
            rules.append(
                LinuxSyscall(
                    names: ["socket"], action: .allow,
                    args: [LinuxSeccompArg(index: 0, value: addressFamilyUnix, op: .equalTo)]))
            // Any other family falls to the default action: a violation like any call outside the allowlist, which
            // taurun's monitor turns into an audited decision and runc and crun apply as written.
        }
        return LinuxSeccomp(
            // SCMP_ACT_ERRNO without errnoRet is EPERM (runtime-spec), what on_violation = "deny" promises.
            defaultAction: violation,
            architectures: nativeArchitectures,
            syscalls: rules)
    }

    /// Only the native ABI: a 32-bit (x86/x32) syscall entry would bypass the argument rules (socketcall), so those
    /// ABIs fall to the default action.
    static var nativeArchitectures: [Arch] {
        #if arch(x86_64)
        return [.x86_64]
        #elseif arch(arm64)
        return [.aarch64]
        #else
        return []
        #endif
    }

    /// Syscalls that exist on x86_64 only (aarch64 has just the *at variants).
    static let legacySyscalls: Set<String> = [
        "access", "alarm", "arch_prctl", "chmod", "chown", "creat", "dup2", "epoll_create", "epoll_wait", "fork",
        "futimesat", "getdents", "getpgrp", "inotify_init", "lchown", "link", "lstat", "mkdir", "mknod", "open", "pause",
        "pipe", "poll", "readlink", "rename", "rmdir", "select", "signalfd", "stat", "symlink", "time", "unlink", "utime",
        "utimes", "vfork", "eventfd", "getrlimit", "ustat", "sysfs",
    ]

    static var allowedSyscalls: [String] {
        #if arch(x86_64)
        return commonSyscalls.sorted()
        #else
        return commonSyscalls.filter { !legacySyscalls.contains($0) }.sorted()
        #endif
    }

    static let commonSyscalls: [String] = [
        "accept", "accept4", "access", "alarm", "arch_prctl", "bind", "brk", "capget", "capset", "chdir", "chmod",
        "chown", "clock_getres", "clock_gettime", "clock_nanosleep", "close", "close_range", "connect",
        "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_pwait",
        "epoll_pwait2", "epoll_wait", "eventfd", "eventfd2", "execve", "execveat", "exit", "exit_group", "faccessat",
        "faccessat2", "fadvise64", "fallocate", "fchdir", "fchmod", "fchmodat", "fchown", "fchownat", "fcntl",
        "fdatasync", "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr", "fsetxattr", "fstat", "fstatfs",
        "fsync", "ftruncate", "futex", "futimesat", "get_robust_list", "getcpu", "getcwd", "getdents", "getdents64",
        "getegid", "geteuid", "getgid", "getgroups", "getitimer", "getpeername", "getpgid", "getpgrp", "getpid",
        "getppid", "getpriority", "getrandom", "getresgid", "getresuid", "getrlimit", "getrusage", "getsid",
        "getsockname", "getsockopt", "gettid", "gettimeofday", "getuid", "getxattr", "inotify_add_watch",
        "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel", "io_destroy", "io_getevents", "io_setup",
        "io_submit", "ioctl", "ioprio_get", "kill", "landlock_add_rule", "landlock_create_ruleset",
        "landlock_restrict_self", "lchown", "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr",
        "lremovexattr", "lseek", "lsetxattr", "lstat", "madvise", "membarrier", "memfd_create", "mincore", "mkdir",
        "mkdirat", "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mprotect", "mq_getsetattr", "mq_notify",
        "mq_open", "mq_timedreceive", "mq_timedsend", "mq_unlink", "mremap", "msgctl", "msgget", "msgrcv", "msgsnd",
        "msync", "munlock", "munlockall", "munmap", "nanosleep", "newfstatat", "open", "openat", "openat2", "pause",
        "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "poll", "ppoll", "pread64", "preadv", "preadv2",
        "prlimit64", "pselect6", "pwrite64", "pwritev", "pwritev2", "read", "readahead", "readlink", "readlinkat",
        "readv", "recvfrom", "recvmmsg", "recvmsg", "remap_file_pages", "removexattr", "rename", "renameat",
        "renameat2", "restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask",
        "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_tgsigqueueinfo",
        "sched_get_priority_max", "sched_get_priority_min", "sched_getaffinity", "sched_getattr", "sched_getparam",
        "sched_getscheduler", "sched_rr_get_interval", "sched_setaffinity", "sched_setattr", "sched_setparam",
        "sched_setscheduler", "sched_yield", "select", "semctl", "semget", "semop", "semtimedop",
        "sendfile", "sendmmsg", "sendmsg", "sendto", "set_robust_list", "set_tid_address", "setfsgid", "setfsuid",
        "setgid", "setgroups", "setitimer", "setpgid", "setpriority", "setregid", "setresgid", "setresuid", "setreuid",
        "setrlimit", "setsid", "setsockopt", "setuid", "setxattr", "shmat", "shmctl", "shmdt", "shmget", "shutdown",
        "sigaltstack", "signalfd", "signalfd4", "splice", "stat", "statfs", "statx", "symlink", "symlinkat", "sync",
        "sync_file_range", "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create", "timer_delete",
        "timer_getoverrun", "timer_gettime", "timer_settime", "timerfd_create", "timerfd_gettime", "timerfd_settime",
        "times", "tkill", "truncate", "umask", "uname", "unlink", "unlinkat", "utime", "utimensat", "utimes", "vfork",
        "vmsplice", "wait4", "waitid", "write", "writev",
    ]
}
