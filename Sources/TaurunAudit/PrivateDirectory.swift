import TaurunSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The rule for a directory whose contents taurun trusts (the state root: pids it signals, cgroup dirs it removes;
/// the audit log's directory: who could plant a lock symlink or forge records): a real directory, not a symlink,
/// owned by the caller or root, writable by nobody else. One rule for both, so they cannot drift apart.
public enum PrivateDirectory {
    /// Why a directory with this lstat mode and owner is unsafe for a process with `euid`; nil when it is fine.
    public static func problem(mode: UInt32, owner: uid_t, euid: uid_t) -> String? {
        switch FileKind(mode: mode) {
        case .symlink: return "is a symlink"
        case .directory: break
        default: return "is not a directory"
        }
        if owner != euid && owner != 0 { return "belongs to uid \(owner), not to uid \(euid) or root" }
        if mode & 0o022 != 0 { return "is writable by group or others (mode \(String(mode & 0o7777, radix: 8)))" }
        return nil
    }
}
