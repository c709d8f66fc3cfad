// Turns what the security monitor saw (a system call name and its six raw integer arguments) into the sentence a
// developer needs: what the app tried, and either the permission that would allow it or why nothing ever will.

public enum ViolationExplainer {
    /// The call as a developer would write it: "socket(AF_INET, SOCK_STREAM)", "unshare(CLONE_NEWUSER|CLONE_NEWNS)",
    /// "clone(CLONE_NEWNET|SIGCHLD)", "mount(0x7ffd5f1c2e00, 0x7ffd5f1c2e40, 0x0, MS_BIND|MS_REC, 0x0)".
    /// Socket families, types and protocols, namespace and clone flags, and mount flags get their symbolic names
    /// (SOCK_NONBLOCK|SOCK_CLOEXEC are masked: they describe the fd, not the socket); a socket protocol of 0 and the
    /// pointer arguments of socket, socketpair and clone are left out because they say nothing about the decision.
    /// Other arguments print as signed decimals when small, else hex; only as many as the syscall takes (all that
    /// were given for a syscall this table does not know).
    public static func describeCall(syscall: String, args: [UInt64]) -> String {
        func arg(_ index: Int) -> UInt64 { index < args.count ? args[index] : 0 }
        let shown: [String]
        switch syscall {
        case "socket", "socketpair":
            shown = describeSocket(family: arg(0), type: arg(1), protocol: arg(2))
        case "unshare":
            shown = [flagNames(arg(0), LinuxCallVocabulary.namespaceFlags + LinuxCallVocabulary.otherCloneFlags)]
        case "clone":
            shown = [describeCloneFlags(arg(0))]
        case "setns":
            shown = [number(arg(0)), flagNames(arg(1), LinuxCallVocabulary.namespaceFlags)]
        case "mount":
            shown = [hex(arg(0)), hex(arg(1)), hex(arg(2)), flagNames(arg(3), LinuxCallVocabulary.mountFlags), hex(arg(4))]
        default:
            let count = LinuxCallVocabulary.argumentCounts[syscall] ?? args.count
            shown = (0..<count).map { number(arg($0)) }
        }
        return syscall + "(" + shown.joined(separator: ", ") + ")"
    }

    /// A call that names a path, as learn shows it: `openat("/dev/video0", O_RDWR)`, `connect(AF_UNIX,
    /// "/run/user/1000/wayland-0")`. `flags` are open(2)'s (nil: unknown or not an open). The path is the app's,
    /// so control characters and quotes are shown escaped: the line goes to terminals.
    public static func describeAccess(syscall: String, path: String, flags: UInt64?) -> String {
        let quoted = quotedPath(path)
        if syscall == "connect" { return "connect(AF_UNIX, \(quoted))" }
        guard let flags else { return "\(syscall)(\(quoted))" }
        var names = [["O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"][Int(flags & 3)]]
        for (bit, name) in [(UInt64(0o100), "O_CREAT"), (0o1000, "O_TRUNC"), (0o2000, "O_APPEND"), (0o200000, "O_DIRECTORY")]
        where flags & bit != 0 {
            names.append(name)
        }
        return "\(syscall)(\(quoted), \(names.joined(separator: "|")))"
    }

    /// A path in double quotes, with `"`, `\\` and every non-printable byte escaped (\xNN).
    static func quotedPath(_ path: String) -> String {
        var out = "\""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += "\\" + String(UnicodeScalar(byte))
            case 0x20..<0x7F: out.append(Character(UnicodeScalar(byte)))
            default:
                let hex = String(byte, radix: 16)
                out += "\\x" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return out + "\""
    }

    /// The arguments the syscall takes (the rest of the six registers is whatever the caller left there), for the
    /// audit record; all six for a syscall the table does not know.
    public static func arguments(syscall: String, args: [UInt64]) -> [UInt64] {
        guard let count = LinuxCallVocabulary.argumentCounts[syscall], count <= args.count else { return args }
        return Array(args.prefix(count))
    }

    /// The Tau permission that would allow this call, or nil if no permission ever does:
    /// socket/socketpair with family != AF_UNIX -> "network". Everything else -> nil.
    public static func permission(syscall: String, args: [UInt64]) -> String? {
        switch syscall {
        case "socket", "socketpair":
            let family = args.first ?? 0
            return family == LinuxCallVocabulary.addressFamilyUnix ? nil : "network"
        default:
            return nil
        }
    }

    /// Why no permission allows the call, as a clause that completes "… is not allowed: ".
    public static func reason(syscall: String, args: [UInt64]) -> String {
        let flags = args.first ?? 0
        switch syscall {
        case "unshare", "clone":
            if flags & LinuxCallVocabulary.namespaceMask != 0 { return "apps cannot create namespaces" }
        case "clone3":
            // clone3's flags live in user memory that seccomp cannot inspect, so a trapped clone3 is read as the
            // namespace creation it is trapped to prevent.
            return "apps cannot create namespaces"
        case "setns":
            return "apps cannot join other namespaces"
        case "seccomp":
            return "apps cannot install their own seccomp filters (the sandbox's filter must see every refused call)"
        case "prctl":
            if flags == 22 { return "apps cannot install their own seccomp filters (the sandbox's filter must see every refused call)" }
        default:
            if let reason = fixedReasons[syscall] { return reason }
        }
        return "it is outside the app sandbox's system-call allowlist"
    }

