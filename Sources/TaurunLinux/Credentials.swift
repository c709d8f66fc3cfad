import CLinux

#if canImport(Glibc)
import Glibc
#endif

/// Changing this process's ids; reading them is TaurunSupport's ProcessIdentity.
public enum Credentials {
    public static func setGroups(_ groups: [UInt32]) throws(SyscallError) {
        _ = try sys("setgroups") { groups.withUnsafeBufferPointer { tr_setgroups($0.count, $0.baseAddress) } }
    }

    /// setresgid(0) and setresuid(0): the root of the user namespace just entered. A namespace that maps no root
    /// (EINVAL) is not an error: the process keeps its ids.
    public static func becomeNamespaceRoot() throws(SyscallError) {
        if tr_setresgid(0, 0, 0) != 0 && Glibc.errno != EINVAL { throw SyscallError("setresgid(0)") }
        if tr_setresuid(0, 0, 0) != 0 && Glibc.errno != EINVAL { throw SyscallError("setresuid(0)") }
    }

    public static func setUID(_ uid: UInt32) throws(SyscallError) {
        _ = try sys("setresuid(\(uid))") { tr_setresuid(uid, uid, uid) }
    }

    public static func setGID(_ gid: UInt32) throws(SyscallError) {
        _ = try sys("setresgid(\(gid))") { tr_setresgid(gid, gid, gid) }
    }
}

public enum Limits {
    public static func set(resource: Int32, soft: UInt64, hard: UInt64, name: String) throws(SyscallError) {
        _ = try sys("setrlimit(\(name))") { tr_setrlimit(resource, soft, hard) }
    }
}

public enum Identity {
    public static func setHostname(_ name: String) throws(SyscallError) {
        _ = try sys("sethostname", name) { tr_sethostname(name, name.utf8.count) }
    }

    public static func setDomainname(_ name: String) throws(SyscallError) {
        _ = try sys("setdomainname", name) { tr_setdomainname(name, name.utf8.count) }
    }
}
