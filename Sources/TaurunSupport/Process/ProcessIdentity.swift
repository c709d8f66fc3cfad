#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Who this process is: its real and effective user and group ids (getuid(2) and the like, which cannot fail). The
/// package's one place for them, in the leaf, because modules that may not import TaurunLinux ask too (the sandbox's
/// caller, the audit log's owner check, `taurun spec --rootless`'s mappings). Changing them is TaurunLinux's
/// (Credentials).
public enum ProcessIdentity {
    /// The effective uid: who this process acts as (what file owners and permission checks are compared with).
    public static var effectiveUID: UInt32 { geteuid() }

    /// The effective gid.
    public static var effectiveGID: UInt32 { getegid() }

    /// The real uid: who started this process (differs from the effective uid only in a set-user-ID program).
    public static var realUID: UInt32 { getuid() }

    /// The real gid.
    public static var realGID: UInt32 { getgid() }
}
