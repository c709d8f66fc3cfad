// Symbolic names for the integer arguments the security monitor sees. The monitor only has numbers (seccomp hands it
// registers, not memory), so these tables turn the ones worth naming back into what a developer wrote in the source.
// Values are the Linux UAPI constants, identical on every architecture taurun builds for.

enum LinuxCallVocabulary {
    static let addressFamilyUnix: UInt64 = 1

    /// AF_* by number (linux/socket.h).
    static let addressFamilies: [UInt64: String] = [
        0: "AF_UNSPEC", 1: "AF_UNIX", 2: "AF_INET", 3: "AF_AX25", 4: "AF_IPX", 5: "AF_APPLETALK", 6: "AF_NETROM",
        7: "AF_BRIDGE", 8: "AF_ATMPVC", 9: "AF_X25", 10: "AF_INET6", 11: "AF_ROSE", 12: "AF_DECnet", 13: "AF_NETBEUI",
        14: "AF_SECURITY", 15: "AF_KEY", 16: "AF_NETLINK", 17: "AF_PACKET", 18: "AF_ASH", 19: "AF_ECONET", 20: "AF_ATMSVC",
        21: "AF_RDS", 22: "AF_SNA", 23: "AF_IRDA", 24: "AF_PPPOX", 25: "AF_WANPIPE", 26: "AF_LLC", 27: "AF_IB", 28: "AF_MPLS",
        29: "AF_CAN", 30: "AF_TIPC", 31: "AF_BLUETOOTH", 32: "AF_IUCV", 33: "AF_RXRPC", 34: "AF_ISDN", 35: "AF_PHONET",
        36: "AF_IEEE802154", 37: "AF_CAIF", 38: "AF_ALG", 39: "AF_NFC", 40: "AF_VSOCK", 41: "AF_KCM", 42: "AF_QIPCRTR",
        43: "AF_SMC", 44: "AF_XDP", 45: "AF_MCTP",
    ]

    /// SOCK_* types, after masking the creation flags below.
    static let socketTypes: [UInt64: String] = [
        1: "SOCK_STREAM", 2: "SOCK_DGRAM", 3: "SOCK_RAW", 4: "SOCK_RDM", 5: "SOCK_SEQPACKET", 6: "SOCK_DCCP", 10: "SOCK_PACKET",
    ]
    /// SOCK_NONBLOCK | SOCK_CLOEXEC: flags on the fd, not part of what kind of socket it is.
    static let socketCreationFlags: UInt64 = 0o4000 | 0o2000000

    /// IPPROTO_* for AF_INET/AF_INET6 sockets.
    static let ipProtocols: [UInt64: String] = [
        1: "IPPROTO_ICMP", 2: "IPPROTO_IGMP", 6: "IPPROTO_TCP", 17: "IPPROTO_UDP", 41: "IPPROTO_IPV6", 47: "IPPROTO_GRE",
        58: "IPPROTO_ICMPV6", 132: "IPPROTO_SCTP", 136: "IPPROTO_UDPLITE", 255: "IPPROTO_RAW", 262: "IPPROTO_MPTCP",
    ]

    /// NETLINK_* protocols for AF_NETLINK sockets.
    static let netlinkProtocols: [UInt64: String] = [
        0: "NETLINK_ROUTE", 4: "NETLINK_SOCK_DIAG", 6: "NETLINK_XFRM", 7: "NETLINK_SELINUX", 9: "NETLINK_AUDIT",
        12: "NETLINK_NETFILTER", 15: "NETLINK_KOBJECT_UEVENT", 16: "NETLINK_GENERIC",
    ]

    /// The CLONE_NEW* flags, in the order they are printed: the user namespace first because it is what makes the
    /// others possible without privilege.
    static let namespaceFlags: [(UInt64, String)] = [
        (0x1000_0000, "CLONE_NEWUSER"), (0x0002_0000, "CLONE_NEWNS"), (0x2000_0000, "CLONE_NEWPID"),
        (0x4000_0000, "CLONE_NEWNET"), (0x0800_0000, "CLONE_NEWIPC"), (0x0400_0000, "CLONE_NEWUTS"),
        (0x0200_0000, "CLONE_NEWCGROUP"), (0x0000_0080, "CLONE_NEWTIME"),
    ]
    static let namespaceMask: UInt64 = namespaceFlags.reduce(0) { $0 | $1.0 }

