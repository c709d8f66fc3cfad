#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A file's attributes: its status, size, owner and mode by path or fd; the calls that read or change them where a
/// failure must be reported (the best-effort fd forms for copies are in FilesAt.swift). `display` names the file in
/// errors.
extension Files {
    /// stat(2), following symlinks.
    public static func stat(path: String) throws(SyscallError) -> stat {
        var st = Glibc.stat()
        _ = try sys("stat", path) { statPath(path, &st) }
        return st
    }

    /// fchown(2).
    public static func changeOwner(fd: Int32, uid: UInt32, gid: UInt32, display: String) throws(SyscallError) {
        _ = try sys("fchown", display) { fchown(fd, uid_t(uid), gid_t(gid)) }
    }

    /// ftruncate(2): the file `fd` is open for writing made `bytes` long (a sparse file when it grows).
    public static func setSize(fd: Int32, _ bytes: Int64, display: String) throws(SyscallError) {
        _ = try sys("ftruncate", display) { ftruncate(fd, off_t(bytes)) }
    }

    /// lchown(2): a symlink at `path` gets the owner, not what it points to.
    public static func changeOwner(path: String, uid: UInt32, gid: UInt32, display: String) throws(SyscallError) {
        _ = try sys("chown", display) { lchown(path, uid_t(uid), gid_t(gid)) }
    }

    /// chmod(2), following symlinks.
    public static func changeMode(path: String, _ mode: UInt32, display: String) throws(SyscallError) {
        _ = try sys("chmod", display) { chmod(path, mode_t(mode)) }
    }
}

/// stat(2) by path; a free function because inside Files `stat` names its own methods.
private func statPath(_ path: String, _ st: inout Glibc.stat) -> Int32 { stat(path, &st) }