    /// The line for a violation. action is "terminated" or "denied". Exactly:
    ///  org.tauos.media terminated: socket(AF_INET, SOCK_STREAM) needs permission "network", which is not granted
    ///  org.tauos.hello terminated: unshare(CLONE_NEWUSER) is not allowed: apps cannot create namespaces
    public static func violationLine(app: String, action: String, syscall: String, args: [UInt64]) -> String {
        let call = describeCall(syscall: syscall, args: args)
        if let permission = permission(syscall: syscall, args: args) {
            return "\(app) \(action): \(call) needs permission \"\(permission)\", which is not granted"
        }
        return "\(app) \(action): \(call) is not allowed: \(reason(syscall: syscall, args: args))"
    }

    /// The calls no Tau permission grants, grouped by what they would let an app do.
    static let fixedReasons: [String: String] = {
        let groups: [(String, [String])] = [
            ("apps cannot mount filesystems", [
                "mount", "umount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen", "fsmount", "fsconfig",
                "fspick", "mount_setattr", "chroot",
            ]),
            ("apps cannot inspect other processes", [
                "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
            ]),
            ("apps cannot use the kernel keyring", ["keyctl", "add_key", "request_key"]),
            ("apps cannot load BPF programs", ["bpf"]),
            ("apps cannot use performance counters", ["perf_event_open"]),
            ("apps cannot load or remove kernel modules", [
                "init_module", "finit_module", "delete_module", "create_module", "query_module", "get_kernel_syms",
            ]),
            ("apps cannot load another kernel", ["kexec_load", "kexec_file_load"]),
            ("apps cannot reboot the system", ["reboot"]),
            ("apps cannot set the system clock", ["settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "stime"]),
            ("apps cannot manage swap", ["swapon", "swapoff"]),
            ("apps cannot use io_uring, which bypasses the system-call filter", [
                "io_uring_setup", "io_uring_enter", "io_uring_register",
            ]),
            ("apps cannot use userfaultfd", ["userfaultfd"]),
            ("apps cannot open files by handle, which bypasses path checks", ["open_by_handle_at", "name_to_handle_at"]),
            ("apps cannot read or control the kernel log", ["syslog"]),
            ("apps cannot access I/O ports", ["iopl", "ioperm"]),
            ("apps cannot change the host or domain name", ["sethostname", "setdomainname"]),
            ("apps cannot switch process accounting", ["acct"]),
            ("apps cannot change disk quotas", ["quotactl", "quotactl_fd"]),
            ("apps cannot call obsolete kernel interfaces", [
                "_sysctl", "sysfs", "ustat", "uselib", "nfsservctl", "lookup_dcookie", "vhangup",
            ]),
            ("apps cannot watch the whole filesystem", ["fanotify_init"]),
            ("apps cannot move other processes' memory between NUMA nodes", ["migrate_pages", "move_pages"]),
        ]
        var table: [String: String] = [:]
        for (reason, calls) in groups { for call in calls { table[call] = reason } }
        return table
    }()

    private static func describeSocket(family: UInt64, type: UInt64, protocol proto: UInt64) -> [String] {
        let familyName = LinuxCallVocabulary.addressFamilies[family] ?? number(family)
        let kind = type & ~LinuxCallVocabulary.socketCreationFlags
        let typeName = LinuxCallVocabulary.socketTypes[kind] ?? number(kind)
        guard proto != 0 else { return [familyName, typeName] }
        let protocolName: String?
        switch family {
        case 2, 10: protocolName = LinuxCallVocabulary.ipProtocols[proto]
        case 16: protocolName = LinuxCallVocabulary.netlinkProtocols[proto]
        default: protocolName = nil
        }
        return [familyName, typeName, protocolName ?? number(proto)]
    }

    /// Namespace flags first, then the other clone flags, then the exit signal in the low byte.
    private static func describeCloneFlags(_ flags: UInt64) -> String {
        let signal = flags & 0xFF
        let rest = flags & ~0xFF
        var parts: [String] = []
        if rest != 0 { parts.append(flagNames(rest, LinuxCallVocabulary.namespaceFlags + LinuxCallVocabulary.otherCloneFlags)) }
        if signal != 0 { parts.append(LinuxCallVocabulary.signals[signal] ?? number(signal)) }
        return parts.isEmpty ? "0" : parts.joined(separator: "|")
    }

    /// "A|B|0x40" in table order, unknown bits last as hex; "0" when no bit is set.
    private static func flagNames(_ value: UInt64, _ table: [(UInt64, String)]) -> String {
        guard value != 0 else { return "0" }
        var remaining = value
        var names: [String] = []
        for (bit, name) in table where remaining & bit != 0 {
            names.append(name)
            remaining &= ~bit
        }
        if remaining != 0 { names.append(hex(remaining)) }
        return names.joined(separator: "|")
    }

    /// Small values (fds, counts, AT_FDCWD = -100) read best as signed decimals; addresses and flag words as hex.
    private static func number(_ value: UInt64) -> String {
        let signed = Int64(bitPattern: value)
        if signed > -4096 && signed < 4096 { return String(signed) }
        return hex(value)
    }

    private static func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }
}