    /// The other clone/unshare flags (linux/sched.h).
    static let otherCloneFlags: [(UInt64, String)] = [
        (0x0000_0100, "CLONE_VM"), (0x0000_0200, "CLONE_FS"), (0x0000_0400, "CLONE_FILES"), (0x0000_0800, "CLONE_SIGHAND"),
        (0x0000_1000, "CLONE_PIDFD"), (0x0000_2000, "CLONE_PTRACE"), (0x0000_4000, "CLONE_VFORK"),
        (0x0000_8000, "CLONE_PARENT"), (0x0001_0000, "CLONE_THREAD"), (0x0004_0000, "CLONE_SYSVSEM"),
        (0x0008_0000, "CLONE_SETTLS"), (0x0010_0000, "CLONE_PARENT_SETTID"), (0x0020_0000, "CLONE_CHILD_CLEARTID"),
        (0x0040_0000, "CLONE_DETACHED"), (0x0080_0000, "CLONE_UNTRACED"), (0x0100_0000, "CLONE_CHILD_SETTID"),
        (0x8000_0000, "CLONE_IO"),
    ]

    /// Signal names for clone's exit signal (the low byte of its flags).
    static let signals: [UInt64: String] = [
        1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE",
        9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM",
        16: "SIGSTKFLT", 17: "SIGCHLD", 18: "SIGCONT", 19: "SIGSTOP", 20: "SIGTSTP", 21: "SIGTTIN", 22: "SIGTTOU",
        23: "SIGURG", 24: "SIGXCPU", 25: "SIGXFSZ", 26: "SIGVTALRM", 27: "SIGPROF", 28: "SIGWINCH", 29: "SIGIO",
        30: "SIGPWR", 31: "SIGSYS",
    ]

    /// MS_* mount flags (linux/mount.h).
    static let mountFlags: [(UInt64, String)] = [
        (1, "MS_RDONLY"), (2, "MS_NOSUID"), (4, "MS_NODEV"), (8, "MS_NOEXEC"), (16, "MS_SYNCHRONOUS"), (32, "MS_REMOUNT"),
        (64, "MS_MANDLOCK"), (128, "MS_DIRSYNC"), (256, "MS_NOSYMFOLLOW"), (1024, "MS_NOATIME"), (2048, "MS_NODIRATIME"),
        (4096, "MS_BIND"), (8192, "MS_MOVE"), (16384, "MS_REC"), (32768, "MS_SILENT"), (1 << 16, "MS_POSIXACL"),
        (1 << 17, "MS_UNBINDABLE"), (1 << 18, "MS_PRIVATE"), (1 << 19, "MS_SLAVE"), (1 << 20, "MS_SHARED"),
        (1 << 21, "MS_RELATIME"), (1 << 22, "MS_KERNMOUNT"), (1 << 23, "MS_I_VERSION"), (1 << 24, "MS_STRICTATIME"),
        (1 << 25, "MS_LAZYTIME"),
    ]

