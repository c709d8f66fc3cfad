import CLinux

#if canImport(Glibc)
import Glibc
#endif

/// Linux namespace kinds with their CLONE_NEW* flag and /proc/<pid>/ns file name.
public enum NamespaceKind: String, CaseIterable, Sendable {
    case mount, uts, ipc, user, pid, network, cgroup, time

    public var cloneFlag: Int32 {
        switch self {
        case .mount: return 0x0002_0000
        case .uts: return 0x0400_0000
        case .ipc: return 0x0800_0000
        case .user: return 0x1000_0000
        case .pid: return 0x2000_0000
        case .network: return 0x4000_0000
        case .cgroup: return 0x0200_0000
        case .time: return 0x0000_0080
        }
    }

    /// The entry under /proc/<pid>/ns/.
    public var procName: String {
        switch self {
        case .mount: return "mnt"
        case .network: return "net"
        case .time: return "time"
        default: return rawValue
        }
    }
}

public enum Namespaces {
    /// The kind of namespace the file at `path` is (NS_GET_NSTYPE); nil when it is not a namespace at all.
    public static func kind(ofFileAt path: String) throws(SyscallError) -> NamespaceKind? {
        let fd = try Files.open(path, O_RDONLY)
        defer { Glibc.close(fd) }
        let type = tr_ns_get_type(fd)
        if type < 0 { return nil }
        return NamespaceKind.allCases.first { $0.cloneFlag == type }
    }

    public static func unshare(_ flags: Int32) throws(SyscallError) {
        _ = try sys("unshare") { tr_unshare(flags) }
    }

    /// Joins the namespace referred to by `fd` (from `open(path)`), checking it is of the expected kind.
    public static func join(fd: Int32, kind: NamespaceKind, path: String) throws(SyscallError) {
        _ = try sys("setns", path) { tr_setns(fd, kind.cloneFlag) }
    }

    /// clone3: returns 0 in the child, the child's pid in the parent. `cgroupFD` >= 0 places the child straight
    /// into that cgroup (v2 only).
    public static func clone(flags: Int32, cgroupFD: Int32 = -1) throws(SyscallError) -> pid_t {
        try sys("clone3") { tr_clone3(UInt64(UInt32(bitPattern: flags)), cgroupFD, nil) }
    }
}