    /// How many arguments each system call takes (x86_64 and the generic table agree on these), so a description
    /// shows the call's real arguments and not the leftover registers seccomp also reports.
    static let argumentCounts: [String: Int] = [
        "read": 3, "write": 3, "open": 3, "close": 1, "stat": 2, "fstat": 2, "lstat": 2, "poll": 3, "lseek": 3, "mmap": 6,
        "mprotect": 3, "munmap": 2, "brk": 1, "rt_sigaction": 4, "rt_sigprocmask": 4, "ioctl": 3, "pread64": 4,
        "pwrite64": 4, "readv": 3, "writev": 3, "access": 2, "pipe": 1, "select": 5, "mremap": 5, "msync": 3,
        "madvise": 3, "shmget": 3, "shmat": 3, "shmctl": 3, "dup": 1, "dup2": 2, "nanosleep": 2, "alarm": 1,
        "sendfile": 4, "socket": 3, "connect": 3, "accept": 3, "sendto": 6, "recvfrom": 6, "sendmsg": 3, "recvmsg": 3,
        "shutdown": 2, "bind": 3, "listen": 2, "getsockname": 3, "getpeername": 3, "socketpair": 4, "setsockopt": 5,
        "getsockopt": 5, "clone": 5, "fork": 0, "vfork": 0, "execve": 3, "exit": 1, "wait4": 4, "kill": 2, "uname": 1,
        "semget": 3, "semop": 3, "semctl": 4, "msgget": 2, "msgsnd": 4, "msgrcv": 5, "msgctl": 3, "fcntl": 3, "flock": 2,
        "fsync": 1, "truncate": 2, "ftruncate": 2, "getdents": 3, "getcwd": 2, "chdir": 1, "fchdir": 1, "rename": 2,
        "mkdir": 2, "rmdir": 1, "creat": 2, "link": 2, "unlink": 1, "symlink": 2, "readlink": 3, "chmod": 2, "fchmod": 2,
        "chown": 3, "fchown": 3, "lchown": 3, "umask": 1, "getrlimit": 2, "sysinfo": 1, "ptrace": 4, "syslog": 3,
        "setuid": 1, "setgid": 1, "setpgid": 2, "setsid": 0, "setreuid": 2, "setregid": 2, "setgroups": 2,
        "setresuid": 3, "setresgid": 3, "setfsuid": 1, "setfsgid": 1, "capget": 2, "capset": 2, "mknod": 3, "uselib": 1,
        "personality": 1, "ustat": 2, "statfs": 2, "sysfs": 3, "setpriority": 3, "sched_setscheduler": 3, "mlock": 2,
        "mlockall": 1, "vhangup": 0, "modify_ldt": 3, "pivot_root": 2, "_sysctl": 1, "prctl": 5, "arch_prctl": 2,
        "adjtimex": 1, "setrlimit": 2, "chroot": 1, "sync": 0, "acct": 1, "settimeofday": 2, "mount": 5, "umount2": 2,
        "swapon": 2, "swapoff": 1, "reboot": 4, "sethostname": 2, "setdomainname": 2, "iopl": 1, "ioperm": 3,
        "create_module": 2, "init_module": 3, "delete_module": 2, "get_kernel_syms": 1, "query_module": 5,
        "quotactl": 4, "nfsservctl": 3, "setxattr": 5, "lsetxattr": 5, "fsetxattr": 5, "tkill": 2, "futex": 6,
        "sched_setaffinity": 3, "io_setup": 2, "io_submit": 3, "lookup_dcookie": 3, "remap_file_pages": 5,
        "getdents64": 3, "set_tid_address": 1, "clock_settime": 2, "clock_gettime": 2, "clock_nanosleep": 4,
        "exit_group": 1, "epoll_wait": 4, "epoll_ctl": 4, "tgkill": 3, "mbind": 6, "set_mempolicy": 3,
        "get_mempolicy": 5, "mq_open": 4, "kexec_load": 4, "waitid": 5, "add_key": 5, "request_key": 4, "keyctl": 5,
        "ioprio_set": 3, "inotify_add_watch": 3, "migrate_pages": 4, "openat": 4, "mkdirat": 3, "mknodat": 4,
        "fchownat": 5, "newfstatat": 4, "unlinkat": 3, "renameat": 4, "linkat": 5, "symlinkat": 3, "readlinkat": 4,
        "fchmodat": 3, "faccessat": 3, "pselect6": 6, "ppoll": 5, "unshare": 1, "splice": 6, "tee": 4, "vmsplice": 4,
        "move_pages": 6, "utimensat": 4, "epoll_pwait": 6, "signalfd": 3, "timerfd_create": 2, "eventfd": 1,
        "fallocate": 4, "accept4": 4, "signalfd4": 4, "eventfd2": 2, "epoll_create1": 1, "dup3": 3, "pipe2": 2,
        "inotify_init1": 1, "preadv": 4, "pwritev": 4, "perf_event_open": 5, "recvmmsg": 5, "fanotify_init": 2,
        "fanotify_mark": 5, "prlimit64": 4, "name_to_handle_at": 5, "open_by_handle_at": 3, "clock_adjtime": 2,
        "syncfs": 1, "sendmmsg": 4, "setns": 2, "process_vm_readv": 6, "process_vm_writev": 6, "kcmp": 5,
        "finit_module": 3, "sched_setattr": 3, "renameat2": 5, "seccomp": 3, "getrandom": 3, "memfd_create": 2,
        "kexec_file_load": 5, "bpf": 3, "execveat": 5, "userfaultfd": 1, "membarrier": 3, "mlock2": 3,
        "copy_file_range": 6, "preadv2": 5, "pwritev2": 5, "pkey_mprotect": 4, "statx": 5, "io_pgetevents": 6,
        "rseq": 4, "pidfd_send_signal": 4, "io_uring_setup": 2, "io_uring_enter": 6, "io_uring_register": 4,
        "open_tree": 3, "move_mount": 5, "fsopen": 2, "fsconfig": 5, "fsmount": 3, "fspick": 3, "pidfd_open": 2,
        "clone3": 2, "close_range": 3, "openat2": 4, "pidfd_getfd": 3, "faccessat2": 4, "process_madvise": 5,
        "epoll_pwait2": 6, "mount_setattr": 5, "quotactl_fd": 4, "landlock_create_ruleset": 3,
        "landlock_add_rule": 4, "landlock_restrict_self": 2, "memfd_secret": 1, "process_mrelease": 2,
        "futex_waitv": 5, "set_mempolicy_home_node": 4, "cachestat": 4, "fchmodat2": 4, "map_shadow_stack": 3,
        "statmount": 4, "listmount": 4, "lsm_get_self_attr": 4, "lsm_set_self_attr": 4, "lsm_list_modules": 3,
        "mseal": 3,
    ]
}
